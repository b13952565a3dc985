//! Deploys Tributary's L1 contracts and describes the result as a [`Deployment`].
//!
//! ```text
//! DeployConfig + deployer key ──► L1 JSON-RPC (anvil, or any Ethereum node)
//!     1. OpenToken(treasury)                         whole OPEN supply to the treasury
//!     2. Rollup(Config{roles, window, bonds, l2ChainId, l2GenesisHash})
//!     3. Portal(token, rollup, maxDepositGasLimit, maxDepositGasPerL1Block)
//!   each transaction is awaited to its receipt, in this order
//!     └─► Deployment { chain ids, deploy block, addresses, roles, parameters }  ──► deployment.json
//! ```
//!
//! The `deploy` binary is a thin clap front end over [`deploy`] ([`DeployConfig`] defaults are the
//! binary's defaults). Roles left unset default to the deployer, which suits a devnet; production sets
//! each role explicitly. Logs use the `deploy` tracing target.
//!
//! Errors are [`DeployError`]s; contract reverts are decoded with
//! [`tributary_contracts::ContractRevert`].

pub mod error;

pub use error::{DeployError, Result};

use alloy::{
    network::{Ethereum, TransactionBuilder},
    primitives::{Address, B256, TxHash, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
};
use tracing::info;
use tributary_contracts::{ContractRevert, OpenToken, Portal, Rollup};
use tributary_primitives::{BlockRef, Contracts, Deployment, Roles, chain};

/// Default challenge window: 12 seconds, one L1 slot, for devnets.
pub const DEFAULT_CHALLENGE_WINDOW_SECS: u64 = 12;
/// Default proposer bond: 1 ETH.
pub const DEFAULT_PROPOSER_BOND: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// Default challenger bond: 0.5 ETH (a challenge should be cheaper than a proposal it disputes).
pub const DEFAULT_CHALLENGER_BOND: U256 = U256::from_limbs([500_000_000_000_000_000, 0, 0, 0]);
/// Default largest deposit gas limit: 20M, OP Stack's `maxResourceLimit`.
pub const DEFAULT_MAX_DEPOSIT_GAS_LIMIT: u64 = 20_000_000;
/// Default deposit gas per L1 block: 20M, OP Stack's `maxResourceLimit` is also its per-block cap. All
/// deposits of an L1 block run in one L2 block, so the L2 block gas limit must hold this much.
pub const DEFAULT_MAX_DEPOSIT_GAS_PER_L1_BLOCK: u64 = 20_000_000;

/// Role assignments; `None` means "the deployer".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoleConfig {
    /// Rollup owner.
    pub owner: Option<Address>,
    /// Batch submitter.
    pub batcher: Option<Address>,
    /// Output proposer.
    pub proposer: Option<Address>,
    /// Guardian (pause, resolve challenges).
    pub guardian: Option<Address>,
    /// Receives the whole OPEN supply.
    pub treasury: Option<Address>,
}

impl RoleConfig {
    /// Fills unset roles with `deployer`.
    pub fn resolve(&self, deployer: Address) -> Roles {
        Roles {
            owner: self.owner.unwrap_or(deployer),
            batcher: self.batcher.unwrap_or(deployer),
            proposer: self.proposer.unwrap_or(deployer),
            guardian: self.guardian.unwrap_or(deployer),
            treasury: self.treasury.unwrap_or(deployer),
        }
    }
}

/// What to deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployConfig {
    /// Chain id of the L2, recorded in the Rollup.
    pub l2_chain_id: u64,
    /// Hash of L2 block 0, recorded in the Rollup (zero until a genesis exists).
    pub l2_genesis_hash: B256,
    /// Role holders.
    pub roles: RoleConfig,
    /// Seconds an output stays challengeable.
    pub challenge_window_secs: u64,
    /// Wei paid with every output proposal.
    pub proposer_bond: U256,
    /// Wei paid with every challenge.
    pub challenger_bond: U256,
    /// The largest gas limit a deposit may ask for.
    pub max_deposit_gas_limit: u64,
    /// The largest sum of deposit gas limits in one L1 block (at least `max_deposit_gas_limit`).
    pub max_deposit_gas_per_l1_block: u64,
}

impl Default for DeployConfig {
    fn default() -> Self {
        Self {
            l2_chain_id: chain::L2_DEVNET_CHAIN_ID,
            l2_genesis_hash: B256::ZERO,
            roles: RoleConfig::default(),
            challenge_window_secs: DEFAULT_CHALLENGE_WINDOW_SECS,
            proposer_bond: DEFAULT_PROPOSER_BOND,
            challenger_bond: DEFAULT_CHALLENGER_BOND,
            max_deposit_gas_limit: DEFAULT_MAX_DEPOSIT_GAS_LIMIT,
            max_deposit_gas_per_l1_block: DEFAULT_MAX_DEPOSIT_GAS_PER_L1_BLOCK,
        }
    }
}

impl DeployConfig {
    /// Sets the role holders.
    #[must_use]
    pub const fn with_roles(mut self, roles: RoleConfig) -> Self {
        self.roles = roles;
        self
    }

    /// Sets the L2 genesis hash.
    #[must_use]
    pub const fn with_l2_genesis_hash(mut self, hash: B256) -> Self {
        self.l2_genesis_hash = hash;
        self
    }

    /// Sets the challenge window.
    #[must_use]
    pub const fn with_challenge_window_secs(mut self, secs: u64) -> Self {
        self.challenge_window_secs = secs;
        self
    }

    /// Sets the per-deposit gas limit and the deposit gas cap per L1 block.
    #[must_use]
    pub const fn with_deposit_gas(mut self, max_per_deposit: u64, max_per_l1_block: u64) -> Self {
        self.max_deposit_gas_limit = max_per_deposit;
        self.max_deposit_gas_per_l1_block = max_per_l1_block;
        self
    }

    /// Checks the configuration against the L1 it will be deployed to.
    pub fn validate(&self, l1_chain_id: u64) -> Result<()> {
        let invalid = |reason: &str| {
            Err(DeployError::InvalidConfig {
                reason: reason.into(),
            })
        };
        if self.l2_chain_id == 0 {
            return invalid("l2 chain id is zero");
        }
        if self.l2_chain_id == l1_chain_id {
            return invalid(&format!(
                "l2 chain id {} equals the l1 chain id",
                self.l2_chain_id
            ));
        }
        if self.max_deposit_gas_limit < 21_000 {
            return invalid("max deposit gas limit is below 21000");
        }
        if self.max_deposit_gas_per_l1_block < self.max_deposit_gas_limit {
            return invalid(&format!(
                "max deposit gas per l1 block {} is below the max deposit gas limit {}",
                self.max_deposit_gas_per_l1_block, self.max_deposit_gas_limit
            ));
        }
        let r = &self.roles;
        if [r.owner, r.batcher, r.proposer, r.guardian, r.treasury].contains(&Some(Address::ZERO)) {
            return invalid("a role is the zero address");
        }
        Ok(())
    }
}

/// Deploys OpenToken, Rollup and Portal with `provider`, whose wallet signs as `deployer`.
///
/// Transactions are sent one at a time and awaited to their receipts. The returned deployment's
/// `deploy_block` is the block of the last (Portal) deployment.
pub async fn deploy<P: Provider<Ethereum>>(
    provider: &P,
    deployer: Address,
    config: &DeployConfig,
) -> Result<Deployment> {
    let l1_chain_id = provider.get_chain_id().await?;
    config.validate(l1_chain_id)?;
    let roles = config.roles.resolve(deployer);
    info!(target: "deploy", %deployer, l1_chain_id, l2_chain_id = config.l2_chain_id, "deploying");

    let token = OpenToken::deploy_builder(provider, roles.treasury);
    let (open_token, _) = finish("OpenToken", token.into_transaction_request(), provider).await?;

    let rollup_config = Rollup::Config {
        owner: roles.owner,
        batcher: roles.batcher,
        proposer: roles.proposer,
        guardian: roles.guardian,
        challengeWindow: config.challenge_window_secs,
        proposerBond: config.proposer_bond,
        challengerBond: config.challenger_bond,
        l2ChainId: config.l2_chain_id,
        l2GenesisHash: config.l2_genesis_hash,
    };
    let rollup_tx = Rollup::deploy_builder(provider, rollup_config);
    let (rollup, _) = finish("Rollup", rollup_tx.into_transaction_request(), provider).await?;

    let portal_tx = Portal::deploy_builder(
        provider,
        open_token,
        rollup,
        config.max_deposit_gas_limit,
        config.max_deposit_gas_per_l1_block,
    );
    let (portal, receipt) =
        finish("Portal", portal_tx.into_transaction_request(), provider).await?;

    let tx = receipt.transaction_hash;
    let missing = |missing| DeployError::IncompleteReceipt {
        contract: "Portal",
        tx,
        missing,
    };
    let deploy_block = BlockRef {
        number: receipt
            .block_number
            .ok_or_else(|| missing("block number"))?,
        hash: receipt.block_hash.ok_or_else(|| missing("block hash"))?,
    };

    let deployment = Deployment {
        l1_chain_id,
        l2_chain_id: config.l2_chain_id,
        deploy_block,
        contracts: Contracts {
            open_token,
            rollup,
            portal,
        },
        roles,
        challenge_window_secs: config.challenge_window_secs,
        proposer_bond: config.proposer_bond,
        challenger_bond: config.challenger_bond,
        l2_genesis_hash: config.l2_genesis_hash,
        max_deposit_gas_limit: config.max_deposit_gas_limit,
        max_deposit_gas_per_l1_block: config.max_deposit_gas_per_l1_block,
    };
    deployment.validate()?;
    info!(target: "deploy", %open_token, %rollup, %portal, block = deploy_block.number, "deployed");
    Ok(deployment)
}

/// Sends a deployment transaction and waits for its receipt; returns the created address.
async fn finish<P: Provider<Ethereum>>(
    contract: &'static str,
    tx: alloy::rpc::types::TransactionRequest,
    provider: &P,
) -> Result<(Address, TransactionReceipt)> {
    // Estimate first so that a reverting constructor reports its decoded error.
    let gas = provider.estimate_gas(tx.clone()).await.map_err(|e| {
        let source = alloy::contract::Error::from(e);
        let revert = ContractRevert::from_contract_error(&source).map(Box::new);
        DeployError::Send {
            contract,
            revert,
            source: Box::new(source),
        }
    })?;
    let tx = tx.with_gas_limit(gas + gas / 5);
    let pending = provider.send_transaction(tx).await?;
    let hash: TxHash = *pending.tx_hash();
    let receipt = pending
        .get_receipt()
        .await
        .map_err(|source| DeployError::Pending { contract, source })?;
    if !receipt.status() {
        return Err(DeployError::Reverted { contract, tx: hash });
    }
    let address = receipt
        .contract_address
        .ok_or(DeployError::IncompleteReceipt {
            contract,
            tx: hash,
            missing: "contract address",
        })?;
    info!(target: "deploy", contract, %address, tx = %hash, gas_used = receipt.gas_used, "contract deployed");
    Ok((address, receipt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_devnet_values() {
        let c = DeployConfig::default();
        assert_eq!(c.l2_chain_id, 424_242);
        assert_eq!(c.challenge_window_secs, 12);
        assert_eq!(DEFAULT_PROPOSER_BOND.to_string(), "1000000000000000000");
        assert_eq!(DEFAULT_CHALLENGER_BOND.to_string(), "500000000000000000");
        assert_eq!(c.max_deposit_gas_limit, 20_000_000);
        assert_eq!(c.max_deposit_gas_per_l1_block, 20_000_000);
        assert!(c.validate(chain::L1_ANVIL_CHAIN_ID).is_ok());
    }

    #[test]
    fn unset_roles_default_to_the_deployer() {
        let deployer = Address::repeat_byte(0xd);
        let batcher = Address::repeat_byte(0xb);
        let roles = RoleConfig {
            batcher: Some(batcher),
            ..Default::default()
        }
        .resolve(deployer);
        assert_eq!(roles.batcher, batcher);
        assert_eq!(
            [roles.owner, roles.proposer, roles.guardian, roles.treasury],
            [deployer; 4]
        );
    }

    #[test]
    fn invalid_configs_are_refused() {
        let l1 = chain::L1_ANVIL_CHAIN_ID;
        let same = DeployConfig {
            l2_chain_id: l1,
            ..Default::default()
        };
        assert!(matches!(
            same.validate(l1),
            Err(DeployError::InvalidConfig { .. })
        ));
        let zero_role = DeployConfig::default().with_roles(RoleConfig {
            guardian: Some(Address::ZERO),
            ..Default::default()
        });
        assert!(zero_role.validate(l1).is_err());
        let low_gas = DeployConfig {
            max_deposit_gas_limit: 20_999,
            ..Default::default()
        };
        assert!(low_gas.validate(l1).is_err());
        let cap_below_limit = DeployConfig::default().with_deposit_gas(20_000_000, 19_999_999);
        let err = cap_below_limit.validate(l1).unwrap_err().to_string();
        assert!(err.contains("max deposit gas per l1 block"), "{err}");
        assert!(
            DeployConfig::default()
                .with_deposit_gas(21_000, 21_000)
                .validate(l1)
                .is_ok()
        );
        assert!(
            !DeployError::InvalidConfig {
                reason: String::new()
            }
            .is_transient()
        );
    }
}
