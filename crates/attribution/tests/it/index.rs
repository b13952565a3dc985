use tributary_attribution::{
    AttributionConfig, AttributionError, Contribution, ContributionMeta, DataNetIndex, Grounding,
    IndexConfig, Outcome, TOTAL_BPS,
};

const OWNERSHIP: &str = "Ownership is a set of rules that govern how a Rust program manages memory. \
    All programs have to manage the way they use a computer's memory while running.";
const BORROWING: &str = "A reference is like a pointer in that it's an address we can follow to access the data \
    stored at that address; that data is owned by some other variable.";
const LIFETIMES: &str = "Lifetimes are another kind of generic that we've already been using. Rather than \
    ensuring that a type has the behavior we want, lifetimes ensure that references are valid as long as we need them to be.";

fn contribution(id: u64, text: &str) -> Contribution {
    Contribution::new(ContributionMeta { id, datanet_id: 1 }, text)
}

fn small_chunks() -> IndexConfig {
    IndexConfig::default().with_chunks(12, 4)
}

#[test]
fn test_attribute_quoted_contributions_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    index
        .add_batch(
            &[
                contribution(1, OWNERSHIP),
                contribution(2, BORROWING),
                contribution(3, LIFETIMES),
            ],
            |_, _| {},
        )
        .unwrap();
    let output = "As the book says: ownership is a set of rules that govern how a Rust program manages memory. \
        Also, a reference is like a pointer in that it's an address we can follow.";
    let retrieved = index
        .retrieve("ownership rules reference pointer lifetimes generic", 10)
        .unwrap();
    assert!(
        retrieved.iter().any(|c| c.contribution_id == 3),
        "lifetimes chunk retrieved: {retrieved:?}"
    );
    let attribution = index.attribute(
        output,
        &retrieved,
        Grounding::Spans,
        &AttributionConfig::default(),
    );
    assert_eq!(attribution.outcome, Outcome::Attributed);
    let ids: Vec<u64> = attribution
        .weights
        .iter()
        .map(|w| w.contribution_id)
        .collect();
    assert_eq!(ids, [1, 2]);
    assert_eq!(
        attribution
            .weights
            .iter()
            .map(|w| u32::from(w.bps))
            .sum::<u32>(),
        u32::from(TOTAL_BPS)
    );
    // Evidence points at the right bytes on both sides.
    for span in &attribution.spans {
        let source = [OWNERSHIP, BORROWING, LIFETIMES][span.contribution_id as usize - 1];
        assert_eq!(
            output[span.output.clone()].to_lowercase(),
            source[span.source.clone()].to_lowercase()
        );
    }
    assert_eq!(
        attribution
            .spans
            .iter()
            .map(|s| s.tokens)
            .collect::<Vec<_>>(),
        [14, 15]
    );
    // Retrieved but not quoted: recorded, unused, uncredited.
    assert_eq!(attribution.retrieval.len(), retrieved.len());
    assert!(
        attribution
            .retrieval
            .iter()
            .filter(|r| r.contribution_id == 3)
            .all(|r| !r.used)
    );
    assert!(
        attribution
            .retrieval
            .iter()
            .any(|r| r.contribution_id == 1 && r.used)
    );
    // Canonical JSON is stable and round-trips.
    let json = attribution.canonical_json().unwrap();
    assert_eq!(
        serde_json::from_slice::<tributary_attribution::Attribution>(&json).unwrap(),
        attribution
    );
    let again = index.attribute(
        output,
        &retrieved,
        Grounding::Spans,
        &AttributionConfig::default(),
    );
    assert_eq!(
        again.evidence_hash().unwrap(),
        attribution.evidence_hash().unwrap()
    );
}

#[test]
fn test_attribute_short_or_unknown_output_is_unattributed() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    index.add(&contribution(1, OWNERSHIP)).unwrap();
    for output in [
        "",
        "?!",
        "ownership is a set of rules",
        "completely unrelated words that appear nowhere in it",
    ] {
        let retrieved = index.retrieve(output, 3).unwrap();
        let a = index.attribute(
            output,
            &retrieved,
            Grounding::Spans,
            &AttributionConfig::default(),
        );
        assert_eq!(a.outcome, Outcome::Unattributed, "{output}");
        assert!(a.weights.is_empty() && a.spans.is_empty());
        assert!(a.retrieval.iter().all(|r| !r.used));
    }
    // Lowering the minimum makes the 7-word quote count.
    let a = index.attribute(
        "ownership is a set of rules that",
        &[],
        Grounding::Spans,
        &AttributionConfig::default().with_min_span_tokens(7),
    );
    assert_eq!(a.weights.len(), 1);
    assert_eq!(a.weights[0].bps, TOTAL_BPS);
}

#[test]
fn test_attribute_boilerplate_span_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    let boiler = "licensed under the apache license version two point zero or the mit license";
    let batch: Vec<Contribution> = (0..5)
        .map(|i| contribution(i, &format!("file {i}. {boiler}")))
        .collect();
    index.add_batch(&batch, |_, _| {}).unwrap();
    let output = format!("this is {boiler} indeed");
    let shared = index.attribute(
        &output,
        &[],
        Grounding::Spans,
        &AttributionConfig::default(),
    );
    assert_eq!(
        shared.weights.iter().map(|w| w.bps).collect::<Vec<_>>(),
        [2000; 5]
    );
    assert!(shared.spans.iter().all(|s| s.shared_by == 5));
    let strict = index.attribute(
        &output,
        &[],
        Grounding::Spans,
        &AttributionConfig::default().with_max_span_occurrences(4),
    );
    assert_eq!(strict.outcome, Outcome::Unattributed);
    assert_eq!(strict.dropped_spans, 1);
}

#[test]
fn test_add_incrementally_equals_bulk_and_survives_restart() {
    let texts: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "contribution number {i} says {} and then {} before ending with token{i}",
                [OWNERSHIP, BORROWING, LIFETIMES][i % 3],
                i * 7919
            )
        })
        .collect();
    let contributions: Vec<Contribution> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| contribution(i as u64, t))
        .collect();
    let bulk_dir = tempfile::tempdir().unwrap();
    let mut bulk = DataNetIndex::open(bulk_dir.path(), 1, small_chunks()).unwrap();
    let mut calls = Vec::new();
    bulk.add_batch(&contributions, |done, total| calls.push((done, total)))
        .unwrap();
    assert_eq!(calls.len(), 40);
    assert_eq!(calls.last(), Some(&(40, 40)));

    let dir = tempfile::tempdir().unwrap();
    let mut incremental = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    let output = format!(
        "we read that {} and then 7919 before ending with token1",
        &BORROWING[..80]
    );
    for c in &contributions {
        assert!(incremental.add(c).unwrap());
        // Attributable at once.
        let a = incremental.attribute(
            &c.text,
            &[],
            Grounding::Spans,
            &AttributionConfig::default(),
        );
        assert!(a.weights.iter().any(|w| w.contribution_id == c.meta.id));
        // The geometric merge policy keeps the segment count logarithmic.
        let segments = incremental.stats().unwrap().segment_tokens.len();
        assert!(segments <= 7, "{segments} segments");
    }
    assert!(
        !incremental.add(&contributions[3]).unwrap(),
        "second add is a no-op"
    );
    let config = AttributionConfig::default();
    let expected = bulk.attribute(&output, &[], Grounding::Spans, &config);
    assert_eq!(expected.outcome, Outcome::Attributed);
    assert_eq!(
        incremental.attribute(&output, &[], Grounding::Spans, &config),
        expected
    );
    let stats = incremental.stats().unwrap();
    assert_eq!(stats.contributions, 40);
    assert_eq!(stats.tokens, bulk.stats().unwrap().tokens);
    drop(incremental);

    let reopened = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    assert_eq!(reopened.len(), 40);
    assert_eq!(
        reopened.attribute(&output, &[], Grounding::Spans, &config),
        expected
    );
    assert_eq!(
        reopened.stats().unwrap().segment_tokens,
        stats.segment_tokens
    );
    assert_eq!(
        reopened.retrieve("token17", 1).unwrap()[0].contribution_id,
        17
    );
}

#[test]
fn test_open_after_interrupted_batch_discards_it() {
    // Small enough not to trigger a merge, so the old manifest's segments still exist.
    const LATE: &str = "a pointer is an address";
    let dir = tempfile::tempdir().unwrap();
    let mut index = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    index.add(&contribution(1, OWNERSHIP)).unwrap();
    let manifest = std::fs::read(dir.path().join("manifest.json")).unwrap();
    assert_eq!(
        index
            .add_batch(&[contribution(2, LATE)], |_, _| {})
            .unwrap()
            .merges,
        0
    );
    drop(index);
    // A crash after the segment file and the tantivy commit, before the manifest.
    std::fs::write(dir.path().join("manifest.json"), manifest).unwrap();
    let mut index = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    assert_eq!(index.len(), 1);
    assert!(
        index.retrieve("pointer address", 5).unwrap().is_empty(),
        "chunks of the lost batch are gone"
    );
    let segment_files = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("seg-")
            })
            .count()
    };
    assert_eq!(segment_files(), 1);
    // Adding it again works and does not duplicate chunks.
    assert!(index.add(&contribution(2, LATE)).unwrap());
    let hits = index.retrieve("pointer address", 50).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].text, LATE);
    assert_eq!(segment_files(), 2);
}

#[test]
fn test_add_batch_io_failure_indexes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    index.add(&contribution(1, OWNERSHIP)).unwrap();
    // A directory where the next segment file goes: writing the segment fails.
    let blocker = dir.path().join("seg-00000001.bin");
    std::fs::create_dir(&blocker).unwrap();
    let err = index.add(&contribution(2, BORROWING)).unwrap_err();
    assert!(
        matches!(err, AttributionError::Io { .. }) && !err.is_bad_input(),
        "{err}"
    );
    assert!(!index.contains(contribution(2, BORROWING).content_hash));
    assert!(
        index.retrieve("pointer address", 5).unwrap().is_empty(),
        "no chunk of the failed batch"
    );
    // The next batch commits only its own chunks.
    index.add(&contribution(3, LIFETIMES)).unwrap();
    assert!(
        index
            .retrieve("pointer address", 5)
            .unwrap()
            .iter()
            .all(|c| c.contribution_id != 2)
    );
    std::fs::remove_dir(&blocker).unwrap();
    assert!(index.add(&contribution(2, BORROWING)).unwrap());
    assert_eq!(
        index.retrieve("pointer address", 5).unwrap()[0].contribution_id,
        2
    );
    drop(index);
    assert_eq!(
        DataNetIndex::open(dir.path(), 1, small_chunks())
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn test_add_batch_bad_input_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    let other = Contribution::new(
        ContributionMeta {
            id: 9,
            datanet_id: 2,
        },
        "elsewhere",
    );
    let err = index
        .add_batch(&[contribution(1, OWNERSHIP), other], |_, _| {})
        .unwrap_err();
    assert!(matches!(
        err,
        AttributionError::WrongDataNet {
            contribution_id: 9,
            expected: 1,
            found: 2
        }
    ));
    let conflicting = [contribution(1, OWNERSHIP), contribution(2, OWNERSHIP)];
    assert!(matches!(
        index.add_batch(&conflicting, |_, _| {}),
        Err(AttributionError::ConflictingMetadata { .. })
    ));
    assert!(index.is_empty());
    assert!(index.retrieve("ownership", 5).unwrap().is_empty());
    drop(index);
    assert!(
        DataNetIndex::open(dir.path(), 1, small_chunks())
            .unwrap()
            .is_empty()
    );
    // The directory belongs to DataNet 1 once it has a manifest.
    let mut index = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    index.add(&contribution(1, OWNERSHIP)).unwrap();
    drop(index);
    assert!(matches!(
        DataNetIndex::open(dir.path(), 2, small_chunks()),
        Err(AttributionError::Corrupt { .. })
    ));
}

#[test]
fn test_retrieve_edge_cases() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
    assert!(index.retrieve("anything", 5).unwrap().is_empty());
    index
        .add_batch(
            &[contribution(1, OWNERSHIP), contribution(2, LIFETIMES)],
            |_, _| {},
        )
        .unwrap();
    assert!(index.retrieve("lifetimes", 0).unwrap().is_empty());
    assert!(index.retrieve("", 5).unwrap().is_empty());
    assert!(
        index
            .retrieve("\"unbalanced (query: AND OR -", 5)
            .unwrap()
            .is_empty()
    );
    let hits = index.retrieve("LIFETIMES generic!", 3).unwrap();
    assert_eq!(hits[0].contribution_id, 2);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(hits[0].text, LIFETIMES[hits[0].range.clone()]);
}

/// The gateway shares an index between request handlers.
#[test]
fn test_index_and_engine_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<DataNetIndex>();
    check::<tributary_attribution::Engine>();
}

mod props {
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::*;

    static INDEX: LazyLock<(tempfile::TempDir, DataNetIndex)> = LazyLock::new(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut index = DataNetIndex::open(dir.path(), 1, small_chunks()).unwrap();
        let batch: Vec<Contribution> = [OWNERSHIP, BORROWING, LIFETIMES]
            .iter()
            .enumerate()
            .map(|(i, t)| contribution(i as u64 + 1, t))
            .collect();
        index.add_batch(&batch, |_, _| {}).unwrap();
        (dir, index)
    });

    fn corpus_words() -> Vec<String> {
        [OWNERSHIP, BORROWING, LIFETIMES]
            .iter()
            .flat_map(|t| t.split(' '))
            .map(str::to_owned)
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Arbitrary text never panics, and spans point at char boundaries of the output.
        #[test]
        fn attribute_any_text_is_well_formed(output in "\\PC{0,300}") {
            let index = &INDEX.1;
            let a = index.attribute(&output, &index.retrieve(&output, 3).unwrap(), Grounding::Spans, &AttributionConfig::default());
            for span in &a.spans {
                prop_assert!(output.get(span.output.clone()).is_some());
            }
        }

        /// Outputs stitched from corpus words and quotes: weights sum to exactly 10,000 whenever
        /// anything is credited, every credited contribution has a span, and the canonical JSON
        /// is a pure function of the output.
        #[test]
        fn attribute_weights_sum_to_total(picks in proptest::collection::vec((0usize..200, 1usize..20), 1..12), min in 1usize..10) {
            let index = &INDEX.1;
            let words = corpus_words();
            let output = picks
                .iter()
                .map(|&(start, len)| words.iter().cycle().skip(start).take(len).cloned().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join(" zzz ");
            let config = AttributionConfig::default().with_min_span_tokens(min);
            let a = index.attribute(&output, &[], Grounding::Spans, &config);
            let sum: u32 = a.weights.iter().map(|w| u32::from(w.bps)).sum();
            match a.outcome {
                Outcome::Attributed => prop_assert_eq!(sum, u32::from(TOTAL_BPS)),
                Outcome::Unattributed => prop_assert!(a.weights.is_empty() && a.spans.is_empty()),
                Outcome::Retrieved => prop_assert!(false, "no context was given"),
            }
            for w in &a.weights {
                prop_assert!(w.bps > 0 && a.spans.iter().any(|s| s.contribution_id == w.contribution_id));
            }
            prop_assert!(a.spans.iter().all(|s| s.tokens as usize >= min));
            prop_assert_eq!(index.attribute(&output, &[], Grounding::Spans, &config).canonical_json().unwrap(), a.canonical_json().unwrap());
        }
    }
}
