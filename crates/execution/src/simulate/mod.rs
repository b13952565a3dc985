//! Simulation and tracing for the JSON-RPC layer: `eth_call`, `eth_estimateGas`,
//! `eth_createAccessList`, `debug_traceCall` and `debug_traceTransaction`.
//!
//! ```text
//!   RPC: state view of block N (latest or historical) + its BlockContext
//!     │
//!     ├─ call / estimate_gas / create_access_list / trace_call
//!     │     TransactionRequest ─► request::call_tx (geth's ToMessage rules)
//!     │     StateOverride      ─► overrides: CacheDB overlay of the view (view untouched)
//!     │     BlockOverrides     ─► block env (+ blockHash into the overlay)
//!     │     BlockExecutor::evm (same EVM as block execution), no system calls, no commit
//!     │
//!     └─ trace_transaction(block, txs, index)
//!           BlockRun (the executor's own path): system calls, txs[..index] committed,
//!           txs[index] run with the tracer
//! ```
//!
//! # geth semantics (internal/ethapi `DoCall`, `DoEstimateGas`, `AccessList`; eth/tracers)
//!
//! - A call runs on top of the block's post-state with the block's header fields; no system
//!   calls (they belong to the start of a block, which eth_call does not replay).
//! - The nonce check and the EIP-3607 "sender has code" check are off.
//! - A call that pays nothing (no `gasPrice`/`maxFeePerGas`, or zero) runs with base fee 0
//!   (geth lowers it "to avoid breaking EVM invariants"): `BASEFEE` reads 0 and no fee moves. A call
//!   with a fee pays it at the block's base fee, so its fee cap must cover the base fee and the
//!   sender's balance must cover `gas * price + value` (as geth's `buyGas`).
//! - Gas: the request's gas, capped by the highest gas a call may use, which is the block gas
//!   limit or the RPC gas cap if lower ([`Simulator::with_gas_cap`]). Without a gas, a call gets
//!   that cap, or, when it pays a fee, what the sender's balance can pay for (as reth, where geth
//!   would fail the balance check).
//! - No L1 data fee is charged and none is added to estimates, as op-geth.
//!
//! Errors: [`SimulationError`], classified for the RPC by [`SimulationError::kind`].

mod access_list;
mod error;
mod estimate;
mod outcome;
mod overrides;
mod prepared;
mod request;
mod trace;

use alloy::{
    eips::eip2930::AccessListResult,
    rpc::types::{
        BlockOverrides, TransactionRequest,
        state::{EvmOverrides, StateOverride},
    },
};
use alloy_primitives::{TxKind, U256};
use alloy_rpc_types_trace::geth::{
    GethDebugTracingCallOptions, GethDebugTracingOptions, GethTrace,
};
use op_revm::{OpHaltReason, OpTransactionError};
use revm::{
    DatabaseRef, ExecuteEvm, InspectEvm,
    context::result::{EVMError, ExecResultAndState, ExecutionResult},
    context_interface::{
        DBErrorMarker,
        result::{HaltReason, InvalidTransaction},
    },
};
use revm_inspectors::{access_list::AccessListInspector, tracing::TransactionContext};
use tracing::{debug, warn};

pub use error::{SimulationError, SimulationErrorKind, revert_reason};
pub use outcome::{CallOutcome, CallResult};

use crate::{
    BlockContext, BlockExecutor, BlockTx,
    block_run::{BlockRun, TxOutcome},
};
use estimate::Trial;
use prepared::{Prepared, gas_allowance, transact_error};

/// Simulates calls and traces transactions for the RPC, over any state view.
///
/// Stateless and cheap to copy; every method reads the given view and writes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Simulator {
    executor: BlockExecutor,
    gas_cap: Option<u64>,
}

impl Simulator {
    /// A simulator running calls as `executor` runs blocks, with no RPC gas cap (the block gas
    /// limit bounds calls).
    pub const fn new(executor: BlockExecutor) -> Self {
        Self {
            executor,
            gas_cap: None,
        }
    }

    /// Caps the gas of any call and estimate at `gas_cap` (geth's `--rpc.gascap`); 0 removes the
    /// cap. The block gas limit bounds calls in any case.
    #[must_use]
    pub const fn with_gas_cap(mut self, gas_cap: u64) -> Self {
        self.gas_cap = if gas_cap == 0 { None } else { Some(gas_cap) };
        self
    }

    /// The RPC gas cap, if any.
    pub const fn gas_cap(&self) -> Option<u64> {
        self.gas_cap
    }

    /// `eth_call`: executes `request` on top of `db` in block `block`'s environment, with
    /// `overrides`, and returns how it ended. A revert or halt is a [`CallResult`], not an
    /// error; [`CallResult::into_output`] gives eth_call's answer.
    ///
    /// # Errors
    ///
    /// The request is malformed ([`SimulationErrorKind::InvalidParams`]), invalid against the
    /// state ([`SimulationErrorKind::Rejected`], e.g. "insufficient funds for gas * price +
    /// value"), or the state view failed ([`SimulationErrorKind::Internal`]).
    pub fn call<DB: DatabaseRef>(
        &self,
        db: &DB,
        block: &BlockContext,
        request: &TransactionRequest,
        overrides: &EvmOverrides,
    ) -> Result<CallResult, SimulationError> {
        let sim = self.prepare_with(db, block, request, overrides)?;
        let gas = sim.call_gas(request.gas)?;
        let mut evm = sim.evm(&self.executor, ());
        let out = evm
            .transact(sim.call.with_gas(gas))
            .map_err(transact_error)?;
        Ok(CallResult::from(out.result))
    }

    /// `eth_estimateGas`: the smallest gas limit with which `request` succeeds (geth's search,
    /// see the `estimate` module).
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call), plus: a revert at the highest gas allowed
    /// ([`SimulationError::Reverted`], with its data), a halt there ([`SimulationError::Halted`]),
    /// running out of gas there ([`SimulationError::GasRequiredExceedsAllowance`]), and a value
    /// not below the balance when a fee is given ([`SimulationError::InsufficientFundsForTransfer`]).
    pub fn estimate_gas<DB: DatabaseRef>(
        &self,
        db: &DB,
        block: &BlockContext,
        request: &TransactionRequest,
        overrides: &EvmOverrides,
    ) -> Result<u64, SimulationError> {
        let sim = self.prepare_with(db, block, request, overrides)?;
        let mut hi = request
            .gas
            .filter(|gas| *gas >= estimate::TX_GAS)
            .unwrap_or(sim.block_env.gas_limit);
        let tx = &sim.call.tx.base;
        if let Some(allowance) = gas_allowance(sim.balance()?, tx.value, sim.call.fee_cap)? {
            if allowance < hi {
                debug!(target: "execution::simulate", hi, allowance, "estimate capped by the sender's funds");
            }
            hi = hi.min(allowance);
        }
        hi = hi.min(sim.max_gas);

        let plain_transfer = tx.data.is_empty()
            && match tx.kind {
                TxKind::Call(to) => sim.has_no_code(to)?,
                TxKind::Create => false,
            };
        let mut evm = sim.evm(&self.executor, ());
        estimate::search(hi, plain_transfer, |gas| {
            trial(evm.transact(sim.call.with_gas(gas)))
        })
    }

    /// `eth_createAccessList`: the accounts and slots `request` touches (without its sender,
    /// recipient and the precompiles), iterated until stable, with the gas the call uses with that
    /// list and, if it reverts or halts with it, the error message.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call); a revert or halt is reported in the result's `error`.
    pub fn create_access_list<DB: DatabaseRef>(
        &self,
        db: &DB,
        block: &BlockContext,
        request: &TransactionRequest,
        overrides: &EvmOverrides,
    ) -> Result<AccessListResult, SimulationError> {
        let sim = self.prepare_with(db, block, request, overrides)?;
        let gas = sim.call_gas(request.gas)?;
        let mut evm = sim.evm(&self.executor, AccessListInspector::default());

        let mut list = access_list::normalize(
            request.access_list.clone().unwrap_or_default(),
            &Default::default(),
        );
        let mut last = None;
        for _ in 0..access_list::MAX_ROUNDS {
            evm.0.inspector = AccessListInspector::new(list.clone());
            let mut tx = sim.call.with_gas(gas);
            tx.base.access_list = list.clone();
            if tx.base.tx_type == 0 {
                // a legacy call carrying an access list is an EIP-2930 one
                tx.base.tx_type = 1;
            }
            let out = evm.inspect_tx(tx).map_err(transact_error)?;
            let inspector = core::mem::take(&mut evm.0.inspector);
            let excluded = inspector.excluded().clone();
            let found = access_list::normalize(inspector.into_access_list(), &excluded);
            let result = access_list_result(list, out.result);
            if found == result.access_list {
                return Ok(result);
            }
            list = found;
            last = Some(result);
        }
        warn!(target: "execution::simulate", rounds = access_list::MAX_ROUNDS, "access list did not converge");
        // the last list the call actually ran with, and its gas
        Ok(last.unwrap_or_default())
    }

    /// `debug_traceCall`: traces `request` as [`call`](Self::call) runs it, with the options'
    /// tracer and overrides.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call), plus an unsupported tracer or tracer config, or `txIndex`
    /// ([`SimulationErrorKind::InvalidParams`]).
    pub fn trace_call<DB: DatabaseRef>(
        &self,
        db: &DB,
        block: &BlockContext,
        request: &TransactionRequest,
        opts: &GethDebugTracingCallOptions,
    ) -> Result<GethTrace, SimulationError> {
        if opts.tx_index.is_some() {
            return Err(SimulationError::UnsupportedTracingOption { option: "txIndex" });
        }
        let inspector = trace::inspector(&opts.tracing_options)?;
        let sim = self.prepare(
            db,
            block,
            request,
            opts.state_overrides.as_ref(),
            opts.block_overrides.as_ref(),
        )?;
        let gas = sim.call_gas(request.gas)?;
        let mut evm = sim.evm(&self.executor, inspector);
        let out = evm
            .inspect_tx(sim.call.with_gas(gas))
            .map_err(transact_error)?;
        trace::result(&mut evm, &out, None, &opts.tracing_options)
    }

    /// `debug_traceTransaction`: replays block `block` over its pre-state `db` (system calls and
    /// `txs[..index]`, deposits included, exactly as [`BlockExecutor::execute`] does) and traces
    /// `txs[index]`.
    ///
    /// # Errors
    ///
    /// An index out of range or an unsupported tracer ([`SimulationErrorKind::InvalidParams`]);
    /// the block cannot be replayed or the state view failed
    /// ([`SimulationErrorKind::Internal`]); the transaction is invalid at that point
    /// ([`SimulationError::Rejected`], which a stored block never produces).
    pub fn trace_transaction<DB: DatabaseRef>(
        &self,
        db: &DB,
        block: &BlockContext,
        txs: &[BlockTx],
        index: usize,
        opts: &GethDebugTracingOptions,
    ) -> Result<GethTrace, SimulationError> {
        let Some(tx) = txs.get(index) else {
            return Err(SimulationError::TransactionIndexOutOfRange {
                index,
                len: txs.len(),
            });
        };
        let inspector = trace::inspector(opts)?;
        let mut run = BlockRun::start(&self.executor, db, block, inspector)?;
        for (earlier, prior) in txs[..index].iter().enumerate() {
            run.apply(earlier, prior)?;
        }
        match run.run(index, tx, |evm, env| evm.inspect_tx(env))? {
            TxOutcome::Rejected(rejected) => Err(SimulationError::Rejected(rejected.reason)),
            TxOutcome::Executed(executed) => {
                let context = TransactionContext {
                    block_hash: None,
                    tx_index: Some(index),
                    tx_hash: Some(tx.hash()),
                };
                trace::result(run.evm_mut(), &executed.out, Some(context), opts)
            }
        }
    }

    /// [`prepare`](Self::prepare) with an RPC override pair.
    fn prepare_with<'a, DB: DatabaseRef>(
        &self,
        db: &'a DB,
        block: &BlockContext,
        request: &TransactionRequest,
        overrides: &EvmOverrides,
    ) -> Result<Prepared<'a, DB>, SimulationError> {
        self.prepare(
            db,
            block,
            request,
            overrides.state.as_ref(),
            overrides.block.as_deref(),
        )
    }

    /// Validates the request and applies the overrides.
    fn prepare<'a, DB: DatabaseRef>(
        &self,
        db: &'a DB,
        block: &BlockContext,
        request: &TransactionRequest,
        state: Option<&StateOverride>,
        block_overrides: Option<&BlockOverrides>,
    ) -> Result<Prepared<'a, DB>, SimulationError> {
        let call = request::call_tx(request, self.executor.chain_id())?;
        let mut overlay = overrides::state_overlay(db, state)?;
        let mut block_env = self.executor.block_env(block);
        if let Some(block_overrides) = block_overrides {
            overrides::apply_block_overrides(&mut block_env, &mut overlay, block_overrides)?;
        }
        if call.fee_cap == 0 {
            // geth: "Lower the basefee to 0 to avoid breaking EVM invariants (basefee < feecap)"
            block_env.basefee = 0;
        }
        let max_gas = self
            .gas_cap
            .map_or(block_env.gas_limit, |cap| cap.min(block_env.gas_limit));
        Ok(Prepared {
            overlay,
            block_env,
            call,
            max_gas,
        })
    }
}

/// One estimation run, classified for the search.
fn trial<E: DBErrorMarker>(
    result: Result<
        ExecResultAndState<ExecutionResult<OpHaltReason>>,
        EVMError<E, OpTransactionError>,
    >,
) -> Result<Trial, SimulationError> {
    let out = match result {
        Ok(out) => out,
        // below the intrinsic (or EIP-7623 floor) gas: more gas helps, as geth treats it
        Err(EVMError::Transaction(OpTransactionError::Base(
            InvalidTransaction::CallGasCostMoreThanGasLimit { .. }
            | InvalidTransaction::GasFloorMoreThanGasLimit { .. },
        ))) => return Ok(Trial::OutOfGas),
        Err(e) => return Err(transact_error(e)),
    };
    Ok(match out.result {
        ExecutionResult::Success { gas, .. } => Trial::Success {
            gas_used: gas.tx_gas_used(),
            refunded: gas.final_refunded(),
        },
        ExecutionResult::Revert { output, .. } => Trial::Revert(output),
        ExecutionResult::Halt {
            reason: OpHaltReason::Base(HaltReason::OutOfGas(_)),
            ..
        } => Trial::OutOfGas,
        ExecutionResult::Halt { reason, .. } => Trial::Halt(reason),
    })
}

/// The RPC result of one access-list round.
fn access_list_result(
    list: alloy::eips::eip2930::AccessList,
    result: ExecutionResult<OpHaltReason>,
) -> AccessListResult {
    let gas_used = U256::from(result.tx_gas_used());
    let error = match result {
        ExecutionResult::Success { .. } => None,
        ExecutionResult::Revert { output, .. } => Some(error::revert_message(&output)),
        ExecutionResult::Halt { reason, .. } => Some(error::halt_message(&reason)),
    };
    AccessListResult {
        access_list: list,
        gas_used,
        error,
    }
}
