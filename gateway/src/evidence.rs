//! Served evidence: the exact bytes of each attribution's canonical JSON, by evidence hash.
//!
//! `<dir>/<keccak256 hex>.json`, written atomically before the settlement that records the hash
//! is sent, so a hash on chain always has its bytes here. Reads re-hash the file: a damaged file
//! is reported, never served.

use std::path::{Path, PathBuf};

use alloy::primitives::{B256, hex, keccak256};
use tributary_attribution::write_atomic;

use crate::error::{GatewayError, Result};

/// Evidence files by hash.
#[derive(Debug, Clone)]
pub(crate) struct EvidenceStore {
    dir: PathBuf,
}

impl EvidenceStore {
    /// Opens (creating) the store in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| GatewayError::Internal(format!("creating {}: {e}", dir.display())))?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    fn path(&self, hash: B256) -> PathBuf {
        self.dir.join(format!("{}.json", hex::encode(hash)))
    }

    /// Stores `bytes`; returns their keccak256, the evidence hash.
    pub(crate) fn put(&self, bytes: &[u8]) -> Result<B256> {
        let hash = keccak256(bytes);
        let path = self.path(hash);
        if !path.exists() {
            write_atomic(&path, bytes)?;
        }
        Ok(hash)
    }

    /// The bytes whose keccak256 is `hash`.
    pub(crate) fn get(&self, hash: B256) -> Result<Vec<u8>> {
        let path = self.path(hash);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(GatewayError::EvidenceNotFound(hash));
            }
            Err(e) => {
                return Err(GatewayError::Internal(format!(
                    "reading {}: {e}",
                    path.display()
                )));
            }
        };
        if keccak256(&bytes) != hash {
            return Err(GatewayError::Internal(format!(
                "{} does not hash to its name",
                path.display()
            )));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_exact_bytes_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open(dir.path()).unwrap();
        let bytes = br#"{"version":1}"#;
        let hash = store.put(bytes).unwrap();
        assert_eq!(hash, keccak256(bytes));
        assert_eq!(store.get(hash).unwrap(), bytes);
        assert!(matches!(
            store.get(B256::ZERO),
            Err(GatewayError::EvidenceNotFound(_))
        ));
        std::fs::write(store.path(hash), b"tampered").unwrap();
        assert!(matches!(store.get(hash), Err(GatewayError::Internal(_))));
    }
}
