//! Transactions: lookup, receipts, submission.

use alloy::eips::BlockId;
use alloy_primitives::{B256, Bytes};
use op_alloy_consensus::transaction::OpDepositInfo;
use op_alloy_rpc_types::OpTransactionReceipt;

use crate::{
    Params, RpcError, RpcResult,
    eth::{
        EthApi,
        convert::{self, RpcTransaction},
    },
};

impl EthApi {
    /// `eth_getTransactionByHash`: mined, then pooled, else `null`.
    pub(crate) async fn transaction_by_hash(
        &self,
        hash: B256,
    ) -> Result<Option<RpcTransaction>, RpcError> {
        let store = self.node.store();
        if let Some(tx) = store.transaction(hash).await?
            && self.is_published(tx.block_number)
        {
            let header = store
                .header_by_number(tx.block_number)
                .await?
                .ok_or_else(|| RpcError::internal(format!("block {} missing", tx.block_number)))?;
            let deposit = self.deposit_info(hash).await?;
            return convert::transaction(&tx, header.inner(), deposit).map(Some);
        }
        Ok(self
            .node
            .pool()
            .get(&hash)
            .and_then(|tx| convert::pending_transaction(&tx)))
    }

    /// `eth_getTransactionByBlock*AndIndex`.
    pub(crate) async fn transaction_by_block(
        &self,
        id: BlockId,
        index: usize,
    ) -> Result<Option<RpcTransaction>, RpcError> {
        let Some(header) = self.header_by_id(id).await? else {
            return Ok(None);
        };
        let store = self.node.store();
        let Some(tx) = store.transaction_at(header.number, index as u64).await? else {
            return Ok(None);
        };
        let deposit = self.deposit_info(tx.hash).await?;
        convert::transaction(&tx, header.inner(), deposit).map(Some)
    }

    /// Deposit metadata (nonce, receipt version) of an included transaction, from its receipt.
    async fn deposit_info(&self, hash: B256) -> Result<OpDepositInfo, RpcError> {
        Ok(match self.node.store().receipt(hash).await? {
            Some(r) => convert::deposit_info(&convert::receipt_envelope(&r)?),
            None => OpDepositInfo::default(),
        })
    }

    /// `eth_getRawTransactionByHash`.
    pub(crate) async fn raw_transaction(&self, hash: B256) -> Result<Option<Bytes>, RpcError> {
        if let Some(tx) = self.node.store().transaction(hash).await? {
            return Ok(Some(tx.raw));
        }
        Ok(self.node.pool().get(&hash).map(|tx| tx.raw().clone()))
    }

    /// `eth_getTransactionReceipt`: only for published blocks, else `null`.
    pub(crate) async fn transaction_receipt(
        &self,
        hash: B256,
    ) -> Result<Option<OpTransactionReceipt>, RpcError> {
        let store = self.node.store();
        let Some(receipt) = store
            .receipt(hash)
            .await?
            .filter(|r| self.is_published(r.block_number))
        else {
            return Ok(None);
        };
        let tx = store
            .transaction(hash)
            .await?
            .ok_or_else(|| RpcError::internal(format!("receipt without transaction {hash}")))?;
        let header = store
            .header_by_number(receipt.block_number)
            .await?
            .ok_or_else(|| RpcError::internal(format!("block {} missing", receipt.block_number)))?;
        let l1 = if receipt.l1_fee.is_some() {
            // the block's first transaction is its L1-info deposit
            store
                .transaction_at(receipt.block_number, 0)
                .await?
                .as_ref()
                .and_then(convert::l1_info)
        } else {
            None
        };
        convert::receipt(&receipt, &tx, header.inner(), l1.as_ref()).map(Some)
    }

    /// `eth_sendRawTransaction`, every call of a batch at once: one parallel recovery, one
    /// journal write.
    pub(crate) async fn send_raw_transactions(&self, calls: Vec<Params>) -> Vec<RpcResult<B256>> {
        let mut raws = Vec::with_capacity(calls.len());
        let mut slots: Vec<Result<usize, RpcError>> = Vec::with_capacity(calls.len());
        for params in &calls {
            match params.parse::<(Bytes,)>() {
                Ok((raw,)) => {
                    slots.push(Ok(raws.len()));
                    raws.push(raw);
                }
                Err(e) => slots.push(Err(e)),
            }
        }
        let results = match self.node.send_raw_transactions(raws).await {
            Ok(results) => results,
            Err(e) => {
                let e = RpcError::from(e);
                return calls.iter().map(|_| Err(e.clone())).collect();
            }
        };
        slots
            .into_iter()
            .map(|slot| {
                let i = slot?;
                match &results[i] {
                    Ok(hash) => Ok(*hash),
                    Err(e) => Err(RpcError::server(e.to_string())),
                }
            })
            .collect()
    }
}
