//! Proof of Attribution, off-chain: which DataNet contributions an inference output used, with
//! weights that sum to 10,000 basis points and the evidence (spans, offsets, retrieval) that
//! justifies them. docs/attribution-engine.md is the long form, with measured quality and speed.
//!
//! The paid-inference gateway holds an [`Engine`]: contributions accepted on chain are stored
//! and indexed as they arrive; for each request it retrieves chunks, answers (an LLM, or the
//! [`respond`] extractive responder), attributes the answer, serves the attribution's
//! [`canonical JSON`](Attribution::canonical_json) and records its
//! [`hash`](Attribution::evidence_hash) with the weights in the attribution transaction.
//!
//! ```text
//!  chain (DataNet registry)        this crate                                     the gateway
//!  ────────────────────────        ──────────                                     ───────────
//!  content hash ─► Registry::lookup ─► ContentStore::put ──► DataNetIndex::add_batch
//!                                     (keccak256, UTF-8)      ├─ span segments (suffix arrays, LSM merges)
//!                                                             └─ BM25 chunks (tantivy)
//!  prompt ─────────────────────────────────────────► retrieve(query, k) ─► Vec<RetrievedChunk> ─► LLM or respond()
//!  output + retrieved chunks + Grounding ──────────► attribute() ─► Attribution ─► served JSON, evidence_hash,
//!                                                                                 weights (bps) ─► L2 settlement tx
//! ```
//!
//! # Pieces
//!
//! - [`tokenize`]: words = maximal alphanumeric runs, lowercased, each with its byte range.
//!   Every count in this crate is in these words.
//! - [`ContentStore`]: files keyed by keccak256 (the on-chain content hash); `put` refuses text
//!   whose hash the [`Registry`] does not know and bytes that are not UTF-8; atomic, idempotent.
//! - [`DataNetIndex`]: per DataNet, on disk. Span segments: the token ids of the contributions,
//!   separated, with a suffix array built by libsais (SA-IS over an integer alphabet, O(n)). A
//!   batch of new contributions becomes a new segment; the newest segment merges into the one
//!   before it while that one is at most `merge_ratio` times larger, so there are O(log n)
//!   segments and each token is rewritten O(log n) times (amortized O(log n) per added token).
//!   A single add costs ~0.1 s whatever the index size (mostly tantivy's commit and fsyncs); a
//!   full rebuild of 13.4M words takes ~10 s. BM25 chunks: 160-word windows overlapping by 40,
//!   in tantivy.
//! - [`attribute()`]: for every output position the longest match over all segments (the first
//!   word's suffix-array bucket, then the interval narrowed one token at a time by binary search:
//!   O(log N) per token while several suffixes share the prefix, O(1) once one is left); maximal spans of at least `min_span_tokens`
//!   (default 8) not contained in an earlier one; span weight = Σ idf of its words with
//!   `idf = ln(1 + D / df)`; split equally among the contributions containing it; summed per
//!   contribution and rounded to basis points by largest remainder (ties: larger weight, lower
//!   id): [`Outcome::Attributed`]. Retrieved chunks are then evidence, marked `used` only when a
//!   credited span lies in them, and add no weight. No span credits anyone: when the caller
//!   says the chunks were given to an LLM as context ([`Grounding::Context`]: a paraphrasing
//!   model quotes nothing yet answers from them), the weights come from their BM25 scores in
//!   micro-units ([`score_units`]), summed per contribution and rounded the same way
//!   ([`Outcome::Retrieved`]); otherwise ([`Grounding::Spans`]: extractive quotes, or nothing
//!   given) [`Outcome::Unattributed`], empty weights. Cost per output of n words over S
//!   segments: O(S · n · (log N · u + L)), u the words needed for a prefix to become unique (a
//!   few), L the match length.
//! - [`respond`]: deterministic extractive answers quoting the best sentences of the chunks.
//!
//! # Determinism
//!
//! The evidence hash goes on chain, so the same index, output and chunks give the same bytes:
//! weights (span and retrieval) are fixed-point integers, `ln` is the pure-Rust `libm` (same bits
//! on every platform), every list has a total order, and the JSON has no maps.
//!
//! # Errors
//!
//! [`AttributionError`]; [`AttributionError::is_bad_input`] separates refused input
//! ([`AttributionError::NotRegistered`], [`AttributionError::NotUtf8`],
//! [`AttributionError::WrongDataNet`]...) from faults (I/O, corrupt files, the registry). Refused
//! input writes nothing. Attribution itself cannot fail.

mod attribute;
mod bm25;
mod config;
mod engine;
mod error;
mod index;
mod respond;
mod segment;
mod store;
mod tokenize;

pub use attribute::{
    Attribution, ContributionWeight, EVIDENCE_VERSION, Grounding, Outcome, RetrievalEvidence, Span,
    TOTAL_BPS, WEIGHT_SCALE, attribute, largest_remainder_bps, score_units,
};
pub use bm25::{MAX_QUERY_WORDS, MAX_RETRIEVE, RetrievedChunk};
pub use config::{
    AttributionConfig, DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_TOKENS, DEFAULT_MAX_SPAN_OCCURRENCES,
    DEFAULT_MERGE_RATIO, DEFAULT_MIN_SPAN_TOKENS, DEFAULT_WRITER_HEAP_BYTES,
    DEFAULT_WRITER_THREADS, IndexConfig,
};
pub use engine::Engine;
pub use error::{AttributionError, RegistryError, Result};
pub use index::{AddReport, DataNetIndex, IndexStats};
pub use respond::{MAX_SENTENCE_WORDS, MIN_RELATIVE_SCORE, MIN_SENTENCE_WORDS, respond};
pub use store::{ContentStore, Contribution, ContributionMeta, Registry, write_atomic};
pub use tokenize::{Token, tokenize};
