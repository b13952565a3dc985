//! `debug_executionWitness` and `debug_executionWitnessByBlockHash`: the pre-state a block
//! needs to be re-executed without the node's database, in reth's format
//! ([`ExecutionWitness`]: trie nodes, codes, key preimages, RLP headers), built by
//! [`tributary_node::execution_witness`] and checked by `tributary-stateless`.
//!
//! Errors as reth: a block the node does not have is `-32001 block not found: <block>`; the
//! genesis block (nothing to re-execute) is `-32000`; bad arguments `-32602`; anything else
//! `-32603` with the detail in the logs.

use alloy::eips::BlockNumberOrTag;
use alloy_primitives::B256;
use tributary_node::{ExecutionWitness, WitnessError};

use crate::{RegisterError, RpcError, RpcModule, eth::EthApi};

impl EthApi {
    /// The witness of block `number`; `block` names it in "not found" errors.
    async fn execution_witness(
        &self,
        number: u64,
        block: impl std::fmt::Display,
    ) -> Result<ExecutionWitness, RpcError> {
        self.node
            .execution_witness(number)
            .await
            .map_err(|e| match e {
                WitnessError::UnknownBlock { .. } => RpcError::block_not_found(block),
                WitnessError::Genesis => RpcError::server(e.to_string()),
                other => RpcError::internal(other),
            })
    }
}

pub(crate) fn register(m: &mut RpcModule<EthApi>) -> Result<(), RegisterError> {
    m.register_method("debug_executionWitness", |p, api| async move {
        let (tag,): (BlockNumberOrTag,) = p.parse()?;
        let number = api
            .number_of(tag)
            .ok_or_else(|| RpcError::block_not_found(tag))?;
        api.execution_witness(number, tag).await
    })?;
    m.register_method("debug_executionWitnessByBlockHash", |p, api| async move {
        let (hash,): (B256,) = p.parse()?;
        let not_found = format!("hash {hash}");
        let header = api
            .node
            .store()
            .header_by_hash(hash)
            .await?
            .ok_or_else(|| RpcError::block_not_found(&not_found))?;
        api.execution_witness(header.number, not_found).await
    })?;
    Ok(())
}
