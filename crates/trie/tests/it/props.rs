//! Property tests: random update sequences in several commit rounds against a model map.

use crate::utils::{Model, persist, reference_root, verify, with_tail};
use alloy_primitives::{B256, Bytes};
use proptest::prelude::*;
use tributary_trie::{EMPTY_ROOT_HASH, MemoryNodeStore, RecordingStore, Trie, proof};

/// Four fixed bases; keys are a base with a random tail of 1..=64 nibbles, so keys share
/// prefixes of any length (down to 63 nibbles, which produces inline leaves and branches).
const BASES: [B256; 4] = [
    B256::repeat_byte(0x00),
    B256::repeat_byte(0x11),
    B256::repeat_byte(0xa5),
    B256::repeat_byte(0xff),
];

fn key() -> impl Strategy<Value = B256> {
    let tail = prop_oneof![
        Just(1usize),
        Just(2),
        Just(3),
        4usize..=12,
        Just(40),
        Just(64)
    ];
    (0..BASES.len(), tail, any::<[u8; 32]>())
        .prop_map(|(base, tail, random)| with_tail(BASES[base], tail, B256::from(random)))
}

fn value() -> impl Strategy<Value = Bytes> {
    // Short values (inline leaves when the key tail is short), long values (always hashed), and
    // rarely the empty value (which removes).
    prop_oneof![
        6 => prop::collection::vec(any::<u8>(), 1..8),
        3 => prop::collection::vec(any::<u8>(), 28..80),
        1 => Just(Vec::new()),
    ]
    .prop_map(Bytes::from)
}

#[derive(Debug, Clone)]
enum Op {
    Insert(B256, Bytes),
    /// Remove the n-th present key (mod the count): deletes that actually hit.
    RemovePresent(usize),
    /// Remove a random key (usually absent).
    RemoveAny(B256),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (key(), value()).prop_map(|(k, v)| Op::Insert(k, v)),
        3 => any::<usize>().prop_map(Op::RemovePresent),
        1 => key().prop_map(Op::RemoveAny),
    ]
}

/// How the trie continues into the next round.
#[derive(Debug, Clone, Copy)]
enum Carry {
    /// Keep the in-memory trie with its loaded nodes.
    Keep,
    /// Reopen from the store at the committed root (everything reloaded lazily).
    Reopen,
    /// Keep it but unload everything below the top two levels.
    Prune,
}

#[derive(Debug, Clone)]
struct Round {
    ops: Vec<Op>,
    carry: Carry,
    /// Remove every key at the end of the round (back to the empty trie).
    clear: bool,
}

fn round() -> impl Strategy<Value = Round> {
    let carry = prop_oneof![Just(Carry::Keep), Just(Carry::Reopen), Just(Carry::Prune)];
    (
        prop::collection::vec(op(), 0..48),
        carry,
        prop::bool::weighted(0.1),
    )
        .prop_map(|(ops, carry, clear)| Round { ops, carry, clear })
}

/// Resolves a round into concrete updates (`None` = remove) and applies them to the model.
fn resolve(round: &Round, model: &mut Model) -> Vec<(B256, Option<Bytes>)> {
    let mut updates = Vec::new();
    for op in &round.ops {
        let update = match op {
            Op::Insert(k, v) if v.is_empty() => (*k, None),
            Op::Insert(k, v) => (*k, Some(v.clone())),
            Op::RemovePresent(_) if model.is_empty() => continue,
            Op::RemovePresent(n) => (*model.keys().nth(n % model.len()).unwrap(), None),
            Op::RemoveAny(k) => (*k, None),
        };
        apply_model(model, &update);
        updates.push(update);
    }
    if round.clear {
        for k in model.keys().copied().collect::<Vec<_>>() {
            let update = (k, None);
            apply_model(model, &update);
            updates.push(update);
        }
    }
    updates
}

fn apply_model(model: &mut Model, (k, v): &(B256, Option<Bytes>)) {
    match v {
        Some(v) => model.insert(*k, v.clone()),
        None => model.remove(k),
    };
}

fn apply_trie<S: tributary_trie::NodeStore>(
    trie: &mut Trie,
    store: &S,
    updates: &[(B256, Option<Bytes>)],
) {
    for (k, v) in updates {
        match v {
            Some(v) => trie.insert(store, k, v.clone()).unwrap(),
            None => drop(trie.remove(store, k).unwrap()),
        }
    }
}

/// Checks the state at `root` from the store alone: every key of `model` reads back and has a
/// verifying inclusion proof; `absent` keys have verifying exclusion proofs.
fn check_root(store: &MemoryNodeStore, root: B256, model: &Model, absent: &[B256]) {
    let mut trie = Trie::new(root);
    for (k, v) in model {
        assert_eq!(
            trie.get(store, k).unwrap().as_ref(),
            Some(v),
            "get {k} at {root}"
        );
        let p = proof::proof(store, root, k).unwrap();
        assert_eq!(p.value.as_ref(), Some(v));
        verify(root, k, Some(v), &p.nodes);
        p.verify(root).unwrap();
    }
    for k in absent.iter().filter(|k| !model.contains_key(*k)) {
        assert_eq!(trie.get(store, k).unwrap(), None);
        let p = proof::proof(store, root, k).unwrap();
        assert_eq!(p.value, None);
        verify(root, k, None, &p.nodes);
        // The exclusion proof must not also prove some value for the key.
        assert!(
            alloy_trie::proof::verify_proof(
                root,
                alloy_trie::Nibbles::unpack(k),
                Some(vec![1]),
                &p.nodes
            )
            .is_err()
        );
    }
}

fn run(rounds: Vec<Round>, absent: Vec<B256>) {
    let mut store = MemoryNodeStore::new();
    let mut trie = Trie::new(EMPTY_ROOT_HASH);
    let mut model = Model::new();
    let mut history: Vec<(B256, Model)> = vec![(EMPTY_ROOT_HASH, Model::new())];

    for round in &rounds {
        let pre_root = trie.committed_root();
        let updates = resolve(round, &mut model);

        // 1. The long-lived trie.
        apply_trie(&mut trie, &store, &updates);
        for (k, v) in &model {
            assert_eq!(
                trie.get(&store, k).unwrap().as_ref(),
                Some(v),
                "uncommitted get"
            );
        }
        let update = trie.commit();
        assert_eq!(
            update.root,
            reference_root(&model),
            "root differs from HashBuilder"
        );
        assert!(!trie.is_dirty());

        // 2. A trie opened fresh at the pre-state root, recording its reads, reaches the same
        //    root and the same new nodes; replaying from the recorded witness alone does too.
        let recording = RecordingStore::new(&store);
        let mut fresh = Trie::new(pre_root);
        apply_trie(&mut fresh, &recording, &updates);
        let fresh_update = fresh.commit();
        assert_eq!(
            fresh_update, update,
            "fresh trie disagrees with the long-lived one"
        );
        let mut witness_store = MemoryNodeStore::new();
        witness_store.extend(recording.take_witness());
        let mut stateless = Trie::new(pre_root);
        apply_trie(&mut stateless, &witness_store, &updates);
        assert_eq!(
            stateless.commit().root,
            update.root,
            "witness is incomplete"
        );

        persist(&mut store, &update);
        history.push((update.root, model.clone()));
        match round.carry {
            Carry::Keep => {}
            Carry::Reopen => trie = Trie::new(update.root),
            Carry::Prune => trie.prune(2),
        }

        // 3. Every root so far is still readable and provable from the store.
        for (root, old) in &history {
            check_root(&store, *root, old, &absent);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn trie_matches_hash_builder_over_rounds(
        rounds in prop::collection::vec(round(), 1..5),
        absent in prop::collection::vec(key(), 0..8),
    ) {
        run(rounds, absent);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Bigger, uniformly random tries (deeper branches, few shared prefixes).
    #[test]
    fn large_random_tries(
        keys in prop::collection::btree_map(any::<[u8; 32]>(), value(), 200..600),
        removals in prop::collection::vec(any::<usize>(), 0..200),
    ) {
        let inserts: Vec<Op> =
            keys.into_iter().map(|(k, v)| Op::Insert(B256::from(k), v)).collect();
        let removes = removals.into_iter().map(Op::RemovePresent).collect();
        let rounds = vec![
            Round { ops: inserts, carry: Carry::Reopen, clear: false },
            Round { ops: removes, carry: Carry::Keep, clear: false },
        ];
        run(rounds, Vec::new());
    }
}
