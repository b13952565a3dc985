//! `eth_getLogs`: a filter's block range resolved against the chain, then the store's indexed
//! log query, bounded in range and result count.

use alloy::{
    eips::BlockId,
    rpc::types::{Filter, FilterBlockOption, Log},
};
use tributary_storage::{LogFilter, StoreError};

use crate::{
    RpcError,
    eth::{EthApi, convert},
};

impl EthApi {
    /// `eth_getLogs`.
    pub(crate) async fn logs(&self, filter: &Filter) -> Result<Vec<Log>, RpcError> {
        let (from, to) = self.log_range(filter).await?;
        self.logs_in(filter, from, to).await
    }

    /// The inclusive block range a filter covers now (`to` clamped to the head). An empty range
    /// (`from > to`) after clamping matches nothing.
    pub(crate) async fn log_range(&self, filter: &Filter) -> Result<(u64, u64), RpcError> {
        let head = self.node.head().number;
        match filter.block_option {
            FilterBlockOption::AtBlockHash(hash) => {
                // through header_by_id: a block not yet published is unknown here too
                let header = self
                    .header_by_id(BlockId::from(hash))
                    .await?
                    .ok_or_else(|| RpcError::server("unknown block"))?;
                Ok((header.number, header.number))
            }
            FilterBlockOption::Range {
                from_block,
                to_block,
            } => {
                let from = from_block.map_or(Some(head), |t| self.number_of(t));
                let to = to_block
                    .map_or(Some(head), |t| self.number_of(t))
                    .unwrap_or(head);
                // a start beyond the head matches nothing (yet)
                let from = from.unwrap_or(head + 1);
                if let (Some(f), Some(t)) = (
                    from_block.and_then(|b| b.as_number()),
                    to_block.and_then(|b| b.as_number()),
                ) && f > t
                {
                    return Err(RpcError::invalid_params("invalid block range params"));
                }
                Ok((from, to))
            }
        }
    }

    /// Logs of `filter` within `from..=to`, bounded by the configured limits.
    pub(crate) async fn logs_in(
        &self,
        filter: &Filter,
        from: u64,
        to: u64,
    ) -> Result<Vec<Log>, RpcError> {
        if from > to {
            return Ok(Vec::new());
        }
        if to - from >= self.config.max_logs_block_range {
            return Err(RpcError::server(format!(
                "query exceeds max block range {}",
                self.config.max_logs_block_range
            )));
        }
        let mut query = LogFilter::range(from, to);
        query.addresses = filter.address.iter().copied().collect();
        for (position, topic) in filter.topics.iter().enumerate() {
            query.topics[position] = topic.iter().copied().collect();
        }
        match self.node.store().logs(&query, self.config.max_logs).await {
            Ok(logs) => Ok(logs.into_iter().map(convert::log).collect()),
            Err(StoreError::TooManyLogs { limit }) => Err(RpcError::server(format!(
                "query returned more than {limit} results"
            ))),
            Err(StoreError::InvalidFilter { reason }) => Err(RpcError::invalid_params(reason)),
            Err(e) => Err(e.into()),
        }
    }
}
