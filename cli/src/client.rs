//! The connection to both chains: providers, the deployment, the user's key.

use std::{fmt, future::Future, path::PathBuf, time::Duration};

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
use tributary_primitives::{Deployment, DeploymentError};

use crate::error::{CliError, Layer, Result};

/// Default L1 JSON-RPC endpoint: the devnet's anvil.
pub const DEFAULT_L1_RPC: &str = "http://127.0.0.1:8546";
/// Default L2 JSON-RPC endpoint: a local Tributary node.
pub const DEFAULT_L2_RPC: &str = "http://127.0.0.1:8545";
/// Default paid-inference gateway: a local `gateway` on its default port.
pub const DEFAULT_GATEWAY: &str = "http://127.0.0.1:8550";
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
    Ok(DeploymentFile::load(path)?.deployment)
}

/// A deployment file as loaded: the deployment, and for a devnet file (one embedding the
/// deployment under `deployment`, as the `devnet` binary writes) the RPC endpoints it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentFile {
    /// The file read.
    pub path: PathBuf,
    /// The deployment (contract addresses, chain ids).
    pub deployment: Deployment,
    /// The devnet file's `l1_rpc`, unparsed (checked only when used); `None` for a bare
    /// deployment or a devnet file without one.
    pub l1_rpc: Option<String>,
    /// The devnet file's `l2_rpc`, likewise.
    pub l2_rpc: Option<String>,
    /// The devnet file's `gateway` (when the devnet runs one), likewise.
    pub gateway: Option<String>,
}

impl DeploymentFile {
    /// Reads `path`, or the first of [`DEFAULT_DEPLOYMENT_FILES`] that exists.
    pub fn load(path: Option<PathBuf>) -> Result<Self> {
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
        let json = std::fs::read_to_string(&path).map_err(|source| DeploymentError::Io {
            path: path.clone(),
            source,
        })?;
        Self::parse(path, &json)
    }

    /// Parses the content `json` of the file `path`: a bare deployment, or a devnet file with the
    /// deployment under `deployment` and optionally `l1_rpc` and `l2_rpc` beside it.
    pub fn parse(path: PathBuf, json: &str) -> Result<Self> {
        let deployment = Deployment::from_json_or_embedded(json).map_err(|e| match e {
            DeploymentError::Json { source, .. } => DeploymentError::Json {
                path: path.clone(),
                source,
            },
            other => other,
        })?;
        // It parsed as a deployment above, so it is JSON.
        let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
        let endpoint = |field| match value.get("deployment").and(value.get(field)) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
        };
        Ok(Self {
            l1_rpc: endpoint("l1_rpc"),
            l2_rpc: endpoint("l2_rpc"),
            gateway: endpoint("gateway"),
            path,
            deployment,
        })
    }

    /// The endpoint the file records for `layer`, if any.
    pub fn endpoint(&self, layer: Layer) -> Option<&str> {
        match layer {
            Layer::L1 => self.l1_rpc.as_deref(),
            Layer::L2 => self.l2_rpc.as_deref(),
        }
    }

    /// The endpoint of `layer`: the `--l1-rpc`/`--l2-rpc` flag, else its environment variable,
    /// else the devnet file's `l1_rpc`/`l2_rpc`, else [`DEFAULT_L1_RPC`]/[`DEFAULT_L2_RPC`].
    /// A malformed endpoint in the file is an error only when it would be used.
    pub fn resolve_endpoint(
        &self,
        layer: Layer,
        flag: Option<Url>,
        env: Option<Url>,
    ) -> Result<(Url, EndpointSource)> {
        if let Some(url) = flag {
            return Ok((url, EndpointSource::Flag));
        }
        if let Some(url) = env {
            return Ok((url, EndpointSource::Env));
        }
        if let Some(value) = self.endpoint(layer) {
            let url = Url::parse(value).map_err(|e| CliError::InvalidEndpoint {
                layer,
                path: self.path.clone(),
                value: value.to_string(),
                reason: e.to_string(),
            })?;
            return Ok((url, EndpointSource::DevnetFile(self.path.clone())));
        }
        let default = match layer {
            Layer::L1 => DEFAULT_L1_RPC,
            Layer::L2 => DEFAULT_L2_RPC,
        };
        let url = Url::parse(default).expect("the built-in endpoints are URLs");
        Ok((url, EndpointSource::Default))
    }
}

impl DeploymentFile {
    /// The gateway: `given` (`--gateway` or `TRIBUTARY_GATEWAY_URL`), else the devnet file's
    /// `gateway`, else [`DEFAULT_GATEWAY`].
    pub fn resolve_gateway(&self, given: Option<Url>) -> Result<Url> {
        if let Some(url) = given {
            return Ok(url);
        }
        let value = self.gateway.as_deref().unwrap_or(DEFAULT_GATEWAY);
        Url::parse(value).map_err(|e| CliError::InvalidGateway(format!("{value:?}: {e}")))
    }
}

/// Where an RPC endpoint came from, highest precedence first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointSource {
    /// `--l1-rpc` / `--l2-rpc`.
    Flag,
    /// `TRIBUTARY_L1_RPC` / `TRIBUTARY_L2_RPC`.
    Env,
    /// `l1_rpc` / `l2_rpc` of the devnet file used as the deployment.
    DevnetFile(PathBuf),
    /// [`DEFAULT_L1_RPC`] / [`DEFAULT_L2_RPC`].
    Default,
}

impl fmt::Display for EndpointSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag => f.write_str("from the command line"),
            Self::Env => f.write_str("from the environment"),
            Self::DevnetFile(path) => write!(f, "from {}", path.display()),
            Self::Default => f.write_str("the default"),
        }
    }
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
        Self::connect_checking(config, &[Layer::L1, Layer::L2]).await
    }

    /// Like [`Self::connect`] but checks (and so needs) only the L2 endpoint: the attribution
    /// commands never touch L1.
    pub async fn connect_l2(config: ClientConfig) -> Result<Self> {
        Self::connect_checking(config, &[Layer::L2]).await
    }

    async fn connect_checking(config: ClientConfig, check: &[Layer]) -> Result<Self> {
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
            if !check.contains(&layer) {
                continue;
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = r#"{
        "l1_chain_id": 31337,
        "l2_chain_id": 424242,
        "deploy_block": { "number": 3, "hash": "0xe33e09178620e74769dc42cb5da471ae7caac7799245eba4838917c56f4a112f" },
        "contracts": {
            "open_token": "0x5fbdb2315678afecb367f032d93f642f64180aa3",
            "rollup": "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
            "portal": "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0"
        },
        "roles": {
            "owner": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "batcher": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "proposer": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "guardian": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "treasury": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
        },
        "challenge_window_secs": 12,
        "proposer_bond": "0xde0b6b3a7640000",
        "challenger_bond": "0x6f05b59d3b20000",
        "l2_genesis_hash": "0x0000000000000000000000000000000000000000000000000000000000000000",
        "max_deposit_gas_limit": 20000000,
        "max_deposit_gas_per_l1_block": 20000000
    }"#;

    fn url(s: &str) -> Url {
        s.parse().unwrap()
    }

    fn devnet_file(fields: &str) -> DeploymentFile {
        let json = format!(r#"{{ {fields} "deployment": {DEPLOYMENT} }}"#);
        DeploymentFile::parse(PathBuf::from("d/devnet.json"), &json).unwrap()
    }

    /// flag > environment > the devnet file's endpoints > the built-in defaults, per layer.
    #[test]
    fn endpoint_precedence() {
        let file = devnet_file(
            r#""l1_rpc": "http://127.0.0.1:9546", "l2_rpc": "http://127.0.0.1:9545", "l2_ws": "ws://127.0.0.1:9545","#,
        );
        assert_eq!(file.l1_rpc.as_deref(), Some("http://127.0.0.1:9546"));
        assert_eq!(file.deployment.l2_chain_id, 424242);
        let from_file = EndpointSource::DevnetFile(PathBuf::from("d/devnet.json"));
        let (flag, env) = (url("http://flag.test:1"), url("http://env.test:2"));

        for (layer, recorded) in [
            (Layer::L1, "http://127.0.0.1:9546/"),
            (Layer::L2, "http://127.0.0.1:9545/"),
        ] {
            let resolve = |flag: Option<&Url>, env: Option<&Url>| -> (String, EndpointSource) {
                let (url, source) = file
                    .resolve_endpoint(layer, flag.cloned(), env.cloned())
                    .unwrap();
                (url.to_string(), source)
            };
            assert_eq!(
                resolve(Some(&flag), Some(&env)),
                (flag.to_string(), EndpointSource::Flag)
            );
            assert_eq!(
                resolve(Some(&flag), None),
                (flag.to_string(), EndpointSource::Flag)
            );
            assert_eq!(
                resolve(None, Some(&env)),
                (env.to_string(), EndpointSource::Env)
            );
            assert_eq!(
                resolve(None, None),
                (recorded.to_string(), from_file.clone())
            );
        }

        // Only one endpoint recorded: the other falls back to the default.
        let file = devnet_file(r#""l2_rpc": "http://127.0.0.1:9545","#);
        let (l1, source) = file.resolve_endpoint(Layer::L1, None, None).unwrap();
        assert_eq!((l1, source), (url(DEFAULT_L1_RPC), EndpointSource::Default));
        let (l2, source) = file.resolve_endpoint(Layer::L2, None, None).unwrap();
        assert_eq!((l2, source), (url("http://127.0.0.1:9545"), from_file));

        // A bare deployment records no endpoints, even with fields of those names beside it.
        let bare = DEPLOYMENT.replacen('{', r#"{ "l1_rpc": "http://127.0.0.1:9546","#, 1);
        let file = DeploymentFile::parse(PathBuf::from("deployment.json"), &bare).unwrap();
        assert_eq!((file.l1_rpc.as_ref(), file.l2_rpc.as_ref()), (None, None));
        for (layer, default) in [(Layer::L1, DEFAULT_L1_RPC), (Layer::L2, DEFAULT_L2_RPC)] {
            let (url_, source) = file.resolve_endpoint(layer, None, None).unwrap();
            assert_eq!((url_, source), (url(default), EndpointSource::Default));
            let (url_, source) = file
                .resolve_endpoint(layer, None, Some(env.clone()))
                .unwrap();
            assert_eq!((url_, source), (env.clone(), EndpointSource::Env));
        }
    }

    /// A malformed recorded endpoint fails only when it would be used.
    #[test]
    fn malformed_recorded_endpoint() {
        let file = devnet_file(r#""l1_rpc": "not a url", "l2_rpc": 8545,"#);
        let err = file
            .resolve_endpoint(Layer::L1, None, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(r#"d/devnet.json: l1_rpc "not a url" is not a URL ("#)
                && err.ends_with("fix it or pass --l1-rpc"),
            "{err}"
        );
        assert!(matches!(
            file.resolve_endpoint(Layer::L2, None, None),
            Err(CliError::InvalidEndpoint {
                layer: Layer::L2,
                ..
            })
        ));
        let flag = url("http://flag.test:1");
        let (l1, source) = file
            .resolve_endpoint(Layer::L1, Some(flag.clone()), None)
            .unwrap();
        assert_eq!((l1, source), (flag, EndpointSource::Flag));
        let (l2, _) = file
            .resolve_endpoint(Layer::L2, None, Some(url("http://env.test:2")))
            .unwrap();
        assert_eq!(l2, url("http://env.test:2"));
    }

    /// Bad files keep their path in the error.
    #[test]
    fn load_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.json");
        let err = DeploymentFile::load(Some(missing.clone()))
            .unwrap_err()
            .to_string();
        assert!(err.contains(&missing.display().to_string()), "{err}");
        let bad = dir.path().join("bad.json");
        std::fs::write(
            &bad,
            r#"{"deployment": {"l1_chain_id": 1}, "l1_rpc": "http://x"}"#,
        )
        .unwrap();
        let err = DeploymentFile::load(Some(bad.clone()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&bad.display().to_string()) && err.contains("invalid json: missing field"),
            "{err}"
        );
        let good = dir.path().join("devnet.json");
        std::fs::write(
            &good,
            format!(r#"{{"l1_rpc": "http://127.0.0.1:9546", "deployment": {DEPLOYMENT}}}"#),
        )
        .unwrap();
        let file = DeploymentFile::load(Some(good.clone())).unwrap();
        assert_eq!(file.path, good);
        assert_eq!(file.l1_rpc.as_deref(), Some("http://127.0.0.1:9546"));
        assert_eq!(load_deployment(Some(good)).unwrap(), file.deployment);
    }
}
