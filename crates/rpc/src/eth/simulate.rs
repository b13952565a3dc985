//! `eth_call`, `eth_estimateGas`, `eth_createAccessList` and the `debug_` tracers: one
//! transaction simulated (or a stored one replayed) over the state of a block, on a blocking
//! thread, with `tributary_execution::Simulator`.

use alloy::{
    eips::BlockId,
    rpc::types::{
        AccessListResult, BlockOverrides, TransactionRequest,
        state::{EvmOverrides, StateOverride},
    },
};
use alloy_primitives::{B256, U64};
use alloy_rpc_types_trace::geth::{
    GethDebugTracingCallOptions, GethDebugTracingOptions, GethTrace,
};
use tributary_execution::{
    BlockTx, SimulationError, SimulationErrorKind, Simulator, revert_reason,
};

use crate::{RegisterError, RpcError, RpcModule, eth::EthApi};

impl From<SimulationError> for RpcError {
    fn from(e: SimulationError) -> Self {
        match e.kind() {
            SimulationErrorKind::InvalidParams => Self::invalid_params(e.to_string()),
            SimulationErrorKind::Rejected | SimulationErrorKind::Failed => {
                Self::server(e.to_string())
            }
            SimulationErrorKind::Reverted => {
                let data = e.revert_data().cloned().unwrap_or_default();
                Self::revert(&data, revert_reason(&data).as_deref())
            }
            SimulationErrorKind::Internal => Self::internal(e),
        }
    }
}

impl EthApi {
    fn simulator(&self) -> Simulator {
        Simulator::new(self.node.executor()).with_gas_cap(self.config.gas_cap)
    }

    /// Runs `f` with the simulator, the block's environment and its state, on a blocking thread.
    async fn simulate<R, F>(&self, at: Option<BlockId>, f: F) -> Result<R, RpcError>
    where
        R: Send + 'static,
        F: FnOnce(
                Simulator,
                &tributary_execution::BlockContext,
                &tributary_storage::TrieStateReader,
            ) -> Result<R, SimulationError>
            + Send
            + 'static,
    {
        let header = self.state_header(at).await?;
        let ctx = self.node.block_context(&header);
        let sim = self.simulator();
        Ok(self
            .node
            .with_state(header.state_root, move |state| f(sim, &ctx, state))
            .await??)
    }

    /// `debug_traceTransaction`: replays the transaction's block up to it over the parent's
    /// state and traces it.
    async fn trace_transaction(
        &self,
        hash: B256,
        opts: GethDebugTracingOptions,
    ) -> Result<GethTrace, RpcError> {
        let store = self.node.store();
        let tx = store
            .transaction(hash)
            .await?
            .ok_or_else(|| RpcError::server(format!("transaction {hash} not found")))?;
        let header = store
            .header_by_number(tx.block_number)
            .await?
            .ok_or_else(|| RpcError::internal(format!("block {} missing", tx.block_number)))?;
        let parent_root = store
            .header_by_number(tx.block_number.saturating_sub(1))
            .await?
            .ok_or_else(|| RpcError::internal("parent block missing"))?
            .state_root;
        let txs = store
            .block_transactions(tx.block_number)
            .await?
            .iter()
            .map(|t| block_tx(&t.raw, t.sender))
            .collect::<Result<Vec<_>, _>>()?;
        let ctx = self.node.block_context(&header);
        let sim = self.simulator();
        let index = usize::try_from(tx.index).map_err(RpcError::internal)?;
        Ok(self
            .node
            .with_state(parent_root, move |state| {
                sim.trace_transaction(state, &ctx, &txs, index, &opts)
            })
            .await??)
    }
}

/// A stored transaction in the executor's form (with the sender stored when it was included).
fn block_tx(raw: &[u8], sender: alloy_primitives::Address) -> Result<BlockTx, RpcError> {
    BlockTx::decode_2718(raw, |_| Ok::<_, core::convert::Infallible>(sender))
        .map_err(RpcError::internal)
}

fn overrides(state: Option<StateOverride>, block: Option<BlockOverrides>) -> EvmOverrides {
    EvmOverrides::new(state, block.map(Box::new))
}

pub(crate) fn register(m: &mut RpcModule<EthApi>) -> Result<(), RegisterError> {
    m.register_method("eth_call", |p, api| async move {
        let (request, at, state, block): (
            TransactionRequest,
            Option<BlockId>,
            Option<StateOverride>,
            Option<BlockOverrides>,
        ) = p.parse()?;
        let overrides = overrides(state, block);
        api.simulate(at, move |sim, ctx, db| {
            sim.call(db, ctx, &request, &overrides)?.into_output()
        })
        .await
    })?;
    m.register_method("eth_estimateGas", |p, api| async move {
        let (request, at, state): (TransactionRequest, Option<BlockId>, Option<StateOverride>) =
            p.parse()?;
        let overrides = overrides(state, None);
        api.simulate(at, move |sim, ctx, db| {
            sim.estimate_gas(db, ctx, &request, &overrides)
                .map(U64::from)
        })
        .await
    })?;
    m.register_method("eth_createAccessList", |p, api| async move {
        let (request, at): (TransactionRequest, Option<BlockId>) = p.parse()?;
        api.simulate(at, move |sim, ctx, db| -> Result<AccessListResult, _> {
            sim.create_access_list(db, ctx, &request, &EvmOverrides::default())
        })
        .await
    })?;
    m.register_method("debug_traceCall", |p, api| async move {
        let (request, at, opts): (
            TransactionRequest,
            Option<BlockId>,
            Option<GethDebugTracingCallOptions>,
        ) = p.parse()?;
        let opts = opts.unwrap_or_default();
        api.simulate(at, move |sim, ctx, db| {
            sim.trace_call(db, ctx, &request, &opts)
        })
        .await
    })?;
    m.register_method("debug_traceTransaction", |p, api| async move {
        let (hash, opts): (B256, Option<GethDebugTracingOptions>) = p.parse()?;
        api.trace_transaction(hash, opts.unwrap_or_default()).await
    })?;
    Ok(())
}
