//! Errors of the attribution engine.

use std::path::PathBuf;

use alloy_primitives::B256;

/// What a [`crate::Registry`] implementation may fail with (an RPC error, a decoding error...):
/// the engine does not interpret it, it only carries it to the caller.
pub type RegistryError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result alias of this crate.
pub type Result<T, E = AttributionError> = std::result::Result<T, E>;

/// Everything the engine can fail with. Bad input ([`Self::is_bad_input`]) changes nothing on disk.
#[derive(Debug, thiserror::Error)]
pub enum AttributionError {
    /// The bytes hash to a content hash that no registered contribution has.
    #[error("content {content_hash} is not a registered contribution")]
    NotRegistered {
        /// keccak256 of the refused bytes.
        content_hash: B256,
    },
    /// The bytes are not UTF-8 text (the engine indexes words, and evidence points at text offsets).
    #[error(
        "content {content_hash} is not valid utf-8 text (invalid byte at offset {valid_up_to})"
    )]
    NotUtf8 {
        /// keccak256 of the refused bytes.
        content_hash: B256,
        /// Length of the longest valid UTF-8 prefix.
        valid_up_to: usize,
    },
    /// A contribution was given to the index of another DataNet.
    #[error("contribution {contribution_id} belongs to datanet {found}, not to datanet {expected}")]
    WrongDataNet {
        /// The contribution's id.
        contribution_id: u64,
        /// The index's DataNet.
        expected: u64,
        /// The contribution's DataNet.
        found: u64,
    },
    /// Two contributions with the same content hash but different metadata in one batch.
    #[error("content {content_hash} is given twice with different metadata")]
    ConflictingMetadata {
        /// The duplicated content hash.
        content_hash: B256,
    },
    /// A contribution too large to index (byte offsets are 32-bit).
    #[error("content {content_hash} has {bytes} bytes, more than an index addresses")]
    ContributionTooLarge {
        /// The contribution's content hash.
        content_hash: B256,
        /// Its size.
        bytes: u64,
    },
    /// A segment would exceed what 32-bit suffix-array positions address.
    #[error("segment of {tokens} tokens exceeds the limit of {limit}")]
    SegmentTooLarge {
        /// Tokens the segment would hold (separators included).
        tokens: u64,
        /// The limit.
        limit: u64,
    },
    /// The registry failed to answer.
    #[error("registry lookup failed: {0}")]
    Registry(#[source] RegistryError),
    /// A file system operation failed.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file of the store or of an index does not have the expected structure.
    #[error("corrupt file {path}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What check failed.
        reason: String,
    },
    /// The BM25 index (tantivy) failed.
    #[error("bm25 index error: {0}")]
    Search(#[from] tantivy::TantivyError),
    /// An attribution could not be serialized (a bug: its types serialize infallibly).
    #[error("json serialization failed: {0}")]
    Json(#[source] serde_json::Error),
    /// libsais refused to build a suffix array (only on inputs it cannot address).
    #[error("suffix array construction failed: {0}")]
    SuffixArray(String),
}

impl AttributionError {
    /// Whether the caller sent something the engine refuses (unregistered, not text, wrong
    /// DataNet...), as opposed to a fault of the machine, the registry or the files.
    pub fn is_bad_input(&self) -> bool {
        match self {
            // The caller's bytes or metadata are wrong: reject the request, nothing was written.
            Self::NotRegistered { .. }
            | Self::NotUtf8 { .. }
            | Self::WrongDataNet { .. }
            | Self::ConflictingMetadata { .. }
            | Self::ContributionTooLarge { .. }
            | Self::SegmentTooLarge { .. } => true,
            // The environment failed: retrying later may succeed, an operator should look.
            Self::Registry(_)
            | Self::Io { .. }
            | Self::Corrupt { .. }
            | Self::Search(_)
            | Self::Json(_)
            | Self::SuffixArray(_) => false,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::Corrupt {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
