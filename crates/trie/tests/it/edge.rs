//! Edge cases of the trie shape, each checked against `HashBuilder` and by decoding the stored
//! root node.

use crate::utils::{Model, key_from_nibbles, persist, reference_root, verify};
use alloy_primitives::{B256, Bytes, keccak256};
use alloy_rlp::Decodable;
use alloy_trie::{
    Nibbles,
    nodes::{LeafNode, TrieNode},
};
use tributary_trie::{EMPTY_ROOT_HASH, MemoryNodeStore, NodeStore, Trie, TrieError, proof};

/// Applies `updates` to a trie at `root`, commits, persists, and checks the root against the
/// model.
fn step(
    store: &mut MemoryNodeStore,
    root: B256,
    model: &mut Model,
    updates: &[(B256, Option<&[u8]>)],
) -> B256 {
    let mut trie = Trie::new(root);
    for (k, v) in updates {
        match v {
            Some(v) => {
                trie.insert(&*store, k, Bytes::copy_from_slice(v)).unwrap();
                model.insert(*k, Bytes::copy_from_slice(v));
            }
            None => {
                trie.remove(&*store, k).unwrap();
                model.remove(k);
            }
        }
    }
    let update = trie.commit();
    assert_eq!(update.root, reference_root(model));
    persist(store, &update);
    update.root
}

fn root_node(store: &MemoryNodeStore, root: B256) -> TrieNode {
    let rlp = store.get(&root).unwrap().expect("root is stored");
    TrieNode::decode(&mut &rlp[..]).unwrap()
}

#[test]
fn empty_trie_has_empty_root_and_empty_exclusion_proof() {
    let store = MemoryNodeStore::new();
    let mut trie = Trie::new(EMPTY_ROOT_HASH);
    let key = B256::repeat_byte(7);
    assert_eq!(trie.get(&store, &key).unwrap(), None);
    assert!(!trie.remove(&store, &key).unwrap());
    let update = trie.commit();
    assert_eq!(update.root, EMPTY_ROOT_HASH);
    assert!(update.new_nodes.is_empty());
    let p = proof::proof(&store, EMPTY_ROOT_HASH, &key).unwrap();
    assert!(p.nodes.is_empty() && p.value.is_none());
    verify(EMPTY_ROOT_HASH, &key, None, &p.nodes);
}

#[test]
fn single_leaf_is_the_root() {
    let mut store = MemoryNodeStore::new();
    let key = B256::repeat_byte(0x42);
    let mut model = Model::new();
    let root = step(
        &mut store,
        EMPTY_ROOT_HASH,
        &mut model,
        &[(key, Some(b"v"))],
    );
    let leaf = LeafNode::new(Nibbles::unpack(key), b"v".to_vec());
    assert_eq!(root, keccak256(alloy_rlp::encode(&leaf)));
    assert_eq!(store.len(), 1);
    let p = proof::proof(&store, root, &key).unwrap();
    assert_eq!(p.nodes.len(), 1);
    verify(root, &key, Some(&Bytes::from_static(b"v")), &p.nodes);
    // Absent key: the single leaf proves exclusion.
    let other = B256::repeat_byte(0x43);
    verify(
        root,
        &other,
        None,
        &proof::proof(&store, root, &other).unwrap().nodes,
    );
}

#[test]
fn extension_splits_and_collapses_back_to_identical_roots() {
    let mut store = MemoryNodeStore::new();
    let mut model = Model::new();
    let mut shared10 = vec![0xa; 10];
    let k1 = key_from_nibbles(&[shared10.clone(), vec![1]].concat());
    let k2 = key_from_nibbles(&[shared10.clone(), vec![2]].concat());
    shared10.truncate(5);
    let k3 = key_from_nibbles(&[shared10, vec![3]].concat());
    let long = [0x55u8; 40];

    let r1 = step(
        &mut store,
        EMPTY_ROOT_HASH,
        &mut model,
        &[(k1, Some(&long))],
    );
    // Two keys sharing 10 nibbles: extension(10) → branch.
    let r2 = step(&mut store, r1, &mut model, &[(k2, Some(&long))]);
    assert!(matches!(root_node(&store, r2), TrieNode::Extension(e) if e.key.len() == 10));
    // A third key leaving the extension after 5 nibbles splits it: extension(5) → branch →
    // {extension(4) → branch, leaf}.
    let r3 = step(&mut store, r2, &mut model, &[(k3, Some(&long))]);
    assert!(matches!(root_node(&store, r3), TrieNode::Extension(e) if e.key.len() == 5));

    // Deleting k3 merges the branch back into one extension(10): the very same root as before.
    let r4 = step(&mut store, r3, &mut model, &[(k3, None)]);
    assert_eq!(r4, r2);
    // Deleting k2 collapses the branch into a single leaf (its sibling is loaded from the store).
    let r5 = step(&mut store, r4, &mut model, &[(k2, None)]);
    assert_eq!(r5, r1);
    assert!(matches!(root_node(&store, r5), TrieNode::Leaf(_)));
    let r6 = step(&mut store, r5, &mut model, &[(k1, None)]);
    assert_eq!(r6, EMPTY_ROOT_HASH);

    // History: every intermediate root still reads back.
    for (root, expect) in [(r1, 1), (r2, 2), (r3, 3)] {
        let mut trie = Trie::new(root);
        let present = [k1, k2, k3]
            .iter()
            .filter(|k| trie.get(&store, k).unwrap().is_some())
            .count();
        assert_eq!(present, expect);
    }
}

#[test]
fn branch_collapses_into_sibling_extension() {
    // Root branch with children at 1 and 2; under 2 an extension → branch. Removing the key
    // under 1 turns the root into extension([2] ++ ext) → branch.
    let mut store = MemoryNodeStore::new();
    let mut model = Model::new();
    let a = key_from_nibbles(&[1]);
    let b = key_from_nibbles(&[2, 7, 7, 7, 1]);
    let c = key_from_nibbles(&[2, 7, 7, 7, 2]);
    let r = step(
        &mut store,
        EMPTY_ROOT_HASH,
        &mut model,
        &[
            (a, Some(&[1; 33])),
            (b, Some(&[2; 33])),
            (c, Some(&[3; 33])),
        ],
    );
    assert!(matches!(root_node(&store, r), TrieNode::Branch(_)));
    let r = step(&mut store, r, &mut model, &[(a, None)]);
    assert!(matches!(root_node(&store, r), TrieNode::Extension(e) if e.key.len() == 4));
}

#[test]
fn deep_short_nodes_are_inlined() {
    // Keys differing only in the last nibble with 1-byte values: both leaves (3 bytes) and the
    // branch holding them (< 32 bytes) are inlined into the extension(63) root, so the whole
    // trie is one stored node.
    let mut store = MemoryNodeStore::new();
    let mut model = Model::new();
    let base = [0xc; 63];
    let k1 = key_from_nibbles(&[&base[..], &[1]].concat());
    let k2 = key_from_nibbles(&[&base[..], &[2]].concat());
    let root = step(
        &mut store,
        EMPTY_ROOT_HASH,
        &mut model,
        &[(k1, Some(b"x")), (k2, Some(b"y"))],
    );
    assert_eq!(store.len(), 1, "leaves and branch must be inline");
    let TrieNode::Extension(ext) = root_node(&store, root) else {
        panic!("root is not an extension")
    };
    assert_eq!(ext.key.len(), 63);
    assert!(!ext.child.is_hash(), "the branch below must be inline");
    for (k, v) in [(k1, "x"), (k2, "y")] {
        let p = proof::proof(&store, root, &k).unwrap();
        assert_eq!(p.nodes.len(), 1);
        verify(root, &k, Some(&Bytes::from(v)), &p.nodes);
    }
    let k3 = key_from_nibbles(&[&base[..], &[3]].concat());
    verify(
        root,
        &k3,
        None,
        &proof::proof(&store, root, &k3).unwrap().nodes,
    );

    // Growing one value past the inline limit makes that leaf a stored node of its own.
    let root2 = step(&mut store, root, &mut model, &[(k1, Some(&[9; 40]))]);
    // New root, the hashed leaf, and the branch, which now holds a 33-byte hash and so is no
    // longer short enough to be inline.
    assert_eq!(store.len(), 1 + 3);
    let mut reopened = Trie::new(root2);
    assert_eq!(reopened.get(&store, &k2).unwrap(), Some(Bytes::from("y")));
    // Removing k1 collapses the branch: k2's leaf becomes the (hashed) root.
    let root3 = step(&mut store, root2, &mut model, &[(k1, None)]);
    assert!(matches!(root_node(&store, root3), TrieNode::Leaf(_)));
}

#[test]
fn rewriting_same_value_creates_nothing() {
    let mut store = MemoryNodeStore::new();
    let mut model = Model::new();
    let k = B256::repeat_byte(1);
    let root = step(
        &mut store,
        EMPTY_ROOT_HASH,
        &mut model,
        &[(k, Some(b"abc"))],
    );
    let mut trie = Trie::new(root);
    trie.insert(&store, &k, Bytes::from_static(b"abc")).unwrap();
    assert!(!trie.is_dirty());
    let update = trie.commit();
    assert_eq!(update.root, root);
    assert!(update.new_nodes.is_empty());
}

#[test]
fn empty_value_removes() {
    let mut store = MemoryNodeStore::new();
    let mut model = Model::new();
    let k = B256::repeat_byte(1);
    let root = step(
        &mut store,
        EMPTY_ROOT_HASH,
        &mut model,
        &[(k, Some(b"abc"))],
    );
    let mut trie = Trie::new(root);
    trie.insert(&store, &k, Bytes::new()).unwrap();
    assert_eq!(trie.commit().root, EMPTY_ROOT_HASH);
}

#[test]
fn prune_unloads_and_reloads() {
    let mut store = MemoryNodeStore::new();
    let mut trie = Trie::default();
    let keys: Vec<B256> = (0u64..300).map(|i| keccak256(i.to_be_bytes())).collect();
    for k in &keys {
        trie.insert(&store, k, Bytes::copy_from_slice(&k[..]))
            .unwrap();
    }
    let update = trie.commit();
    persist(&mut store, &update);
    trie.prune(0);
    for k in &keys {
        assert_eq!(
            trie.get(&store, k).unwrap(),
            Some(Bytes::copy_from_slice(&k[..]))
        );
    }
    // With the nodes gone from the store, a pruned trie cannot read: proves it really unloaded.
    trie.prune(1);
    let empty = MemoryNodeStore::new();
    let err = trie.get(&empty, &keys[0]).unwrap_err();
    assert!(matches!(err, TrieError::MissingNode { .. }) && err.is_corruption());
}

#[test]
fn missing_and_corrupt_nodes_are_errors() {
    let store = MemoryNodeStore::new();
    let root = B256::repeat_byte(9);
    let err = Trie::new(root).get(&store, &root).unwrap_err();
    assert!(matches!(err, TrieError::MissingNode { hash } if hash == root));
    assert!(matches!(
        proof::proof(&store, root, &root),
        Err(TrieError::MissingNode { .. })
    ));

    // A branch with a value: impossible with 64-nibble keys, so rejected as corrupt.
    let mut store = MemoryNodeStore::new();
    let mut branch = vec![0xf8, 0x00];
    let mut payload = vec![];
    for _ in 0..16 {
        payload.extend_from_slice(&[0xa0]);
        payload.extend_from_slice(&[0x11; 32]);
    }
    payload.push(b'v');
    branch[1] = payload.len() as u8;
    branch.extend(payload);
    let hash = keccak256(&branch);
    store.extend([(hash, Bytes::from(branch))]);
    let err = Trie::new(hash).get(&store, &B256::ZERO).unwrap_err();
    assert!(err.is_corruption(), "{err}");

    // A leaf whose path does not end at 64 nibbles.
    let mut store = MemoryNodeStore::new();
    let leaf = alloy_rlp::encode(LeafNode::new(
        Nibbles::from_nibbles([1, 2, 3]),
        b"v".to_vec(),
    ));
    let hash = keccak256(&leaf);
    store.extend([(hash, Bytes::from(leaf))]);
    let err = Trie::new(hash).get(&store, &B256::ZERO).unwrap_err();
    assert!(matches!(err, TrieError::Malformed { .. }), "{err}");
}

#[test]
fn types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Trie>();
    assert_send_sync::<tributary_trie::StateTrie>();
    assert_send_sync::<MemoryNodeStore>();
    assert_send_sync::<tributary_trie::RecordingStore<MemoryNodeStore>>();
    assert_send_sync::<TrieError<core::convert::Infallible>>();
}
