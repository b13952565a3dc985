//! A `HashMap` node store for tests and dev mode.

use super::NodeStore;
use crate::TrieUpdate;
use alloy_primitives::{B256, Bytes, keccak256, map::B256Map};
use core::convert::Infallible;

/// In-memory, append-only node store.
///
/// Like the persistent store it never forgets a node, so every root ever committed into it stays
/// readable. Not internally synchronised: share it behind an `RwLock` if one thread writes while
/// others read.
#[derive(Debug, Clone, Default)]
pub struct MemoryNodeStore {
    nodes: B256Map<Bytes>,
}

impl MemoryNodeStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the nodes of a commit. Nodes already present are left as they are (same hash, same
    /// bytes).
    pub fn apply(&mut self, update: &TrieUpdate) {
        self.extend(update.new_nodes.iter().map(|(h, b)| (*h, b.clone())));
    }

    /// Adds nodes by hash. The caller vouches that each hash is the keccak256 of its bytes.
    pub fn extend(&mut self, nodes: impl IntoIterator<Item = (B256, Bytes)>) {
        for (hash, rlp) in nodes {
            self.nodes.entry(hash).or_insert(rlp);
        }
    }

    /// A store of untrusted nodes (an execution witness), each keyed by its own `keccak256`.
    ///
    /// Nothing has to be checked: a node whose bytes were altered lands under another hash, so
    /// the node its parent references is simply absent and the trie reports
    /// [`TrieError::MissingNode`](crate::TrieError::MissingNode). Extra nodes are never reached.
    pub fn from_rlp_nodes(nodes: impl IntoIterator<Item = Bytes>) -> Self {
        let mut store = Self::new();
        store.extend_rlp_nodes(nodes);
        store
    }

    /// Adds nodes by content, each under its own `keccak256` (see
    /// [`MemoryNodeStore::from_rlp_nodes`]).
    pub fn extend_rlp_nodes(&mut self, nodes: impl IntoIterator<Item = Bytes>) {
        self.extend(nodes.into_iter().map(|rlp| (keccak256(&rlp), rlp)));
    }

    /// Number of stored nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True if no node is stored.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Total bytes of stored node RLP (excluding the 32-byte keys).
    pub fn size_bytes(&self) -> usize {
        self.nodes.values().map(|rlp| rlp.len()).sum()
    }
}

impl NodeStore for MemoryNodeStore {
    type Error = Infallible;

    fn get(&self, hash: &B256) -> Result<Option<Bytes>, Infallible> {
        Ok(self.nodes.get(hash).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EMPTY_ROOT_HASH, Trie, TrieError};

    #[test]
    fn nodes_by_content_find_only_unaltered_nodes() {
        let mut trie = Trie::new(EMPTY_ROOT_HASH);
        let scratch = MemoryNodeStore::new();
        for i in 0u8..20 {
            trie.insert(&scratch, &keccak256([i]), Bytes::from(vec![i + 1; 40]))
                .unwrap();
        }
        let update = trie.commit();
        let nodes: Vec<Bytes> = update.new_nodes.values().cloned().collect();

        let store = MemoryNodeStore::from_rlp_nodes(nodes.clone());
        assert_eq!(store.len(), update.new_nodes.len());
        let mut reopened = Trie::new(update.root);
        assert_eq!(
            reopened.get(&store, &keccak256([7u8])).unwrap(),
            Some(Bytes::from(vec![8; 40]))
        );

        // alter the root's bytes: it is stored under another hash, the root is missing
        let root = &update.new_nodes[&update.root];
        let mut tampered: Vec<Bytes> = nodes.into_iter().filter(|n| n != root).collect();
        let mut altered = root.to_vec();
        *altered.last_mut().unwrap() ^= 1;
        tampered.push(altered.into());
        let store = MemoryNodeStore::from_rlp_nodes(tampered);
        let err = Trie::new(update.root)
            .get(&store, &keccak256([7u8]))
            .unwrap_err();
        assert!(matches!(err, TrieError::MissingNode { hash } if hash == update.root));
    }
}
