//! First-run initialisation (genesis, deployment) and the readiness checks.

use std::{path::Path, time::Duration};

use alloy::{
    network::EthereumWallet,
    providers::{Provider, ProviderBuilder},
};
use eyre::{WrapErr, bail, eyre};
use serde_json::json;
use tracing::info;
use tributary_deploy::{DeployConfig, RoleConfig};
use tributary_genesis::{GenesisConfig, L2Genesis};
use tributary_primitives::{BlockRef, Deployment, chain::L2_DEVNET_CHAIN_ID, predeploys};

use crate::{
    Args,
    accounts::{self, Funding},
    process::Child,
};

/// Block gas limit of the devnet's L2 (the sequencer's throughput setting).
const L2_GAS_LIMIT: u64 = 150_000_000;

/// Waits until anvil answers (or dies).
pub(crate) async fn wait_for_l1(url: &str, anvil: &mut Child) -> eyre::Result<()> {
    let provider = ProviderBuilder::new().connect_http(url.parse()?);
    for _ in 0..300 {
        if provider.get_chain_id().await.is_ok() {
            return Ok(());
        }
        if let Some(status) = anvil.exited()? {
            bail!("anvil exited ({status}); see {}", anvil.log().display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("anvil did not answer on {url} within 30 s")
}

/// Builds the genesis, deploys the contracts recording its hash, and writes both files.
pub(crate) async fn initialise(args: &Args) -> eyre::Result<(Deployment, L2Genesis)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    // The origin is not part of the genesis hash: it is filled in once the deploy block exists.
    let config = GenesisConfig::new(
        L2_DEVNET_CHAIN_ID,
        now,
        BlockRef {
            number: 0,
            hash: Default::default(),
        },
    )
    .with_gas_limit(L2_GAS_LIMIT);
    let provisional = tributary_genesis::build(&config)?;

    let deployer = accounts::signer(accounts::DEPLOYER)?;
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(deployer.clone()))
        .connect_http(args.l1_rpc().parse()?);
    let roles = RoleConfig {
        batcher: Some(accounts::signer(accounts::BATCHER)?.address()),
        proposer: Some(accounts::signer(accounts::PROPOSER)?.address()),
        ..RoleConfig::default()
    };
    let deploy_config = DeployConfig::default()
        .with_roles(roles)
        .with_l2_genesis_hash(provisional.hash)
        .with_challenge_window_secs(args.challenge_window);
    let deployment = tributary_deploy::deploy(&provider, deployer.address(), &deploy_config)
        .await
        .wrap_err("deploying the L1 contracts")?;

    let genesis = tributary_genesis::build(&GenesisConfig {
        l1_origin: deployment.deploy_block,
        ..config
    })?;
    if genesis.hash != provisional.hash {
        bail!("the genesis hash depends on its L1 origin; the Rollup would record the wrong one");
    }
    deployment.save(args.dir.join("deployment.json"))?;
    genesis.write_json(&args.dir.join("genesis.json"))?;
    info!(target: "devnet", genesis = %genesis.hash, rollup = %deployment.contracts.rollup, "deployed");
    Ok((deployment, genesis))
}

/// The deployment and genesis of an existing devnet.
pub(crate) fn load(args: &Args) -> eyre::Result<(Deployment, L2Genesis)> {
    let deployment = Deployment::load(args.dir.join("deployment.json"))?;
    let genesis = L2Genesis::read_json(&args.dir.join("genesis.json"))?;
    Ok((deployment, genesis))
}

/// Waits until `child`'s `url` answers 200 (or the child dies).
pub(crate) async fn wait_healthy(url: &str, child: &mut Child) -> eyre::Result<()> {
    let client = alloy::transports::http::reqwest::Client::new();
    for _ in 0..1200 {
        if let Ok(response) = client.get(url).send().await
            && response.status().is_success()
        {
            info!(target: "devnet", name = child.name(), "ready");
            return Ok(());
        }
        if let Some(status) = child.exited()? {
            bail!(
                "the {} exited ({status}); see {}",
                child.name(),
                child.log().display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(eyre!(
        "the {} was not ready within 120 s ({url})",
        child.name()
    ))
}

/// Writes devnet.json: what a wallet, a script or a test needs to use the devnet.
pub(crate) fn write_devnet_json(
    args: &Args,
    deployment: &Deployment,
    genesis: L2Genesis,
    funding: &Funding,
    path: &Path,
) -> eyre::Result<()> {
    let operator = |index| -> eyre::Result<serde_json::Value> {
        let signer = accounts::signer(index)?;
        Ok(json!({ "address": signer.address(), "private_key": accounts::key_hex(index)? }))
    };
    let value = json!({
        "l1_rpc": args.l1_rpc(),
        "l2_rpc": args.l2_rpc(),
        "l2_ws": format!("ws://127.0.0.1:{}", args.l2_port),
        "health": args.health_url(),
        "metrics": format!("http://127.0.0.1:{}/metrics", args.metrics_port),
        "l1_chain_id": deployment.l1_chain_id,
        "l2_chain_id": deployment.l2_chain_id,
        "l2_genesis_hash": genesis.hash,
        "contracts": {
            "open_token": deployment.contracts.open_token,
            "rollup": deployment.contracts.rollup,
            "portal": deployment.contracts.portal,
            "l2_to_l1_message_passer": predeploys::L2_TO_L1_MESSAGE_PASSER,
            "l1_block": predeploys::L1_BLOCK,
            "datanet_registry": predeploys::DATANET_REGISTRY,
            "model_registry": predeploys::MODEL_REGISTRY,
            "attribution_settlement": predeploys::ATTRIBUTION_SETTLEMENT,
        },
        "gateway": args.gateway.then(|| args.gateway_url()),
        "funding": "deposits: each account deposited its L2 OPEN through the Portal on the first run",
        "accounts": funding.users,
        "operators": {
            "deployer": operator(accounts::DEPLOYER)?,
            "batcher": operator(accounts::BATCHER)?,
            "proposer": operator(accounts::PROPOSER)?,
            "gateway_provider": funding.gateway_provider,
        },
        "deployment": deployment,
    });
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_string_pretty(&value)?)?;
    std::fs::rename(&tmp, path).wrap_err_with(|| format!("writing {}", path.display()))?;
    Ok(())
}
