//! Real parts for the CLI tests: anvil (from node_modules) as L1 with the contracts deployed by
//! the deploy crate, a Tributary node with its JSON-RPC server in-process as L2, and the real
//! `tributary` binary.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use alloy::{
    network::Ethereum,
    node_bindings::{Anvil, AnvilInstance},
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, PendingTransactionBuilder, Provider},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
};
use serde_json::Value;
use tempfile::TempDir;
use tributary_contracts::{OpenToken, Rollup};
use tributary_deploy::{DeployConfig, deploy};
use tributary_node::{Node, NodeConfig, NodeHandle};
use tributary_primitives::{Deployment, output_root, predeploys::L2_TO_L1_MESSAGE_PASSER};
use tributary_rpc::{EthApi, EthConfig, ServerConfig, ServerHandle, eth_module};
use tributary_testkit::{Run, wallet_provider};

/// Challenge window of the test deployment: long enough that nothing finalizes by accident, short
/// enough to skip with one `evm_increaseTime`.
pub(crate) const WINDOW_SECS: u64 = 30;

/// L1 (anvil) and L2 (a dev node) with Tributary deployed on L1.
pub(crate) struct Chains {
    pub(crate) anvil: AnvilInstance,
    pub(crate) l2_url: String,
    pub(crate) deployment: Deployment,
    /// The deployer: treasury, batcher, proposer and guardian.
    pub(crate) operator: DynProvider,
    /// A provider on L2 (signing as dev account 0).
    pub(crate) l2: DynProvider,
    server: Option<ServerHandle>,
    node: Option<NodeHandle>,
    dir: TempDir,
}

impl Chains {
    /// Starts anvil (Prague) and an L2 dev node, and deploys the L1 contracts with a
    /// [`WINDOW_SECS`] challenge window, the node's chain id and genesis hash.
    pub(crate) async fn start() -> Self {
        let anvil = Anvil::at(tributary_testkit::anvil_bin())
            .args(["--hardfork", "prague"])
            .try_spawn()
            .expect("anvil starts");

        let dir = tempfile::tempdir().unwrap();
        let datadir = dir.path().join("l2");
        std::fs::create_dir_all(&datadir).unwrap();
        let node =
            Node::launch(NodeConfig::dev(datadir).with_block_time(Duration::from_millis(50)))
                .await
                .unwrap();
        let eth = eth_module(EthApi::new(node.node().clone(), EthConfig::default())).unwrap();
        let server = tributary_rpc::start(ServerConfig::test(), eth)
            .await
            .unwrap();
        let l2_url = server.http_url();

        let operator = wallet_provider(&anvil.endpoint(), signer(&anvil, 0));
        let config = DeployConfig {
            l2_chain_id: node.node().chain_id(),
            ..DeployConfig::default()
        }
        .with_l2_genesis_hash(node.node().genesis_hash())
        .with_challenge_window_secs(WINDOW_SECS);
        let deployment = deploy(&operator, account(&anvil, 0), &config)
            .await
            .unwrap();
        let l2 = wallet_provider(&l2_url, signer(&anvil, 0));
        Self {
            anvil,
            l2_url,
            deployment,
            operator,
            l2,
            server: Some(server),
            node: Some(node),
            dir,
        }
    }

    /// Writes the deployment as the devnet file will: embedded under `deployment`.
    pub(crate) fn write_devnet_file(&self) -> PathBuf {
        let path = self.dir.path().join("devnet.json");
        let deployment: Value = serde_json::from_str(&self.deployment.to_json()).unwrap();
        let devnet = serde_json::json!({
            "l1_rpc": self.anvil.endpoint(),
            "l2_rpc": self.l2_url,
            "deployment": deployment,
        });
        std::fs::write(&path, serde_json::to_string_pretty(&devnet).unwrap()).unwrap();
        path
    }

    /// Writes the bare deployment JSON.
    pub(crate) fn write_deployment_file(&self) -> PathBuf {
        let path = self.dir.path().join("deployment.json");
        self.deployment.save(&path).unwrap();
        path
    }

    /// A `tributary` runner against these chains with the deployment file `deployment`.
    pub(crate) fn cli(&self, deployment: PathBuf) -> Cli {
        Cli::new(
            &self.anvil.endpoint(),
            &self.l2_url,
            deployment,
            self.dir.path(),
        )
    }

    /// The OPEN token on L1, read through the operator.
    pub(crate) fn token(&self) -> tributary_contracts::OpenToken::OpenTokenInstance<DynProvider> {
        OpenToken::new(self.deployment.contracts.open_token, self.operator.clone())
    }

    /// The Rollup on L1, driven by the operator (batcher, proposer, guardian).
    pub(crate) fn rollup(&self) -> Rollup::RollupInstance<DynProvider> {
        Rollup::new(self.deployment.contracts.rollup, self.operator.clone())
    }

    /// Plays the batcher: posts a (content-free) batch so that blocks up to `last` are batched.
    pub(crate) async fn batch_to(&self, last: u64) {
        let rollup = self.rollup();
        let first = rollup.nextBlock().call().await.unwrap();
        rollup
            .submitBatch(first, last, Bytes::from_static(&[0]))
            .send()
            .await
            .mined()
            .await;
    }

    /// Plays the proposer: posts `root` for L2 block `l2_block` with the latest L1 block.
    pub(crate) async fn propose(&self, l2_block: u64, root: B256) {
        let l1 = self
            .operator
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .unwrap()
            .unwrap();
        self.rollup()
            .proposeOutput(
                U256::from(l2_block),
                root,
                l1.header.hash,
                U256::from(l1.header.number),
            )
            .value(self.deployment.proposer_bond)
            .send()
            .await
            .mined()
            .await;
    }

    /// The output root of L2 block `number`, computed from L2 JSON-RPC data as a proposer does.
    pub(crate) async fn output_root(&self, number: u64) -> B256 {
        let block = self
            .l2
            .get_block_by_number(number.into())
            .await
            .unwrap()
            .unwrap();
        let proof = self
            .l2
            .get_proof(L2_TO_L1_MESSAGE_PASSER, vec![])
            .block_id(number.into())
            .await
            .unwrap();
        output_root(
            block.header.state_root,
            proof.storage_hash,
            block.header.hash,
        )
    }

    /// Advances anvil's clock by `secs` and mines a block.
    pub(crate) async fn advance_l1_time(&self, secs: u64) {
        let _: Value = self
            .operator
            .raw_request("evm_increaseTime".into(), (secs,))
            .await
            .unwrap();
        let _: Value = self
            .operator
            .raw_request("evm_mine".into(), ())
            .await
            .unwrap();
    }

    /// Stops the L2 server and node.
    pub(crate) async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        if let Some(node) = self.node.take() {
            node.stop().await.unwrap();
        }
    }
}

/// Dev account `i` of the mnemonic both anvil and the L2 dev genesis fund.
pub(crate) fn signer(anvil: &AnvilInstance, i: usize) -> PrivateKeySigner {
    anvil.keys()[i].clone().into()
}

/// Address of dev account `i`.
pub(crate) fn account(anvil: &AnvilInstance, i: usize) -> Address {
    anvil.addresses()[i]
}

/// Hex of dev account `i`'s key.
pub(crate) fn key_hex(anvil: &AnvilInstance, i: usize) -> String {
    tributary_testkit::key_hex(&signer(anvil, i))
}

/// Runs the real `tributary` binary.
#[derive(Debug, Clone)]
pub(crate) struct Cli {
    /// `--l1-rpc`; `None` leaves the endpoint to the environment, the devnet file, the default.
    pub(crate) l1: Option<String>,
    /// `--l2-rpc`, likewise.
    pub(crate) l2: Option<String>,
    pub(crate) deployment: PathBuf,
    /// Extra environment variables (`TRIBUTARY_L1_RPC`, ...), set after the runner clears the
    /// `TRIBUTARY_*` ones it inherits.
    pub(crate) env: Vec<(String, String)>,
    cwd: PathBuf,
}

impl Cli {
    /// A runner against `l1` and `l2` with the deployment file `deployment`, run in `cwd`.
    pub(crate) fn new(l1: &str, l2: &str, deployment: PathBuf, cwd: &Path) -> Self {
        Self {
            l1: Some(l1.to_string()),
            l2: Some(l2.to_string()),
            ..Self::with_deployment(deployment, cwd)
        }
    }

    /// A runner without `--l1-rpc`/`--l2-rpc`: a devnet file `deployment` supplies the endpoints.
    pub(crate) fn with_deployment(deployment: PathBuf, cwd: &Path) -> Self {
        Self {
            l1: None,
            l2: None,
            deployment,
            env: Vec::new(),
            cwd: cwd.to_path_buf(),
        }
    }

    /// The same runner with `name=value` in the binary's environment.
    pub(crate) fn with_env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// The command with the endpoints and deployment set, the key (if any) in the environment.
    pub(crate) fn command(&self, key: Option<&str>, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_tributary"));
        cmd.current_dir(&self.cwd);
        if let Some(l1) = &self.l1 {
            cmd.args(["--l1-rpc", l1]);
        }
        if let Some(l2) = &self.l2 {
            cmd.args(["--l2-rpc", l2]);
        }
        cmd.arg("--deployment")
            .arg(&self.deployment)
            .args(args)
            .env_remove("TRIBUTARY_PRIVATE_KEY")
            .env_remove("TRIBUTARY_DEPLOYMENT")
            .env_remove("TRIBUTARY_L1_RPC")
            .env_remove("TRIBUTARY_L2_RPC")
            .env_remove("RUST_LOG")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .kill_on_drop(true);
        if let Some(key) = key {
            cmd.env("TRIBUTARY_PRIVATE_KEY", key);
        }
        cmd
    }

    /// Runs the binary to completion.
    pub(crate) async fn run(&self, key: Option<&str>, args: &[&str]) -> Run {
        Run::new(
            format!("tributary {args:?}"),
            self.command(key, args).output().await.unwrap(),
        )
    }

    /// Starts the binary (a `--wait` run), returns once its stderr shows `progress`, with a
    /// handle to await its end.
    pub(crate) async fn spawn_until(
        &self,
        key: Option<&str>,
        args: &[&str],
        progress: &str,
    ) -> tokio::task::JoinHandle<Run> {
        use tokio::io::{AsyncBufReadExt, BufReader};
        let mut child = self
            .command(key, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut stderr = String::new();
        tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                stderr.push_str(&line);
                stderr.push('\n');
                if line.contains(progress) {
                    return;
                }
            }
            panic!("tributary ended without {progress:?}:\n{stderr}");
        })
        .await
        .unwrap_or_else(|_| panic!("no {progress:?} within 30 s"));
        let what = format!("tributary {args:?}");
        tokio::spawn(async move {
            while let Some(line) = lines.next_line().await.unwrap() {
                stderr.push_str(&line);
                stderr.push('\n');
            }
            let mut run = Run::new(what, child.wait_with_output().await.unwrap());
            run.stderr = stderr;
            run
        })
    }
}

/// An address from the JSON of a `--json` result.
pub(crate) fn addr(v: &Value) -> Address {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{v} is no address"))
}

/// Waits for the receipt of a transaction just sent, panicking on any failure.
pub(crate) trait Mined {
    /// The receipt, once mined.
    fn mined(self) -> impl std::future::Future<Output = TransactionReceipt>;
}

impl<E: std::fmt::Debug> Mined for Result<PendingTransactionBuilder<Ethereum>, E> {
    async fn mined(self) -> TransactionReceipt {
        let receipt = self
            .expect("transaction sent")
            .get_receipt()
            .await
            .expect("transaction mined");
        assert!(receipt.status(), "transaction reverted: {receipt:?}");
        receipt
    }
}
