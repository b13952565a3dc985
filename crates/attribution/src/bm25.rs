//! BM25 retrieval over overlapping word windows ("chunks") of a DataNet's contributions, with
//! tantivy.
//!
//! A contribution of `n` words is cut into windows of [`IndexConfig::chunk_tokens`] words that
//! start every `chunk_tokens - chunk_overlap` words, the last one ending at the last word; each
//! window is one tantivy document storing its contribution id, content hash, byte range and text.
//! tantivy's default analyzer (alphanumeric runs, lowercased, words over 40 bytes dropped) is the
//! crate's tokenizer, so retrieval and span matching see the same words. Queries are the bag of
//! the question's distinct words, at most [`MAX_QUERY_WORDS`] of them (the rarest), as a
//! disjunction of term queries (user text is never parsed as query syntax, so it cannot fail to
//! parse), scored by BM25 (k1 = 1.2, b = 0.75).

use std::{collections::HashSet, ops::Range, path::Path};

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use tantivy::{
    Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
    collector::TopDocs,
    directory::MmapDirectory,
    query::{BooleanQuery, Occur, Query, TermQuery},
    schema::{
        Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
    },
};

use crate::{
    config::IndexConfig,
    error::{AttributionError, Result},
    store::Contribution,
    tokenize::tokenize,
};

/// tantivy's default analyzer drops words longer than this; the query must too.
const MAX_WORD_BYTES: usize = 40;
/// A query uses at most this many distinct words, the rarest (highest idf) when it has more:
/// the common words of a long prompt add little to BM25 and most of its cost (long postings).
pub const MAX_QUERY_WORDS: usize = 32;
/// Retrieval returns at most this many chunks, whatever `k` asks (bounds memory and time).
pub const MAX_RETRIEVE: usize = 1_000;

/// A chunk returned by retrieval: what the responder quotes and what [`crate::attribute`]
/// records as retrieval evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrievedChunk {
    /// The chunk's contribution.
    pub contribution_id: u64,
    /// The contribution's content hash.
    pub content_hash: B256,
    /// The DataNet of the index that returned it.
    pub datanet_id: u64,
    /// Byte range of the chunk in the contribution.
    pub range: Range<usize>,
    /// BM25 score for the query (comparable within one query only).
    pub score: f32,
    /// The chunk's text (`contribution.text[range]`).
    pub text: String,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    content_hash: Field,
    contribution_id: Field,
    start: Field,
    end: Field,
    text: Field,
}

/// The BM25 side of a DataNet index.
pub(crate) struct Bm25 {
    datanet_id: u64,
    fields: Fields,
    writer: IndexWriter<TantivyDocument>,
    reader: IndexReader,
}

impl std::fmt::Debug for Bm25 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bm25")
            .field("datanet_id", &self.datanet_id)
            .finish_non_exhaustive()
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        content_hash: builder.add_text_field("content_hash", STRING | STORED),
        contribution_id: builder.add_u64_field("contribution_id", STORED),
        start: builder.add_u64_field("start", STORED),
        end: builder.add_u64_field("end", STORED),
        // Frequencies without positions: queries are bags of words, never phrases.
        text: builder.add_text_field(
            "text",
            TextOptions::default()
                .set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer("default")
                        .set_index_option(IndexRecordOption::WithFreqs),
                )
                .set_stored(),
        ),
    };
    (builder.build(), fields)
}

fn hash_term(fields: &Fields, hash: B256) -> Term {
    Term::from_field_text(fields.content_hash, &alloy_primitives::hex::encode(hash))
}

impl Bm25 {
    /// Opens (creating if needed) the tantivy index in `dir`; takes its writer lock.
    pub(crate) fn open(dir: &Path, datanet_id: u64, config: &IndexConfig) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| AttributionError::io(dir, e))?;
        let (schema, fields) = schema();
        let directory =
            MmapDirectory::open(dir).map_err(|e| AttributionError::corrupt(dir, e.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        let writer = index
            .writer_with_num_threads(config.writer_threads.max(1), config.writer_heap_bytes)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            datanet_id,
            fields,
            writer,
            reader,
        })
    }

    /// Queues the chunks of `contribution` (replacing any it had: re-adding after a crash
    /// between this commit and the span index's manifest must not duplicate chunks).
    pub(crate) fn add(&mut self, contribution: &Contribution, config: &IndexConfig) -> Result<()> {
        let f = self.fields;
        self.writer
            .delete_term(hash_term(&f, contribution.content_hash));
        let hash_hex = alloy_primitives::hex::encode(contribution.content_hash);
        for range in chunk_ranges(
            &contribution.text,
            config.chunk_tokens,
            config.chunk_overlap,
        ) {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.content_hash, &hash_hex);
            doc.add_u64(f.contribution_id, contribution.meta.id);
            doc.add_u64(f.start, range.start as u64);
            doc.add_u64(f.end, range.end as u64);
            doc.add_text(f.text, &contribution.text[range]);
            self.writer.add_document(doc)?;
        }
        Ok(())
    }

    /// Commits what [`Self::add`] queued and makes it searchable.
    pub(crate) fn commit(&mut self) -> Result<()> {
        self.writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Drops the chunks queued since the last commit.
    pub(crate) fn rollback(&mut self) -> Result<()> {
        self.writer.rollback()?;
        Ok(())
    }

    /// Deletes the chunks of every contribution not in `keep` (chunks committed by a run that
    /// crashed before its span segment was recorded). Cost: one pass over the distinct content
    /// hashes, i.e. O(contributions).
    pub(crate) fn retain(&mut self, keep: &HashSet<B256>) -> Result<usize> {
        let searcher = self.reader.searcher();
        let mut stale = HashSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.content_hash)?;
            let mut terms = inverted
                .terms()
                .stream()
                .map_err(tantivy::TantivyError::from)?;
            while terms.advance() {
                let Ok(hex) = std::str::from_utf8(terms.key()) else {
                    continue;
                };
                if let Ok(hash) = hex.parse::<B256>()
                    && !keep.contains(&hash)
                {
                    stale.insert(hash);
                }
            }
        }
        let mut removed = 0;
        for hash in stale {
            let term = hash_term(&self.fields, hash);
            // The term dictionary still lists deleted documents until tantivy merges them away.
            let live = searcher.search(
                &TermQuery::new(term.clone(), IndexRecordOption::Basic),
                &tantivy::collector::Count,
            )?;
            if live > 0 {
                self.writer.delete_term(term);
                removed += 1;
            }
        }
        if removed > 0 {
            self.commit()?;
        }
        Ok(removed)
    }

    /// The `k` (at most [`MAX_RETRIEVE`]) chunks with the highest BM25 score for `query`'s
    /// words, best first; ties broken by contribution id then offset so that the same index
    /// answers the same list.
    pub(crate) fn retrieve(&self, query: &str, k: usize) -> Result<Vec<RetrievedChunk>> {
        let k = k.min(MAX_RETRIEVE);
        let mut seen = HashSet::new();
        let mut words: Vec<String> = tokenize(query)
            .into_iter()
            .filter(|t| t.text.len() <= MAX_WORD_BYTES && seen.insert(t.text.clone()))
            .map(|t| t.text)
            .collect();
        if words.is_empty() || k == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        if words.len() > MAX_QUERY_WORDS {
            let mut by_rarity = Vec::with_capacity(words.len());
            for w in words {
                by_rarity.push((
                    searcher.doc_freq(&Term::from_field_text(self.fields.text, &w))?,
                    w,
                ));
            }
            by_rarity.sort_unstable();
            words = by_rarity
                .into_iter()
                .take(MAX_QUERY_WORDS)
                .map(|(_, w)| w)
                .collect();
        }
        let terms: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|w| {
                let term = Term::from_field_text(self.fields.text, w);
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>,
                )
            })
            .collect();
        // Fetch a margin past k so that the deterministic tie-break below, not tantivy's segment
        // layout (which background merges change), decides among equal scores at the cut.
        let top = searcher.search(
            &BooleanQuery::new(terms),
            &TopDocs::with_limit(k + k / 2 + 8).order_by_score(),
        )?;
        let mut chunks = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64());
            let str_of = |field| doc.get_first(field).and_then(|v| v.as_str());
            let (Some(hash), Some(id), Some(start), Some(end), Some(text)) = (
                str_of(self.fields.content_hash).and_then(|h| h.parse::<B256>().ok()),
                u64_of(self.fields.contribution_id),
                u64_of(self.fields.start),
                u64_of(self.fields.end),
                str_of(self.fields.text),
            ) else {
                return Err(AttributionError::Corrupt {
                    path: Default::default(),
                    reason: format!(
                        "bm25 document {address:?} of datanet {} lacks a field",
                        self.datanet_id
                    ),
                });
            };
            chunks.push(RetrievedChunk {
                contribution_id: id,
                content_hash: hash,
                datanet_id: self.datanet_id,
                range: start as usize..end as usize,
                score,
                text: text.to_owned(),
            });
        }
        sort_chunks(&mut chunks);
        chunks.truncate(k);
        Ok(chunks)
    }
}

/// Best score first, then contribution id, then offset.
pub(crate) fn sort_chunks(chunks: &mut [RetrievedChunk]) {
    chunks.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.datanet_id.cmp(&b.datanet_id))
            .then(a.contribution_id.cmp(&b.contribution_id))
            .then(a.range.start.cmp(&b.range.start))
    });
}

/// Byte ranges of the word windows of `text` (see the module doc).
pub(crate) fn chunk_ranges(text: &str, chunk_tokens: usize, overlap: usize) -> Vec<Range<usize>> {
    let tokens = tokenize(text);
    let size = chunk_tokens.max(1);
    let stride = size.saturating_sub(overlap).max(1);
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < tokens.len() {
        let end = (start + size).min(tokens.len());
        // through the punctuation that closes the last word ("sea." and not "sea"), so quoted
        // sentences keep their full stops
        let last = tokens[end - 1].range.end;
        let close = text[last..]
            .find(char::is_whitespace)
            .map_or(text.len(), |at| last + at);
        let close = match tokens.get(end) {
            Some(next) => close.min(next.range.start),
            None => close,
        };
        ranges.push(tokens[start].range.start..close);
        if end == tokens.len() {
            break;
        }
        start += stride;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_overlap_and_cover_every_word() {
        let text = (0..25)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let ranges = chunk_ranges(&text, 10, 3);
        let words: Vec<Vec<&str>> = ranges
            .iter()
            .map(|r| text[r.clone()].split(' ').collect())
            .collect();
        assert_eq!(words[0].first(), Some(&"w0"));
        assert_eq!(words[1].first(), Some(&"w7"));
        assert_eq!(words.last().unwrap().last(), Some(&"w24"));
        assert!(words.iter().all(|w| w.len() <= 10));
        assert!(chunk_ranges("", 10, 3).is_empty());
        assert_eq!(chunk_ranges("a b", 10, 30), vec![0..3]);
    }

    #[test]
    fn chunks_keep_the_punctuation_closing_their_last_word() {
        let text = "It reaches the sea. Then (it ends) here!";
        let chunks: Vec<&str> = chunk_ranges(text, 4, 0)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(chunks, ["It reaches the sea.", "Then (it ends) here!"]);
        // glued punctuation stops at the next word
        let text = "one two.three";
        let chunks: Vec<&str> = chunk_ranges(text, 2, 0)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(chunks, ["one two.", "three"]);
    }
}
