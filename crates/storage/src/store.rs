//! The SQLite store: open, the block commit, async reads and the pool journal.

use crate::{
    LogFilter, PoolTx, Result, StoreConfig, StoreError, StoredLog, StoredReceipt, StoredTx,
    codec::{self, int, uint},
    types::{AccountInfo, BlockWrite},
};
use alloy::consensus::Header;
use alloy_primitives::{Address, B256, Bytes, Log, LogData, Sealed, U256, map::B256Map};
use alloy_rlp::Decodable;
use lru::LruCache;
use sqlx::{
    QueryBuilder, Sqlite, SqliteConnection, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use std::{
    num::NonZeroUsize,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};
use tokio::runtime::Handle;
use tributary_trie::EMPTY_ROOT_HASH;

/// The schema, embedded from `crates/storage/migrations` at compile time (no database needed).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
/// Schema of the pool journal's own database file.
pub static JOURNAL_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./journal-migrations");

/// Most addresses plus topic values one log filter may carry (each is a bound SQL parameter).
pub const MAX_FILTER_VALUES: usize = 1_000;

/// Page cache of the writer connection (negative: KiB), 64 MiB.
const WRITER_CACHE_KIB: &str = "-65536";
/// WAL pages (4 KiB) after which a commit checkpoints.
const WAL_AUTOCHECKPOINT_PAGES: &str = "16384";

const META_HEAD: &str = "head";
const META_CHAIN_ID: &str = "chain_id";
const META_GENESIS: &str = "genesis_hash";

pub(crate) type NodeCache = Arc<Mutex<LruCache<B256, Bytes>>>;

/// The node's embedded store: one SQLite file in WAL mode, one writer connection and a small
/// read pool. Cheap to clone (all handles are shared).
///
/// See the [crate docs](crate) for the schema, durability and the sync access paths.
#[derive(Debug, Clone)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
    journal: SqlitePool,
    checkpointer: SqlitePool,
    pub(crate) nodes: NodeCache,
    pub(crate) runtime: Handle,
}

/// The head of the stored chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// The block's state root (open the state trie here to build the next block).
    pub state_root: B256,
}

impl Store {
    /// Opens (creating if missing) the database and migrates it to the current schema.
    ///
    /// Must be called inside a tokio runtime; the runtime is remembered for the sync access
    /// paths ([`Store::node_store`], [`Store::state_reader`]).
    pub async fn open(config: StoreConfig) -> Result<Self> {
        let base = SqliteConnectOptions::new()
            .filename(&config.path)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: a commit is in the WAL (OS page cache) when it returns, so a killed
            // process loses nothing; only an OS crash or power cut can drop the last commits
            // (never corrupting the file). FULL would fsync on every commit.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(config.busy_timeout);
        let writer = single_connection()
            .connect_with(
                base.clone()
                    .create_if_missing(true)
                    // A block's dirty pages stay in memory until commit instead of spilling.
                    .pragma("cache_size", WRITER_CACHE_KIB)
                    // Checkpoint (copy the WAL into the file, with an fsync) every ~64 MiB of
                    // WAL rather than SQLite's default 4 MiB, i.e. not after every large block.
                    .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES),
            )
            .await?;
        MIGRATOR.run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(config.read_connections.max(1))
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(base.clone().read_only(true))
            .await?;
        // One connection reads and writes the journal: it is written per admitted batch and
        // read only at startup.
        let journal = single_connection()
            .connect_with(
                base.clone()
                    .filename(config.journal_path())
                    .create_if_missing(true),
            )
            .await?;
        JOURNAL_MIGRATOR.run(&journal).await?;
        let checkpointer = single_connection().connect_with(base.clone()).await?;
        spawn_checkpointer(checkpointer.clone());
        let capacity = NonZeroUsize::new(config.node_cache_nodes).unwrap_or(NonZeroUsize::MIN);
        tracing::debug!(target: "storage", path = %config.path.display(), "store opened");
        Ok(Self {
            writer,
            reader,
            journal,
            checkpointer,
            nodes: Arc::new(Mutex::new(LruCache::new(capacity))),
            runtime: Handle::current(),
        })
    }

    /// Closes all connections, checkpointing the WAL. Later calls on clones fail.
    pub async fn close(&self) {
        self.checkpointer.close().await;
        self.reader.close().await;
        self.writer.close().await;
        self.journal.close().await;
    }

    /// Checks that the database accepts writes (takes the write lock and releases it), for
    /// health checks: a full disk or a read-only file fails here before a block commit does.
    pub async fn check_writable(&self) -> Result<()> {
        let mut conn = self.checkpointer.acquire().await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        sqlx::query("ROLLBACK").execute(&mut *conn).await?;
        Ok(())
    }

    pub(crate) const fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    // ---------------------------------------------------------------- chain identity

    /// Records `chain_id` in an empty store, or checks that the store belongs to it.
    pub async fn ensure_chain_id(&self, chain_id: u64) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        match meta_get(&mut conn, META_CHAIN_ID).await? {
            Some(bytes) => {
                let stored = meta_u64(&bytes)?;
                if stored != chain_id {
                    return Err(StoreError::ChainIdMismatch {
                        stored,
                        expected: chain_id,
                    });
                }
            }
            None => meta_put(&mut conn, META_CHAIN_ID, &chain_id.to_be_bytes()).await?,
        }
        Ok(())
    }

    /// Hash of block 0, once committed.
    pub async fn genesis_hash(&self) -> Result<Option<B256>> {
        let mut conn = self.reader.acquire().await?;
        meta_get(&mut conn, META_GENESIS)
            .await?
            .map(|b| codec::b256("genesis hash", &b))
            .transpose()
    }

    // ---------------------------------------------------------------- the block commit

    /// Writes one block and everything it changed in a single SQLite transaction: header,
    /// transactions, receipts, logs, flat-state changes, new code, new trie nodes, the head
    /// pointer, and the removal of the included transactions from the pool journal.
    ///
    /// The block must extend the head (number `head + 1` and parent hash = head hash; block 0
    /// on an empty store) and its state root must be stored or among its new trie nodes.
    /// On any error nothing of the block is written. When this returns `Ok` the block is
    /// durable against a process kill (see the crate docs for power loss).
    pub async fn commit_block(&self, block: &BlockWrite) -> Result<Head> {
        let header = &block.header;
        let hash = header.hash_slow();
        let number = int("block number", header.number)?;
        let timestamp = int("timestamp", header.timestamp)?;
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;

        // Contiguity with the stored head.
        match read_head(&mut tx).await? {
            None if header.number != 0 => {
                return Err(StoreError::NotNextBlock {
                    expected: 0,
                    got: header.number,
                });
            }
            Some(head) if head.number.checked_add(1) != Some(header.number) => {
                return Err(StoreError::NotNextBlock {
                    expected: head.number.saturating_add(1),
                    got: header.number,
                });
            }
            Some(head) if head.hash != header.parent_hash => {
                return Err(StoreError::ParentMismatch {
                    number: header.number,
                    parent: header.parent_hash,
                    head: head.hash,
                });
            }
            _ => {}
        }
        // The state the header claims must be readable after a restart.
        if header.state_root != EMPTY_ROOT_HASH
            && !block.trie_nodes.contains_key(&header.state_root)
            && sqlx::query("SELECT 1 FROM trie_nodes WHERE hash = ?")
                .bind(header.state_root.as_slice())
                .fetch_optional(&mut *tx)
                .await?
                .is_none()
        {
            return Err(StoreError::MissingStateRoot {
                number: header.number,
                root: header.state_root,
            });
        }

        sqlx::query(
            "INSERT INTO blocks (number, hash, parent_hash, timestamp, header) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(number)
        .bind(hash.as_slice())
        .bind(header.parent_hash.as_slice())
        .bind(timestamp)
        .bind(alloy_rlp::encode(header))
        .execute(&mut *tx)
        .await?;

        // Rows are converted (and range-checked) up front, then written with multi-row
        // statements: one round trip to the connection thread per chunk, not per row.
        let mut tx_rows = Vec::with_capacity(block.transactions.len());
        let mut log_rows = Vec::new();
        let mut log_index: u64 = 0;
        for (idx, t) in block.transactions.iter().enumerate() {
            let idx = int("transaction index", codec::usize_to_u64(idx))?;
            tx_rows.push((
                t,
                idx,
                int("gas used", t.gas_used)?,
                int("log index", log_index)?,
            ));
            for log in &t.logs {
                log_rows.push((t, idx, int("log index", log_index)?, log));
                log_index += 1;
            }
        }
        insert_many(
            &mut tx,
            "INSERT INTO transactions (hash, block_number, idx, sender, raw) ",
            "",
            &tx_rows,
            |mut b, (t, idx, ..)| {
                b.push_bind(t.hash.as_slice())
                    .push_bind(number)
                    .push_bind(*idx)
                    .push_bind(t.sender.as_slice())
                    .push_bind(t.raw.as_ref());
            },
        )
        .await?;
        insert_many(
            &mut tx,
            "INSERT INTO receipts (block_number, idx, tx_hash, gas_used, effective_gas_price, \
             first_log_index, contract_address, l1_fee, extra, encoded) ",
            "",
            &tx_rows,
            |mut b, (t, idx, gas_used, first_log)| {
                b.push_bind(number)
                    .push_bind(*idx)
                    .push_bind(t.hash.as_slice())
                    .push_bind(*gas_used)
                    .push_bind(t.effective_gas_price.to_be_bytes().as_slice())
                    .push_bind(*first_log)
                    .push_bind(t.contract_address.as_ref().map(|a| a.as_slice()))
                    .push_bind(t.l1_fee.as_ref().map(|f| codec::u256_bytes(f).to_vec()))
                    .push_bind(t.extra.as_ref().map(|e| e.as_ref()))
                    .push_bind(t.receipt.as_ref());
            },
        )
        .await?;
        insert_many(
            &mut tx,
            "INSERT INTO logs (block_number, log_index, tx_idx, tx_hash, address, \
             topic0, topic1, topic2, topic3, data) ",
            "",
            &log_rows,
            |mut b, (t, idx, log_index, log)| {
                let topics = log.topics();
                let topic = |i: usize| topics.get(i).map(|t| t.as_slice());
                b.push_bind(number)
                    .push_bind(*log_index)
                    .push_bind(*idx)
                    .push_bind(t.hash.as_slice())
                    .push_bind(log.address.as_slice())
                    .push_bind(topic(0))
                    .push_bind(topic(1))
                    .push_bind(topic(2))
                    .push_bind(topic(3))
                    .push_bind(log.data.data.as_ref());
            },
        )
        .await?;

        // Flat state. Each address appears once, so the per-account order (delete or wipe
        // storage, then write) is kept by running the phases in this order.
        let mut seen = alloy_primitives::map::AddressSet::default();
        let mut cleared = Vec::new();
        let mut deleted = Vec::new();
        let mut upserts = Vec::new();
        let mut slot_deletes = Vec::new();
        let mut slot_writes = Vec::new();
        for (address, change) in &block.state {
            if !seen.insert(*address) {
                return Err(StoreError::DuplicateAccount { address: *address });
            }
            match &change.info {
                None => {
                    deleted.push(address);
                    cleared.push(address);
                }
                Some(info) => {
                    if change.wipe_storage {
                        cleared.push(address);
                    }
                    upserts.push((address, info));
                    // Last write of a slot wins, as when applied in order.
                    let slots: B256Map<&U256> = change
                        .storage
                        .iter()
                        .map(|(slot, value)| (*slot, value))
                        .collect();
                    for (slot, value) in slots {
                        if value.is_zero() {
                            slot_deletes.push((address, slot));
                        } else {
                            slot_writes.push((address, slot, value));
                        }
                    }
                }
            }
        }
        delete_in(&mut tx, "DELETE FROM storage WHERE address IN ", &cleared).await?;
        delete_in(&mut tx, "DELETE FROM accounts WHERE address IN ", &deleted).await?;
        insert_many(
            &mut tx,
            "INSERT INTO accounts (address, nonce, balance, code_hash) ",
            " ON CONFLICT (address) DO UPDATE SET nonce = excluded.nonce, \
             balance = excluded.balance, code_hash = excluded.code_hash",
            &upserts,
            |mut b, (address, info)| {
                b.push_bind(address.as_slice())
                    .push_bind(codec::bits_to_i64(info.nonce))
                    .push_bind(codec::u256_bytes(&info.balance).as_slice())
                    .push_bind(info.code_hash.as_slice());
            },
        )
        .await?;
        for chunk in slot_deletes.chunks(ROWS_PER_STATEMENT) {
            let mut q =
                QueryBuilder::<Sqlite>::new("DELETE FROM storage WHERE (address, slot) IN (");
            q.push_values(chunk, |mut b, (address, slot)| {
                b.push_bind(address.as_slice()).push_bind(slot.as_slice());
            });
            q.push(")");
            q.build().execute(&mut *tx).await?;
        }
        insert_many(
            &mut tx,
            "INSERT INTO storage (address, slot, value) ",
            " ON CONFLICT (address, slot) DO UPDATE SET value = excluded.value",
            &slot_writes,
            |mut b, (address, slot, value)| {
                b.push_bind(address.as_slice())
                    .push_bind(slot.as_slice())
                    .push_bind(codec::u256_bytes(value).as_slice());
            },
        )
        .await?;

        insert_many(
            &mut tx,
            "INSERT OR IGNORE INTO code (hash, bytes) ",
            "",
            &block.code,
            |mut b, (code_hash, code)| {
                b.push_bind(code_hash.as_slice()).push_bind(code.as_ref());
            },
        )
        .await?;
        let nodes: Vec<_> = block.trie_nodes.iter().collect();
        insert_many(
            &mut tx,
            "INSERT OR IGNORE INTO trie_nodes (hash, rlp) ",
            "",
            &nodes,
            |mut b, (node_hash, rlp)| {
                b.push_bind(node_hash.as_slice()).push_bind(rlp.as_ref());
            },
        )
        .await?;

        // The head pointer last: it is what a restart resumes from.
        meta_put(&mut tx, META_HEAD, &header.number.to_be_bytes()).await?;
        if header.number == 0 {
            meta_put(&mut tx, META_GENESIS, hash.as_slice()).await?;
        }
        tx.commit().await?;

        // Warm the node cache only with what is now durable.
        let mut cache = self.nodes.lock().unwrap_or_else(PoisonError::into_inner);
        for (node_hash, rlp) in &block.trie_nodes {
            cache.put(*node_hash, rlp.clone());
        }
        drop(cache);
        tracing::debug!(target: "storage", number = header.number, %hash, txs = block.transactions.len(), "block committed");
        Ok(Head {
            number: header.number,
            hash,
            state_root: header.state_root,
        })
    }

    // ---------------------------------------------------------------- block reads

    /// The last committed block, or `None` for an empty store.
    pub async fn head(&self) -> Result<Option<Head>> {
        let mut conn = self.reader.acquire().await?;
        read_head(&mut conn).await
    }

    /// A block's header by number.
    pub async fn header_by_number(&self, number: u64) -> Result<Option<Sealed<Header>>> {
        let row: Option<(Vec<u8>, Vec<u8>)> =
            sqlx::query_as("SELECT hash, header FROM blocks WHERE number = ?")
                .bind(int("block number", number)?)
                .fetch_optional(&self.reader)
                .await?;
        row.map(|(hash, header)| sealed_header(&hash, &header))
            .transpose()
    }

    /// A block's header by hash.
    pub async fn header_by_hash(&self, hash: B256) -> Result<Option<Sealed<Header>>> {
        let row: Option<(Vec<u8>, Vec<u8>)> =
            sqlx::query_as("SELECT hash, header FROM blocks WHERE hash = ?")
                .bind(hash.as_slice())
                .fetch_optional(&self.reader)
                .await?;
        row.map(|(hash, header)| sealed_header(&hash, &header))
            .transpose()
    }

    /// The hash of block `number`, if stored.
    pub async fn block_hash(&self, number: u64) -> Result<Option<B256>> {
        block_hash(&self.reader, number).await
    }

    /// The transactions of block `number` in block order (empty if the block is unknown).
    pub async fn block_transactions(&self, number: u64) -> Result<Vec<StoredTx>> {
        let rows: Vec<TxRow> = sqlx::query_as(
            "SELECT t.hash, t.block_number, b.hash, t.idx, t.sender, t.raw FROM transactions t \
             JOIN blocks b ON b.number = t.block_number WHERE t.block_number = ? ORDER BY t.idx",
        )
        .bind(int("block number", number)?)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(stored_tx).collect()
    }

    /// The transaction at position `index` of block `number` (e.g. a block's L1-info deposit at
    /// index 0), without reading the rest of the block.
    pub async fn transaction_at(&self, number: u64, index: u64) -> Result<Option<StoredTx>> {
        let row: Option<TxRow> = sqlx::query_as(
            "SELECT t.hash, t.block_number, b.hash, t.idx, t.sender, t.raw FROM transactions t \
             JOIN blocks b ON b.number = t.block_number WHERE t.block_number = ? AND t.idx = ?",
        )
        .bind(int("block number", number)?)
        .bind(int("transaction index", index)?)
        .fetch_optional(&self.reader)
        .await?;
        row.map(stored_tx).transpose()
    }

    /// An included transaction by hash, with its block and position.
    pub async fn transaction(&self, hash: B256) -> Result<Option<StoredTx>> {
        let row: Option<TxRow> = sqlx::query_as(
            "SELECT t.hash, t.block_number, b.hash, t.idx, t.sender, t.raw FROM transactions t \
             JOIN blocks b ON b.number = t.block_number WHERE t.hash = ?",
        )
        .bind(hash.as_slice())
        .fetch_optional(&self.reader)
        .await?;
        row.map(stored_tx).transpose()
    }

    /// The receipts of block `number` in block order (empty if the block is unknown).
    pub async fn block_receipts(&self, number: u64) -> Result<Vec<StoredReceipt>> {
        let rows: Vec<ReceiptRow> = sqlx::query_as(
            "SELECT r.tx_hash, r.block_number, b.hash, r.idx, r.gas_used, r.effective_gas_price, \
             r.first_log_index, r.contract_address, r.l1_fee, r.extra, r.encoded FROM receipts r \
             JOIN blocks b ON b.number = r.block_number WHERE r.block_number = ? ORDER BY r.idx",
        )
        .bind(int("block number", number)?)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(stored_receipt).collect()
    }

    /// The receipt of an included transaction. A receipt exists only once its block is durable.
    pub async fn receipt(&self, tx_hash: B256) -> Result<Option<StoredReceipt>> {
        let row: Option<ReceiptRow> = sqlx::query_as(
            "SELECT r.tx_hash, r.block_number, b.hash, r.idx, r.gas_used, r.effective_gas_price, \
             r.first_log_index, r.contract_address, r.l1_fee, r.extra, r.encoded FROM transactions t \
             JOIN receipts r ON r.block_number = t.block_number AND r.idx = t.idx \
             JOIN blocks b ON b.number = t.block_number WHERE t.hash = ?",
        )
        .bind(tx_hash.as_slice())
        .fetch_optional(&self.reader)
        .await?;
        row.map(stored_receipt).transpose()
    }

    /// Logs matching `filter`, in chain order. Fails with [`StoreError::TooManyLogs`] if more
    /// than `limit` logs match (nothing partial is returned).
    pub async fn logs(&self, filter: &LogFilter, limit: usize) -> Result<Vec<StoredLog>> {
        if filter.from_block > filter.to_block {
            return Err(StoreError::InvalidFilter {
                reason: "from block is after to block",
            });
        }
        let values = filter.addresses.len() + filter.topics.iter().map(Vec::len).sum::<usize>();
        if values > MAX_FILTER_VALUES {
            return Err(StoreError::InvalidFilter {
                reason: "too many addresses and topics",
            });
        }
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT l.block_number, b.hash, b.timestamp, l.log_index, l.tx_idx, l.tx_hash, \
             l.address, l.topic0, l.topic1, l.topic2, l.topic3, l.data FROM logs l \
             JOIN blocks b ON b.number = l.block_number WHERE l.block_number BETWEEN ",
        );
        q.push_bind(int("block number", filter.from_block)?);
        q.push(" AND ");
        q.push_bind(int("block number", filter.to_block.min(i64::MAX as u64))?);
        push_in(
            &mut q,
            "l.address",
            filter.addresses.iter().map(|a| a.to_vec()),
        );
        for (position, topics) in filter.topics.iter().enumerate() {
            push_in(
                &mut q,
                ["l.topic0", "l.topic1", "l.topic2", "l.topic3"][position],
                topics.iter().map(|t| t.to_vec()),
            );
        }
        q.push(" ORDER BY l.block_number, l.log_index LIMIT ");
        q.push_bind(i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX));
        let rows: Vec<LogRow> = q.build_query_as().fetch_all(&self.reader).await?;
        if rows.len() > limit {
            return Err(StoreError::TooManyLogs { limit });
        }
        rows.into_iter().map(stored_log).collect()
    }

    // ---------------------------------------------------------------- flat state

    /// The latest state of an account (`None` if it does not exist).
    pub async fn account(&self, address: Address) -> Result<Option<AccountInfo>> {
        account(&self.reader, address).await
    }

    /// The latest value of a storage slot (zero if unset).
    pub async fn storage(&self, address: Address, slot: B256) -> Result<U256> {
        storage(&self.reader, address, slot).await
    }

    /// Contract code by hash.
    pub async fn code(&self, hash: B256) -> Result<Option<Bytes>> {
        code(&self.reader, hash).await
    }

    /// A trie node by hash, straight from SQLite (no cache).
    pub async fn trie_node(&self, hash: B256) -> Result<Option<Bytes>> {
        trie_node(&self.reader, hash).await
    }

    // ---------------------------------------------------------------- pool journal

    /// Journals an accepted pool transaction. Returns `false` if its hash is already journaled.
    /// Durable against a process kill when this returns.
    pub async fn pool_insert(&self, tx: &PoolTx) -> Result<bool> {
        let done = sqlx::query(
            "INSERT OR IGNORE INTO pool_journal (hash, sender, nonce, inserted_at, raw) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(tx.hash.as_slice())
        .bind(tx.sender.as_slice())
        .bind(codec::bits_to_i64(tx.nonce))
        .bind(codec::bits_to_i64(tx.inserted_at))
        .bind(tx.raw.as_ref())
        .execute(&self.journal)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Journals a batch of accepted pool transactions in one SQLite transaction (one commit for
    /// a whole `eth_sendRawTransaction` batch). Returns how many were new. Durable against a
    /// process kill when this returns.
    pub async fn pool_insert_many(&self, txs: &[PoolTx]) -> Result<u64> {
        if txs.is_empty() {
            return Ok(0);
        }
        let mut tx = self.journal.begin().await?;
        let mut inserted = 0;
        for chunk in txs.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT OR IGNORE INTO pool_journal (hash, sender, nonce, inserted_at, raw) ",
            );
            q.push_values(chunk, |mut b, p| {
                b.push_bind(p.hash.as_slice())
                    .push_bind(p.sender.as_slice())
                    .push_bind(codec::bits_to_i64(p.nonce))
                    .push_bind(codec::bits_to_i64(p.inserted_at))
                    .push_bind(p.raw.as_ref());
            });
            inserted += q.build().execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// Removes transactions from the journal (evicted, replaced or dropped), in one transaction.
    /// Returns how many were journaled. Included transactions leave here too, once their block is committed.
    pub async fn pool_remove(&self, hashes: &[B256]) -> Result<u64> {
        if hashes.is_empty() {
            return Ok(0);
        }
        let mut tx = self.journal.begin().await?;
        let removed = delete_in(&mut tx, "DELETE FROM pool_journal WHERE hash IN ", hashes).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// The journaled transactions in arrival order, to refill the pool on startup.
    pub async fn pool_load(&self) -> Result<Vec<PoolTx>> {
        let rows: Vec<PoolRow> = sqlx::query_as(
            "SELECT hash, sender, nonce, inserted_at, raw FROM pool_journal ORDER BY seq",
        )
        .fetch_all(&self.journal)
        .await?;
        rows.into_iter()
            .map(|(hash, sender, nonce, inserted_at, raw)| {
                Ok(PoolTx {
                    hash: codec::b256("pool tx hash", &hash)?,
                    sender: codec::address("pool tx sender", &sender)?,
                    nonce: codec::bits_to_u64(nonce),
                    inserted_at: codec::bits_to_u64(inserted_at),
                    raw: raw.into(),
                })
            })
            .collect()
    }
}

// -------------------------------------------------------------------- shared query helpers

/// Rows per multi-row statement: at most 10 columns × 256 = 2,560 parameters, well under
/// SQLite's 32,766.
const ROWS_PER_STATEMENT: usize = 256;

/// `head VALUES (..), (..) tail` in chunks of [`ROWS_PER_STATEMENT`] rows.
async fn insert_many<T>(
    conn: &mut SqliteConnection,
    head: &'static str,
    tail: &'static str,
    rows: &[T],
    mut bind: impl FnMut(sqlx::query_builder::Separated<'_, Sqlite, &'static str>, &T),
) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(head);
        q.push_values(chunk, &mut bind);
        q.push(tail);
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// How often the background checkpointer copies committed WAL frames into the database file.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(500);

/// Checkpoints the WAL in the background (`PASSIVE`: never waits for, nor blocks, the writer or
/// readers) until the store closes, so that a commit rarely has WAL frames left to copy when
/// SQLite's autocheckpoint fires inside it. Measured with bench/: the inline checkpoint of a
/// 64 MiB WAL made one commit in a few hundred take ≈ 300 ms, the receipt latency's p99.
fn spawn_checkpointer(pool: SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(target: "storage", error = %e, "background WAL checkpoint failed");
            }
        }
    });
}

/// A pool of one long-lived connection: the single writer of a database file.
fn single_connection() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
}

/// `head (?, ?, ...)` over 20- or 32-byte keys, in chunks; returns the rows affected.
async fn delete_in<K: AsRef<[u8]>>(
    conn: &mut SqliteConnection,
    head: &'static str,
    keys: &[K],
) -> Result<u64> {
    let mut affected = 0;
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(head);
        q.push("(");
        let mut list = q.separated(", ");
        for key in chunk {
            list.push_bind(key.as_ref().to_vec());
        }
        q.push(")");
        affected += q.build().execute(&mut *conn).await?.rows_affected();
    }
    Ok(affected)
}

type PoolRow = (Vec<u8>, Vec<u8>, i64, i64, Vec<u8>);
type TxRow = (Vec<u8>, i64, Vec<u8>, i64, Vec<u8>, Vec<u8>);
type ReceiptRow = (
    Vec<u8>,
    i64,
    Vec<u8>,
    i64,
    i64,
    Vec<u8>,
    i64,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Vec<u8>,
);
type LogRow = (
    i64,
    Vec<u8>,
    i64,
    i64,
    i64,
    Vec<u8>,
    Vec<u8>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Vec<u8>,
);

fn push_in(
    q: &mut QueryBuilder<Sqlite>,
    column: &'static str,
    values: impl ExactSizeIterator<Item = Vec<u8>>,
) {
    if values.len() == 0 {
        return;
    }
    q.push(" AND ").push(column).push(" IN (");
    let mut list = q.separated(", ");
    for v in values {
        list.push_bind(v);
    }
    q.push(")");
}

async fn meta_get(conn: &mut SqliteConnection, key: &str) -> Result<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
        .bind(key)
        .fetch_optional(conn)
        .await?)
}

async fn meta_put(conn: &mut SqliteConnection, key: &str, value: &[u8]) -> Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

fn meta_u64(bytes: &[u8]) -> Result<u64> {
    let arr: [u8; 8] = bytes.try_into().map_err(|_| {
        StoreError::corrupt("meta integer", format!("{} bytes, not 8", bytes.len()))
    })?;
    Ok(u64::from_be_bytes(arr))
}

async fn read_head(conn: &mut SqliteConnection) -> Result<Option<Head>> {
    let Some(bytes) = meta_get(conn, META_HEAD).await? else {
        return Ok(None);
    };
    let number = meta_u64(&bytes)?;
    let row: Option<(Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT hash, header FROM blocks WHERE number = ?")
            .bind(int("block number", number)?)
            .fetch_optional(conn)
            .await?;
    let Some((hash, header)) = row else {
        return Err(StoreError::corrupt(
            "head pointer",
            format!("head block {number} is not stored"),
        ));
    };
    let header = sealed_header(&hash, &header)?;
    Ok(Some(Head {
        number,
        hash: header.hash(),
        state_root: header.state_root,
    }))
}

fn sealed_header(hash: &[u8], rlp: &[u8]) -> Result<Sealed<Header>> {
    let hash = codec::b256("block hash", hash)?;
    let header =
        Header::decode(&mut &rlp[..]).map_err(|e| StoreError::corrupt("block header", e))?;
    Ok(Sealed::new_unchecked(header, hash))
}

fn stored_tx((hash, block_number, block_hash, idx, sender, raw): TxRow) -> Result<StoredTx> {
    Ok(StoredTx {
        hash: codec::b256("transaction hash", &hash)?,
        block_number: uint("block number", block_number)?,
        block_hash: codec::b256("block hash", &block_hash)?,
        index: uint("transaction index", idx)?,
        sender: codec::address("transaction sender", &sender)?,
        raw: raw.into(),
    })
}

fn stored_receipt(row: ReceiptRow) -> Result<StoredReceipt> {
    let (
        tx_hash,
        block_number,
        block_hash,
        idx,
        gas_used,
        price,
        first_log,
        contract,
        l1_fee,
        extra,
        encoded,
    ) = row;
    Ok(StoredReceipt {
        tx_hash: codec::b256("receipt tx hash", &tx_hash)?,
        block_number: uint("block number", block_number)?,
        block_hash: codec::b256("block hash", &block_hash)?,
        index: uint("receipt index", idx)?,
        gas_used: uint("gas used", gas_used)?,
        effective_gas_price: codec::u128_from("effective gas price", &price)?,
        first_log_index: uint("log index", first_log)?,
        contract_address: contract
            .map(|c| codec::address("contract address", &c))
            .transpose()?,
        l1_fee: l1_fee.map(|f| codec::u256("l1 fee", &f)).transpose()?,
        extra: extra.map(Bytes::from),
        encoded: encoded.into(),
    })
}

fn stored_log(row: LogRow) -> Result<StoredLog> {
    let (number, block_hash, timestamp, log_index, tx_idx, tx_hash, address, t0, t1, t2, t3, data) =
        row;
    let topics = [t0, t1, t2, t3]
        .into_iter()
        .map_while(|t| t)
        .map(|t| codec::b256("log topic", &t))
        .collect::<Result<Vec<_>>>()?;
    Ok(StoredLog {
        block_number: uint("block number", number)?,
        block_hash: codec::b256("block hash", &block_hash)?,
        block_timestamp: uint("timestamp", timestamp)?,
        log_index: uint("log index", log_index)?,
        tx_index: uint("transaction index", tx_idx)?,
        tx_hash: codec::b256("log tx hash", &tx_hash)?,
        log: Log {
            address: codec::address("log address", &address)?,
            data: LogData::new_unchecked(topics, data.into()),
        },
    })
}

pub(crate) async fn block_hash(pool: &SqlitePool, number: u64) -> Result<Option<B256>> {
    let Ok(number) = i64::try_from(number) else {
        return Ok(None);
    };
    let hash: Option<Vec<u8>> = sqlx::query_scalar("SELECT hash FROM blocks WHERE number = ?")
        .bind(number)
        .fetch_optional(pool)
        .await?;
    hash.map(|h| codec::b256("block hash", &h)).transpose()
}

pub(crate) async fn account(pool: &SqlitePool, address: Address) -> Result<Option<AccountInfo>> {
    let row: Option<(i64, Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT nonce, balance, code_hash FROM accounts WHERE address = ?")
            .bind(address.as_slice())
            .fetch_optional(pool)
            .await?;
    row.map(|(nonce, balance, code_hash)| {
        Ok(AccountInfo {
            nonce: codec::bits_to_u64(nonce),
            balance: codec::u256("balance", &balance)?,
            code_hash: codec::b256("code hash", &code_hash)?,
        })
    })
    .transpose()
}

pub(crate) async fn storage(pool: &SqlitePool, address: Address, slot: B256) -> Result<U256> {
    let value: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT value FROM storage WHERE address = ? AND slot = ?")
            .bind(address.as_slice())
            .bind(slot.as_slice())
            .fetch_optional(pool)
            .await?;
    value.map_or(Ok(U256::ZERO), |v| codec::u256("storage value", &v))
}

pub(crate) async fn code(pool: &SqlitePool, hash: B256) -> Result<Option<Bytes>> {
    let bytes: Option<Vec<u8>> = sqlx::query_scalar("SELECT bytes FROM code WHERE hash = ?")
        .bind(hash.as_slice())
        .fetch_optional(pool)
        .await?;
    Ok(bytes.map(Bytes::from))
}

pub(crate) async fn trie_node(pool: &SqlitePool, hash: B256) -> Result<Option<Bytes>> {
    let rlp: Option<Vec<u8>> = sqlx::query_scalar("SELECT rlp FROM trie_nodes WHERE hash = ?")
        .bind(hash.as_slice())
        .fetch_optional(pool)
        .await?;
    Ok(rlp.map(Bytes::from))
}
