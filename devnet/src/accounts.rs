//! The devnet's accounts: the ten dev accounts of anvil's mnemonic are the users (OPEN on L1 and,
//! through real deposits, native OPEN on L2); three more keys of the same mnemonic are the
//! batcher, the proposer and the gateway's provider, so that users' transactions never race the
//! operators' nonces. The provider is funded like a user (it pays the gas of settlements).

use std::path::Path;

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    signers::local::{MnemonicBuilder, PrivateKeySigner},
};
use eyre::{WrapErr, bail, eyre};
use serde::{Deserialize, Serialize};
use tracing::info;
use tributary_contracts::{OpenToken, Portal};
use tributary_genesis::{DEV_ACCOUNTS, DEV_MNEMONIC};
use tributary_primitives::Deployment;

use crate::Args;

/// Accounts anvil funds with ETH: the ten users, the batcher, the proposer and the provider.
pub(crate) const ANVIL_ACCOUNTS: u32 = 13;
/// The deployer, Rollup owner, guardian and OPEN treasury (also user 0).
pub(crate) const DEPLOYER: u32 = 0;
/// The batcher's key index.
pub(crate) const BATCHER: u32 = 10;
/// The proposer's key index.
pub(crate) const PROPOSER: u32 = 11;
/// The key index of the gateway's inference provider (sends the settlements on L2).
pub(crate) const GATEWAY: u32 = 12;
/// OPEN each user receives on L1 from the treasury (user 0 keeps the rest of the supply).
const L1_GRANT: u64 = 1_000_000;
/// Gas limit of each funding deposit.
const DEPOSIT_GAS: u64 = 100_000;

/// Key `index` of the dev mnemonic.
pub(crate) fn signer(index: u32) -> eyre::Result<PrivateKeySigner> {
    Ok(MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, index))
}

/// Hex of key `index`.
pub(crate) fn key_hex(index: u32) -> eyre::Result<String> {
    Ok(format!(
        "0x{}",
        alloy::hex::encode(signer(index)?.to_bytes())
    ))
}

/// A funded user account as devnet.json lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FundedAccount {
    pub(crate) address: Address,
    pub(crate) private_key: String,
    /// OPEN (wei) granted on L1 at creation.
    pub(crate) l1_open: U256,
    /// Native OPEN (wei) deposited to L2 at creation.
    pub(crate) l2_open: U256,
}

fn open(amount: u64) -> U256 {
    U256::from(amount) * U256::from(10u64).pow(U256::from(18))
}

/// Who was funded: devnet.json lists the users under `accounts` and the provider under
/// `operators.gateway_provider`, so that their L2 balances add up to the OPEN in the Portal.
#[derive(Debug, Clone)]
pub(crate) struct Funding {
    /// The ten dev accounts.
    pub(crate) users: Vec<FundedAccount>,
    /// The gateway's inference provider.
    pub(crate) gateway_provider: FundedAccount,
}

/// Grants OPEN on L1 and deposits to L2 for every user and the gateway's provider; returns once
/// the deposits are visible on L2.
pub(crate) async fn fund(args: &Args, deployment: &Deployment) -> eyre::Result<Funding> {
    let indices: Vec<u32> = (0..DEV_ACCOUNTS.len() as u32).chain([GATEWAY]).collect();
    let depositors: Vec<PrivateKeySigner> = indices
        .iter()
        .map(|&i| signer(i))
        .collect::<eyre::Result<_>>()?;
    let l1_url = args.l1_rpc().parse()?;
    let deposit = open(args.deposit);
    let grant = open(L1_GRANT);
    let treasury = signer(DEPLOYER)?;
    let treasury_provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(treasury.clone()))
        .connect_http(alloy::transports::http::reqwest::Url::clone(&l1_url));
    let token = OpenToken::new(deployment.contracts.open_token, &treasury_provider);
    let mut nonce = treasury_provider
        .get_transaction_count(treasury.address())
        .await?;
    let mut pending = Vec::new();
    for user in depositors
        .iter()
        .filter(|d| d.address() != treasury.address())
    {
        let tx = token
            .transfer(user.address(), grant)
            .into_transaction_request()
            .with_nonce(nonce)
            .with_gas_limit(100_000);
        pending.push(treasury_provider.send_transaction(tx).await?);
        nonce += 1;
    }
    for p in pending {
        p.get_receipt().await.wrap_err("granting OPEN on L1")?;
    }
    info!(target: "devnet", users = DEV_ACCOUNTS.len(), "OPEN granted on L1");

    let mut pending = Vec::new();
    for user in &depositors {
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(user.clone()))
            .connect_http(alloy::transports::http::reqwest::Url::clone(&l1_url));
        let nonce = provider.get_transaction_count(user.address()).await?;
        let approve = OpenToken::new(deployment.contracts.open_token, &provider)
            .approve(deployment.contracts.portal, deposit)
            .into_transaction_request()
            .with_nonce(nonce)
            .with_gas_limit(100_000);
        let deposit_tx = Portal::new(deployment.contracts.portal, &provider)
            .depositTransaction(
                user.address(),
                deposit,
                U256::ZERO,
                DEPOSIT_GAS,
                false,
                Default::default(),
            )
            .into_transaction_request()
            .with_nonce(nonce + 1)
            .with_gas_limit(300_000);
        pending.push(provider.send_transaction(approve).await?);
        pending.push(provider.send_transaction(deposit_tx).await?);
    }
    for p in pending {
        let receipt = p.get_receipt().await.wrap_err("depositing OPEN")?;
        if !receipt.status() {
            bail!(
                "funding transaction {} reverted on L1",
                receipt.transaction_hash
            );
        }
    }
    info!(target: "devnet", "deposits sent; waiting for them on L2");

    let l2 = ProviderBuilder::new().connect_http(args.l2_rpc().parse()?);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    for user in depositors.iter().map(|d| d.address()) {
        while l2.get_balance(user).await? < deposit {
            if std::time::Instant::now() > deadline {
                bail!("the deposit of {user} did not arrive on L2 within 120 s");
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }
    info!(target: "devnet", "deposits arrived on L2");
    let token = OpenToken::new(deployment.contracts.open_token, &treasury_provider);
    let mut users = Vec::new();
    for (&index, depositor) in indices.iter().zip(&depositors) {
        let address = depositor.address();
        users.push(FundedAccount {
            address,
            private_key: key_hex(index)?,
            l1_open: token.balanceOf(address).call().await?,
            l2_open: deposit,
        });
    }
    let gateway_provider = users.pop().ok_or_else(|| eyre!("no provider was funded"))?;
    Ok(Funding {
        users,
        gateway_provider,
    })
}

/// The funding recorded in an existing devnet.json.
pub(crate) fn load(path: &Path) -> eyre::Result<Funding> {
    #[derive(Deserialize)]
    struct Operators {
        gateway_provider: FundedAccount,
    }
    #[derive(Deserialize)]
    struct Partial {
        accounts: Vec<FundedAccount>,
        operators: Operators,
    }
    let text =
        std::fs::read_to_string(path).wrap_err_with(|| format!("reading {}", path.display()))?;
    let partial: Partial = serde_json::from_str(&text).wrap_err_with(|| {
        format!(
            "{} was written by an older devnet: remove its directory",
            path.display()
        )
    })?;
    Ok(Funding {
        users: partial.accounts,
        gateway_provider: partial.operators.gateway_provider,
    })
}
