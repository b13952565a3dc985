use tributary_attribution::{AttributionConfig, Engine, Grounding, IndexConfig, Outcome, respond};

use crate::utils::MemRegistry;

#[test]
fn test_engine_ingest_respond_attribute_across_datanets() {
    let dir = tempfile::tempdir().unwrap();
    let mut registry = MemRegistry::default();
    let rust = registry.register(10, 1, "The borrow checker compares scopes to determine whether all borrows are valid. It rejects programs whose references could outlive their data.");
    let cooking = registry.register(20, 2, "Bread dough rises because yeast ferments the sugars and releases carbon dioxide gas. Knead it for ten minutes before the first proof.");
    let mut engine = Engine::open(dir.path(), IndexConfig::default()).unwrap();
    for c in [&rust, &cooking] {
        assert_eq!(&engine.ingest(&registry, c.text.as_bytes()).unwrap(), c);
    }
    assert!(
        engine
            .ingest(&registry, b"not registered")
            .unwrap_err()
            .is_bad_input()
    );

    let question = "What does the borrow checker do with scopes and yeast?";
    let chunks = engine.retrieve(&[1, 2], question, 4).unwrap();
    assert_eq!(chunks.len(), 2);
    let answer = respond(question, &chunks, 1).unwrap();
    assert_eq!(
        answer,
        "The borrow checker compares scopes to determine whether all borrows are valid."
    );
    let a = engine.attribute(
        &[2, 1, 1],
        &answer,
        &chunks,
        Grounding::Spans,
        &AttributionConfig::default(),
    );
    assert_eq!(a.outcome, Outcome::Attributed);
    assert_eq!(a.weights.len(), 1);
    assert_eq!(
        (a.weights[0].contribution_id, a.weights[0].bps),
        (10, 10_000)
    );
    assert_eq!(
        a.retrieval
            .iter()
            .map(|r| (r.contribution_id, r.used))
            .collect::<Vec<_>>(),
        [(10, true), (20, false)]
    );
    // Only the DataNets asked for count.
    assert_eq!(
        engine
            .attribute(
                &[2],
                &answer,
                &[],
                Grounding::Spans,
                &AttributionConfig::default()
            )
            .outcome,
        Outcome::Unattributed
    );
}

#[test]
fn test_engine_catch_up_indexes_stored_but_unindexed() {
    let dir = tempfile::tempdir().unwrap();
    let mut registry = MemRegistry::default();
    let texts: Vec<String> = (0..6)
        .map(|i| {
            format!(
                "entry {i} of the store has a sentence long enough to be quoted as evidence {i}"
            )
        })
        .collect();
    {
        // Stored by a gateway that crashed before indexing.
        let store = tributary_attribution::ContentStore::open(dir.path().join("content")).unwrap();
        for (i, t) in texts.iter().enumerate() {
            registry.register(i as u64, i as u64 % 2, t);
            store.put(&registry, t.as_bytes()).unwrap();
        }
    }
    let mut engine = Engine::open(dir.path(), IndexConfig::default()).unwrap();
    assert!(engine.index(0).is_none());
    let mut calls = Vec::new();
    let report = engine
        .catch_up(|done, total| calls.push((done, total)))
        .unwrap();
    assert_eq!(report.added, 6);
    assert_eq!(calls.last(), Some(&(6, 6)));
    assert_eq!(
        engine.index(0).unwrap().len() + engine.index(1).unwrap().len(),
        6
    );
    assert_eq!(engine.catch_up(|_, _| {}).unwrap().added, 0);
    drop(engine);
    let engine = Engine::open(dir.path(), IndexConfig::default()).unwrap();
    let a = engine.attribute(
        &[0, 1],
        &texts[3],
        &[],
        Grounding::Spans,
        &AttributionConfig::default(),
    );
    assert_eq!(
        a.weights
            .iter()
            .map(|w| w.contribution_id)
            .collect::<Vec<_>>(),
        [3]
    );
}

#[test]
fn test_retain_contributions_renormalises_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mut registry = MemRegistry::default();
    let a = registry.register(1, 1, "The river Rhine flows from the Swiss Alps through Germany into the North Sea near Rotterdam.");
    let b = registry.register(
        2,
        1,
        "Rotterdam harbour handles more cargo than any other port in Europe every single year.",
    );
    let c = registry.register(
        3,
        1,
        "Honey bees tell their hive mates where flowers are with a waggle dance in the dark hive.",
    );
    let mut engine = Engine::open(dir.path(), IndexConfig::default()).unwrap();
    for contribution in [&a, &b, &c] {
        engine
            .ingest(&registry, contribution.text.as_bytes())
            .unwrap();
    }
    let output = format!("{} {} {}", a.text, b.text, c.text);
    let chunks = engine.retrieve(&[1], "Rhine Rotterdam bees", 3).unwrap();
    let full = engine.attribute(
        &[1],
        &output,
        &chunks,
        Grounding::Spans,
        &AttributionConfig::default(),
    );
    assert_eq!(full.weights.len(), 3);

    // Keeping everything is the identity.
    let mut same = full.clone();
    same.retain_contributions(&output, |_| true);
    assert_eq!(same, full);

    // Dropping one: its spans go, the others' shares are recomputed from their span weights.
    let mut two = full.clone();
    two.retain_contributions(&output, |id| id != 2);
    assert_eq!(
        two.weights
            .iter()
            .map(|w| w.contribution_id)
            .collect::<Vec<_>>(),
        [1, 3]
    );
    assert_eq!(
        two.weights.iter().map(|w| u32::from(w.bps)).sum::<u32>(),
        10_000
    );
    assert!(two.spans.iter().all(|s| s.contribution_id != 2));
    assert!(two.matched_tokens < full.matched_tokens);
    assert!(
        two.retrieval
            .iter()
            .all(|r| r.used == (r.contribution_id != 2))
    );
    // As if the output had only ever matched the two: same shares as attributing without b.
    let expected = tributary_attribution::largest_remainder_bps(&[
        (
            1,
            two.spans
                .iter()
                .filter(|s| s.contribution_id == 1)
                .map(|s| s.weight)
                .sum(),
        ),
        (
            3,
            two.spans
                .iter()
                .filter(|s| s.contribution_id == 3)
                .map(|s| s.weight)
                .sum(),
        ),
    ]);
    assert_eq!(
        two.weights.iter().map(|w| w.bps).collect::<Vec<_>>(),
        expected
    );

    let mut none = full.clone();
    none.retain_contributions(&output, |_| false);
    assert_eq!(none.outcome, Outcome::Unattributed);
    assert!(none.weights.is_empty() && none.spans.is_empty());
    assert_eq!(none.matched_tokens, 0);
}
