//! The block executor: the EVM environments, and `execute` (pre-block system calls, then every
//! transaction in order, then the roots and the change set; see [`BlockRun`]).

use alloy_primitives::{B256, U256};
use op_revm::{
    DefaultOp, L1BlockInfo, OpBuilder, OpSpecId, OpTransactionError,
    api::{builder::DefaultOpEvm, default_ctx::OpContext},
};
use revm::{
    Context, DatabaseRef,
    context::{BlockEnv, CfgEnv, result::EVMError},
    context_interface::{DBErrorMarker, block::BlobExcessGasAndPrice},
    database::{State, WrapDatabaseRef},
    primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
};
use tracing::{debug, debug_span};

use crate::{BlockContext, BlockOutput, BlockTx, ExecutionError, Result, block_run::BlockRun};

/// The hardfork Tributary runs: OP Isthmus (Ethereum Prague, with OP's deposits, L1 data fee,
/// fee vaults and operator fee).
pub const SPEC: OpSpecId = OpSpecId::ISTHMUS;

/// Receipt version of deposit receipts (OP Canyon and later).
pub const DEPOSIT_RECEIPT_VERSION: u64 = 1;

/// revm's caching, change-tracking layer over the caller's read-only state view.
pub(crate) type StateDb<'a, DB> = State<WrapDatabaseRef<&'a DB>>;
/// op-revm over [`StateDb`], with an optional inspector (`()` when nothing is traced).
pub(crate) type BlockEvm<'a, DB, I = ()> = DefaultOpEvm<OpContext<StateDb<'a, DB>>, I>;

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

    /// An op-revm instance over `state` with the given environments and inspector.
    ///
    /// The one place EVMs are built: block execution, replay for tracing and RPC simulation all
    /// come through here, so they run the same precompiles, instructions and L1-fee rules.
    pub(crate) fn evm<'a, DB: DatabaseRef, I>(
        &self,
        state: StateDb<'a, DB>,
        block_env: BlockEnv,
        cfg: CfgEnv<OpSpecId>,
        inspector: I,
    ) -> BlockEvm<'a, DB, I> {
        Context::op()
            .with_db(state)
            .with_block(block_env)
            .with_cfg(cfg)
            // loaded by op-revm from the L1Block predeploy before the first non-deposit tx
            .with_chain(L1BlockInfo::default())
            .build_op_with_inspector(inspector)
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

        let mut run = BlockRun::start(self, db, block, ())?;
        for (index, tx) in txs.iter().enumerate() {
            run.apply(index, tx)?;
        }
        let output = run.finish();
        debug!(
            target: "execution",
            gas_used = output.gas_used,
            included = output.transactions.len(),
            rejected = output.rejected.len(),
            "block executed"
        );
        Ok(output)
    }
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
