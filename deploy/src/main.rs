//! `deploy`: deploys Tributary's L1 contracts (OpenToken, Rollup, Portal) and writes the deployment JSON.
//!
//! ```text
//! DEPLOYER_PRIVATE_KEY=0x… deploy --l1-rpc-url http://127.0.0.1:8546 --out deployment.json
//! ```
//!
//! Every flag also reads an environment variable (see `--help`). Roles default to the deployer.

use std::path::PathBuf;

use alloy::transports::http::reqwest::Url;
use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, U256},
    providers::ProviderBuilder,
    signers::local::PrivateKeySigner,
};
use clap::Parser;
use eyre::WrapErr;
use tracing_subscriber::EnvFilter;
use tributary_deploy::{
    DEFAULT_CHALLENGE_WINDOW_SECS, DEFAULT_CHALLENGER_BOND, DEFAULT_MAX_DEPOSIT_GAS_LIMIT,
    DEFAULT_MAX_DEPOSIT_GAS_PER_L1_BLOCK, DEFAULT_PROPOSER_BOND, DeployConfig, RoleConfig,
};
use tributary_primitives::chain::L2_DEVNET_CHAIN_ID;

/// Deploy Tributary's L1 contracts and write the deployment JSON.
#[derive(Debug, Parser)]
#[command(name = "deploy", version)]
struct Args {
    /// L1 JSON-RPC endpoint (the devnet's anvil listens on 8546).
    #[arg(
        long,
        visible_alias = "l1-rpc",
        env = "L1_RPC_URL",
        default_value = "http://127.0.0.1:8546"
    )]
    l1_rpc_url: Url,

    /// Deployer private key (hex). Prefer the environment variable to the flag.
    #[arg(long, env = "DEPLOYER_PRIVATE_KEY", hide_env_values = true)]
    private_key: PrivateKeySigner,

    /// Where to write the deployment JSON.
    #[arg(long, env = "DEPLOYMENT_OUT", default_value = "deployment.json")]
    out: PathBuf,

    /// L2 chain id, recorded in the Rollup.
    #[arg(long, env = "L2_CHAIN_ID", default_value_t = L2_DEVNET_CHAIN_ID)]
    l2_chain_id: u64,

    /// Hash of L2 block 0, recorded in the Rollup.
    #[arg(long, env = "L2_GENESIS_HASH", default_value_t = B256::ZERO)]
    l2_genesis_hash: B256,

    /// Rollup owner [default: deployer].
    #[arg(long, env = "ROLLUP_OWNER")]
    owner: Option<Address>,
    /// Batcher [default: deployer].
    #[arg(long, env = "ROLLUP_BATCHER")]
    batcher: Option<Address>,
    /// Proposer [default: deployer].
    #[arg(long, env = "ROLLUP_PROPOSER")]
    proposer: Option<Address>,
    /// Guardian [default: deployer].
    #[arg(long, env = "ROLLUP_GUARDIAN")]
    guardian: Option<Address>,
    /// Receiver of the whole OPEN supply [default: deployer].
    #[arg(long, env = "OPEN_TREASURY")]
    treasury: Option<Address>,

    /// Challenge window in seconds (7 days = 604800 in production).
    #[arg(long, env = "CHALLENGE_WINDOW_SECS", default_value_t = DEFAULT_CHALLENGE_WINDOW_SECS)]
    challenge_window_secs: u64,
    /// Proposer bond in wei (default 1 ETH).
    #[arg(long, env = "PROPOSER_BOND_WEI", default_value_t = DEFAULT_PROPOSER_BOND)]
    proposer_bond_wei: U256,
    /// Challenger bond in wei (default 0.5 ETH).
    #[arg(long, env = "CHALLENGER_BOND_WEI", default_value_t = DEFAULT_CHALLENGER_BOND)]
    challenger_bond_wei: U256,
    /// Largest gas limit of a deposit.
    #[arg(long, env = "MAX_DEPOSIT_GAS_LIMIT", default_value_t = DEFAULT_MAX_DEPOSIT_GAS_LIMIT)]
    max_deposit_gas_limit: u64,
    /// Largest sum of deposit gas limits in one L1 block (at least --max-deposit-gas-limit). All deposits
    /// of an L1 block run in one L2 block: keep it within the L2 block gas limit.
    #[arg(long, env = "MAX_DEPOSIT_GAS_PER_L1_BLOCK", default_value_t = DEFAULT_MAX_DEPOSIT_GAS_PER_L1_BLOCK)]
    max_deposit_gas_per_l1_block: u64,
}

impl Args {
    fn into_config(self) -> (DeployConfig, PrivateKeySigner, Url, PathBuf) {
        let config = DeployConfig {
            l2_chain_id: self.l2_chain_id,
            l2_genesis_hash: self.l2_genesis_hash,
            roles: RoleConfig {
                owner: self.owner,
                batcher: self.batcher,
                proposer: self.proposer,
                guardian: self.guardian,
                treasury: self.treasury,
            },
            challenge_window_secs: self.challenge_window_secs,
            proposer_bond: self.proposer_bond_wei,
            challenger_bond: self.challenger_bond_wei,
            max_deposit_gas_limit: self.max_deposit_gas_limit,
            max_deposit_gas_per_l1_block: self.max_deposit_gas_per_l1_block,
        };
        (config, self.private_key, self.l1_rpc_url, self.out)
    }
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let (config, signer, url, out) = Args::parse().into_config();
    if config.l2_genesis_hash.is_zero() {
        tracing::warn!(target: "deploy", "no --l2-genesis-hash given; the Rollup records a zero genesis hash");
    }
    let deployer = signer.address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(url.clone());
    let deployment = tributary_deploy::deploy(&provider, deployer, &config)
        .await
        .wrap_err_with(|| format!("deploying to {url}"))?;
    deployment
        .save(&out)
        .wrap_err("writing the deployment file")?;
    tracing::info!(target: "deploy", out = %out.display(), "deployment written");
    Ok(())
}
