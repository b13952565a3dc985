//! One block in progress: the per-transaction path shared by block execution and tracing.

use alloy::{
    consensus::{TxEnvelope, proofs::ordered_trie_root_encoded, transaction::Recovered},
    eips::eip2718::Encodable2718,
};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use op_alloy_consensus::{OpReceiptEnvelope, OpTxType, TxDeposit};
use op_revm::{OpHaltReason, OpTransaction, OpTransactionError};
use revm::{
    Database, DatabaseRef, ExecuteCommitEvm, ExecuteEvm,
    context::{
        TxEnv,
        result::{EVMError, ExecResultAndState, ExecutionResult, Output},
    },
    database::{State, states::bundle_state::BundleRetention},
};
use tracing::debug;

use crate::{
    BlockContext, BlockExecutor, BlockOutput, BlockTx, ChangeSet, DEPOSIT_RECEIPT_VERSION,
    ExecutedTx, ExecutionError, RejectReason, RejectedTx, Result, SPEC,
    executor::{BlockEvm, StateDb, database_error, evm_error},
    output::block_bloom,
    system_calls,
    tx_env::{deposit_env, signed_env},
};

/// The EVM's answer for one transaction, before it is committed.
pub(crate) type TxResult<'a, DB> = core::result::Result<
    ExecResultAndState<ExecutionResult<OpHaltReason>>,
    EVMError<<StateDb<'a, DB> as Database>::Error, OpTransactionError>,
>;

/// A transaction that went through the EVM (not yet committed), or its rejection.
#[derive(Debug)]
pub(crate) enum TxOutcome {
    /// Executed; [`BlockRun::record`] commits it and builds its receipt.
    Executed(Box<Executed>),
    /// Invalid for this block; nothing to commit.
    Rejected(RejectedTx),
}

/// An executed, uncommitted transaction and what its receipt needs.
#[derive(Debug)]
pub(crate) struct Executed {
    pub(crate) out: ExecResultAndState<ExecutionResult<OpHaltReason>>,
    meta: TxMeta,
    ty: OpTxType,
    l1_fee: U256,
}

/// One block in progress: the EVM after the system calls and the transactions applied so far.
///
/// [`BlockExecutor::execute`] applies every transaction; tracing replays the same way up to a
/// transaction and then runs that one with its inspector ([`BlockRun::run`] with
/// `InspectEvm::inspect_tx`), so a traced transaction sees exactly the state it saw in the block.
pub(crate) struct BlockRun<'a, DB: DatabaseRef, I = ()> {
    evm: BlockEvm<'a, DB, I>,
    block: &'a BlockContext,
    transactions: Vec<ExecutedTx>,
    rejected: Vec<RejectedTx>,
    cumulative_gas: u64,
}

impl<'a, DB: DatabaseRef, I> BlockRun<'a, DB, I> {
    /// Builds the block's EVM over `db` and runs the pre-block system calls.
    pub(crate) fn start(
        executor: &BlockExecutor,
        db: &'a DB,
        block: &'a BlockContext,
        inspector: I,
    ) -> Result<Self> {
        let state = State::builder()
            .with_database_ref(db)
            .with_bundle_update()
            .build();
        let mut evm = executor.evm(
            state,
            executor.block_env(block),
            executor.cfg_env(),
            inspector,
        );
        system_calls::apply_pre_block_calls(&mut evm, block)?;
        Ok(Self {
            evm,
            block,
            transactions: Vec::new(),
            rejected: Vec::new(),
            cumulative_gas: 0,
        })
    }

    /// Executes and commits the transaction at `index` (or records its rejection).
    pub(crate) fn apply(&mut self, index: usize, tx: &BlockTx) -> Result<()> {
        let outcome = self.run(index, tx, |evm, env| evm.transact(env))?;
        self.record(outcome);
        Ok(())
    }

    /// Runs the transaction at `index` through `exec` (plain or inspected execution) without
    /// committing it.
    pub(crate) fn run(
        &mut self,
        index: usize,
        tx: &BlockTx,
        exec: impl FnOnce(&mut BlockEvm<'a, DB, I>, OpTransaction<TxEnv>) -> TxResult<'a, DB>,
    ) -> Result<TxOutcome> {
        match tx {
            BlockTx::Deposit(deposit) => {
                if deposit.source_hash.is_zero() {
                    return Err(ExecutionError::DepositWithoutSourceHash { index });
                }
                run_deposit(&mut self.evm, index, deposit, exec)
            }
            BlockTx::Signed(signed) => self.run_signed(index, signed, exec),
        }
    }

    /// Commits an executed transaction and builds its receipt, or records a rejection.
    pub(crate) fn record(&mut self, outcome: TxOutcome) {
        match outcome {
            TxOutcome::Executed(executed) => {
                let executed = commit(&mut self.evm, *executed, &mut self.cumulative_gas);
                self.transactions.push(executed);
            }
            TxOutcome::Rejected(r) => {
                debug!(target: "execution", index = r.index, hash = %r.hash, reason = %r.reason, "tx rejected");
                self.rejected.push(r);
            }
        }
    }

    /// The EVM, e.g. to read the inspector or the state after [`run`](Self::run).
    pub(crate) const fn evm_mut(&mut self) -> &mut BlockEvm<'a, DB, I> {
        &mut self.evm
    }

    /// Merges the block's changes and builds the receipts' and transactions' roots.
    pub(crate) fn finish(self) -> BlockOutput {
        let mut state = self.evm.0.ctx.journaled_state.database;
        state.merge_transitions(BundleRetention::PlainState);
        let changes = ChangeSet::from_bundle(&state.take_bundle());

        let transactions = self.transactions;
        let encoded: Vec<&Bytes> = transactions.iter().map(|t| &t.encoded).collect();
        let receipts: Vec<OpReceiptEnvelope> =
            transactions.iter().map(|t| t.receipt.clone()).collect();
        BlockOutput {
            gas_used: self.cumulative_gas,
            logs_bloom: block_bloom(&receipts),
            transactions_root: ordered_trie_root_encoded(&encoded),
            receipts_root: crate::receipts_root(&receipts),
            transactions,
            rejected: self.rejected,
            changes,
        }
    }

    fn run_signed(
        &mut self,
        index: usize,
        signed: &Recovered<TxEnvelope>,
        exec: impl FnOnce(&mut BlockEvm<'a, DB, I>, OpTransaction<TxEnv>) -> TxResult<'a, DB>,
    ) -> Result<TxOutcome> {
        let tx = signed.inner();
        let hash = *tx.tx_hash();
        let reject = |reason| {
            Ok(TxOutcome::Rejected(RejectedTx {
                index,
                hash,
                reason,
            }))
        };

        let Some(ty) = receipt_type(tx) else {
            return reject(RejectReason::BlobTransaction);
        };
        let gas_limit = alloy::consensus::Transaction::gas_limit(tx);
        let remaining = self.block.gas_limit.saturating_sub(self.cumulative_gas);
        if gas_limit > remaining {
            return reject(RejectReason::BlockGasExhausted {
                gas_limit,
                remaining,
            });
        }

        let encoded: Bytes = tx.encoded_2718().into();
        let env = signed_env(tx, signed.signer(), encoded.clone());
        let out = match exec(&mut self.evm, env) {
            Ok(out) => out,
            Err(EVMError::Transaction(e)) => return reject(RejectReason::Invalid(e)),
            Err(e) => return Err(evm_error(e, hash)),
        };
        // the L1BlockInfo op-revm charged this tx with (loaded once per block, after the L1-info
        // deposit); recompute the fee for the receipt
        let mut l1_info = self.evm.0.ctx.chain.clone();
        l1_info.clear_tx_l1_cost();
        let l1_fee = l1_info.calculate_tx_l1_cost(&encoded, SPEC);
        let meta = TxMeta {
            index,
            hash,
            encoded,
            sender: signed.signer(),
            deposit_nonce: None,
        };
        Ok(TxOutcome::Executed(Box::new(Executed {
            out,
            meta,
            ty,
            l1_fee,
        })))
    }
}

impl<DB: DatabaseRef, I> core::fmt::Debug for BlockRun<'_, DB, I> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BlockRun")
            .field("number", &self.block.number)
            .field("included", &self.transactions.len())
            .field("rejected", &self.rejected.len())
            .field("cumulative_gas", &self.cumulative_gas)
            .finish_non_exhaustive()
    }
}

/// Runs a deposit through `exec`; it is always included.
fn run_deposit<'a, DB: DatabaseRef, I>(
    evm: &mut BlockEvm<'a, DB, I>,
    index: usize,
    deposit: &TxDeposit,
    exec: impl FnOnce(&mut BlockEvm<'a, DB, I>, OpTransaction<TxEnv>) -> TxResult<'a, DB>,
) -> Result<TxOutcome> {
    let encoded: Bytes = deposit.encoded_2718().into();
    let hash = keccak256(&encoded);
    // the receipt's deposit nonce is the depositor's nonce before execution
    let nonce = account_nonce(evm, deposit.from)?;
    let env = deposit_env(deposit, encoded.clone());
    // op-revm turns every invalidity of a deposit into a failed-deposit result, so any error
    // here is a database or internal one
    let out = exec(evm, env).map_err(|e| evm_error(e, hash))?;
    let meta = TxMeta {
        index,
        hash,
        encoded,
        sender: deposit.from,
        deposit_nonce: Some(nonce),
    };
    Ok(TxOutcome::Executed(Box::new(Executed {
        out,
        meta,
        ty: OpTxType::Deposit,
        l1_fee: U256::ZERO,
    })))
}

/// What the receipt needs besides the EVM result.
#[derive(Debug)]
struct TxMeta {
    index: usize,
    hash: B256,
    encoded: Bytes,
    sender: Address,
    /// The depositor's nonce before execution (deposits only).
    deposit_nonce: Option<u64>,
}

/// Applies a transaction's state to the block state and builds its receipt.
fn commit<DB: DatabaseRef, I>(
    evm: &mut BlockEvm<'_, DB, I>,
    executed: Executed,
    cumulative_gas: &mut u64,
) -> ExecutedTx {
    let Executed {
        out: ExecResultAndState { result, state },
        meta,
        ty,
        l1_fee,
    } = executed;
    evm.commit(state);

    let gas_used = result.tx_gas_used();
    *cumulative_gas += gas_used;
    let success = result.is_success();
    let contract_address = result.created_address();
    let (output, logs) = match result {
        ExecutionResult::Success { output, logs, .. } => {
            let data = match output {
                Output::Call(data) => data,
                Output::Create(data, _) => data,
            };
            (data, logs)
        }
        ExecutionResult::Revert { output, logs, .. } => (output, logs),
        ExecutionResult::Halt { logs, .. } => (Bytes::new(), logs),
    };
    let is_deposit = ty == OpTxType::Deposit;
    let receipt = OpReceiptEnvelope::from_parts(
        success,
        *cumulative_gas,
        &logs,
        ty,
        meta.deposit_nonce,
        is_deposit.then_some(DEPOSIT_RECEIPT_VERSION),
    );
    ExecutedTx {
        index: meta.index,
        hash: meta.hash,
        encoded: meta.encoded,
        sender: meta.sender,
        is_deposit,
        receipt,
        gas_used,
        l1_fee,
        contract_address: contract_address.filter(|_| success),
        output,
    }
}

/// The receipt type of a signed transaction; `None` for blob transactions (not supported on L2).
const fn receipt_type(tx: &TxEnvelope) -> Option<OpTxType> {
    match tx {
        TxEnvelope::Legacy(_) => Some(OpTxType::Legacy),
        TxEnvelope::Eip2930(_) => Some(OpTxType::Eip2930),
        TxEnvelope::Eip1559(_) => Some(OpTxType::Eip1559),
        TxEnvelope::Eip7702(_) => Some(OpTxType::Eip7702),
        TxEnvelope::Eip4844(_) => None,
    }
}

/// The current nonce of `address` in the block state (0 if it does not exist).
fn account_nonce<DB: DatabaseRef, I>(
    evm: &mut BlockEvm<'_, DB, I>,
    address: Address,
) -> Result<u64> {
    let info = evm
        .0
        .ctx
        .journaled_state
        .database
        .basic(address)
        .map_err(database_error)?;
    Ok(info.map_or(0, |a| a.nonce))
}
