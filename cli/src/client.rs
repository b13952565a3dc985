//! The connection to both chains: providers, the deployment, the user's key.

use std::{future::Future, path::PathBuf, time::Duration};

use alloy::{
    contract::{CallBuilder, CallDecoder},
    network::{Ethereum, EthereumWallet},
    primitives::{Address, TxHash},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
    transports::http::reqwest::Url,
};
use tracing::info;
use tributary_primitives::Deployment;

use crate::error::{CliError, Layer, Result};

/// Default L1 JSON-RPC endpoint: the devnet's anvil.
pub const DEFAULT_L1_RPC: &str = "http://127.0.0.1:8546";
/// Default L2 JSON-RPC endpoint: a local Tributary node.
pub const DEFAULT_L2_RPC: &str = "http://127.0.0.1:8545";
/// Deployment files tried, in order, when none is given: the devnet file (which embeds the
/// deployment under `deployment`), then the bare deployment the devnet script writes.
pub const DEFAULT_DEPLOYMENT_FILES: [&str; 2] = [".devnet/devnet.json", ".devnet/deployment.json"];
/// Default limit of `--wait`.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(600);
/// How often `--wait` polls the chains.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(500);
/// How long to wait for a receipt once a transaction is sent.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// Where the chains are and who signs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// L1 JSON-RPC endpoint.
    pub l1_rpc: Url,
    /// L2 JSON-RPC endpoint.
    pub l2_rpc: Url,
    /// The deployment (contract addresses, chain ids).
    pub deployment: Deployment,
    /// The user's key; commands that only read need none.
    pub signer: Option<PrivateKeySigner>,
    /// How often `--wait` polls.
    pub poll_interval: Duration,
}

impl ClientConfig {
    /// A config for the given endpoints and deployment, without a key.
    pub const fn new(l1_rpc: Url, l2_rpc: Url, deployment: Deployment) -> Self {
        Self {
            l1_rpc,
            l2_rpc,
            deployment,
            signer: None,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }

    /// Sets the signing key.
    #[must_use]
    pub fn with_signer(mut self, signer: PrivateKeySigner) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Sets how often `--wait` polls.
    #[must_use]
    pub const fn with_poll_interval(mut self, poll_interval: Duration) -> Self {
        self.poll_interval = poll_interval;
        self
    }
}

/// Loads the deployment from `path`, or from the first of [`DEFAULT_DEPLOYMENT_FILES`] that
/// exists. Both a bare deployment and a file embedding one under `deployment` are accepted.
pub fn load_deployment(path: Option<PathBuf>) -> Result<Deployment> {
    let path = match path {
        Some(path) => path,
        None => DEFAULT_DEPLOYMENT_FILES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or_else(|| CliError::NoDeploymentFile {
                tried: DEFAULT_DEPLOYMENT_FILES.join(", "),
            })?,
    };
    Ok(Deployment::load_or_embedded(path)?)
}

/// Both chains, connected and checked against the deployment.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) l1: DynProvider,
    pub(crate) l2: DynProvider,
    pub(crate) deployment: Deployment,
    account: Option<Address>,
    pub(crate) poll_interval: Duration,
}

impl Client {
    /// Connects to both endpoints and checks that they serve the deployment's chains.
    pub async fn connect(config: ClientConfig) -> Result<Self> {
        let account = config.signer.as_ref().map(PrivateKeySigner::address);
        let (l1, l2) = match config.signer {
            Some(signer) => {
                let wallet = EthereumWallet::from(signer);
                (
                    ProviderBuilder::new()
                        .wallet(wallet.clone())
                        .connect_http(config.l1_rpc)
                        .erased(),
                    ProviderBuilder::new()
                        .wallet(wallet)
                        .connect_http(config.l2_rpc)
                        .erased(),
                )
            }
            None => (
                ProviderBuilder::new().connect_http(config.l1_rpc).erased(),
                ProviderBuilder::new().connect_http(config.l2_rpc).erased(),
            ),
        };
        let d = &config.deployment;
        for (layer, provider, expected) in [
            (Layer::L1, &l1, d.l1_chain_id),
            (Layer::L2, &l2, d.l2_chain_id),
        ] {
            let actual = provider
                .get_chain_id()
                .await
                .map_err(|e| CliError::rpc(layer, e))?;
            if actual != expected {
                return Err(CliError::WrongChain {
                    layer,
                    expected,
                    actual,
                });
            }
        }
        Ok(Self {
            l1,
            l2,
            deployment: config.deployment,
            account,
            poll_interval: config.poll_interval,
        })
    }

    /// The deployment in use.
    pub const fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The L1 provider.
    pub const fn l1(&self) -> &DynProvider {
        &self.l1
    }

    /// The L2 provider.
    pub const fn l2(&self) -> &DynProvider {
        &self.l2
    }

    /// The user's address, or [`CliError::MissingKey`] when no key was given.
    pub fn account(&self) -> Result<Address> {
        self.account.ok_or(CliError::MissingKey)
    }

    /// Polls `check` every poll interval until it yields a value, or fails with
    /// [`CliError::Timeout`] after `timeout`. `check` runs at least once.
    pub(crate) async fn poll<T, F, Fut>(
        &self,
        timeout: Duration,
        waiting_for: impl Fn() -> String,
        mut check: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>>>,
    {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut announced = false;
        loop {
            if let Some(value) = check().await? {
                return Ok(value);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(CliError::Timeout {
                    waiting_for: waiting_for(),
                    secs: timeout.as_secs(),
                });
            }
            if !announced {
                info!(target: "tributary", "waiting for {} (up to {} s)…", waiting_for(), timeout.as_secs());
                announced = true;
            }
            tokio::time::sleep(self.poll_interval).await;
        }
    }
}

/// Sends a contract call as a transaction and waits for its successful receipt. A revert found
/// while estimating gas comes back decoded ([`CliError::Send`]).
pub(crate) async fn send<P, D>(
    action: &'static str,
    call: CallBuilder<P, D, Ethereum>,
) -> Result<TransactionReceipt>
where
    P: Provider<Ethereum>,
    D: CallDecoder,
{
    let pending = call.send().await.map_err(|e| CliError::send(action, e))?;
    let tx: TxHash = *pending.tx_hash();
    info!(target: "tributary", "sent {action} transaction {tx}");
    let receipt = pending
        .with_timeout(Some(RECEIPT_TIMEOUT))
        .get_receipt()
        .await
        .map_err(|source| CliError::Pending { action, tx, source })?;
    if !receipt.status() {
        return Err(CliError::Reverted { action, tx });
    }
    Ok(receipt)
}
