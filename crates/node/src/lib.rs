//! Tributary's L2 node core: genesis, block production from the transaction pool, and the
//! state views the JSON-RPC server answers from.
//!
//! # Place in the data flow
//!
//! ```text
//!  RPC eth_sendRawTransaction ──► Node::send_raw_transactions
//!        │  recover senders in parallel (txpool, blocking thread)
//!        │  journal accepted txs in one SQLite transaction ──► ack (hash)
//!        ▼
//!   TxPool ◄── AccountCache (nonces/balances: LRU over the flat state, updated per commit)
//!        │ best_transactions(next base fee), up to the gas limit
//!        ▼
//!   producer (tokio task) ──spawn_blocking──► BlockBuilder
//!        │    L1-info deposit (OriginSource) + deposits + pool txs
//!        │    BlockExecutor (op-revm) over TrieStateReader (reads through the state trie)
//!        │    StateTrie::apply → state root (only touched paths rehashed) → header
//!        ▼
//!   Store::commit_block (atomic, durable on return)
//!        │
//!        ├──► AccountCache::on_commit, TxPool::on_block_committed, journal cleanup
//!        └──► head (watch) + NewBlock (broadcast) ──► RPC: newHeads/logs subscriptions, filters
//!
//!  RPC reads: Store (blocks, txs, receipts, logs) and Node::with_state(root) → TrieStateReader
//!  at any committed block (eth_call, eth_getBalance, eth_getProof, traces).
//!
//!  Witnesses: witness::execution_witness(store, executor, n) re-executes stored block n over
//!  its parent's root with a RecordingStore → ExecutionWitness (debug_executionWitness, prover),
//!  checked without a database by tributary-stateless.
//! ```
//!
//! # Guarantees
//!
//! * **Durable before visible.** The head moves and subscribers hear of a block only after its
//!   commit returned; a transaction hash is returned only after it is journaled.
//! * **Pipelined.** Block N+1 builds while block N commits (at most one commit in flight): the
//!   builder's trie holds N's state and the builder serves N's new code and hash itself, and the
//!   pool learns of N before its commit so N+1 does not repeat its transactions. A failed commit
//!   stops the node (the restart resumes from the durable head and the journal).
//! * **Restart resumes exactly.** On launch the head comes from the store, the builder's trie
//!   opens at the head's state root (no rebuild), and the pool journal is re-admitted.
//! * **Incremental state root.** The builder keeps one `StateTrie` across blocks: each block
//!   loads and rehashes only the paths it touched (O(touched × depth), depth ≈ log16(accounts)),
//!   so the cost per block does not grow with the state; memory holds the nodes loaded so far
//!   (for very large states the trie's `prune` bounds it — not yet wired).
//!
//! # Block rules
//!
//! docs/derivation.md, "L2 blocks": coinbase = SequencerFeeVault, prevrandao = origin mixHash,
//! empty extra data, base fee by EIP-1559 with the rollup's parameters, gas limit = parent's,
//! timestamp = max(now, parent's) (equal timestamps allowed), first transaction the L1-info
//! deposit. Blocks are built when the pool has executable transactions (at least `block_time`
//! apart) and otherwise every `heartbeat`.
//!
//! # Errors
//!
//! [`NodeError`], classified by [`NodeError::is_fatal`]: the producer stops on fatal errors
//! ([`NodeHandle::wait`] returns them) and retries others.

// the pool's rejections pass through unboxed, as the pool returns them (see tributary-txpool)
#![allow(clippy::result_large_err)]

mod accounts;
mod builder;
mod config;
mod error;
mod genesis;
mod import;
mod node;
mod origin;
mod producer;
mod sync;
pub mod witness;

pub use accounts::AccountCache;
pub use config::{
    DEFAULT_BLOCK_TIME, DEFAULT_HEARTBEAT, DEV_GAS_LIMIT, DEV_L1_BASE_FEE, DEV_MAX_ACCOUNT_SLOTS,
    DEV_MAX_POOL_SIZE, NodeConfig,
};
pub use error::{NodeError, Result};
pub use import::Importer;
pub use node::{NewBlock, Node, NodeHandle, Pool};
pub use origin::{BlockOrigin, FixedOrigin, OriginSource};
pub use sync::SyncStatus;
pub use witness::{ExecutionWitness, WitnessError, execution_witness};
