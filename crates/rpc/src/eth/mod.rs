//! The `eth_`, `net_`, `web3_`, `txpool_` and `debug_` namespaces over a running [`Node`].
//!
//! Each file holds one group of methods as `EthApi` methods; [`eth_module`] registers them by
//! name. Reads go to the store (blocks, receipts, logs) and to [`Node::with_state`] (state at a
//! block's root, on a blocking thread); writes go through [`Node::send_raw_transactions`].
//! Errors follow geth: rejected transactions -32000 with geth's message, bad arguments
//! -32602, reverts 3 with data, faults -32603 with the detail only in the logs.

mod block_id;
mod blocks;
mod convert;
mod fees;
mod filters;
mod logs;
mod pubsub;
mod simulate;
mod state;
mod sync;
mod transactions;
mod txpool;
mod witness;

use std::sync::Arc;

use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    rpc::types::{Filter, Index},
};
use alloy_primitives::{Address, B256, Bytes, U64, U256};
use tributary_node::{Node, NodeError};
use tributary_storage::StoreError;

pub use filters::FILTER_TIMEOUT;

use crate::{RegisterError, RpcError, RpcModule};

/// Limits of the `eth_` namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EthConfig {
    /// Widest block range one `eth_getLogs` may scan.
    pub max_logs_block_range: u64,
    /// Most logs one `eth_getLogs` may return.
    pub max_logs: usize,
    /// Most blocks one `eth_feeHistory` may cover (geth: 1024).
    pub max_fee_history: u64,
    /// Gas cap of `eth_call` / `eth_estimateGas` (geth's `--rpc.gascap`, 50M).
    pub gas_cap: u64,
    /// Priority fee suggested by `eth_maxPriorityFeePerGas` (OP's default minimum: 0.001 gwei).
    pub suggested_tip: u128,
    /// `web3_clientVersion`.
    pub client_version: String,
}

impl Default for EthConfig {
    fn default() -> Self {
        Self {
            max_logs_block_range: 10_000,
            max_logs: 10_000,
            max_fee_history: 1_024,
            gas_cap: 50_000_000,
            suggested_tip: 1_000_000,
            client_version: format!("tributary/v{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Shared state of the namespaces.
#[derive(Debug)]
pub struct EthApi {
    pub(crate) node: Node,
    pub(crate) config: EthConfig,
    pub(crate) filters: filters::Filters,
}

impl EthApi {
    /// The API over `node`.
    pub fn new(node: Node, config: EthConfig) -> Self {
        Self {
            node,
            config,
            filters: filters::Filters::default(),
        }
    }
}

impl From<StoreError> for RpcError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<NodeError> for RpcError {
    fn from(e: NodeError) -> Self {
        Self::internal(e)
    }
}

/// All methods of the namespaces, ready to serve.
pub fn eth_module(api: EthApi) -> Result<RpcModule<EthApi>, RegisterError> {
    let api = Arc::new(api);
    filters::spawn_expiry(Arc::downgrade(&api));
    let mut m = RpcModule::from_shared(api);
    m.register_method("web3_clientVersion", |_p, api| async move {
        Ok(api.config.client_version.clone())
    })?;
    m.register_method("web3_sha3", |p, _api| async move {
        let (data,): (Bytes,) = p.parse()?;
        Ok(alloy_primitives::keccak256(data))
    })?;
    m.register_method("net_version", |_p, api| async move {
        Ok(api.node.chain_id().to_string())
    })?;
    m.register_method("net_listening", |_p, _api| async move { Ok(true) })?;
    m.register_method("net_peerCount", |_p, _api| async move { Ok(U64::ZERO) })?;
    m.register_method("eth_chainId", |_p, api| async move {
        Ok(U64::from(api.node.chain_id()))
    })?;
    m.register_method("eth_blockNumber", |_p, api| async move {
        Ok(U64::from(api.node.head().number))
    })?;
    m.register_method("eth_syncing", |_p, _api| async move { Ok(false) })?;
    m.register_method("tributary_syncStatus", |_p, api| async move {
        api.sync_status().await
    })?;
    m.register_method("eth_accounts", |_p, _api| async move {
        Ok(Vec::<Address>::new())
    })?;
    m.register_method("eth_mining", |_p, _api| async move { Ok(false) })?;
    m.register_method("eth_hashrate", |_p, _api| async move { Ok(U64::ZERO) })?;

    // blocks
    m.register_method("eth_getBlockByNumber", |p, api| async move {
        let (tag, full): (BlockNumberOrTag, Option<bool>) = p.parse()?;
        api.block(BlockId::Number(tag), full.unwrap_or(false)).await
    })?;
    m.register_method("eth_getBlockByHash", |p, api| async move {
        let (hash, full): (B256, Option<bool>) = p.parse()?;
        api.block(BlockId::from(hash), full.unwrap_or(false)).await
    })?;
    m.register_method(
        "eth_getBlockTransactionCountByNumber",
        |p, api| async move {
            let (tag,): (BlockNumberOrTag,) = p.parse()?;
            api.block_tx_count(BlockId::Number(tag)).await
        },
    )?;
    m.register_method("eth_getBlockTransactionCountByHash", |p, api| async move {
        let (hash,): (B256,) = p.parse()?;
        api.block_tx_count(BlockId::from(hash)).await
    })?;
    m.register_method("eth_getUncleCountByBlockNumber", |p, api| async move {
        let (tag,): (BlockNumberOrTag,) = p.parse()?;
        api.uncle_count(BlockId::Number(tag)).await
    })?;
    m.register_method("eth_getUncleCountByBlockHash", |p, api| async move {
        let (hash,): (B256,) = p.parse()?;
        api.uncle_count(BlockId::from(hash)).await
    })?;
    m.register_method("eth_getBlockReceipts", |p, api| async move {
        let (id,): (BlockId,) = p.parse()?;
        api.block_receipts(id).await
    })?;

    // transactions
    m.register_method("eth_getTransactionByHash", |p, api| async move {
        let (hash,): (B256,) = p.parse()?;
        api.transaction_by_hash(hash).await
    })?;
    m.register_method(
        "eth_getTransactionByBlockHashAndIndex",
        |p, api| async move {
            let (hash, index): (B256, Index) = p.parse()?;
            api.transaction_by_block(BlockId::from(hash), index.0).await
        },
    )?;
    m.register_method(
        "eth_getTransactionByBlockNumberAndIndex",
        |p, api| async move {
            let (tag, index): (BlockNumberOrTag, Index) = p.parse()?;
            api.transaction_by_block(BlockId::Number(tag), index.0)
                .await
        },
    )?;
    m.register_method("eth_getTransactionReceipt", |p, api| async move {
        let (hash,): (B256,) = p.parse()?;
        api.transaction_receipt(hash).await
    })?;
    m.register_method("eth_getRawTransactionByHash", |p, api| async move {
        let (hash,): (B256,) = p.parse()?;
        api.raw_transaction(hash).await
    })?;
    m.register_batched_method("eth_sendRawTransaction", |calls, api| async move {
        api.send_raw_transactions(calls).await
    })?;

    // state
    m.register_method("eth_getBalance", |p, api| async move {
        let (address, at): (Address, Option<BlockId>) = p.parse()?;
        api.balance(address, at).await
    })?;
    m.register_method("eth_getTransactionCount", |p, api| async move {
        let (address, at): (Address, Option<BlockId>) = p.parse()?;
        api.transaction_count(address, at).await
    })?;
    m.register_method("eth_getCode", |p, api| async move {
        let (address, at): (Address, Option<BlockId>) = p.parse()?;
        api.code(address, at).await
    })?;
    m.register_method("eth_getStorageAt", |p, api| async move {
        let (address, slot, at): (Address, U256, Option<BlockId>) = p.parse()?;
        api.storage_at(address, slot, at).await
    })?;
    m.register_method("eth_getProof", |p, api| async move {
        let (address, slots, at): (Address, Vec<U256>, Option<BlockId>) = p.parse()?;
        api.proof(address, slots, at).await
    })?;

    // fees
    m.register_method("eth_gasPrice", |_p, api| async move { Ok(api.gas_price()) })?;
    m.register_method("eth_maxPriorityFeePerGas", |_p, api| async move {
        Ok(U256::from(api.config.suggested_tip))
    })?;
    m.register_method(
        "eth_blobBaseFee",
        |_p, _api| async move { Ok(U256::from(1)) },
    )?;
    m.register_method("eth_feeHistory", |p, api| async move {
        let (count, newest, percentiles): (U64, BlockNumberOrTag, Option<Vec<f64>>) = p.parse()?;
        api.fee_history(count.to(), newest, percentiles).await
    })?;

    // logs and filters
    m.register_method("eth_getLogs", |p, api| async move {
        let (filter,): (Filter,) = p.parse()?;
        api.logs(&filter).await
    })?;
    m.register_method("eth_newFilter", |p, api| async move {
        let (filter,): (Filter,) = p.parse()?;
        api.new_log_filter(filter).await
    })?;
    m.register_method("eth_newBlockFilter", |p, api| async move {
        p.parse::<()>()?;
        api.new_block_filter()
    })?;
    m.register_method("eth_newPendingTransactionFilter", |_p, api| async move {
        api.new_pending_filter()
    })?;
    m.register_method("eth_getFilterChanges", |p, api| async move {
        let (id,): (U256,) = p.parse()?;
        api.filter_changes(id).await
    })?;
    m.register_method("eth_getFilterLogs", |p, api| async move {
        let (id,): (U256,) = p.parse()?;
        api.filter_logs(id).await
    })?;
    m.register_method("eth_uninstallFilter", |p, api| async move {
        let (id,): (U256,) = p.parse()?;
        Ok(api.filters.uninstall(id))
    })?;
    pubsub::register(&mut m)?;
    simulate::register(&mut m)?;
    txpool::register(&mut m)?;
    witness::register(&mut m)?;
    Ok(m)
}
