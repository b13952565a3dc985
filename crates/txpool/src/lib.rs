//! Tributary's transaction pool: the sequencer's mempool.
//!
//! ## Responsibilities
//!
//! - validate raw EIP-2718 transactions from `eth_sendRawTransaction` (stateless checks, sender
//!   recovery, then nonce and balance against the latest state);
//! - keep them per sender as *pending* (executable: nonces contiguous from the account nonce) or
//!   *queued* (behind a nonce gap), with replacement, per-sender and global limits;
//! - hand the block builder the executable transactions best first;
//! - tell the caller what to journal, and refill itself from the journal on restart.
//!
//! ## Data flow
//!
//! ```text
//!  RPC eth_sendRawTransaction ──raw──► add_raw / add_raw_batch
//!                                        │ validate_stateless (size, type, chain id, fees,
//!                                        │   intrinsic gas, init code, sender recovery: in
//!                                        │   parallel for batches, once per transaction)
//!                                        │ insert (StateProvider: nonce, balance; replacement,
//!                                        │   limits, eviction)
//!                                        ├──► AddedTransaction ──► journal (storage pool_insert /
//!                                        │                          pool_remove)
//!                                        └──► subscribe_pending (newPendingTransactions)
//!  sequencer ◄── best_transactions(base_fee) ── Recovered<TxEnvelope> ──► execution (BlockTx)
//!      │ executor rejected a tx ──► mark_invalid(hash)
//!      └ block committed ──► on_block_committed(mined, next base fee) ──► CommitOutcome
//!  startup: storage pool_load ──raw──► restore
//! ```
//!
//! ## Checks and errors
//!
//! Every rejection is a [`PoolError`] (hash + [`PoolErrorKind`]) whose message is geth's:
//!
//! | check | error |
//! |---|---|
//! | encoding ≤ 128 KiB | [`PoolErrorKind::OversizedData`] `oversized data` |
//! | type legacy / 2930 / 1559 / 7702 (no blobs, no `0x7E`) | [`PoolErrorKind::TxTypeNotSupported`] |
//! | decodes exactly | [`PoolErrorKind::Decode`] `rlp: …` |
//! | EIP-155 chain id present | [`PoolErrorKind::UnprotectedTransaction`] |
//! | chain id matches | [`PoolErrorKind::InvalidChainId`] `invalid chain id` |
//! | init code ≤ 49152 bytes | [`PoolErrorKind::MaxInitCodeSizeExceeded`] |
//! | gas ≤ block gas limit | [`PoolErrorKind::ExceedsBlockGasLimit`] |
//! | tip ≤ fee cap | [`PoolErrorKind::TipAboveFeeCap`] |
//! | fee cap ≥ minimum base fee | [`PoolErrorKind::Underpriced`] `transaction underpriced` |
//! | 7702 authorizations present | [`PoolErrorKind::EmptyAuthList`] |
//! | gas ≥ intrinsic gas, ≥ EIP-7623 floor | [`PoolErrorKind::IntrinsicGasTooLow`], [`PoolErrorKind::FloorDataGas`] |
//! | signature recovers (low `s`) | [`PoolErrorKind::InvalidSender`] |
//! | not pooled yet | [`PoolErrorKind::AlreadyKnown`] |
//! | nonce ≥ account nonce | [`PoolErrorKind::NonceTooLow`] |
//! | same nonce: +10 % fee cap and tip | [`PoolErrorKind::ReplacementUnderpriced`] |
//! | ≤ 64 per sender | [`PoolErrorKind::AccountLimitExceeded`] `account limit exceeded` |
//! | balance ≥ Σ(gas · fee cap + value + L1 fee) | [`PoolErrorKind::InsufficientFunds`] |
//! | global limit, else evict a worse tx | [`PoolErrorKind::PoolFull`] `txpool is full` |
//!
//! [`PoolErrorKind::is_bad_transaction`] tells invalid transactions from state-dependent
//! rejections.
//!
//! ## Pending, queued, eviction
//!
//! A sender's transactions live in one nonce-ordered map; the pending ones are the run that is
//! contiguous from the account nonce, the rest are queued. Filling a gap therefore promotes the
//! queued transactions behind it at once; removing one (mined, [`TxPool::mark_invalid`]) demotes
//! those behind it. When the pool is full, the candidate for eviction is the sender tail (the
//! highest nonce, so no gap opens) with the lowest effective tip at the current base fee; it is
//! evicted only if the new transaction pays strictly more, otherwise the new one is refused.
//!
//! ## Ordering
//!
//! [`TxPool::best_transactions`] snapshots the pending set: a heap of each sender's next
//! transaction keyed by effective tip at the block's base fee (arrival order on ties); yielding a
//! transaction pushes that sender's next nonce. Senders that cannot pay the base fee are skipped.
//!
//! ## Journal
//!
//! The pool is in memory. The caller journals [`AddedTransaction::journal_entry`] and deletes
//! [`AddedTransaction::removed`] and [`CommitOutcome::removed`]; on startup [`TxPool::restore`]
//! re-validates the journal in arrival order.
//!
//! ## Features
//!
//! - `test-utils`: [`test_utils::MemoryState`], an in-memory [`StateProvider`].

// rejections are the cold path: a 144-byte error (three U256 in `InsufficientFunds`) is cheaper
// than boxing every error
#![allow(clippy::result_large_err)]

mod best;
mod config;
mod error;
mod pool;
mod state;
#[cfg(any(test, feature = "test-utils"))]
pub mod test_utils;
mod tx;
pub mod validate;

pub use best::BestTransactions;
pub use config::*;
pub use error::{PoolError, PoolErrorKind, PoolResult};
pub use pool::{
    AddedTransaction, CommitOutcome, JournalEntry, L1FeeEstimator, MinedTx, PoolStatus,
    SenderContent, TxPool, TxState,
};
pub use state::{AccountState, StateError, StateProvider};
pub use tx::PoolTransaction;
pub use validate::{intrinsic_gas, validate_batch, validate_stateless};
