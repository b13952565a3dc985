//! Chain ids.
//!
//! The devnet's L2 chain id is a constant distinct from anvil's, so that a transaction signed for one
//! chain can never replay on the other. Real networks configure their own L2 chain id; it is recorded in
//! the Rollup contract and in the [`Deployment`](crate::Deployment).

/// Chain id of the Tributary devnet L2.
pub const L2_DEVNET_CHAIN_ID: u64 = 424_242;

/// Chain id of the local L1 (anvil's default).
pub const L1_ANVIL_CHAIN_ID: u64 = 31_337;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devnet_chain_ids_are_distinct() {
        assert_ne!(L2_DEVNET_CHAIN_ID, L1_ANVIL_CHAIN_ID);
        assert_ne!(L2_DEVNET_CHAIN_ID, 1);
    }
}
