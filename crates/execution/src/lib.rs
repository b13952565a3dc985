//! Tributary's block executor: runs one L2 block with op-revm and reports what it produced; and
//! the [`Simulator`] the RPC uses for calls, gas estimates, access lists and geth-style traces.
//!
//! The sequencer builds blocks with it, and the prover (later) re-executes the blocks it derives
//! from L1 with the same code, so both agree on receipts, roots and state by construction. The
//! pieces a re-executor needs besides the executor live here too, so nobody re-implements them:
//! [`BlockContext::from_header`], [`BlockTx::decode_2718`] (stored or verified transactions)
//! and [`next_base_fee`]; the node's witness generator and `tributary-stateless` use them. The
//! simulator builds its EVM through the same executor (same spec, precompiles, L1-fee rules), and
//! `debug_traceTransaction` replays a block through the executor's own per-transaction path.
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
//!
//!   RPC (eth_call, eth_estimateGas,          state view of a block (latest or historical)
//!        eth_createAccessList, debug_trace*)            │ impl revm::DatabaseRef
//!          │ TransactionRequest + overrides             ▼
//!          └────────────────────────────►  Simulator ── overlay (overrides), no commit
//!                                            │  calls: block's post-state, no system calls
//!                                            │  traceTransaction: the block replayed up to the
//!                                            │  tx (system calls, earlier txs), then traced
//!                                            ▼
//!                        CallResult / gas / AccessListResult / GethTrace, or SimulationError
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
//! # Simulation (RPC)
//!
//! [`Simulator`] follows geth (see the `simulate` module for the rules): calls run on the block's
//! post-state without system calls, without nonce or EIP-3607 checks, with base fee 0 when they
//! pay no fee, gas capped by the block gas limit (or [`Simulator::with_gas_cap`]), no L1 data fee;
//! state overrides (`balance`, `nonce`, `code`, `state`, `stateDiff`) and block overrides
//! (`number`, `time`, `gasLimit`, `baseFee`, `coinbase`, `random`, `difficulty`, `blobBaseFee`,
//! `blockHash`). `eth_estimateGas` is geth's search; `eth_createAccessList` iterates
//! revm-inspectors' access-list inspector until the list is stable; traces use revm-inspectors'
//! struct logger, `callTracer`, `prestateTracer`, `4byteTracer` and `noopTracer`.
//!
//! # Errors
//!
//! Per transaction: [`RejectReason`]. Per block: [`ExecutionError`], classified by
//! [`ExecutionError::is_fatal`] (storage failures say nothing about the block's validity).
//! State-view errors are boxed; they implement revm's `DBErrorMarker`. Simulation:
//! [`SimulationError`], whose [`SimulationError::kind`] tells the RPC which JSON-RPC error to
//! answer with ([`SimulationErrorKind`]); its messages follow geth's wording.
//!
//! # Not here (yet)
//!
//! - Genesis allocation and the L1Block predeploy contract itself (with OP's storage layout).
//! - Parallel execution; state-root computation.
//! - Simulation: `eth_simulateV1`/`eth_callMany`, `debug_traceBlock*`, the `flatCallTracer`,
//!   `muxTracer`, `erc7562Tracer` and JavaScript tracers, tracer `timeout`s, the `txIndex` option
//!   of `debug_traceCall`, `movePrecompileToAddress` overrides, and a wall-clock limit on calls
//!   (the gas cap is the only bound).
//!
//! [`OpReceiptEnvelope`]: op_alloy_consensus::OpReceiptEnvelope

mod block;
mod block_run;
mod changes;
mod error;
mod executor;
mod output;
mod simulate;
mod system_calls;
mod tx_env;

pub use block::{BlockContext, BlockTx, next_base_fee};

/// The L1 gas a transaction is charged for (`l1GasUsed` in OP receipts, Fjord): its estimated
/// compressed size (FastLZ-based, scaled by 1e6) × 16 gas per byte / 1e6.
pub fn l1_gas_used(enveloped: &[u8]) -> u64 {
    op_revm::estimate_tx_compressed_size(enveloped).saturating_mul(16) / 1_000_000
}
pub use changes::{AccountChange, AccountInfo, ChangeSet};
pub use error::{BlockTxError, DatabaseError, ExecutionError, RejectReason, Result};
pub use executor::{BlockExecutor, DEPOSIT_RECEIPT_VERSION, SPEC};
pub use output::{BlockOutput, ExecutedTx, RejectedTx, block_bloom, receipts_root};
pub use simulate::{
    CallOutcome, CallResult, SimulationError, SimulationErrorKind, Simulator, revert_reason,
};
