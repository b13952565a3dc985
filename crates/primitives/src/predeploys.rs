//! The predeploy table: every contract that exists at a fixed address from L2 genesis.
//!
//! This is the single source of truth for those addresses. OP Stack addresses are used where an
//! equivalent exists (wallets, foundry and indexers already know them); Tributary's own contracts take
//! the `0x4200…01xx` range. Genesis also carries the contracts developers expect on any EVM chain:
//! Multicall3, the deterministic CREATE2 deployer used by `forge script`, the EIP-2935 block hash
//! history contract and the EIP-4788 beacon roots contract.

use alloy_primitives::{Address, address};

/// OP Stack's `L1Block`: holds the L1 origin's attributes, written by the L1-info deposit at the start
/// of every L2 block.
pub const L1_BLOCK: Address = address!("0x4200000000000000000000000000000000000015");
/// OP Stack's `L2ToL1MessagePasser`: stores withdrawal hashes that the L1 Portal proves against.
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("0x4200000000000000000000000000000000000016");
/// OP Stack's `SequencerFeeVault`: the block coinbase, receives priority fees.
pub const SEQUENCER_FEE_VAULT: Address = address!("0x4200000000000000000000000000000000000011");
/// OP Stack's `BaseFeeVault`: receives the EIP-1559 base fee.
pub const BASE_FEE_VAULT: Address = address!("0x4200000000000000000000000000000000000019");
/// OP Stack's `L1FeeVault`: receives the L1 data fee.
pub const L1_FEE_VAULT: Address = address!("0x420000000000000000000000000000000000001A");
/// Multicall3, at its address on every chain.
pub const MULTICALL3: Address = address!("0xcA11bde05977b3631167028862bE2a173976CA11");
/// The deterministic CREATE2 deployer (Arachnid's), used by `forge script`.
pub const CREATE2_DEPLOYER: Address = address!("0x4e59b44847b379578588920ca78fbf26c0b4956c");
/// The EIP-2935 block hash history contract.
pub const HISTORY_STORAGE: Address = address!("0x0000F90827F1C53a10cb7A02335B175320002935");
/// The EIP-4788 beacon block root contract (the executor's system call stores the L1 origin's parent
/// beacon block root there).
pub const BEACON_ROOTS: Address = address!("0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02");
/// Tributary's `DataNetRegistry`: DataNets, validator stakes and contributions (first of Tributary's
/// own `0x4200…01xx` slots; docs/attribution.md).
pub const DATANET_REGISTRY: Address = address!("0x4200000000000000000000000000000000000100");
/// Tributary's `ModelRegistry`: models and LoRA adapters, their fees, providers and linked DataNets.
pub const MODEL_REGISTRY: Address = address!("0x4200000000000000000000000000000000000101");
/// Tributary's `AttributionSettlement`: settles paid inferences and splits their fees.
pub const ATTRIBUTION_SETTLEMENT: Address = address!("0x4200000000000000000000000000000000000102");

/// Where a predeploy's address comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The address OP Stack uses for the same contract.
    OpStack,
    /// The address the contract has on every EVM chain (Multicall3, CREATE2 deployer, EIP-2935,
    /// EIP-4788).
    Universal,
    /// One of Tributary's own `0x4200…01xx` slots.
    Tributary,
}

/// One row of the predeploy table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Predeploy {
    /// Contract name, as in its Solidity source where one exists.
    pub name: &'static str,
    /// Its address from genesis.
    pub address: Address,
    /// Where the address comes from.
    pub origin: Origin,
}

/// Every predeploy, in address order within each origin.
pub const PREDEPLOYS: &[Predeploy] = &[
    Predeploy {
        name: "SequencerFeeVault",
        address: SEQUENCER_FEE_VAULT,
        origin: Origin::OpStack,
    },
    Predeploy {
        name: "L1Block",
        address: L1_BLOCK,
        origin: Origin::OpStack,
    },
    Predeploy {
        name: "L2ToL1MessagePasser",
        address: L2_TO_L1_MESSAGE_PASSER,
        origin: Origin::OpStack,
    },
    Predeploy {
        name: "BaseFeeVault",
        address: BASE_FEE_VAULT,
        origin: Origin::OpStack,
    },
    Predeploy {
        name: "L1FeeVault",
        address: L1_FEE_VAULT,
        origin: Origin::OpStack,
    },
    Predeploy {
        name: "Multicall3",
        address: MULTICALL3,
        origin: Origin::Universal,
    },
    Predeploy {
        name: "Create2Deployer",
        address: CREATE2_DEPLOYER,
        origin: Origin::Universal,
    },
    Predeploy {
        name: "HistoryStorage",
        address: HISTORY_STORAGE,
        origin: Origin::Universal,
    },
    Predeploy {
        name: "BeaconRoots",
        address: BEACON_ROOTS,
        origin: Origin::Universal,
    },
    Predeploy {
        name: "DataNetRegistry",
        address: DATANET_REGISTRY,
        origin: Origin::Tributary,
    },
    Predeploy {
        name: "ModelRegistry",
        address: MODEL_REGISTRY,
        origin: Origin::Tributary,
    },
    Predeploy {
        name: "AttributionSettlement",
        address: ATTRIBUTION_SETTLEMENT,
        origin: Origin::Tributary,
    },
];

/// Looks up a predeploy's address by name.
pub fn by_name(name: &str) -> Option<Address> {
    PREDEPLOYS
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.address)
}

/// Looks up a predeploy by address.
pub fn by_address(address: Address) -> Option<&'static Predeploy> {
    PREDEPLOYS.iter().find(|p| p.address == address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_addresses_are_unique() {
        let names: HashSet<_> = PREDEPLOYS.iter().map(|p| p.name).collect();
        let addresses: HashSet<_> = PREDEPLOYS.iter().map(|p| p.address).collect();
        assert_eq!(names.len(), PREDEPLOYS.len());
        assert_eq!(addresses.len(), PREDEPLOYS.len());
    }

    #[test]
    fn op_and_tributary_slots_are_in_the_0x4200_namespace() {
        let prefix = [0x42u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        for p in PREDEPLOYS.iter().filter(|p| p.origin != Origin::Universal) {
            assert_eq!(&p.address[..17], &prefix, "{}", p.name);
        }
        for p in PREDEPLOYS.iter().filter(|p| p.origin == Origin::Tributary) {
            assert_eq!(p.address[18], 0x01, "{} must sit in 0x4200…01xx", p.name);
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(
            by_name("L2ToL1MessagePasser"),
            Some(L2_TO_L1_MESSAGE_PASSER)
        );
        assert_eq!(by_address(L1_FEE_VAULT).map(|p| p.name), Some("L1FeeVault"));
        assert_eq!(
            by_name("AttributionSettlement"),
            Some(ATTRIBUTION_SETTLEMENT)
        );
        assert_eq!(by_name("nope"), None);
    }
}
