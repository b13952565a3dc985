//! Shared helpers: the reference root, key builders.

use alloy_primitives::{B256, Bytes, keccak256};
use alloy_trie::{HashBuilder, Nibbles, proof::verify_proof};
use std::collections::BTreeMap;
use tributary_trie::{MemoryNodeStore, TrieUpdate};

/// The expected model: hashed key → value.
pub(crate) type Model = BTreeMap<B256, Bytes>;

/// Root of `model` by alloy-trie's `HashBuilder`, built from scratch over the sorted leaves.
pub(crate) fn reference_root(model: &Model) -> B256 {
    let mut hb = HashBuilder::default();
    for (key, value) in model {
        hb.add_leaf(Nibbles::unpack(key), value);
    }
    hb.root()
}

/// A key from 64 nibbles given as a hex string of nibbles (missing nibbles are zero).
pub(crate) fn key_from_nibbles(nibbles: &[u8]) -> B256 {
    let mut padded = [0u8; 64];
    padded[..nibbles.len()].copy_from_slice(nibbles);
    let mut out = [0u8; 32];
    Nibbles::from_nibbles(padded).pack_to(&mut out);
    B256::from(out)
}

/// `base` with its last `tail` nibbles replaced by those of `with`.
pub(crate) fn with_tail(base: B256, tail: usize, with: B256) -> B256 {
    let base = Nibbles::unpack(base);
    let with = Nibbles::unpack(with);
    let joined = base.slice(..64 - tail).join(&with.slice(64 - tail..));
    let mut out = [0u8; 32];
    joined.pack_to(&mut out);
    B256::from(out)
}

/// Checks that every new node is stored under its own hash, then adds them to the store.
pub(crate) fn persist(store: &mut MemoryNodeStore, update: &TrieUpdate) {
    for (hash, rlp) in &update.new_nodes {
        assert_eq!(keccak256(rlp), *hash, "new node stored under a wrong hash");
        assert!(
            rlp.len() >= 32,
            "inline node ({} bytes) stored on its own",
            rlp.len()
        );
    }
    store.apply(update);
}

/// Verifies a proof with alloy-trie's verifier (the same rules as OpenZeppelin's `TrieProof`).
pub(crate) fn verify(root: B256, key: &B256, value: Option<&Bytes>, nodes: &[Bytes]) {
    verify_proof(root, Nibbles::unpack(key), value.map(|v| v.to_vec()), nodes)
        .unwrap_or_else(|e| panic!("proof for {key} (value {value:?}) against {root}: {e}"));
}
