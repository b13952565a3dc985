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
/// of how they are computed. Version 2 added [`Grounding`] (`grounding`), [`Outcome::Retrieved`]
/// and the retrieval entries' `weight`.
pub const EVIDENCE_VERSION: u32 = 2;
/// The weights of one attribution sum to exactly this many basis points.
pub const TOTAL_BPS: u16 = 10_000;
/// Span weights are fixed-point: `round(sum of idf × WEIGHT_SCALE)` (micro-units), so that
/// splitting and rounding are exact integer arithmetic.
pub const WEIGHT_SCALE: f64 = 1e6;

/// What the retrieved chunks were to the output. The caller states it (it knows what it gave
/// the model); the engine never guesses it from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grounding {
    /// Only verbatim spans credit. For outputs that quote their sources (the extractive
    /// [`crate::respond`]er: its sentences are found as spans, and a quote that credits no one,
    /// such as boilerplate, is not paid by other means) and for chunks retrieved for the record
    /// but not given to whatever wrote the output.
    Spans,
    /// The chunks were given to a generative model (an LLM) as the context of this output.
    /// Verbatim spans still decide when there are any; with none (the model paraphrased), the
    /// output is credited to the chunks by their retrieval scores ([`Outcome::Retrieved`]).
    Context,
}

/// On what the weights rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// At least one span credits a contribution: `weights` come from the spans and sum to
    /// [`TOTAL_BPS`].
    Attributed,
    /// No span credits anyone, and the output was generated with the retrieved chunks as its
    /// context ([`Grounding::Context`]): `weights` come from the chunks' retrieval scores
    /// (summed per contribution) and sum to [`TOTAL_BPS`].
    Retrieved,
    /// Nothing credits anyone: no verbatim span of at least `min_span_tokens` words (or only
    /// boilerplate spans) and no retrieved context ([`Grounding::Spans`], or no chunk). `weights`
    /// is empty.
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
    /// What the chunk adds to its contribution's weight, in micro-units ([`WEIGHT_SCALE`]):
    /// [`score_units`]`(score)` when the outcome is [`Outcome::Retrieved`] and the chunk counts,
    /// else 0 (spans carry the weight of an attributed output).
    pub weight: u64,
    /// Whether the output is credited through this chunk: a credited span's source overlaps it
    /// ([`Outcome::Attributed`]), or its score counts (`weight > 0`, [`Outcome::Retrieved`]).
    /// Unused chunks earn nothing.
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
    /// What the caller said the retrieved chunks were to the output.
    pub grounding: Grounding,
    /// On what the weights rest (spans, retrieval), or that nothing was credited.
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

/// A retrieval score in micro-units ([`WEIGHT_SCALE`]): `round(score × 10^6)`, half away from
/// zero, computed exactly (the f32's 24-bit significand times 10^6 = 2^6 · 15625, 14 bits, fits
/// the 53 bits of an f64, so the product is not rounded); 0 for a score that is not finite and
/// positive. The same bits on every platform.
pub fn score_units(score: f32) -> u64 {
    if !(score.is_finite() && score > 0.0) {
        return 0;
    }
    // `as` saturates (a score above ~1.8·10^13 would not fit u64).
    (f64::from(score) * WEIGHT_SCALE).round() as u64
}

/// Attributes `output` to the contributions of `indexes` (one or several DataNets, searched as
/// one corpus). `retrieved` are the chunks retrieved for the request, in rank order, and
/// `grounding` what they were to the output. Never fails: an output credited by nothing is
/// [`Outcome::Unattributed`].
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
/// 5. Retrieval: each retrieved chunk is recorded with its score and `used` = some credited
///    span's source lies in (overlaps) the chunk. With spans, retrieval adds no weight.
/// 6. No span credits anyone (none, or only boilerplate) and `grounding` is
///    [`Grounding::Context`]: the weights come from retrieval instead ([`Outcome::Retrieved`]).
///    Each chunk of one of `indexes`' DataNets counts [`score_units`]`(score)` (its `weight`,
///    `used` when positive); a contribution's weight is the sum over its chunks, rounded to basis
///    points as in step 4. With [`Grounding::Spans`], or no chunk, the output is unattributed.
pub fn attribute(
    indexes: &[&DataNetIndex],
    output: &str,
    retrieved: &[RetrievedChunk],
    grounding: Grounding,
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
            weight: 0,
            used: uses(&spans, chunk.content_hash, &chunk.range),
        })
        .collect();

    let mut attribution = Attribution {
        version: EVIDENCE_VERSION,
        output_hash: keccak256(output.as_bytes()),
        output_tokens: words.len() as u32,
        matched_tokens: matched.iter().filter(|&&m| m).count() as u32,
        min_span_tokens: config.min_span_tokens as u32,
        grounding,
        outcome: if weights.is_empty() {
            Outcome::Unattributed
        } else {
            Outcome::Attributed
        },
        weights,
        spans,
        dropped_spans,
        retrieval,
    };
    if attribution.weights.is_empty() && grounding == Grounding::Context {
        // Step 6: only chunks of the DataNets attributed against count.
        for (evidence, chunk) in attribution.retrieval.iter_mut().zip(retrieved) {
            if indexes.iter().any(|i| i.datanet_id() == chunk.datanet_id) {
                evidence.weight = score_units(chunk.score);
            }
        }
        attribution.credit_retrieval();
    }
    attribution
}

impl Attribution {
    /// Keeps only the contributions `keep` accepts: the others' spans leave the evidence, and the
    /// shares of the rest are recomputed from their span weights as [`attribute`] computes them
    /// (steps 3 and 4), as are `matched_tokens`, `outcome` and the retrieval's `used`. `output` is
    /// the attributed output. Keeping every contribution changes nothing.
    ///
    /// A [`Outcome::Retrieved`] attribution stays on retrieval: the others' chunks stay listed
    /// (they were given to the model) with `weight` 0 and `used` false, and the shares are
    /// recomputed from the kept chunks' weights (step 6). The basis never changes: when nothing
    /// of it is kept the outcome is [`Outcome::Unattributed`] (an output that quotes a
    /// contribution the chain will not credit is not paid to the chunks it did not quote).
    ///
    /// The gateway uses it when the chain will not credit a contribution the index holds (no
    /// longer in a DataNet linked to the model) or when more contributions are credited than one
    /// settlement takes, so that the evidence always states exactly the weights settled.
    pub fn retain_contributions(&mut self, output: &str, keep: impl Fn(u64) -> bool) {
        if self.outcome == Outcome::Retrieved {
            for chunk in &mut self.retrieval {
                if !keep(chunk.contribution_id) {
                    chunk.weight = 0;
                }
            }
            self.credit_retrieval();
            return;
        }
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

impl Attribution {
    /// Step 6 of [`attribute`], from the chunks' `weight`s: the weights, the outcome
    /// ([`Outcome::Retrieved`], or [`Outcome::Unattributed`] when no chunk counts) and `used`.
    fn credit_retrieval(&mut self) {
        let mut totals: BTreeMap<u64, (B256, u64)> = BTreeMap::new();
        for chunk in self.retrieval.iter().filter(|c| c.weight > 0) {
            let total = &mut totals
                .entry(chunk.contribution_id)
                .or_insert((chunk.content_hash, 0))
                .1;
            *total = total.saturating_add(chunk.weight);
        }
        self.weights = shares(&totals);
        self.outcome = if self.weights.is_empty() {
            Outcome::Unattributed
        } else {
            Outcome::Retrieved
        };
        for chunk in &mut self.retrieval {
            chunk.used = chunk.weight > 0;
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
    fn score_units_examples() {
        assert_eq!(score_units(1.5), 1_500_000);
        assert_eq!(score_units(11.5), 11_500_000);
        // The f32 nearest 0.1 is 0.100000001490116…: 100000.0015 micro-units, rounded down.
        assert_eq!(score_units(0.1), 100_000);
        // Half a micro-unit rounds away from zero: 2^-21 = 0.000000476…, 2^-20 = 0.95 micro.
        assert_eq!(score_units(2f32.powi(-20)), 1);
        assert_eq!(score_units(2f32.powi(-21)), 0);
        for bad in [0.0, -0.0, -3.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            assert_eq!(score_units(bad), 0, "{bad}");
        }
        assert_eq!(score_units(f32::MAX), u64::MAX);
    }

    /// An attribution with no span whose retrieval entries are `chunks` (contribution id, score
    /// units), credited as step 6 does; only the chunks of contributions `counts` accepts count.
    fn retrieved(chunks: &[(u64, u64)], counts: impl Fn(u64) -> bool) -> Attribution {
        let mut a = Attribution {
            version: EVIDENCE_VERSION,
            output_hash: B256::ZERO,
            output_tokens: 10,
            matched_tokens: 0,
            min_span_tokens: 8,
            grounding: Grounding::Context,
            outcome: Outcome::Unattributed,
            weights: Vec::new(),
            spans: Vec::new(),
            dropped_spans: 0,
            retrieval: chunks
                .iter()
                .enumerate()
                .map(|(i, &(id, weight))| RetrievalEvidence {
                    contribution_id: id,
                    content_hash: B256::with_last_byte(id as u8),
                    chunk: i * 10..i * 10 + 10,
                    score: weight as f32 / 1e6,
                    weight: if counts(id) { weight } else { 0 },
                    used: false,
                })
                .collect(),
        };
        a.credit_retrieval();
        a
    }

    proptest::proptest! {
        /// f64(score) × 10^6 is exact: it equals the integer significand times 10^6 scaled by the
        /// exponent, so the rounding in `score_units` is the only one.
        #[test]
        fn score_units_product_is_exact(bits in 0u32..0x7f80_0000) {
            let score = f32::from_bits(bits);
            let (exponent, significand) = ((bits >> 23) as i32, u64::from(bits & 0x7f_ffff));
            let (m, e) = if exponent == 0 { (significand, -149) } else { (significand | 0x80_0000, exponent - 150) };
            let exact = (m * 1_000_000) as f64 * 2f64.powi(e);
            proptest::prop_assert_eq!(f64::from(score) * WEIGHT_SCALE, exact);
        }

        /// Retrieval weights: summed per contribution, 10,000 bps in total, ordered like the
        /// sums, every counted chunk `used`; keeping everything changes nothing, and keeping some
        /// re-normalises over them.
        #[test]
        fn retrieval_weights_follow_the_scores(
            chunks in proptest::collection::vec((1u64..6, proptest::prop_oneof![0u64..3, 0u64..40_000_000]), 0..12),
            dropped in 1u64..6,
        ) {
            let a = retrieved(&chunks, |_| true);
            let mut sums: BTreeMap<u64, u64> = BTreeMap::new();
            for &(id, w) in chunks.iter().filter(|c| c.1 > 0) {
                *sums.entry(id).or_default() += w;
            }
            if sums.is_empty() {
                proptest::prop_assert_eq!(a.outcome, Outcome::Unattributed);
                proptest::prop_assert!(a.weights.is_empty());
            } else {
                proptest::prop_assert_eq!(a.outcome, Outcome::Retrieved);
                proptest::prop_assert_eq!(a.weights.iter().map(|w| u32::from(w.bps)).sum::<u32>(), 10_000);
                let bps = |id: u64| a.weights.iter().find(|w| w.contribution_id == id).map_or(0, |w| w.bps);
                for (x, wx) in &sums {
                    for (y, wy) in &sums {
                        if wx > wy {
                            proptest::prop_assert!(bps(*x) >= bps(*y), "{x}: {wx} vs {y}: {wy}");
                        }
                    }
                }
            }
            proptest::prop_assert!(a.retrieval.iter().all(|c| c.used == (c.weight > 0)));

            let mut same = a.clone();
            same.retain_contributions("", |_| true);
            proptest::prop_assert_eq!(&same, &a);
            let mut fewer = a.clone();
            fewer.retain_contributions("", |id| id != dropped);
            let expected = retrieved(&chunks, |id| id != dropped);
            if a.outcome == Outcome::Retrieved {
                proptest::prop_assert_eq!(fewer, expected);
            } else {
                proptest::prop_assert_eq!(fewer.outcome, Outcome::Unattributed);
            }
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
