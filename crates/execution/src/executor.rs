//! The block executor: pre-block system calls, then every transaction in order, then the roots and
//! the change set.

use alloy::{
    consensus::{TxEnvelope, proofs::ordered_trie_root_encoded, transaction::Recovered},
    eips::eip2718::Encodable2718,
};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use op_alloy_consensus::{OpReceiptEnvelope, OpTxType, TxDeposit};
use op_revm::{
    DefaultOp, L1BlockInfo, OpBuilder, OpHaltReason, OpSpecId, OpTransactionError,
    api::{builder::DefaultOpEvm, default_ctx::OpContext},
};
use revm::{
    Context, Database, DatabaseRef, ExecuteCommitEvm, ExecuteEvm,
    context::{
        BlockEnv, CfgEnv,
        result::{EVMError, ExecResultAndState, ExecutionResult, Output},
    },
    context_interface::{DBErrorMarker, block::BlobExcessGasAndPrice},
    database::{State, WrapDatabaseRef, states::bundle_state::BundleRetention},
    primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
};
use tracing::{debug, debug_span};

use crate::{
    BlockContext, BlockOutput, BlockTx, ChangeSet, ExecutedTx, ExecutionError, RejectReason,
    RejectedTx, Result,
    output::block_bloom,
    system_calls,
    tx_env::{deposit_env, signed_env},
};

/// The hardfork Tributary runs: OP Isthmus (Ethereum Prague, with OP's deposits, L1 data fee,
/// fee vaults and operator fee).
pub const SPEC: OpSpecId = OpSpecId::ISTHMUS;

/// Receipt version of deposit receipts (OP Canyon and later).
pub const DEPOSIT_RECEIPT_VERSION: u64 = 1;

/// revm's caching, change-tracking layer over the caller's read-only state view.
pub(crate) type StateDb<'a, DB> = State<WrapDatabaseRef<&'a DB>>;
/// op-revm over [`StateDb`].
pub(crate) type BlockEvm<'a, DB> = DefaultOpEvm<OpContext<StateDb<'a, DB>>>;

/// Executes L2 blocks with op-revm.
///
/// Stateless between blocks: each call to [`execute`](Self::execute) reads the pre-block state
/// from the given view and returns the changes; nothing is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockExecutor {
    chain_id: u64,
}

impl BlockExecutor {
    /// An executor for the L2 chain `chain_id`.
    pub const fn new(chain_id: u64) -> Self {
        Self { chain_id }
    }

    /// The L2 chain id transactions are checked against.
    pub const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The revm block environment of `block`.
    pub fn block_env(&self, block: &BlockContext) -> BlockEnv {
        BlockEnv {
            number: U256::from(block.number),
            beneficiary: block.beneficiary,
            timestamp: U256::from(block.timestamp),
            gas_limit: block.gas_limit,
            basefee: block.base_fee,
            difficulty: U256::ZERO,
            prevrandao: Some(block.prevrandao),
            // no blobs on L2: excess blob gas is 0, so BLOBBASEFEE is the minimum (1 wei)
            blob_excess_gas_and_price: Some(BlobExcessGasAndPrice::new(
                0,
                BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
            )),
            slot_num: 0,
        }
    }

    /// The revm configuration: Isthmus rules for this chain id.
    pub fn cfg_env(&self) -> CfgEnv<OpSpecId> {
        CfgEnv::new_with_spec(SPEC).with_chain_id(self.chain_id)
    }

    /// Executes `txs` in order on top of `db` as block `block`.
    ///
    /// Deposits are always included (a failed deposit still mints and bumps its sender's nonce).
    /// A signed transaction that is invalid here (nonce, balance, fee cap, chain id, gas left in
    /// the block, blob type) is listed in [`BlockOutput::rejected`] and changes nothing.
    ///
    /// # Errors
    ///
    /// [`ExecutionError`] when the block cannot be executed at all: the state view failed, the
    /// block environment is invalid, a system call failed, or a deposit has no source hash.
    pub fn execute<DB>(&self, db: &DB, block: &BlockContext, txs: &[BlockTx]) -> Result<BlockOutput>
    where
        DB: DatabaseRef,
    {
        let span =
            debug_span!(target: "execution", "block", number = block.number, txs = txs.len());
        let _guard = span.enter();

        let state = State::builder()
            .with_database_ref(db)
            .with_bundle_update()
            .build();
        let mut evm: BlockEvm<'_, DB> = Context::op()
            .with_db(state)
            .with_block(self.block_env(block))
            .with_cfg(self.cfg_env())
            .with_chain(L1BlockInfo::default())
            .build_op();

        system_calls::apply_pre_block_calls(&mut evm, block)?;

        let mut transactions = Vec::with_capacity(txs.len());
        let mut rejected = Vec::new();
        let mut cumulative_gas = 0u64;
        for (index, tx) in txs.iter().enumerate() {
            let step: Step = match tx {
                BlockTx::Deposit(deposit) => {
                    if deposit.source_hash.is_zero() {
                        return Err(ExecutionError::DepositWithoutSourceHash { index });
                    }
                    Ok(execute_deposit(
                        &mut evm,
                        index,
                        deposit,
                        &mut cumulative_gas,
                    )?)
                }
                BlockTx::Signed(signed) => {
                    self.execute_signed(&mut evm, index, signed, block, &mut cumulative_gas)?
                }
            };
            match step {
                Ok(executed) => transactions.push(executed),
                Err(r) => {
                    debug!(target: "execution", index, hash = %r.hash, reason = %r.reason, "tx rejected");
                    rejected.push(r);
                }
            }
        }

        let mut state = evm.0.ctx.journaled_state.database;
        state.merge_transitions(BundleRetention::PlainState);
        let changes = ChangeSet::from_bundle(&state.take_bundle());

        let encoded: Vec<&Bytes> = transactions.iter().map(|t| &t.encoded).collect();
        let receipts: Vec<OpReceiptEnvelope> =
            transactions.iter().map(|t| t.receipt.clone()).collect();
        let output = BlockOutput {
            gas_used: cumulative_gas,
            logs_bloom: block_bloom(&receipts),
            transactions_root: ordered_trie_root_encoded(&encoded),
            receipts_root: crate::receipts_root(&receipts),
            transactions,
            rejected,
            changes,
        };
        debug!(
            target: "execution",
            gas_used = output.gas_used,
            included = output.transactions.len(),
            rejected = output.rejected.len(),
            "block executed"
        );
        Ok(output)
    }

    fn execute_signed<DB: DatabaseRef>(
        &self,
        evm: &mut BlockEvm<'_, DB>,
        index: usize,
        signed: &Recovered<TxEnvelope>,
        block: &BlockContext,
        cumulative_gas: &mut u64,
    ) -> Result<Step> {
        let tx = signed.inner();
        let hash = *tx.tx_hash();
        let reject = |reason| {
            Ok(Err(RejectedTx {
                index,
                hash,
                reason,
            }))
        };

        let Some(ty) = receipt_type(tx) else {
            return reject(RejectReason::BlobTransaction);
        };
        let gas_limit = alloy::consensus::Transaction::gas_limit(tx);
        let remaining = block.gas_limit.saturating_sub(*cumulative_gas);
        if gas_limit > remaining {
            return reject(RejectReason::BlockGasExhausted {
                gas_limit,
                remaining,
            });
        }

        let encoded: Bytes = tx.encoded_2718().into();
        let env = signed_env(tx, signed.signer(), encoded.clone());
        let out = match evm.transact(env) {
            Ok(out) => out,
            Err(EVMError::Transaction(e)) => return reject(RejectReason::Invalid(e)),
            Err(e) => return Err(evm_error(e, hash)),
        };
        // the L1BlockInfo op-revm charged this tx with (loaded once per block, after the L1-info
        // deposit); recompute the fee for the receipt
        let mut l1_info = evm.0.ctx.chain.clone();
        l1_info.clear_tx_l1_cost();
        let l1_fee = l1_info.calculate_tx_l1_cost(&encoded, SPEC);
        let meta = TxMeta {
            index,
            hash,
            encoded,
            sender: signed.signer(),
            deposit_nonce: None,
        };
        Ok(Ok(commit(evm, out, meta, ty, l1_fee, cumulative_gas)))
    }
}

/// Executes a deposit; it is always included.
fn execute_deposit<DB: DatabaseRef>(
    evm: &mut BlockEvm<'_, DB>,
    index: usize,
    deposit: &TxDeposit,
    cumulative_gas: &mut u64,
) -> Result<ExecutedTx> {
    let encoded: Bytes = deposit.encoded_2718().into();
    let hash = keccak256(&encoded);
    // the receipt's deposit nonce is the depositor's nonce before execution
    let nonce = account_nonce(evm, deposit.from)?;
    let env = deposit_env(deposit, encoded.clone());
    // op-revm turns every invalidity of a deposit into a failed-deposit result, so any error
    // here is a database or internal one
    let out = evm.transact(env).map_err(|e| evm_error(e, hash))?;
    let meta = TxMeta {
        index,
        hash,
        encoded,
        sender: deposit.from,
        deposit_nonce: Some(nonce),
    };
    Ok(commit(
        evm,
        out,
        meta,
        OpTxType::Deposit,
        U256::ZERO,
        cumulative_gas,
    ))
}

/// Outcome of one signed transaction: included, or rejected for this block.
type Step = core::result::Result<ExecutedTx, RejectedTx>;

/// What the receipt needs besides the EVM result.
struct TxMeta {
    index: usize,
    hash: B256,
    encoded: Bytes,
    sender: Address,
    /// The depositor's nonce before execution (deposits only).
    deposit_nonce: Option<u64>,
}

/// Applies a transaction's state to the block state and builds its receipt.
fn commit<DB: DatabaseRef>(
    evm: &mut BlockEvm<'_, DB>,
    out: ExecResultAndState<ExecutionResult<OpHaltReason>>,
    meta: TxMeta,
    ty: OpTxType,
    l1_fee: U256,
    cumulative_gas: &mut u64,
) -> ExecutedTx {
    let ExecResultAndState { result, state } = out;
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
fn account_nonce<DB: DatabaseRef>(evm: &mut BlockEvm<'_, DB>, address: Address) -> Result<u64> {
    let info = evm
        .0
        .ctx
        .journaled_state
        .database
        .basic(address)
        .map_err(database_error)?;
    Ok(info.map_or(0, |a| a.nonce))
}

/// Boxes a state-view error.
pub(crate) fn database_error<E: DBErrorMarker>(e: E) -> ExecutionError {
    ExecutionError::Database(Box::new(e))
}

/// Maps an EVM error that is not a transaction's invalidity.
pub(crate) fn evm_error<E: DBErrorMarker>(
    e: EVMError<E, OpTransactionError>,
    hash: B256,
) -> ExecutionError {
    match e {
        EVMError::Database(e) => database_error(e),
        EVMError::Header(h) => ExecutionError::InvalidBlockEnv {
            reason: h.to_string(),
        },
        other => ExecutionError::Evm {
            hash,
            reason: other.to_string(),
        },
    }
}
