//! The content store: contribution texts on disk, keyed by their on-chain content hash.
//!
//! Layout: `<dir>/<first two hex digits>/<0x-less hex of keccak256>.txt` holds the exact bytes
//! (so `keccak256(file) == name` can be checked by anyone), and a `.json` beside it holds the
//! [`ContributionMeta`] the registry returned, so the indexes can be rebuilt without the chain.
//! Every file is written to a temporary name, synced, then renamed: a reader sees a whole file or
//! none, and a crash leaves at most a stray `.*.tmp` file, which
//! nothing reads. `put` of the same bytes twice is a no-op.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

use alloy_primitives::{B256, keccak256};
use serde::{Deserialize, Serialize};

use crate::error::{AttributionError, RegistryError, Result};

/// What the chain says about a registered contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContributionMeta {
    /// The contribution's id in the DataNet registry (the id attribution weights pay).
    pub id: u64,
    /// The DataNet it belongs to.
    pub datanet_id: u64,
}

/// The registry of contributions: the gateway implements it against the chain, tests in memory.
pub trait Registry {
    /// The registered contribution whose content hash is `content_hash`, or `None`.
    fn lookup(&self, content_hash: B256) -> Result<Option<ContributionMeta>, RegistryError>;
}

/// A registered contribution's text with its metadata: what the indexes take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// The chain's metadata.
    pub meta: ContributionMeta,
    /// keccak256 of `text`'s bytes.
    pub content_hash: B256,
    /// The contribution itself.
    pub text: String,
}

impl Contribution {
    /// A contribution from its metadata and text (computes the content hash).
    pub fn new(meta: ContributionMeta, text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            meta,
            content_hash: keccak256(text.as_bytes()),
            text,
        }
    }
}

/// Contribution texts on disk, keyed by content hash (see the module doc).
#[derive(Debug, Clone)]
pub struct ContentStore {
    dir: PathBuf,
}

/// Makes temporary names unique among the threads of one process (the pid covers processes).
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl ContentStore {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| AttributionError::io(&dir, e))?;
        Ok(Self { dir })
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores `bytes` if they are UTF-8 text and a registered contribution; returns it.
    ///
    /// Refuses, writing nothing: bytes that are not UTF-8 ([`AttributionError::NotUtf8`], checked
    /// first so garbage costs no registry call) and bytes whose keccak256 the registry does not
    /// know ([`AttributionError::NotRegistered`]). Storing the same bytes again rewrites nothing.
    pub fn put(&self, registry: &dyn Registry, bytes: &[u8]) -> Result<Contribution> {
        let content_hash = keccak256(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| AttributionError::NotUtf8 {
            content_hash,
            valid_up_to: e.valid_up_to(),
        })?;
        let meta = registry
            .lookup(content_hash)
            .map_err(AttributionError::Registry)?
            .ok_or(AttributionError::NotRegistered { content_hash })?;
        let (text_path, meta_path) = self.paths(content_hash);
        let shard = text_path.parent().unwrap_or(&self.dir);
        fs::create_dir_all(shard).map_err(|e| AttributionError::io(shard, e))?;
        // Metadata first: a text file never exists without its metadata.
        let meta_json = serde_json::to_vec(&meta)
            .map_err(|e| AttributionError::corrupt(&meta_path, e.to_string()))?;
        if fs::read(&meta_path).ok().as_deref() != Some(meta_json.as_slice()) {
            write_atomic(&meta_path, &meta_json)?;
        }
        if !text_path.exists() {
            write_atomic(&text_path, bytes)?;
        }
        Ok(Contribution {
            meta,
            content_hash,
            text: text.to_owned(),
        })
    }

    /// The stored contribution with this content hash, if any. The text is checked against the
    /// hash, so a damaged file is reported ([`AttributionError::Corrupt`]), never served.
    pub fn get(&self, content_hash: B256) -> Result<Option<Contribution>> {
        let (text_path, meta_path) = self.paths(content_hash);
        let bytes = match fs::read(&text_path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(AttributionError::io(&text_path, e)),
        };
        if keccak256(&bytes) != content_hash {
            return Err(AttributionError::corrupt(
                &text_path,
                "content does not hash to its name",
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| AttributionError::corrupt(&text_path, "content is not utf-8"))?;
        let meta_bytes = fs::read(&meta_path).map_err(|e| AttributionError::io(&meta_path, e))?;
        let meta = serde_json::from_slice(&meta_bytes)
            .map_err(|e| AttributionError::corrupt(&meta_path, e.to_string()))?;
        Ok(Some(Contribution {
            meta,
            content_hash,
            text,
        }))
    }

    /// Deletes a stored contribution (its text, then its metadata); `false` when none was
    /// stored. For stores that hold content only until the chain decides on it (the gateway
    /// keeps pending contributions apart from the engine's store).
    pub fn remove(&self, content_hash: B256) -> Result<bool> {
        let (text_path, meta_path) = self.paths(content_hash);
        // Text first: a text file never exists without its metadata (see `put`).
        let removed = match fs::remove_file(&text_path) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(AttributionError::io(&text_path, e)),
        };
        match fs::remove_file(&meta_path) {
            Ok(()) => Ok(removed),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(removed),
            Err(e) => Err(AttributionError::io(&meta_path, e)),
        }
    }

    /// Whether a contribution with this content hash is stored.
    pub fn contains(&self, content_hash: B256) -> bool {
        self.paths(content_hash).0.exists()
    }

    /// Content hashes of every stored contribution, sorted.
    pub fn hashes(&self) -> Result<Vec<B256>> {
        let mut hashes = Vec::new();
        for shard in read_dir(&self.dir)? {
            if !shard.is_dir() {
                continue;
            }
            for file in read_dir(&shard)? {
                let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                // Temporary files start with '.', metadata ends in .json: skip both.
                if let Some(hex) = name.strip_suffix(".txt")
                    && let Ok(hash) = hex.parse::<B256>()
                {
                    hashes.push(hash);
                }
            }
        }
        hashes.sort_unstable();
        Ok(hashes)
    }

    fn paths(&self, content_hash: B256) -> (PathBuf, PathBuf) {
        let hex = alloy_primitives::hex::encode(content_hash);
        let shard = self.dir.join(&hex[..2]);
        (
            shard.join(format!("{hex}.txt")),
            shard.join(format!("{hex}.json")),
        )
    }
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).map_err(|e| AttributionError::io(dir, e))?;
    entries
        .map(|e| {
            e.map(|e| e.path())
                .map_err(|e| AttributionError::io(dir, e))
        })
        .collect()
}

/// Writes `bytes` to `path` atomically: temporary file in the same directory, fsync, rename,
/// fsync of the directory (so the rename itself survives a power loss). A reader sees the old
/// file or the new one, never a part (the gateway's evidence files are written this way too).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// [`write_atomic`] with a writer callback, for files too large to build in memory first.
pub(crate) fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        write(&mut file)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        fs::File::open(dir)?.sync_all()
    })();
    result.map_err(|e| {
        // Best effort: a leftover temporary file is harmless, only untidy.
        let _ = fs::remove_file(&tmp);
        AttributionError::io(path, e)
    })
}
