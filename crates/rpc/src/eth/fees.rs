//! Fee suggestions and history.

use alloy::{consensus::Transaction as _, eips::BlockNumberOrTag, rpc::types::FeeHistory};
use alloy_primitives::U256;

use crate::{
    RpcError,
    eth::{EthApi, convert},
};

impl EthApi {
    /// `eth_gasPrice`: next block's base fee plus the suggested tip.
    pub(crate) fn gas_price(&self) -> U256 {
        U256::from(u128::from(self.node.next_base_fee()) + self.config.suggested_tip)
    }

    /// `eth_feeHistory`: base fees of `count` blocks up to `newest` plus the next one, gas used
    /// ratios, and per block the effective tips at the requested gas-weighted percentiles.
    pub(crate) async fn fee_history(
        &self,
        count: u64,
        newest: BlockNumberOrTag,
        percentiles: Option<Vec<f64>>,
    ) -> Result<FeeHistory, RpcError> {
        let percentiles = percentiles.unwrap_or_default();
        if percentiles.len() > 100 {
            return Err(RpcError::invalid_params("too many reward percentiles"));
        }
        if percentiles.windows(2).any(|w| w[0] > w[1])
            || percentiles.iter().any(|p| !(0.0..=100.0).contains(p))
        {
            return Err(RpcError::invalid_params(
                "reward percentiles must be ascending and within [0, 100]",
            ));
        }
        let count = count.min(self.config.max_fee_history);
        let newest = self
            .number_of(newest)
            .ok_or_else(|| RpcError::server("request beyond head block"))?;
        if count == 0 {
            return Ok(FeeHistory::default());
        }
        let oldest = newest.saturating_sub(count - 1);
        let store = self.node.store();
        let mut history = FeeHistory {
            oldest_block: oldest,
            ..Default::default()
        };
        let mut last = None;
        for number in oldest..=newest {
            let header = store
                .header_by_number(number)
                .await?
                .ok_or_else(|| RpcError::internal(format!("block {number} missing")))?;
            let base_fee = header.base_fee_per_gas.unwrap_or_default();
            history.base_fee_per_gas.push(base_fee.into());
            history.base_fee_per_blob_gas.push(1);
            history.blob_gas_used_ratio.push(0.0);
            history
                .gas_used_ratio
                .push(header.gas_used as f64 / header.gas_limit.max(1) as f64);
            if !percentiles.is_empty() {
                let rewards = self
                    .rewards(number, base_fee, header.gas_used, &percentiles)
                    .await?;
                history.reward.get_or_insert_with(Vec::new).push(rewards);
            }
            last = Some(header);
        }
        if let Some(last) = last {
            let next = self.node.base_fee_after(&last);
            history.base_fee_per_gas.push(next.into());
            history.base_fee_per_blob_gas.push(1);
        }
        Ok(history)
    }

    /// Effective tips of block `number` at gas-weighted `percentiles` (geth's algorithm).
    async fn rewards(
        &self,
        number: u64,
        base_fee: u64,
        gas_used: u64,
        percentiles: &[f64],
    ) -> Result<Vec<u128>, RpcError> {
        let store = self.node.store();
        let txs = store.block_transactions(number).await?;
        let receipts = store.block_receipts(number).await?;
        let mut tips: Vec<(u128, u64)> = Vec::with_capacity(txs.len());
        for (tx, receipt) in txs.iter().zip(&receipts) {
            let envelope = convert::envelope(&tx.raw)?;
            let tip = envelope.effective_tip_per_gas(base_fee).unwrap_or_default();
            tips.push((tip, receipt.gas_used));
        }
        tips.sort_unstable_by_key(|(tip, _)| *tip);
        if tips.is_empty() || gas_used == 0 {
            return Ok(vec![0; percentiles.len()]);
        }
        let mut out = Vec::with_capacity(percentiles.len());
        let mut index = 0;
        let mut sum = tips[0].1;
        for p in percentiles {
            let threshold = (gas_used as f64 * p / 100.0) as u64;
            while sum < threshold && index < tips.len() - 1 {
                index += 1;
                sum += tips[index].1;
            }
            out.push(tips[index].0);
        }
        Ok(out)
    }
}
