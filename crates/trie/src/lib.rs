//! Tributary's state trie: an incremental, mutable Ethereum Merkle-Patricia trie over a
//! content-addressed, append-only node store.
//!
//! # Place in the data flow
//!
//! ```text
//!                execution (revm, per block)
//!                    │ touched accounts / slots (StateTrie::apply, Trie::insert/remove)
//!                    ▼
//!   NodeStore ──get(hash)──► Trie / StateTrie ──commit──► TrieUpdate { root, new_nodes }
//!   (SQLite, by hash,          loads only touched            │
//!    never deletes) ◄──────────────── persisted with the block, atomically (storage layer)
//!        │
//!        ├──► proof::proof / state::account_proof ──► eth_getProof, withdrawal proofs (any root)
//!        └──► RecordingStore ──► execution witness (nodes read while executing a block)
//! ```
//!
//! * [`Trie`]: one trie over 32-byte keys (`keccak256` of the address or slot, see [`key`]) with
//!   raw values. Opened at a root, it reads nodes lazily from a [`NodeStore`] and caches them;
//!   [`Trie::commit`] returns the new root and only the nodes that are new.
//! * [`proof`]: Merkle proofs (inclusion and exclusion) and point reads at any stored root,
//!   straight from the store. Proofs are the node list `eth_getProof` returns and verify with
//!   `alloy_trie::proof::verify_proof` (inclusion and exclusion) and, for inclusion, with
//!   OpenZeppelin's `TrieProof`.
//! * [`state`]: the account trie plus a storage trie per account, applying a block's changes
//!   ([`StateTrie::apply`]) and building `eth_getProof` answers ([`state::account_proof`]).
//! * [`NodeStore`] (read-only trait) with [`MemoryNodeStore`] (tests, dev mode) and
//!   [`RecordingStore`] (witnesses). The SQLite implementation belongs to the storage crate; this
//!   crate has no async and no database code.
//!
//! # Example
//!
//! ```
//! use alloy_primitives::{Address, Bytes};
//! use tributary_trie::{EMPTY_ROOT_HASH, MemoryNodeStore, Trie, key::account_key, proof};
//!
//! let mut store = MemoryNodeStore::new();
//! let key = account_key(&Address::repeat_byte(1));
//!
//! // Block 1: insert, commit, persist the new nodes.
//! let mut trie = Trie::new(EMPTY_ROOT_HASH);
//! trie.insert(&store, &key, Bytes::from_static(b"value"))?;
//! let block1 = trie.commit();
//! store.apply(&block1);
//!
//! // Block 2: remove; the block-1 state stays readable and provable.
//! trie.remove(&store, &key)?;
//! let block2 = trie.commit();
//! store.apply(&block2);
//! assert_eq!(block2.root, EMPTY_ROOT_HASH);
//!
//! let old = proof::proof(&store, block1.root, &key)?;
//! assert_eq!(old.value, Some(Bytes::from_static(b"value")));
//! old.verify(block1.root).expect("valid inclusion proof");
//! assert_eq!(Trie::new(block1.root).get(&store, &key)?, old.value);
//! # Ok::<(), tributary_trie::TrieError<core::convert::Infallible>>(())
//! ```
//!
//! # Encoding
//!
//! Exactly Ethereum's: hex-prefix paths, leaf / extension / 17-item branch nodes, and any node
//! whose RLP is shorter than 32 bytes inlined in its parent instead of referenced by hash. The
//! root is always referenced by hash. All keys are 64 nibbles, so no key is a prefix of
//! another and **branch nodes never hold a value** (the 17th item is always empty; decoding
//! rejects anything else). Inline nodes only occur deep in the trie, where keys share 60 or more
//! nibbles. An empty value cannot be stored: inserting one removes the key, as in geth.
//!
//! # State history
//!
//! Nodes are addressed by `keccak256(rlp)` and never deleted or overwritten (DESIGN.md, "State
//! history"), so every root ever committed stays readable: `Trie::new(old_root)` and
//! [`proof::proof`] work at any block. An update rewrites the nodes on its path *as new nodes*;
//! the old ones remain for older roots.
//!
//! # Cost and scaling
//!
//! With `n` keys the trie is about `log16(n)` levels deep (≈ 5 for 1M accounts, ≈ 7 for 100M),
//! since hashed keys are uniform.
//!
//! * **Per block:** `k` touched keys load at most `k × depth` nodes (fewer, as paths share the top
//!   levels) and commit re-encodes and hashes only those dirty nodes: O(k × log16 n) work,
//!   independent of total state size. Untouched subtrees are never loaded, encoded or hashed;
//!   they contribute their hash from the parent's RLP.
//! * **Store growth:** each block adds about `k × depth` nodes (a branch node is ≤ 532 bytes),
//!   whether or not values changed much; nothing is reclaimed. That is the price of serving
//!   proofs and witnesses for every historical block. Pruning old roots, if ever wanted, is a
//!   storage-layer job (reference counting or a mark-and-sweep from retained roots).
//! * **Cached:** a loaded node keeps its reference encoding (hash or inline RLP) until changed,
//!   so repeated reads and commits of clean subtrees cost nothing. A `Trie` kept across blocks
//!   keeps its loaded nodes (the hot top levels stay in memory); [`Trie::prune`] bounds that.
//!   Rewriting a value with itself does not dirty anything.
//! * **Not yet done:** hashing of independent subtries in parallel (the 16 children of a dirty
//!   root branch, or the storage tries of different accounts in [`StateTrie::apply`], are
//!   independent and could be committed with `rayon::join`/scopes); batching store reads per
//!   level to cut database round trips.
//!
//! # Witnesses
//!
//! Wrap the store in a [`RecordingStore`], open a fresh trie at the pre-state root, execute the
//! block, commit, and take the recorded nodes: they contain every node on every touched path plus
//! the siblings loaded when a delete collapses a branch, enough to replay the block's updates
//! statelessly from the pre-state root.
//!
//! # Errors
//!
//! All fallible operations return [`TrieError<E>`], generic over the store's error `E`:
//! [`TrieError::Store`] wraps it; [`TrieError::MissingNode`], [`TrieError::Decode`],
//! [`TrieError::Malformed`] and [`TrieError::Value`] mean inconsistent stored data
//! ([`TrieError::is_corruption`]).

pub mod error;
pub mod key;
mod node;
pub mod proof;
pub mod state;
pub mod store;
mod trie;

pub use alloy_trie::{EMPTY_ROOT_HASH, KECCAK_EMPTY, TrieAccount};
pub use error::{Result, TrieError};
pub use proof::TrieProof;
pub use state::{AccountChange, AccountInfo, AccountProof, StateTrie, StateUpdate, StorageProof};
pub use store::{MemoryNodeStore, NodeStore, RecordingStore};
pub use trie::{Trie, TrieUpdate};
