//! Index and attribution settings, with their defaults as named constants.

use serde::{Deserialize, Serialize};

/// Default [`AttributionConfig::min_span_tokens`].
pub const DEFAULT_MIN_SPAN_TOKENS: usize = 8;
/// Default [`AttributionConfig::max_span_occurrences`].
pub const DEFAULT_MAX_SPAN_OCCURRENCES: usize = 1_000;
/// Default [`IndexConfig::chunk_tokens`].
pub const DEFAULT_CHUNK_TOKENS: usize = 160;
/// Default [`IndexConfig::chunk_overlap`].
pub const DEFAULT_CHUNK_OVERLAP: usize = 40;
/// Default [`IndexConfig::merge_ratio`].
pub const DEFAULT_MERGE_RATIO: usize = 2;
/// Default [`IndexConfig::writer_threads`].
pub const DEFAULT_WRITER_THREADS: usize = 1;
/// Default [`IndexConfig::writer_heap_bytes`].
pub const DEFAULT_WRITER_HEAP_BYTES: usize = 64 << 20;

/// How a DataNet index is built (chunking, segment merging, tantivy writer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexConfig {
    /// Words per BM25 chunk.
    pub chunk_tokens: usize,
    /// Words shared by consecutive chunks, so a passage cut by a chunk border is whole in one.
    pub chunk_overlap: usize,
    /// Segment merge policy: the newest segment is merged into the one before it while that one
    /// is at most `merge_ratio` times larger, so sizes grow geometrically (at most
    /// log_ratio(total) segments to search, each token rewritten O(log total) times).
    pub merge_ratio: usize,
    /// tantivy indexing threads.
    pub writer_threads: usize,
    /// tantivy indexing memory budget, in bytes, for all threads (at least 15 MB per thread).
    pub writer_heap_bytes: usize,
}

impl Default for IndexConfig {
    fn default() -> Self {
        Self {
            chunk_tokens: DEFAULT_CHUNK_TOKENS,
            chunk_overlap: DEFAULT_CHUNK_OVERLAP,
            merge_ratio: DEFAULT_MERGE_RATIO,
            writer_threads: DEFAULT_WRITER_THREADS,
            writer_heap_bytes: DEFAULT_WRITER_HEAP_BYTES,
        }
    }
}

impl IndexConfig {
    /// Sets [`Self::chunk_tokens`] and [`Self::chunk_overlap`].
    #[must_use]
    pub fn with_chunks(mut self, chunk_tokens: usize, chunk_overlap: usize) -> Self {
        self.chunk_tokens = chunk_tokens;
        self.chunk_overlap = chunk_overlap;
        self
    }

    /// Sets [`Self::merge_ratio`].
    #[must_use]
    pub fn with_merge_ratio(mut self, merge_ratio: usize) -> Self {
        self.merge_ratio = merge_ratio;
        self
    }

    /// Sets [`Self::writer_threads`] and [`Self::writer_heap_bytes`].
    #[must_use]
    pub fn with_writer(mut self, threads: usize, heap_bytes: usize) -> Self {
        self.writer_threads = threads;
        self.writer_heap_bytes = heap_bytes;
        self
    }
}

/// How an output is attributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributionConfig {
    /// Shortest verbatim match, in words, that counts as evidence. Shorter common phrases ("in
    /// the case of the") occur everywhere and say nothing about where an output came from.
    pub min_span_tokens: usize,
    /// A span found in more places than this is boilerplate (a license header, a repeated
    /// heading): it is reported as dropped and credits no one, which also bounds the work per span.
    pub max_span_occurrences: usize,
}

impl Default for AttributionConfig {
    fn default() -> Self {
        Self {
            min_span_tokens: DEFAULT_MIN_SPAN_TOKENS,
            max_span_occurrences: DEFAULT_MAX_SPAN_OCCURRENCES,
        }
    }
}

impl AttributionConfig {
    /// Sets [`Self::min_span_tokens`] (at least 1).
    #[must_use]
    pub fn with_min_span_tokens(mut self, min_span_tokens: usize) -> Self {
        self.min_span_tokens = min_span_tokens.max(1);
        self
    }

    /// Sets [`Self::max_span_occurrences`].
    #[must_use]
    pub fn with_max_span_occurrences(mut self, max_span_occurrences: usize) -> Self {
        self.max_span_occurrences = max_span_occurrences;
        self
    }
}
