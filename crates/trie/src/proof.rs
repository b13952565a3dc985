//! Merkle proofs and point reads at any stored root, straight from the node store.
//!
//! These functions do not need a [`Trie`](crate::Trie): they walk the store from a root hash, so
//! they serve any historical state whose nodes were persisted (all of them, since nodes are never
//! deleted), and they take `&S` only, so RPC can serve proofs concurrently with block building.

use crate::{NodeStore, Result, TrieError, node::KEY_NIBBLES};
use alloy_primitives::{B256, Bytes};
use alloy_rlp::Decodable;
use alloy_trie::{
    EMPTY_ROOT_HASH, Nibbles,
    nodes::{RlpNode, TrieNode},
    proof::ProofVerificationError,
};

/// A Merkle proof for one key, in the shape `eth_getProof` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrieProof {
    /// The (hashed) key the proof is for.
    pub key: B256,
    /// The value under `key`, or `None` if the proof shows the key is absent.
    pub value: Option<Bytes>,
    /// RLP of the stored nodes on the path from the root (first) down to the leaf, or to the
    /// node that proves absence: an empty branch slot, a diverging extension or a leaf with a
    /// different key. Nodes shorter than 32 bytes are inlined in their parent and therefore
    /// not listed separately, exactly as geth does. Empty for the empty trie.
    ///
    /// OpenZeppelin's `TrieProof.verify`/`traverse` accept inclusion proofs in this form (they
    /// follow inline children within a node); they have no exclusion mode, so an absent key only
    /// verifies with geth-style verifiers such as [`TrieProof::verify`].
    pub nodes: Vec<Bytes>,
}

impl TrieProof {
    /// Checks the proof against `root` with `alloy_trie::proof::verify_proof` (geth's
    /// `VerifyProof` rules; inclusion and exclusion).
    pub fn verify(&self, root: B256) -> core::result::Result<(), ProofVerificationError> {
        alloy_trie::proof::verify_proof(
            root,
            Nibbles::unpack(self.key),
            self.value.as_ref().map(|v| v.to_vec()),
            &self.nodes,
        )
    }
}

/// Builds the proof of inclusion or exclusion of `key` in the trie with root `root`.
pub fn proof<S: NodeStore>(store: &S, root: B256, key: &B256) -> Result<TrieProof, S::Error> {
    let path = Nibbles::unpack(key);
    let mut nodes = Vec::new();
    let mut value = None;
    let mut next = (root != EMPTY_ROOT_HASH).then_some(root);
    let mut depth = 0;
    while let Some(hash) = next.take() {
        let rlp = store
            .get(&hash)
            .map_err(TrieError::Store)?
            .ok_or(TrieError::MissingNode { hash })?;
        let mut node =
            TrieNode::decode(&mut &rlp[..]).map_err(|source| TrieError::Decode { hash, source })?;
        nodes.push(rlp);
        // Walk this stored node and any nodes inlined in it, until the path needs another stored
        // node (`next`) or ends.
        loop {
            let child: RlpNode = match node {
                TrieNode::Leaf(leaf) => {
                    if leaf.key == path.slice(depth..) {
                        value = Some(Bytes::from(leaf.value));
                    }
                    break;
                }
                TrieNode::Extension(ext) => {
                    if !path.slice(depth..).starts_with(&ext.key) {
                        break;
                    }
                    depth += ext.key.len();
                    ext.child
                }
                TrieNode::Branch(branch) => {
                    if depth >= KEY_NIBBLES {
                        return Err(TrieError::Malformed {
                            hash,
                            reason: "branch below 64 nibbles",
                        });
                    }
                    let nibble = path.get_unchecked(depth);
                    depth += 1;
                    match branch
                        .as_ref()
                        .children()
                        .nth(usize::from(nibble))
                        .and_then(|(_, c)| c)
                    {
                        Some(child) => child.clone(),
                        None => break,
                    }
                }
                TrieNode::EmptyRoot => {
                    return Err(TrieError::Malformed {
                        hash,
                        reason: "empty node below the root",
                    });
                }
            };
            if let Some(child_hash) = child.as_hash() {
                next = Some(child_hash);
                break;
            }
            node = TrieNode::decode(&mut &child[..])
                .map_err(|source| TrieError::Decode { hash, source })?;
        }
    }
    Ok(TrieProof {
        key: *key,
        value,
        nodes,
    })
}

/// Reads `key` at `root` without building a [`Trie`](crate::Trie) or caching anything.
pub fn get_at<S: NodeStore>(store: &S, root: B256, key: &B256) -> Result<Option<Bytes>, S::Error> {
    Ok(proof(store, root, key)?.value)
}
