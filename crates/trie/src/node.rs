//! In-memory trie nodes: decoding from the store, re-encoding of dirty nodes on commit.
//!
//! A loaded node lives in a [`Cell`] together with its cached reference encoding
//! ([`RlpNode`]: `rlp(keccak(rlp(node)))` for nodes of 32 bytes or more, the node's own RLP when
//! it is shorter and therefore inlined in its parent). `rlp == None` marks a dirty node; commit
//! re-encodes exactly those and reuses the cache everywhere else, so untouched subtrees are never
//! re-encoded or rehashed.

use crate::TrieError;
use alloy_primitives::{B256, Bytes, keccak256, map::B256Map};
use alloy_rlp::{Decodable, Encodable};
use alloy_trie::{
    Nibbles, TrieMask,
    nodes::{BranchNodeRef, ExtensionNodeRef, LeafNodeRef, RlpNode, TrieNode},
};

/// Number of nibbles in a secure-trie key (32 bytes).
pub(crate) const KEY_NIBBLES: usize = 64;

/// A pointer from a parent (or the trie root) to a child.
#[derive(Debug)]
pub(crate) enum Child {
    /// No child.
    Empty,
    /// Not loaded yet: read from the store by hash on first access.
    Hash(B256),
    /// Loaded (from the store, from an inline encoding, or created by an update).
    Node(Box<Cell>),
}

/// A loaded node and its cached reference encoding (`None` = dirty).
#[derive(Debug)]
pub(crate) struct Cell {
    pub(crate) node: Node,
    pub(crate) rlp: Option<RlpNode>,
}

/// The three Ethereum trie node kinds. Branch nodes never carry a value: all keys are 64 nibbles,
/// so no key ends where another continues.
#[derive(Debug)]
pub(crate) enum Node {
    Leaf { key: Nibbles, value: Bytes },
    Extension { key: Nibbles, child: Child },
    Branch { children: Box<[Child; 16]> },
}

impl Child {
    /// A new, dirty node.
    pub(crate) fn dirty(node: Node) -> Self {
        Self::Node(Box::new(Cell { node, rlp: None }))
    }

    pub(crate) const fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }
}

/// Why stored bytes are not a valid node; turned into a [`TrieError`] with the node's hash.
#[derive(Debug)]
pub(crate) enum DecodeError {
    Rlp(alloy_rlp::Error),
    Malformed(&'static str),
}

impl From<alloy_rlp::Error> for DecodeError {
    fn from(e: alloy_rlp::Error) -> Self {
        Self::Rlp(e)
    }
}

impl DecodeError {
    pub(crate) const fn at<E>(self, hash: B256) -> TrieError<E> {
        match self {
            Self::Rlp(source) => TrieError::Decode { hash, source },
            Self::Malformed(reason) => TrieError::Malformed { hash, reason },
        }
    }
}

/// Decodes a node found at nibble `depth` and checks the structural rules of a trie whose keys
/// are all 64 nibbles long (so later path arithmetic cannot go out of bounds).
pub(crate) fn decode(rlp: &[u8], depth: usize) -> Result<Node, DecodeError> {
    convert(TrieNode::decode(&mut &rlp[..])?, depth)
}

fn convert(node: TrieNode, depth: usize) -> Result<Node, DecodeError> {
    Ok(match node {
        TrieNode::EmptyRoot => return Err(DecodeError::Malformed("empty node below the root")),
        TrieNode::Leaf(leaf) => {
            if depth + leaf.key.len() != KEY_NIBBLES {
                return Err(DecodeError::Malformed(
                    "leaf path does not end at 64 nibbles",
                ));
            }
            Node::Leaf {
                key: leaf.key,
                value: Bytes::from(leaf.value),
            }
        }
        TrieNode::Extension(ext) => {
            if ext.key.is_empty() || depth + ext.key.len() >= KEY_NIBBLES {
                return Err(DecodeError::Malformed("extension path empty or too long"));
            }
            let child = child_from_rlp(&ext.child, depth + ext.key.len())?;
            if let Child::Node(cell) = &child
                && !matches!(cell.node, Node::Branch { .. })
            {
                return Err(DecodeError::Malformed("extension child is not a branch"));
            }
            Node::Extension {
                key: ext.key,
                child,
            }
        }
        TrieNode::Branch(branch) => {
            if depth >= KEY_NIBBLES {
                return Err(DecodeError::Malformed("branch below 64 nibbles"));
            }
            if branch.state_mask.count_ones() < 2 {
                return Err(DecodeError::Malformed(
                    "branch with fewer than two children",
                ));
            }
            let mut children: Box<[Child; 16]> = Box::new(std::array::from_fn(|_| Child::Empty));
            for (nibble, rlp) in branch.as_ref().children() {
                if let Some(rlp) = rlp {
                    children[usize::from(nibble)] = child_from_rlp(rlp, depth + 1)?;
                }
            }
            Node::Branch { children }
        }
    })
}

/// A child reference: a 32-byte hash to load later, or an inline node to decode now.
fn child_from_rlp(rlp: &RlpNode, depth: usize) -> Result<Child, DecodeError> {
    if let Some(hash) = rlp.as_hash() {
        return Ok(Child::Hash(hash));
    }
    let node = convert(TrieNode::decode(&mut &rlp[..])?, depth)?;
    Ok(Child::Node(Box::new(Cell {
        node,
        rlp: Some(rlp.clone()),
    })))
}

/// Commit-time encoder: re-encodes dirty nodes bottom-up and collects the hashed ones.
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    buf: Vec<u8>,
    pub(crate) new_nodes: B256Map<Bytes>,
}

impl Encoder {
    /// The reference encoding of `child`; `None` for an empty slot.
    pub(crate) fn child(&mut self, child: &mut Child) -> Option<RlpNode> {
        match child {
            Child::Empty => None,
            Child::Hash(hash) => Some(RlpNode::word_rlp(hash)),
            Child::Node(cell) => Some(self.cell(cell)),
        }
    }

    /// The reference encoding of a loaded node, re-encoding it (and its dirty descendants) if
    /// dirty.
    pub(crate) fn cell(&mut self, cell: &mut Cell) -> RlpNode {
        if let Some(rlp) = &cell.rlp {
            return rlp.clone();
        }
        let rlp = match &mut cell.node {
            Node::Leaf { key, value } => {
                self.buf.clear();
                LeafNodeRef::new(key, value).encode(&mut self.buf);
                self.finish()
            }
            Node::Extension { key, child } => {
                // An extension always has a child; `0x80` only keeps a broken invariant encodable.
                let child = self.child(child);
                let child: &[u8] = child.as_deref().unwrap_or(&[alloy_rlp::EMPTY_STRING_CODE]);
                self.buf.clear();
                ExtensionNodeRef::new(key, child).encode(&mut self.buf);
                self.finish()
            }
            Node::Branch { children } => {
                let mut stack = Vec::with_capacity(16);
                let mut mask = TrieMask::default();
                for (nibble, child) in (0u8..).zip(children.iter_mut()) {
                    if let Some(rlp) = self.child(child) {
                        stack.push(rlp);
                        mask.set_bit(nibble);
                    }
                }
                self.buf.clear();
                BranchNodeRef::new(&stack, mask).encode(&mut self.buf);
                self.finish()
            }
        };
        cell.rlp = Some(rlp.clone());
        rlp
    }

    /// Turns the node RLP in `buf` into its reference, recording it as a new stored node when it
    /// is hashed (32 bytes or more).
    fn finish(&mut self) -> RlpNode {
        if self.buf.len() < 32 {
            // Inline: lives inside its parent's encoding, never stored on its own.
            RlpNode::from_raw(&self.buf).unwrap_or_default()
        } else {
            let hash = keccak256(&self.buf);
            self.new_nodes
                .entry(hash)
                .or_insert_with(|| Bytes::copy_from_slice(&self.buf));
            RlpNode::word_rlp(&hash)
        }
    }

    /// The root hash for a root reference: the root is always stored by hash, even in the
    /// (with 32-byte keys impossible) case that its RLP is shorter than 32 bytes.
    pub(crate) fn root_hash(&mut self, root: &RlpNode) -> B256 {
        if let Some(hash) = root.as_hash() {
            return hash;
        }
        let hash = keccak256(root.as_slice());
        self.new_nodes
            .entry(hash)
            .or_insert_with(|| Bytes::copy_from_slice(root));
        hash
    }
}
