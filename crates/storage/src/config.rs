//! Store configuration.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

/// Default number of read connections. Reads run concurrently with the single writer (WAL);
/// a few connections serve RPC and the block builder's cache misses.
pub const DEFAULT_READ_CONNECTIONS: u32 = 4;
/// Default time a connection waits on a locked database before failing with `SQLITE_BUSY`.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Default capacity of the trie-node cache in nodes (a branch node is at most 532 bytes, so
/// about 64 MiB at most).
pub const DEFAULT_NODE_CACHE_NODES: usize = 131_072;
/// Default file name of the database inside a data directory.
pub const DEFAULT_DB_FILE: &str = "tributary.sqlite";

/// How to open a [`Store`](crate::Store).
///
/// The database is always a file: an in-memory SQLite database is private to one connection,
/// and the store uses several (one writer, a read pool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// Path of the SQLite database file; created (with its schema) if missing. SQLite adds
    /// `-wal` and `-shm` files next to it, and the pool journal lives beside it
    /// ([`StoreConfig::journal_path`]).
    pub path: PathBuf,
    /// Number of read-only connections in the read pool (at least 1).
    pub read_connections: u32,
    /// How long a statement waits for a lock held by another connection or process.
    pub busy_timeout: Duration,
    /// Capacity of the in-memory LRU cache of trie nodes shared by all
    /// [`SqliteNodeStore`](crate::SqliteNodeStore)s of the store (at least 1).
    pub node_cache_nodes: usize,
}

impl StoreConfig {
    /// Defaults for the database file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            read_connections: DEFAULT_READ_CONNECTIONS,
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            node_cache_nodes: DEFAULT_NODE_CACHE_NODES,
        }
    }

    /// Defaults for [`DEFAULT_DB_FILE`] inside the data directory `dir`.
    pub fn in_dir(dir: impl AsRef<Path>) -> Self {
        Self::new(dir.as_ref().join(DEFAULT_DB_FILE))
    }

    /// For tests: the database in `dir` (a temp dir), two readers and a small node cache so
    /// that cache misses are exercised.
    pub fn test(dir: impl AsRef<Path>) -> Self {
        Self::in_dir(dir)
            .with_read_connections(2)
            .with_node_cache_nodes(64)
    }

    /// Path of the pool journal's database file, next to the chain database
    /// (`tributary.sqlite` → `tributary.pool.sqlite`).
    pub fn journal_path(&self) -> PathBuf {
        self.path.with_extension("pool.sqlite")
    }

    /// Sets [`StoreConfig::read_connections`].
    #[must_use]
    pub const fn with_read_connections(mut self, n: u32) -> Self {
        self.read_connections = n;
        self
    }

    /// Sets [`StoreConfig::busy_timeout`].
    #[must_use]
    pub const fn with_busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Sets [`StoreConfig::node_cache_nodes`].
    #[must_use]
    pub const fn with_node_cache_nodes(mut self, n: usize) -> Self {
        self.node_cache_nodes = n;
        self
    }
}
