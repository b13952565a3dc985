//! Retrieval-grounded attribution: an LLM that was given the retrieved chunks as context and
//! paraphrased them (no verbatim run of `min_span_tokens` words) is credited by the chunks' BM25
//! scores ([`Outcome::Retrieved`]), only when the caller says the chunks were its context; spans
//! still win when there are any.

use tributary_attribution::{
    Attribution, AttributionConfig, Engine, Grounding, IndexConfig, Outcome, RetrievedChunk,
    largest_remainder_bps, score_units, tokenize,
};

use crate::utils::MemRegistry;

const RHINE: &str = "The river Rhine rises in the Swiss Alps and flows north through Germany before it reaches the North Sea near Rotterdam. Barges have carried coal and grain along its banks for centuries.";
const HARBOUR: &str = "Rotterdam harbour handles more cargo than any other port in Europe, about four hundred million tonnes in a typical year. Its container terminals are almost fully automated.";
const BEES: &str = "Honey bees tell their hive mates where flowers grow by performing a waggle dance on the comb. The angle of the dance points relative to the sun.";
/// In another DataNet: retrieved by the same words, but not part of the model's data.
const DELTA: &str = "The Rhine delta near Rotterdam splits into many branches before the water meets the North Sea.";

const QUESTION: &str =
    "Where does the Rhine reach the North Sea, and how much cargo does Rotterdam harbour handle?";
/// What an LLM given the Rhine and harbour chunks might write: it rewords both, quoting no run of
/// eight words (checked below).
const PARAPHRASE: &str = "Starting high in the Alps of Switzerland, the Rhine crosses Germany and ends in the North Sea close to Rotterdam. That city's port moves more freight than any rival in Europe: roughly 400 million tonnes per year.";
/// The same, with one sentence of the harbour contribution quoted verbatim.
const WITH_QUOTE: &str = "Starting high in the Alps of Switzerland, the Rhine crosses Germany. Rotterdam harbour handles more cargo than any other port in Europe.";

/// Whether `output` shares a run of `n` words with `text` (brute force, independent of the
/// engine's suffix arrays).
fn shares_run(output: &str, text: &str, n: usize) -> bool {
    let words = |s: &str| -> Vec<String> { tokenize(s).into_iter().map(|t| t.text).collect() };
    let (out, src) = (words(output), words(text));
    out.windows(n).any(|w| src.windows(n).any(|s| s == w))
}

fn engine(dir: &std::path::Path, registry: &mut MemRegistry) -> Engine {
    let mut engine = Engine::open(dir, IndexConfig::default()).unwrap();
    for (id, datanet, text) in [(1, 1, RHINE), (2, 1, HARBOUR), (3, 1, BEES), (4, 2, DELTA)] {
        let c = registry.register(id, datanet, text);
        engine.ingest(registry, c.text.as_bytes()).unwrap();
    }
    engine
}

fn ids_and_bps(a: &Attribution) -> Vec<(u64, u16)> {
    a.weights
        .iter()
        .map(|w| (w.contribution_id, w.bps))
        .collect()
}

#[test]
fn test_paraphrase_of_the_context_is_credited_by_retrieval_score() {
    let dir = tempfile::tempdir().unwrap();
    let mut registry = MemRegistry::default();
    let engine = engine(dir.path(), &mut registry);
    for text in [RHINE, HARBOUR, BEES, DELTA] {
        assert!(!shares_run(PARAPHRASE, text, 8), "the paraphrase quotes");
    }
    let config = AttributionConfig::default();
    // The model's context: the Rhine and the harbour, and the bees (which only share "where" and
    // "the" with the question, and score least).
    let chunks = engine.retrieve(&[1], QUESTION, 4).unwrap();
    let scores: Vec<(u64, f32)> = chunks
        .iter()
        .map(|c| (c.contribution_id, c.score))
        .collect();
    assert_eq!(
        scores.iter().map(|r| r.0).collect::<Vec<_>>(),
        [1, 2, 3],
        "{scores:?}"
    );
    assert!(scores[0].1 > scores[1].1 && scores[1].1 > scores[2].1);

    let a = engine.attribute(&[1], PARAPHRASE, &chunks, Grounding::Context, &config);
    assert_eq!(a.outcome, Outcome::Retrieved);
    assert_eq!(a.grounding, Grounding::Context);
    assert!(a.spans.is_empty() && a.matched_tokens == 0);
    // Weights: the scores in micro-units, by largest remainder (one chunk per contribution
    // here), so ordered like the scores.
    let units: Vec<(u64, u64)> = scores.iter().map(|&(id, s)| (id, score_units(s))).collect();
    let expected = largest_remainder_bps(&units);
    assert_eq!(
        ids_and_bps(&a),
        [(1, expected[0]), (2, expected[1]), (3, expected[2])]
    );
    assert!(a.weights[0].bps > a.weights[1].bps && a.weights[1].bps > a.weights[2].bps);
    assert_eq!(
        a.weights.iter().map(|w| u32::from(w.bps)).sum::<u32>(),
        10_000
    );
    // Each share is its exact value rounded down or up.
    let total: u64 = units.iter().map(|u| u.1).sum();
    for (w, (_, u)) in a.weights.iter().zip(&units) {
        let floor = 10_000 * u / total;
        assert!((floor..=floor + 1).contains(&u64::from(w.bps)), "{w:?}");
    }
    // The evidence: every chunk given, used, with its score and its micro-units.
    for (evidence, chunk) in a.retrieval.iter().zip(&chunks) {
        assert_eq!(evidence.contribution_id, chunk.contribution_id);
        assert_eq!(evidence.score, chunk.score);
        assert_eq!(evidence.weight, score_units(chunk.score));
        assert!(evidence.used);
    }

    // Deterministic: the same bytes again, and after reopening the engine from disk.
    let json = a.canonical_json().unwrap();
    let text = String::from_utf8(json.clone()).unwrap();
    assert!(
        text.starts_with("{\"version\":2,")
            && text.contains("\"grounding\":\"context\",\"outcome\":\"retrieved\""),
        "{text}"
    );
    assert_eq!(
        engine
            .attribute(&[1], PARAPHRASE, &chunks, Grounding::Context, &config)
            .canonical_json()
            .unwrap(),
        json
    );
    drop(engine);
    let reopened = Engine::open(dir.path(), IndexConfig::default()).unwrap();
    let again = reopened.retrieve(&[1], QUESTION, 4).unwrap();
    assert_eq!(again, chunks);
    let b = reopened.attribute(&[1], PARAPHRASE, &again, Grounding::Context, &config);
    assert_eq!(b.canonical_json().unwrap(), json);
    assert_eq!(b.evidence_hash().unwrap(), a.evidence_hash().unwrap());
}

#[test]
fn test_retrieval_credits_only_when_the_chunks_were_the_context() {
    let dir = tempfile::tempdir().unwrap();
    let mut registry = MemRegistry::default();
    let engine = engine(dir.path(), &mut registry);
    let config = AttributionConfig::default();
    let chunks = engine.retrieve(&[1], QUESTION, 4).unwrap();

    // Not given as context (an extractive answer, or chunks kept for the record): unattributed.
    let a = engine.attribute(&[1], PARAPHRASE, &chunks, Grounding::Spans, &config);
    assert_eq!(a.outcome, Outcome::Unattributed);
    assert!(a.weights.is_empty());
    assert!(a.retrieval.iter().all(|r| !r.used && r.weight == 0));
    assert_eq!(a.retrieval.len(), chunks.len());
    // Context, but nothing retrieved: nothing to credit.
    let a = engine.attribute(&[1], PARAPHRASE, &[], Grounding::Context, &config);
    assert_eq!(a.outcome, Outcome::Unattributed);
    assert!(a.weights.is_empty());

    // Spans win: a verbatim sentence of the harbour contribution credits it alone, although the
    // Rhine chunk was in the context too (and the answer paraphrases it).
    assert!(shares_run(WITH_QUOTE, HARBOUR, 8) && !shares_run(WITH_QUOTE, RHINE, 8));
    let a = engine.attribute(&[1], WITH_QUOTE, &chunks, Grounding::Context, &config);
    assert_eq!(a.outcome, Outcome::Attributed);
    assert_eq!(ids_and_bps(&a), [(2, 10_000)]);
    assert!(!a.spans.is_empty());
    assert_eq!(
        a.retrieval
            .iter()
            .map(|r| (r.contribution_id, r.used, r.weight))
            .collect::<Vec<_>>(),
        [(1, false, 0), (2, true, 0), (3, false, 0)]
    );
    let mut spans_only = engine.attribute(&[1], WITH_QUOTE, &chunks, Grounding::Spans, &config);
    spans_only.grounding = Grounding::Context;
    assert_eq!(
        a, spans_only,
        "with spans, the grounding changes nothing but its field"
    );
}

#[test]
fn test_retrieved_attribution_counts_only_its_datanets_and_renormalises() {
    let dir = tempfile::tempdir().unwrap();
    let mut registry = MemRegistry::default();
    let engine = engine(dir.path(), &mut registry);
    let config = AttributionConfig::default();
    // Chunks of both DataNets, attributed against DataNet 1 only: the delta (DataNet 2) is
    // listed but earns nothing.
    let chunks: Vec<RetrievedChunk> = engine.retrieve(&[1, 2], QUESTION, 4).unwrap();
    assert!(chunks.iter().any(|c| c.contribution_id == 4), "{chunks:?}");
    let a = engine.attribute(&[1], PARAPHRASE, &chunks, Grounding::Context, &config);
    assert_eq!(a.outcome, Outcome::Retrieved);
    assert_eq!(
        a.weights
            .iter()
            .map(|w| w.contribution_id)
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let delta = a.retrieval.iter().find(|r| r.contribution_id == 4).unwrap();
    assert!(!delta.used && delta.weight == 0);
    // Over both DataNets the delta counts too.
    let both = engine.attribute(&[1, 2], PARAPHRASE, &chunks, Grounding::Context, &config);
    assert_eq!(
        both.weights
            .iter()
            .map(|w| w.contribution_id)
            .collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );

    // The chain will not credit contribution 2: the others are re-normalised over their scores,
    // its chunk stays listed (it was given to the model) and earns nothing.
    let mut kept = both.clone();
    kept.retain_contributions(PARAPHRASE, |id| id != 2);
    assert_eq!(kept.outcome, Outcome::Retrieved);
    let units = |id: u64| -> u64 {
        chunks
            .iter()
            .filter(|c| c.contribution_id == id)
            .map(|c| score_units(c.score))
            .sum()
    };
    let expected = largest_remainder_bps(&[(1, units(1)), (3, units(3)), (4, units(4))]);
    assert_eq!(
        ids_and_bps(&kept),
        [(1, expected[0]), (3, expected[1]), (4, expected[2])]
    );
    assert_eq!(kept.retrieval.len(), chunks.len());
    assert!(
        kept.retrieval
            .iter()
            .all(|r| r.used == (r.contribution_id != 2) && (r.weight > 0) == r.used)
    );
    // Nothing kept: unattributed.
    let mut none = both;
    none.retain_contributions(PARAPHRASE, |_| false);
    assert_eq!(none.outcome, Outcome::Unattributed);
    assert!(none.weights.is_empty() && none.retrieval.iter().all(|r| !r.used));
}
