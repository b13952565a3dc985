//! From an output to weights with evidence: span finding, span weighting, rounding to basis points.

use std::{collections::BTreeMap, ops::Range};

use alloy_primitives::{B256, keccak256};
use serde::{Deserialize, Serialize};

use crate::{
    bm25::RetrievedChunk,
    config::AttributionConfig,
    error::{AttributionError, Result},
    index::DataNetIndex,
    segment::Segment,
    tokenize::tokenize,
};

/// Version of the evidence format ([`Attribution`]'s JSON); bump on any change of its fields or
/// of how they are computed.
pub const EVIDENCE_VERSION: u32 = 1;
/// The weights of one attribution sum to exactly this many basis points.
pub const TOTAL_BPS: u16 = 10_000;
/// Span weights are fixed-point: `round(sum of idf × WEIGHT_SCALE)` (micro-units), so that
/// splitting and rounding are exact integer arithmetic.
pub const WEIGHT_SCALE: f64 = 1e6;

/// Whether the output was attributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// At least one span credits a contribution: `weights` sum to [`TOTAL_BPS`].
    Attributed,
    /// No verbatim span of at least `min_span_tokens` words (or only boilerplate spans): the
    /// output is not attributed and `weights` is empty. The engine never falls back to retrieval,
    /// because a retrieved chunk the output did not use shaped nothing.
    Unattributed,
}

/// A contribution's share of the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionWeight {
    /// The contribution (registry id).
    pub contribution_id: u64,
    /// Its content hash.
    pub content_hash: B256,
    /// Its share in basis points (> 0; all shares sum to [`TOTAL_BPS`]).
    pub bps: u16,
}

/// Verbatim evidence: a span of the output found in a contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The contribution credited.
    pub contribution_id: u64,
    /// Its content hash.
    pub content_hash: B256,
    /// Byte range of the span in the output.
    pub output: Range<usize>,
    /// Byte range of its first occurrence in the contribution.
    pub source: Range<usize>,
    /// Length in words.
    pub tokens: u32,
    /// Number of contributions the span was found in (its weight is split among them).
    pub shared_by: u32,
    /// This contribution's part of the span's weight, in micro-units ([`WEIGHT_SCALE`]).
    pub weight: u64,
}

/// A retrieved chunk and whether the output used it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrievalEvidence {
    /// The chunk's contribution.
    pub contribution_id: u64,
    /// Its content hash.
    pub content_hash: B256,
    /// Byte range of the chunk in the contribution.
    pub chunk: Range<usize>,
    /// Its BM25 score.
    pub score: f32,
    /// Whether a credited span's source overlaps the chunk. Unused chunks earn nothing.
    pub used: bool,
}

/// The attribution of one output, with its evidence. [`Self::canonical_json`] is the form the
/// gateway serves and hashes ([`Self::evidence_hash`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// [`EVIDENCE_VERSION`].
    pub version: u32,
    /// keccak256 of the output's UTF-8 bytes.
    pub output_hash: B256,
    /// Words in the output.
    pub output_tokens: u32,
    /// Words of the output inside at least one credited span.
    pub matched_tokens: u32,
    /// The minimum span length used.
    pub min_span_tokens: u32,
    /// Whether anything was credited.
    pub outcome: Outcome,
    /// Shares by contribution id, ascending; empty when [`Outcome::Unattributed`].
    pub weights: Vec<ContributionWeight>,
    /// Credited spans, by output offset then contribution id.
    pub spans: Vec<Span>,
    /// Spans of at least the minimum length dropped as boilerplate (more occurrences than
    /// `max_span_occurrences`).
    pub dropped_spans: u32,
    /// The retrieved chunks, in the order given.
    pub retrieval: Vec<RetrievalEvidence>,
}

impl Attribution {
    /// Compact JSON, fields in declaration order, no maps: the same attribution always gives the
    /// same bytes. Serve exactly these bytes.
    pub fn canonical_json(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(AttributionError::Json)
    }

    /// keccak256 of [`Self::canonical_json`]: the evidence hash recorded on chain.
    pub fn evidence_hash(&self) -> Result<B256> {
        Ok(keccak256(self.canonical_json()?))
    }
}

/// A maximal span of the output and where it occurs, before weighting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpanMatch {
    /// Token range in the output.
    pub(crate) tokens: Range<usize>,
    /// Occurrences: (contribution id, content hash, source byte range), one per contribution
    /// (its first occurrence), sorted by contribution id. Empty when dropped as boilerplate.
    pub(crate) sources: Vec<(u64, B256, Range<usize>)>,
}

/// Finds the maximal verbatim spans of `query` (tokens of the output) over `segments`.
///
/// For every output position `i`, `len(i)` is the longest prefix of the output from `i` that
/// occurs in any segment ([`Segment::longest_match`]). A span `[i, i + len(i))` is kept when
/// `len(i) >= min_span_tokens` and it ends after every span kept before it: spans contained in
/// another are evidence of the same quote, not a new one. Its occurrences are the union of the
/// suffix-array intervals of the segments where that longest length is reached.
pub(crate) fn find_spans(
    segments: &[&Segment],
    query: &[String],
    config: &AttributionConfig,
) -> (Vec<SpanMatch>, u32) {
    let ids: Vec<Vec<u32>> = segments
        .iter()
        .map(|s| query.iter().map(|w| s.id_of(w)).collect())
        .collect();
    let mut spans = Vec::new();
    let mut dropped = 0;
    let mut covered_to = 0;
    for i in 0..query.len() {
        let mut best = 0;
        let mut hits: Vec<(usize, Range<usize>)> = Vec::new();
        for (s, segment) in segments.iter().enumerate() {
            let (len, interval) = segment.longest_match(&ids[s], i);
            if len > best {
                best = len;
                hits.clear();
            }
            if len == best && len > 0 {
                hits.push((s, interval));
            }
        }
        if best == 0 || best < config.min_span_tokens || i + best <= covered_to {
            continue;
        }
        covered_to = i + best;
        let occurrences: usize = hits.iter().map(|(_, iv)| iv.len()).sum();
        if occurrences > config.max_span_occurrences {
            dropped += 1;
            continue;
        }
        let mut first: BTreeMap<u64, (B256, Range<usize>)> = BTreeMap::new();
        for (s, interval) in hits {
            let segment = segments[s];
            for &pos in segment.positions(interval) {
                let Some(doc) = segment.doc_at(pos) else {
                    continue;
                };
                let source = segment.source_range(pos, best);
                let entry = first
                    .entry(doc.contribution_id)
                    .or_insert((doc.content_hash, source.clone()));
                if source.start < entry.1.start {
                    entry.1 = source;
                }
            }
        }
        let sources = first
            .into_iter()
            .map(|(id, (hash, range))| (id, hash, range))
            .collect();
        spans.push(SpanMatch {
            tokens: i..i + best,
            sources,
        });
    }
    (spans, dropped)
}

/// Attributes `output` to the contributions of `indexes` (one or several DataNets, searched as
/// one corpus). Never fails: an output that matches nothing is [`Outcome::Unattributed`].
///
/// 1. Spans: for every output position the longest match over all segments; the maximal ones
///    of at least `config.min_span_tokens` words not inside an earlier one (`find_spans`).
/// 2. Span weight = Σ idf(t) over its words = length × mean idf, with
///    `idf(t) = ln(1 + D / df(t))`, D the number of contributions and df(t) how many contain t
///    (over all segments of all indexes): a quote of rare words says more than one of common
///    words. Fixed-point, micro-units ([`WEIGHT_SCALE`]).
/// 3. A span found in m contributions gives each `weight / m` (the remainder's units go to the
///    lowest ids): the output quotes it once and the engine cannot tell which copy was used.
/// 4. A contribution's weight is the sum over its spans; shares are `10_000 × w / W` rounded
///    down, and the basis points left go one each to the largest remainders (ties: larger
///    weight, then lower contribution id), so they sum to exactly [`TOTAL_BPS`]. A contribution
///    whose share rounds to 0 keeps its spans as evidence but gets no entry in `weights`.
/// 5. Retrieval: each retrieved chunk is recorded with `used` = some credited span's source lies
///    in (overlaps) the chunk. Retrieval never adds weight.
pub fn attribute(
    indexes: &[&DataNetIndex],
    output: &str,
    retrieved: &[RetrievedChunk],
    config: &AttributionConfig,
) -> Attribution {
    let tokens = tokenize(output);
    let words: Vec<String> = tokens.iter().map(|t| t.text.clone()).collect();
    let segments: Vec<&Segment> = indexes.iter().flat_map(|index| index.segments()).collect();
    let (matches, dropped_spans) = find_spans(&segments, &words, config);

    // idf of every output word over the whole corpus.
    let documents: u64 = segments.iter().map(|s| s.docs().len() as u64).sum();
    let idf: Vec<f64> = words
        .iter()
        .map(|w| {
            let df: u64 = segments.iter().map(|s| u64::from(s.df(s.id_of(w)))).sum();
            if df == 0 {
                0.0
            } else {
                libm::log(1.0 + documents as f64 / df as f64)
            }
        })
        .collect();

    let mut spans = Vec::new();
    let mut totals: BTreeMap<u64, (B256, u64)> = BTreeMap::new();
    let mut matched = vec![false; words.len()];
    for m in &matches {
        if m.sources.is_empty() {
            continue;
        }
        let weight = libm::round(idf[m.tokens.clone()].iter().sum::<f64>() * WEIGHT_SCALE) as u64;
        let shared_by = m.sources.len() as u64;
        let output_range = tokens[m.tokens.start].range.start..tokens[m.tokens.end - 1].range.end;
        matched[m.tokens.clone()].iter_mut().for_each(|c| *c = true);
        for (k, (id, hash, source)) in m.sources.iter().enumerate() {
            let share = weight / shared_by + u64::from((k as u64) < weight % shared_by);
            let total = &mut totals.entry(*id).or_insert((*hash, 0)).1;
            *total = total.saturating_add(share);
            spans.push(Span {
                contribution_id: *id,
                content_hash: *hash,
                output: output_range.clone(),
                source: source.clone(),
                tokens: m.tokens.len() as u32,
                shared_by: shared_by as u32,
                weight: share,
            });
        }
    }
    spans.sort_by_key(|s| (s.output.start, s.contribution_id));

    let weights = shares(&totals);
    let retrieval = retrieved
        .iter()
        .map(|chunk| RetrievalEvidence {
            contribution_id: chunk.contribution_id,
            content_hash: chunk.content_hash,
            chunk: chunk.range.clone(),
            score: chunk.score,
            used: uses(&spans, chunk.content_hash, &chunk.range),
        })
        .collect();

    Attribution {
        version: EVIDENCE_VERSION,
        output_hash: keccak256(output.as_bytes()),
        output_tokens: words.len() as u32,
        matched_tokens: matched.iter().filter(|&&m| m).count() as u32,
        min_span_tokens: config.min_span_tokens as u32,
        outcome: if weights.is_empty() {
            Outcome::Unattributed
        } else {
            Outcome::Attributed
        },
        weights,
        spans,
        dropped_spans,
        retrieval,
    }
}

impl Attribution {
    /// Keeps only the contributions `keep` accepts: the others' spans leave the evidence, and the
    /// shares of the rest are recomputed from their span weights as [`attribute`] computes them
    /// (steps 3 and 4), as are `matched_tokens`, `outcome` and the retrieval's `used`. `output` is
    /// the attributed output. Keeping every contribution changes nothing.
    ///
    /// The gateway uses it when the chain will not credit a contribution the index holds (no
    /// longer in a DataNet linked to the model) or when more contributions are credited than one
    /// settlement takes, so that the evidence always states exactly the weights settled.
    pub fn retain_contributions(&mut self, output: &str, keep: impl Fn(u64) -> bool) {
        self.spans.retain(|s| keep(s.contribution_id));
        let mut totals: BTreeMap<u64, (B256, u64)> = BTreeMap::new();
        for span in &self.spans {
            let total = &mut totals
                .entry(span.contribution_id)
                .or_insert((span.content_hash, 0))
                .1;
            *total = total.saturating_add(span.weight);
        }
        self.weights = shares(&totals);
        self.outcome = if self.weights.is_empty() {
            Outcome::Unattributed
        } else {
            Outcome::Attributed
        };
        // A word is matched when it lies inside a kept span's output range (spans start and end
        // on word boundaries).
        self.matched_tokens = tokenize(output)
            .iter()
            .filter(|t| {
                self.spans
                    .iter()
                    .any(|s| s.output.start <= t.range.start && t.range.end <= s.output.end)
            })
            .count() as u32;
        for chunk in &mut self.retrieval {
            chunk.used = uses(&self.spans, chunk.content_hash, &chunk.chunk);
        }
    }
}

/// Basis-point shares of per-contribution span weights (largest remainder), zero shares dropped.
fn shares(totals: &BTreeMap<u64, (B256, u64)>) -> Vec<ContributionWeight> {
    let entries: Vec<(u64, u64)> = totals.iter().map(|(id, (_, w))| (*id, *w)).collect();
    largest_remainder_bps(&entries)
        .into_iter()
        .zip(totals)
        .filter(|(bps, _)| *bps > 0)
        .map(|(bps, (id, (hash, _)))| ContributionWeight {
            contribution_id: *id,
            content_hash: *hash,
            bps,
        })
        .collect()
}

/// Whether a credited span's source overlaps the chunk `range` of the contribution `content_hash`.
fn uses(spans: &[Span], content_hash: B256, range: &Range<usize>) -> bool {
    spans.iter().any(|s| {
        s.content_hash == content_hash && s.source.start < range.end && range.start < s.source.end
    })
}

/// Basis points for `(id, weight)` entries by the largest-remainder method (see [`attribute`]
/// step 4): sums to [`TOTAL_BPS`] when any weight is positive, else all zero. Same order as
/// `entries`.
pub fn largest_remainder_bps(entries: &[(u64, u64)]) -> Vec<u16> {
    // u128: 10_000 × a u64 weight, and a sum of u64 weights, never overflow it.
    let total: u128 = entries.iter().map(|(_, w)| u128::from(*w)).sum();
    if total == 0 {
        return vec![0; entries.len()];
    }
    let scale = u128::from(TOTAL_BPS);
    let mut bps: Vec<u16> = entries
        .iter()
        .map(|(_, w)| (scale * u128::from(*w) / total) as u16)
        .collect();
    let given: u128 = bps.iter().map(|&b| u128::from(b)).sum();
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| {
        let rem = |i: usize| scale * u128::from(entries[i].1) % total;
        rem(b)
            .cmp(&rem(a))
            .then(entries[b].1.cmp(&entries[a].1))
            .then(entries[a].0.cmp(&entries[b].0))
    });
    // Flooring loses less than one point per entry, so `scale - given < entries.len()`.
    for &i in order.iter().take((scale - given) as usize) {
        bps[i] += 1;
    }
    bps
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::segment::SegmentBuilder;

    /// (output token range, [(contribution id, first source byte range)]) per kept span.
    type Expected = Vec<(Range<usize>, Vec<(u64, Range<usize>)>)>;

    /// The spans [`find_spans`] must return, computed by brute force over the documents' token
    /// lists; a span dropped as boilerplate has no sources.
    fn oracle(
        docs: &[(u64, String)],
        query: &[String],
        min: usize,
        max_occurrences: usize,
    ) -> Expected {
        let tokenized: Vec<(u64, Vec<crate::tokenize::Token>)> = docs
            .iter()
            .map(|(id, text)| (*id, crate::tokenize::tokenize(text)))
            .collect();
        let occurs_at = |tokens: &[crate::tokenize::Token], at: usize, words: &[String]| {
            at + words.len() <= tokens.len()
                && tokens[at..at + words.len()]
                    .iter()
                    .zip(words)
                    .all(|(t, w)| &t.text == w)
        };
        let mut spans = Vec::new();
        let mut covered_to = 0;
        for i in 0..query.len() {
            let longest = (0..=query.len() - i)
                .rev()
                .find(|&l| {
                    l == 0
                        || tokenized
                            .iter()
                            .any(|(_, t)| (0..t.len()).any(|at| occurs_at(t, at, &query[i..i + l])))
                })
                .unwrap_or(0);
            if longest < min || i + longest <= covered_to {
                continue;
            }
            covered_to = i + longest;
            let words = &query[i..i + longest];
            let mut sources = BTreeMap::new();
            let mut occurrences = 0;
            for (id, t) in &tokenized {
                for at in (0..t.len()).filter(|&at| occurs_at(t, at, words)) {
                    occurrences += 1;
                    sources
                        .entry(*id)
                        .or_insert(t[at].range.start..t[at + longest - 1].range.end);
                }
            }
            let sources = if occurrences > max_occurrences {
                Vec::new()
            } else {
                sources.into_iter().collect()
            };
            spans.push((i..i + longest, sources));
        }
        spans
    }

    /// A document of words from a tiny alphabet, so that repeats and partial matches abound.
    fn doc_text() -> impl Strategy<Value = String> {
        proptest::collection::vec((0usize..5, 0usize..3), 0..25).prop_map(|words| {
            let seps = [" ", ", ", "\n"];
            words
                .iter()
                .map(|&(w, s)| format!("{}{}", ["a", "b", "c", "d", "E"][w], seps[s]))
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn find_spans_matches_brute_force(
            docs in proptest::collection::vec(doc_text(), 1..7),
            split in 0usize..7,
            query in proptest::collection::vec(0usize..6, 0..30),
            min in 1usize..5,
            max_occurrences in 1usize..12,
        ) {
            let docs: Vec<(u64, String)> = docs.into_iter().enumerate().map(|(i, t)| (100 - i as u64, t)).collect();
            // Two segments (when split > 0) so matches of different lengths compete across them.
            let mut segments = Vec::new();
            for part in [&docs[..split.min(docs.len())], &docs[split.min(docs.len())..]] {
                if part.is_empty() {
                    continue;
                }
                let mut builder = SegmentBuilder::default();
                for (id, text) in part {
                    builder.push(*id, keccak256(text.as_bytes()), text).unwrap();
                }
                segments.push(builder.build().unwrap());
            }
            let query: Vec<String> = query.iter().map(|&w| ["a", "b", "c", "d", "e", "zz"][w].to_owned()).collect();
            let config = AttributionConfig::default().with_min_span_tokens(min).with_max_span_occurrences(max_occurrences);
            let refs: Vec<&Segment> = segments.iter().collect();
            let (found, dropped) = find_spans(&refs, &query, &config);
            let found: Vec<_> = found
                .into_iter()
                .map(|m| (m.tokens, m.sources.into_iter().map(|(id, _, range)| (id, range)).collect::<Vec<_>>()))
                .collect();
            let expected = oracle(&docs, &query, min, max_occurrences);
            let expected_dropped = expected.iter().filter(|(_, s)| s.is_empty()).count() as u32;
            let expected_kept: Vec<_> = expected.into_iter().filter(|(_, s)| !s.is_empty()).collect();
            prop_assert_eq!(found, expected_kept);
            prop_assert_eq!(dropped, expected_dropped);
        }
    }

    #[test]
    fn largest_remainder_examples() {
        assert_eq!(
            largest_remainder_bps(&[(1, 1), (2, 1), (3, 1)]),
            vec![3334, 3333, 3333]
        );
        assert_eq!(largest_remainder_bps(&[(9, 2), (3, 1)]), vec![6667, 3333]);
        assert_eq!(largest_remainder_bps(&[(1, 0), (2, 0)]), vec![0, 0]);
        assert_eq!(largest_remainder_bps(&[]), Vec::<u16>::new());
        assert_eq!(
            largest_remainder_bps(&[(5, 1), (6, 1_000_000)]),
            vec![0, 10_000]
        );
    }

    proptest::proptest! {
        #[test]
        fn largest_remainder_sums_to_total_and_is_fair(weights in proptest::collection::vec(proptest::prop_oneof![0u64..4, 0u64..1_000_000, proptest::num::u64::ANY], 1..40)) {
            let entries: Vec<(u64, u64)> = weights.iter().enumerate().map(|(i, w)| (i as u64, *w)).collect();
            let bps = largest_remainder_bps(&entries);
            let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
            let sum: u32 = bps.iter().map(|&b| u32::from(b)).sum();
            proptest::prop_assert_eq!(sum, if total == 0 { 0 } else { u32::from(TOTAL_BPS) });
            for (b, w) in bps.iter().zip(&weights) {
                // Each share is its exact value rounded down or up.
                let exact_floor = (10_000 * u128::from(*w)).checked_div(total).unwrap_or(0);
                proptest::prop_assert!(u128::from(*b) == exact_floor || u128::from(*b) == exact_floor + 1);
            }
        }
    }
}
