//! The rollup config: the chain parameters that make L2 blocks a pure function of their inputs
//! (docs/derivation.md, "Inputs and the rollup config").
//!
//! The sequencer builds blocks with it and derivation (sequencer restart, prover) checks them with
//! the same values, so it is plain data with a JSON form that travels next to the `Deployment`.

use alloy_eips::eip1559::{BaseFeeParams, calc_next_block_base_fee};
use serde::{Deserialize, Serialize};

use crate::chain::L2_DEVNET_CHAIN_ID;

/// OP Stack's EIP-1559 denominator since Canyon (base fee moves at most 1/250 × elasticity-ish per
/// block, gentler than Ethereum's 1/8 because L2 blocks are frequent).
pub const DEFAULT_EIP1559_DENOMINATOR: u64 = 250;
/// OP Stack's EIP-1559 elasticity: the gas target is a sixth of the gas limit.
pub const DEFAULT_EIP1559_ELASTICITY: u64 = 6;
/// OP Stack's Ecotone default `baseFeeScalar` (L1 base fee share of the L1 data fee).
pub const DEFAULT_BASE_FEE_SCALAR: u32 = 1_368;
/// OP Stack's Ecotone default `blobBaseFeeScalar`.
pub const DEFAULT_BLOB_BASE_FEE_SCALAR: u32 = 810_949;

/// Chain parameters shared by block building and derivation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollupConfig {
    /// L2 chain id.
    pub l2_chain_id: u64,
    /// EIP-1559 base fee max change denominator.
    pub eip1559_denominator: u64,
    /// EIP-1559 elasticity multiplier (gas target = gas limit / elasticity).
    pub eip1559_elasticity: u64,
    /// Seconds an L2 block's timestamp may run ahead of its L1 origin's.
    pub max_sequencer_drift: u64,
    /// L1 blocks after which an origin without batches is force-included by derivation.
    pub sequencing_window: u64,
    /// L1 fee scalar on the L1 base fee (Ecotone), written by the L1-info deposit.
    pub base_fee_scalar: u32,
    /// L1 fee scalar on the L1 blob base fee (Ecotone), written by the L1-info deposit.
    pub blob_base_fee_scalar: u32,
}

impl RollupConfig {
    /// The devnet's values (OP Stack defaults, a sequencing window of 64 L1 blocks).
    pub const fn devnet() -> Self {
        Self {
            l2_chain_id: L2_DEVNET_CHAIN_ID,
            eip1559_denominator: DEFAULT_EIP1559_DENOMINATOR,
            eip1559_elasticity: DEFAULT_EIP1559_ELASTICITY,
            max_sequencer_drift: 600,
            sequencing_window: 64,
            base_fee_scalar: DEFAULT_BASE_FEE_SCALAR,
            blob_base_fee_scalar: DEFAULT_BLOB_BASE_FEE_SCALAR,
        }
    }

    /// The EIP-1559 parameters in alloy's form.
    pub const fn base_fee_params(&self) -> BaseFeeParams {
        BaseFeeParams::new(
            self.eip1559_denominator as u128,
            self.eip1559_elasticity as u128,
        )
    }

    /// Base fee of the block after a parent with these values (EIP-1559 with our parameters).
    pub fn next_base_fee(
        &self,
        parent_gas_used: u64,
        parent_gas_limit: u64,
        parent_base_fee: u64,
    ) -> u64 {
        calc_next_block_base_fee(
            parent_gas_used,
            parent_gas_limit,
            parent_base_fee,
            self.base_fee_params(),
        )
    }
}

impl Default for RollupConfig {
    fn default() -> Self {
        Self::devnet()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_fee_follows_eip1559_with_op_parameters() {
        let c = RollupConfig::devnet();
        let limit = 30_000_000;
        let target = limit / 6;
        // at target: unchanged
        assert_eq!(c.next_base_fee(target, limit, 1_000_000_000), 1_000_000_000);
        // full block: + (limit - target) / target / 250 = +2%
        assert_eq!(c.next_base_fee(limit, limit, 1_000_000_000), 1_020_000_000);
        // empty block: -1/250
        assert_eq!(c.next_base_fee(0, limit, 1_000_000_000), 996_000_000);
    }

    #[test]
    fn json_round_trip_uses_camel_case() {
        let c = RollupConfig::devnet();
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains("\"l2ChainId\":424242"), "{json}");
        assert_eq!(serde_json::from_str::<RollupConfig>(&json).unwrap(), c);
    }
}
