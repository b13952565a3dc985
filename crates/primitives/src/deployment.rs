//! The deployment file: what the deployer wrote to L1, read by the devnet, the sequencer and the prover.
//!
//! ```text
//! deploy ──► deployment.json ──► devnet (funding deposits), sequencer (L1 watcher, batcher, proposer),
//!                                prover (where to read batches and outputs, which genesis to check)
//! ```
//!
//! JSON field names are snake_case; addresses and hashes are 0x-hex, wei amounts are 0x-hex quantities
//! (as `U256` serializes), chain ids, block numbers and gas amounts are JSON numbers.
//!
//! Readers that accept the devnet file too ([`Deployment::load_or_embedded`]) take either a bare
//! deployment or an object that embeds one under a top-level `deployment` key.

use std::path::Path;

use alloy_primitives::{Address, B256, U256};
use serde::{Deserialize, Serialize};

use crate::error::DeploymentError;

/// Where and how Tributary's L1 contracts are deployed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// Chain id of the L1.
    pub l1_chain_id: u64,
    /// Chain id of the L2 (also recorded in the Rollup contract).
    pub l2_chain_id: u64,
    /// The L1 block that contains the last deployment transaction; L1 watchers start here.
    pub deploy_block: BlockRef,
    /// Contract addresses on L1.
    pub contracts: Contracts,
    /// Role holders.
    pub roles: Roles,
    /// Seconds an output stays challengeable.
    pub challenge_window_secs: u64,
    /// Wei posted with every output proposal.
    pub proposer_bond: U256,
    /// Wei posted with every challenge.
    pub challenger_bond: U256,
    /// Hash of L2 block 0 (also recorded in the Rollup contract).
    pub l2_genesis_hash: B256,
    /// The largest gas limit a deposit may ask for.
    pub max_deposit_gas_limit: u64,
    /// The largest sum of deposit gas limits in one L1 block (the Portal's `maxDepositGasPerL1Block`).
    /// Derivation puts all deposits of an L1 block into one L2 block, so the L2 block gas limit must
    /// hold this much besides the L1-info deposit.
    pub max_deposit_gas_per_l1_block: u64,
}

/// An L1 block by number and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRef {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
}

/// L1 contract addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contracts {
    /// The OPEN ERC-20.
    pub open_token: Address,
    /// The Rollup contract (batches, outputs, challenges).
    pub rollup: Address,
    /// The Portal (deposits, withdrawals).
    pub portal: Address,
}

/// Role holders at deployment time (the owner may rotate batcher, proposer and guardian later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    /// Rollup owner (`Ownable2Step`).
    pub owner: Address,
    /// May submit batches.
    pub batcher: Address,
    /// May propose outputs.
    pub proposer: Address,
    /// May pause and resolve challenges.
    pub guardian: Address,
    /// Received the whole OPEN supply.
    pub treasury: Address,
}

impl Deployment {
    /// Parses and validates deployment JSON.
    pub fn from_json(json: &str) -> Result<Self, DeploymentError> {
        let deployment: Self =
            serde_json::from_str(json).map_err(|source| DeploymentError::Json {
                path: Default::default(),
                source,
            })?;
        deployment.validate()?;
        Ok(deployment)
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        // Serializing plain structs of numbers, strings and fixed bytes cannot fail.
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }

    /// Parses and validates deployment JSON that is either a bare deployment or an object embedding
    /// one under a top-level `deployment` key (the devnet file).
    pub fn from_json_or_embedded(json: &str) -> Result<Self, DeploymentError> {
        let json_error = |source| DeploymentError::Json {
            path: Default::default(),
            source,
        };
        let mut value: serde_json::Value = serde_json::from_str(json).map_err(json_error)?;
        if let Some(embedded) = value.get_mut("deployment") {
            value = embedded.take();
        }
        let deployment: Self = serde_json::from_value(value).map_err(json_error)?;
        deployment.validate()?;
        Ok(deployment)
    }

    /// Reads and validates a deployment file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, DeploymentError> {
        Self::load_with(path.as_ref(), Self::from_json)
    }

    /// Reads and validates a deployment file or a file embedding a deployment under a top-level
    /// `deployment` key (see [`Self::from_json_or_embedded`]).
    pub fn load_or_embedded(path: impl AsRef<Path>) -> Result<Self, DeploymentError> {
        Self::load_with(path.as_ref(), Self::from_json_or_embedded)
    }

    fn load_with(
        path: &Path,
        parse: fn(&str) -> Result<Self, DeploymentError>,
    ) -> Result<Self, DeploymentError> {
        let json = std::fs::read_to_string(path).map_err(|source| DeploymentError::Io {
            path: path.to_owned(),
            source,
        })?;
        parse(&json).map_err(|e| match e {
            DeploymentError::Json { source, .. } => DeploymentError::Json {
                path: path.to_owned(),
                source,
            },
            other => other,
        })
    }

    /// Validates and writes the deployment file atomically (temporary file, then rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), DeploymentError> {
        self.validate()?;
        let path = path.as_ref();
        let io = |source| DeploymentError::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        std::fs::write(&tmp, self.to_json()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// The smallest L2 block gas limit that holds every deposit of one L1 block besides the L1-info
    /// deposit: derivation executes them all in the first L2 block of that origin.
    pub const fn min_l2_block_gas_limit(&self) -> u64 {
        self.max_deposit_gas_per_l1_block
            .saturating_add(crate::l1_info::L1_INFO_DEPOSIT_GAS)
    }

    /// Checks what JSON alone cannot: distinct chains and set, distinct contract addresses, deposit gas
    /// limits the Portal accepts (`21000 <= max_deposit_gas_limit <= max_deposit_gas_per_l1_block`).
    pub fn validate(&self) -> Result<(), DeploymentError> {
        let invalid = |reason| Err(DeploymentError::Invalid { reason });
        if self.l1_chain_id == self.l2_chain_id {
            return invalid("l1_chain_id equals l2_chain_id");
        }
        let c = &self.contracts;
        if [c.open_token, c.rollup, c.portal].contains(&Address::ZERO) {
            return invalid("a contract address is zero");
        }
        if c.open_token == c.rollup || c.rollup == c.portal || c.open_token == c.portal {
            return invalid("contract addresses are not distinct");
        }
        if self.max_deposit_gas_limit < 21_000 {
            return invalid("max_deposit_gas_limit is below 21000");
        }
        if self.max_deposit_gas_per_l1_block < self.max_deposit_gas_limit {
            return invalid("max_deposit_gas_per_l1_block is below max_deposit_gas_limit");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, keccak256};

    fn sample() -> Deployment {
        let a = address!("0x00000000000000000000000000000000000000a1");
        Deployment {
            l1_chain_id: crate::chain::L1_ANVIL_CHAIN_ID,
            l2_chain_id: crate::chain::L2_DEVNET_CHAIN_ID,
            deploy_block: BlockRef {
                number: 3,
                hash: keccak256("block"),
            },
            contracts: Contracts {
                open_token: address!("0x00000000000000000000000000000000000000c1"),
                rollup: address!("0x00000000000000000000000000000000000000c2"),
                portal: address!("0x00000000000000000000000000000000000000c3"),
            },
            roles: Roles {
                owner: a,
                batcher: a,
                proposer: a,
                guardian: a,
                treasury: a,
            },
            challenge_window_secs: 12,
            proposer_bond: U256::from(10).pow(U256::from(18)),
            challenger_bond: U256::from(5) * U256::from(10).pow(U256::from(17)),
            l2_genesis_hash: keccak256("genesis"),
            max_deposit_gas_limit: 30_000_000,
            max_deposit_gas_per_l1_block: 60_000_000,
        }
    }

    #[test]
    fn json_round_trip_and_shape() {
        let d = sample();
        let json = d.to_json();
        assert_eq!(Deployment::from_json(&json).unwrap(), d);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["l2_chain_id"], 424242);
        assert_eq!(v["deploy_block"]["number"], 3);
        assert_eq!(v["proposer_bond"], "0xde0b6b3a7640000");
        assert_eq!(v["max_deposit_gas_limit"], 30_000_000);
        assert_eq!(v["max_deposit_gas_per_l1_block"], 60_000_000);
        assert!(v["contracts"]["portal"].as_str().unwrap().starts_with("0x"));
    }

    #[test]
    fn save_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/deployment.json");
        sample().save(&path).unwrap();
        assert_eq!(Deployment::load(&path).unwrap(), sample());
    }

    #[test]
    fn bad_input_is_typed() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Deployment::load(dir.path().join("none.json")).unwrap_err();
        assert!(matches!(missing, DeploymentError::Io { .. }) && !missing.is_bad_content());

        let path = dir.path().join("bad.json");
        std::fs::write(&path, "{\"l1_chain_id\": 1").unwrap();
        let err = Deployment::load(&path).unwrap_err();
        assert!(
            matches!(&err, DeploymentError::Json { path: p, .. } if p == &path),
            "{err}"
        );

        let mut same = sample();
        same.l2_chain_id = same.l1_chain_id;
        assert!(matches!(
            Deployment::from_json(&same.to_json()),
            Err(DeploymentError::Invalid { .. })
        ));
        assert!(same.save(dir.path().join("x.json")).is_err());
    }

    #[test]
    fn deposit_gas_cap_is_validated() {
        let mut d = sample();
        d.max_deposit_gas_per_l1_block = d.max_deposit_gas_limit;
        assert!(
            d.validate().is_ok(),
            "a cap equal to the per-deposit limit is fine"
        );
        d.max_deposit_gas_per_l1_block = d.max_deposit_gas_limit - 1;
        let err = Deployment::from_json(&d.to_json()).unwrap_err();
        assert!(
            err.to_string()
                .contains("max_deposit_gas_per_l1_block is below max_deposit_gas_limit"),
            "{err}"
        );
        assert_eq!(sample().min_l2_block_gas_limit(), 61_000_000);
        // The field is required: a deployment written before it existed does not load.
        let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        v.as_object_mut()
            .unwrap()
            .remove("max_deposit_gas_per_l1_block");
        let err = Deployment::from_json(&v.to_string()).unwrap_err();
        assert!(
            err.to_string().contains("max_deposit_gas_per_l1_block"),
            "{err}"
        );
    }

    #[test]
    fn embedded_deployment_loads() {
        let d = sample();
        let dir = tempfile::tempdir().unwrap();
        // The devnet file: the deployment under `deployment`, next to other keys.
        let devnet = serde_json::json!({
            "l1_rpc": "http://127.0.0.1:8546",
            "deployment": serde_json::from_str::<serde_json::Value>(&d.to_json()).unwrap(),
        });
        let path = dir.path().join("devnet.json");
        std::fs::write(&path, devnet.to_string()).unwrap();
        assert_eq!(Deployment::load_or_embedded(&path).unwrap(), d);
        assert!(
            Deployment::load(&path).is_err(),
            "the strict loader takes bare files only"
        );
        // A bare file loads both ways.
        let bare = dir.path().join("deployment.json");
        d.save(&bare).unwrap();
        assert_eq!(Deployment::load_or_embedded(&bare).unwrap(), d);
        // An embedded deployment is validated like a bare one, and errors name the file.
        let mut bad = d.clone();
        bad.l2_chain_id = bad.l1_chain_id;
        let devnet = serde_json::json!({ "deployment": serde_json::from_str::<serde_json::Value>(&bad.to_json()).unwrap() });
        std::fs::write(&path, devnet.to_string()).unwrap();
        assert!(matches!(
            Deployment::load_or_embedded(&path),
            Err(DeploymentError::Invalid { .. })
        ));
        std::fs::write(&path, "{\"deployment\": 7}").unwrap();
        assert!(matches!(
            Deployment::load_or_embedded(&path),
            Err(DeploymentError::Json { path: p, .. }) if p == path
        ));
    }
}
