//! Tributary's block executor: runs one L2 block with op-revm and reports what it produced.
//!
//! The sequencer builds blocks with it, and the prover (later) re-executes the blocks it derives
//! from L1 with the same code, so both agree on receipts, roots and state by construction.
//!
//! # Data flow
//!
//! ```text
//!   txpool / derivation                      state layer (SQLite store, or CacheDB in tests)
//!          │                                            │ impl revm::DatabaseRef (read-only)
//!          │ BlockContext + [BlockTx]                   ▼
//!          └────────────────────────────►  BlockExecutor::execute
//!                                            │  revm State (cache + change tracking)
//!                                            │  1. system calls: EIP-4788 beacon root,
//!                                            │     EIP-2935 parent hash (if the code exists)
//!                                            │  2. each tx in order, op-revm (Isthmus):
//!                                            │       deposit  → always included
//!                                            │       signed   → included, or rejected
//!                                            │  3. receipts, bloom, roots, change set
//!                                            ▼
//!                                       BlockOutput ──► block builder: drops `rejected`
//!                                            │      ──► RPC: receipts, `l1Fee`
//!                                            └──────► state layer: applies `changes`,
//!                                                     computes the state root
//! ```
//!
//! # Rules (docs/derivation.md, DESIGN.md "Decisions")
//!
//! - Hardfork: [`SPEC`] = OP Isthmus, i.e. Ethereum Prague plus OP's deposit transactions (type
//!   `0x7E`), L1 data fee and fee vaults. op-revm implements those; this crate only drives it.
//! - Fees of a signed transaction: base fee → BaseFeeVault `0x4200…0019`, priority fee → the
//!   coinbase (SequencerFeeVault `0x4200…0011`), L1 data fee → L1FeeVault `0x4200…001A`. The L1 fee
//!   is computed by op-revm from the L1Block predeploy `0x4200…0015` storage (OP's Ecotone layout,
//!   written by the L1-info deposit at the start of each block) with the Fjord formula, and is
//!   reported per transaction in [`ExecutedTx::l1_fee`].
//! - Deposits are never rejected: a deposit that reverts, runs out of gas or is otherwise invalid
//!   still mints its `mint` to `from` and bumps `from`'s nonce (op-revm's failed-deposit rule); its
//!   receipt carries the depositor's nonce before execution and receipt version
//!   [`DEPOSIT_RECEIPT_VERSION`].
//! - Signed transactions come with their sender recovered (in parallel, elsewhere); the executor
//!   never recovers senders. EIP-7702 authorities are recovered by revm, as part of execution.
//! - Block gas: a signed transaction whose gas *limit* exceeds the gas left in the block is
//!   rejected for this block ([`RejectReason::BlockGasExhausted`]). Deposits are counted but not
//!   limited here: derivation caps deposit gas per L1 block.
//! - A rejected transaction changes no state and is listed in [`BlockOutput::rejected`]; for a
//!   verifier, any rejection makes the batch invalid ([`BlockOutput::all_included`]).
//! - Blob transactions do not exist on L2 ([`RejectReason::BlobTransaction`]); `BLOBBASEFEE` is 1.
//!
//! # Outputs
//!
//! [`BlockOutput`]: included transactions with their [`OpReceiptEnvelope`]s, gas used and L1 fee;
//! total gas, logs bloom, transactions root and receipts root (ordered tries of the EIP-2718
//! encodings); and the [`ChangeSet`]: per account the trie crate's [`AccountChange`] (new
//! balance, nonce and code hash or deletion, storage wipe, changed slots, sorted) plus the code the
//! block introduced by hash. The state root is not computed here: `StateTrie::apply` takes
//! `ChangeSet::accounts` as is, and the store takes the same values.
//!
//! # Errors
//!
//! Per transaction: [`RejectReason`]. Per block: [`ExecutionError`], classified by
//! [`ExecutionError::is_fatal`] (storage failures say nothing about the block's validity).
//! State-view errors are boxed; they implement revm's `DBErrorMarker`.
//!
//! # Not here (yet)
//!
//! - `eth_call` / `eth_estimateGas`: same EVM setup over a `DatabaseRef`, one transaction,
//!   `disable_nonce_check`/balance options and no commit; to be added next to [`BlockExecutor`].
//! - Genesis allocation and the L1Block predeploy contract itself (with OP's storage layout).
//! - Parallel execution; state-root computation.
//!
//! [`OpReceiptEnvelope`]: op_alloy_consensus::OpReceiptEnvelope

mod block;
mod changes;
mod error;
mod executor;
mod output;
mod system_calls;
mod tx_env;

pub use block::{BlockContext, BlockTx};
pub use changes::{AccountChange, AccountInfo, ChangeSet};
pub use error::{DatabaseError, ExecutionError, RejectReason, Result};
pub use executor::{BlockExecutor, DEPOSIT_RECEIPT_VERSION, SPEC};
pub use output::{BlockOutput, ExecutedTx, RejectedTx, block_bloom, receipts_root};
