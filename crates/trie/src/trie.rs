//! The mutable trie: lazy loading, in-place updates along touched paths, commit.

use crate::{
    NodeStore, Result, TrieError,
    node::{self, Cell, Child, Encoder, KEY_NIBBLES, Node},
};
use alloy_primitives::{B256, Bytes, keccak256, map::B256Map};
use alloy_trie::{EMPTY_ROOT_HASH, Nibbles};
use core::mem;

/// The result of [`Trie::commit`]: the new root and every node created since the last commit.
///
/// `new_nodes` maps `keccak256(rlp) → rlp` for each new node whose RLP is 32 bytes or more (shorter
/// nodes are inlined in their parent and never stored alone), including the root. Persist them
/// atomically with the block; a node may already be in the store (the same subtree existed in an
/// earlier state), so writes must be idempotent (`INSERT OR IGNORE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrieUpdate {
    /// The trie root after the update ([`EMPTY_ROOT_HASH`] for an empty trie).
    pub root: B256,
    /// New nodes by hash.
    pub new_nodes: B256Map<Bytes>,
}

/// An incremental Ethereum Merkle-Patricia trie over 32-byte (hashed) keys.
///
/// Opened at a root hash, it loads nodes from a [`NodeStore`] only along the paths it is asked to
/// read or change and keeps them in memory, each with its cached hash. Updates mark the nodes on
/// their path dirty; [`Trie::commit`] re-encodes only dirty nodes and returns the new ones.
///
/// The store is passed to every call rather than owned, so one store (a database handle, a
/// [`RecordingStore`](crate::RecordingStore) for witnesses) can serve many tries and the trie stays
/// free of lifetimes. All calls on one `Trie` must use stores holding the same nodes.
///
/// Values are raw bytes (in Ethereum, RLP of an account or of a storage word). Inserting an empty
/// value removes the key, as in geth, since an empty leaf value cannot be told from absence.
#[derive(Debug)]
pub struct Trie {
    root: Child,
    committed_root: B256,
    dirty: bool,
}

impl Default for Trie {
    fn default() -> Self {
        Self::new(EMPTY_ROOT_HASH)
    }
}

impl Trie {
    /// Opens the trie at `root` ([`EMPTY_ROOT_HASH`] for an empty trie). Nothing is read until the
    /// first access.
    pub fn new(root: B256) -> Self {
        let node = if root == EMPTY_ROOT_HASH {
            Child::Empty
        } else {
            Child::Hash(root)
        };
        Self {
            root: node,
            committed_root: root,
            dirty: false,
        }
    }

    /// The root as of the last commit (or the root the trie was opened at). Uncommitted updates
    /// are not reflected; see [`Trie::is_dirty`].
    pub const fn committed_root(&self) -> B256 {
        self.committed_root
    }

    /// True if there are updates not yet committed.
    pub const fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Reads the value under `key`, loading the nodes on its path (and caching them).
    pub fn get<S: NodeStore>(&mut self, store: &S, key: &B256) -> Result<Option<Bytes>, S::Error> {
        let path = Nibbles::unpack(key);
        let mut depth = 0;
        let mut current = &mut self.root;
        loop {
            let Some(cell) = resolve(current, depth, store)? else {
                return Ok(None);
            };
            match &mut cell.node {
                Node::Leaf { key, value } => {
                    return Ok((*key == path.slice(depth..)).then(|| value.clone()));
                }
                Node::Extension { key, child } => {
                    if !path.slice(depth..).starts_with(key) {
                        return Ok(None);
                    }
                    depth += key.len();
                    current = child;
                }
                Node::Branch { children } => {
                    current = &mut children[usize::from(path.get_unchecked(depth))];
                    depth += 1;
                }
            }
        }
    }

    /// Sets `key` to `value` (an empty `value` removes the key).
    pub fn insert<S: NodeStore>(
        &mut self,
        store: &S,
        key: &B256,
        value: impl Into<Bytes>,
    ) -> Result<(), S::Error> {
        let value = value.into();
        if value.is_empty() {
            return self.remove(store, key).map(drop);
        }
        let changed = insert(&mut self.root, &Nibbles::unpack(key), 0, value, store)?;
        self.dirty |= changed;
        Ok(())
    }

    /// Removes `key`; returns whether it was present.
    pub fn remove<S: NodeStore>(&mut self, store: &S, key: &B256) -> Result<bool, S::Error> {
        let removed = remove(&mut self.root, &Nibbles::unpack(key), 0, store)?;
        self.dirty |= removed;
        Ok(removed)
    }

    /// Hashes the dirty nodes and returns the new root with the nodes created since the last
    /// commit. The trie stays usable (and its loaded nodes cached) for the next block.
    ///
    /// Cost: one RLP encoding and (for nodes ≥ 32 bytes) one keccak256 per dirty node, i.e.
    /// O(touched keys × depth); clean subtrees contribute their cached hash.
    pub fn commit(&mut self) -> TrieUpdate {
        let mut encoder = Encoder::default();
        let root = match &mut self.root {
            Child::Empty => EMPTY_ROOT_HASH,
            Child::Hash(hash) => *hash,
            Child::Node(cell) => {
                let rlp = encoder.cell(cell);
                encoder.root_hash(&rlp)
            }
        };
        self.committed_root = root;
        self.dirty = false;
        TrieUpdate {
            root,
            new_nodes: encoder.new_nodes,
        }
    }

    /// Drops loaded nodes deeper than `keep_levels` node levels below the root, replacing them by
    /// their hash, to bound memory when one `Trie` lives across many blocks. Dirty nodes and
    /// inline nodes (which have no hash of their own) are kept. `prune(0)` after a commit unloads
    /// everything, leaving the equivalent of `Trie::new(committed_root)`.
    pub fn prune(&mut self, keep_levels: usize) {
        prune(&mut self.root, keep_levels);
    }
}

/// Loads `child` if it is only a hash; returns the loaded node, or `None` for an empty slot.
fn resolve<'a, S: NodeStore>(
    child: &'a mut Child,
    depth: usize,
    store: &S,
) -> Result<Option<&'a mut Cell>, S::Error> {
    if let Child::Hash(hash) = *child {
        let rlp = store
            .get(&hash)
            .map_err(TrieError::Store)?
            .ok_or(TrieError::MissingNode { hash })?;
        // The store is content-addressed by us; verifying every load would cost a keccak per
        // node on the hot path, so only debug builds check it.
        debug_assert_eq!(
            keccak256(&rlp),
            hash,
            "node store returned bytes of another node"
        );
        let node = node::decode(&rlp, depth).map_err(|e| e.at(hash))?;
        *child = Child::Node(Box::new(Cell {
            node,
            rlp: Some(alloy_trie::nodes::RlpNode::word_rlp(&hash)),
        }));
    }
    Ok(match child {
        Child::Node(cell) => Some(cell),
        Child::Empty | Child::Hash(_) => None,
    })
}

fn nibble(path: &Nibbles, depth: usize) -> usize {
    usize::from(path.get_unchecked(depth))
}

/// Inserts below `child` (which sits at nibble `depth` of `path`); returns whether anything
/// changed. Only changed nodes are marked dirty, so rewriting a value with itself costs nothing
/// at commit.
fn insert<S: NodeStore>(
    child: &mut Child,
    path: &Nibbles,
    depth: usize,
    value: Bytes,
    store: &S,
) -> Result<bool, S::Error> {
    let Some(cell) = resolve(child, depth, store)? else {
        *child = Child::dirty(Node::Leaf {
            key: path.slice(depth..),
            value,
        });
        return Ok(true);
    };
    let rest = path.slice(depth..);
    let changed = match &mut cell.node {
        Node::Leaf { key, value: old } => {
            if *key == rest {
                if *old == value {
                    return Ok(false);
                }
                *old = value;
            } else {
                // Both paths are 64 - depth nibbles and differ: split at the first difference.
                let split = key.common_prefix_length(&rest);
                let old_leaf = Node::Leaf {
                    key: key.slice(split + 1..),
                    value: mem::take(old),
                };
                let new_leaf = Node::Leaf {
                    key: rest.slice(split + 1..),
                    value,
                };
                let mut children = empty_children();
                children[nibble(key, split)] = Child::dirty(old_leaf);
                children[nibble(&rest, split)] = Child::dirty(new_leaf);
                cell.node = with_prefix(rest.slice(..split), Node::Branch { children });
            }
            true
        }
        Node::Extension { key, child: next } => {
            let split = key.common_prefix_length(&rest);
            if split == key.len() {
                insert(next, path, depth + split, value, store)?
            } else {
                // The new key leaves the extension at `split`: a branch takes its place there.
                let ext_key = *key;
                let old_next = mem::replace(next, Child::Empty);
                let mut children = empty_children();
                children[nibble(&ext_key, split)] = if split + 1 == ext_key.len() {
                    old_next
                } else {
                    Child::dirty(Node::Extension {
                        key: ext_key.slice(split + 1..),
                        child: old_next,
                    })
                };
                children[nibble(&rest, split)] = Child::dirty(Node::Leaf {
                    key: rest.slice(split + 1..),
                    value,
                });
                cell.node = with_prefix(rest.slice(..split), Node::Branch { children });
                true
            }
        }
        Node::Branch { children } => insert(
            &mut children[nibble(path, depth)],
            path,
            depth + 1,
            value,
            store,
        )?,
    };
    if changed {
        cell.rlp = None;
    }
    Ok(changed)
}

/// Removes below `child`; returns whether the key was present. Restores the canonical shape on
/// the way up: a branch left with one child merges into it, an extension absorbs a child that
/// stopped being a branch.
fn remove<S: NodeStore>(
    child: &mut Child,
    path: &Nibbles,
    depth: usize,
    store: &S,
) -> Result<bool, S::Error> {
    let Some(cell) = resolve(child, depth, store)? else {
        return Ok(false);
    };
    let rest = path.slice(depth..);
    match &mut cell.node {
        Node::Leaf { key, .. } => {
            if *key != rest {
                return Ok(false);
            }
            *child = Child::Empty;
            return Ok(true);
        }
        Node::Extension { key, child: next } => {
            if !rest.starts_with(key) || !remove(next, path, depth + key.len(), store)? {
                return Ok(false);
            }
            // `next` was a branch; it is now a branch, or (collapsed) an extension or a leaf.
            match mem::replace(next, Child::Empty) {
                Child::Node(next_cell) if !matches!(next_cell.node, Node::Branch { .. }) => {
                    cell.node = with_prefix(*key, next_cell.node);
                }
                other => *next = other,
            }
        }
        Node::Branch { children } => {
            if !remove(&mut children[nibble(path, depth)], path, depth + 1, store)? {
                return Ok(false);
            }
            let mut remaining = children.iter().enumerate().filter(|(_, c)| !c.is_empty());
            let only = match (remaining.next(), remaining.next()) {
                (Some((index, _)), None) => Some(index),
                _ => None,
            };
            if let Some(index) = only {
                // One child left: the branch disappears into it. Its kind decides the merge,
                // so a hashed sibling has to be loaded (it becomes part of the witness).
                resolve(&mut children[index], depth + 1, store)?;
                let prefix = Nibbles::from_nibbles_unchecked([index as u8]);
                let node = match mem::replace(&mut children[index], Child::Empty) {
                    Child::Node(only) => match only.node {
                        branch @ Node::Branch { .. } => Node::Extension {
                            key: prefix,
                            child: Child::Node(Box::new(Cell {
                                node: branch,
                                rlp: only.rlp,
                            })),
                        },
                        other => with_prefix(prefix, other),
                    },
                    // A branch always has two children, so removing one cannot empty it.
                    Child::Empty | Child::Hash(_) => {
                        *child = Child::Empty;
                        return Ok(true);
                    }
                };
                cell.node = node;
            }
        }
    }
    cell.rlp = None;
    Ok(true)
}

/// Puts `prefix` in front of `node`: merges into a leaf's or extension's key, or creates an
/// extension above a branch. An empty prefix returns `node` unchanged.
fn with_prefix(prefix: Nibbles, node: Node) -> Node {
    if prefix.is_empty() {
        return node;
    }
    match node {
        Node::Leaf { key, value } => Node::Leaf {
            key: prefix.join(&key),
            value,
        },
        Node::Extension { key, child } => Node::Extension {
            key: prefix.join(&key),
            child,
        },
        branch @ Node::Branch { .. } => Node::Extension {
            key: prefix,
            child: Child::dirty(branch),
        },
    }
}

fn empty_children() -> Box<[Child; 16]> {
    Box::new(std::array::from_fn(|_| Child::Empty))
}

fn prune(child: &mut Child, keep_levels: usize) {
    let Child::Node(cell) = child else { return };
    if keep_levels == 0
        && let Some(hash) = cell.rlp.as_ref().and_then(|rlp| rlp.as_hash())
    {
        *child = Child::Hash(hash);
        return;
    }
    let below = keep_levels.saturating_sub(1);
    match &mut cell.node {
        Node::Leaf { .. } => {}
        Node::Extension { child, .. } => prune(child, below),
        Node::Branch { children } => children.iter_mut().for_each(|c| prune(c, below)),
    }
}

const _: () = assert!(KEY_NIBBLES == 2 * B256::len_bytes());
