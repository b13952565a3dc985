//! Blocks and their receipts.

use alloy::eips::BlockId;
use alloy_primitives::U64;
use op_alloy_rpc_types::OpTransactionReceipt;

use crate::{
    RpcError,
    eth::{
        EthApi,
        convert::{self, RpcBlock},
    },
};

impl EthApi {
    /// `eth_getBlockBy*`: `null` for an unknown block.
    pub(crate) async fn block(
        &self,
        id: BlockId,
        full: bool,
    ) -> Result<Option<RpcBlock>, RpcError> {
        let Some(header) = self.header_by_id(id).await? else {
            return Ok(None);
        };
        let store = self.node.store();
        let txs = store.block_transactions(header.number).await?;
        let receipts = if full {
            store.block_receipts(header.number).await?
        } else {
            Vec::new()
        };
        let size = convert::block_size(header.inner(), &txs);
        convert::block(header, &txs, &receipts, full, size).map(Some)
    }

    /// `eth_getBlockTransactionCountBy*`.
    pub(crate) async fn block_tx_count(&self, id: BlockId) -> Result<Option<U64>, RpcError> {
        let Some(header) = self.header_by_id(id).await? else {
            return Ok(None);
        };
        let txs = self.node.store().block_transactions(header.number).await?;
        Ok(Some(U64::from(txs.len())))
    }

    /// `eth_getUncleCountBy*`: always zero for a known block.
    pub(crate) async fn uncle_count(&self, id: BlockId) -> Result<Option<U64>, RpcError> {
        Ok(self.header_by_id(id).await?.map(|_| U64::ZERO))
    }

    /// `eth_getBlockReceipts`.
    pub(crate) async fn block_receipts(
        &self,
        id: BlockId,
    ) -> Result<Option<Vec<OpTransactionReceipt>>, RpcError> {
        let Some(header) = self.header_by_id(id).await? else {
            return Ok(None);
        };
        let store = self.node.store();
        let txs = store.block_transactions(header.number).await?;
        let receipts = store.block_receipts(header.number).await?;
        let l1 = txs.first().and_then(convert::l1_info);
        txs.iter()
            .zip(&receipts)
            .map(|(tx, r)| convert::receipt(r, tx, header.inner(), l1.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}
