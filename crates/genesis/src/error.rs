//! Errors of the genesis crate.

use std::path::PathBuf;

/// Result alias with [`GenesisError`] as the default error.
pub type Result<T, E = GenesisError> = std::result::Result<T, E>;

/// Building, writing or reading a genesis.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// The config or the genesis file is inconsistent.
    #[error("invalid genesis: {reason}")]
    Invalid {
        /// What is wrong.
        reason: String,
    },
    /// The genesis file could not be read or written.
    #[error("genesis file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The genesis file is not valid genesis JSON.
    #[error("genesis file {path}: invalid json: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
}

impl GenesisError {
    /// Whether the error is about content (as opposed to the file system).
    pub const fn is_bad_content(&self) -> bool {
        matches!(self, Self::Invalid { .. } | Self::Json { .. })
    }
}
