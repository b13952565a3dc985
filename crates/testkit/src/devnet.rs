//! [`Devnet`]: the real `devnet` binary (anvil + the sequencer in L1 mode, with batcher and
//! proposer) in a temporary directory, and its devnet.json.

use std::{
    path::PathBuf,
    process::{Command, ExitStatus},
    time::Duration,
};

use alloy::{
    primitives::{Address, B256, U256},
    providers::DynProvider,
    signers::local::PrivateKeySigner,
};
use serde::Deserialize;
use serde_json::Value;
use tributary_primitives::Deployment;

use crate::{
    Ports, Proc, http_provider, strip_ansi, tail_file, test_dir, wait_for, wallet_provider,
    workspace_bin,
};

/// How long a devnet may take to come up (first run: deploy, fund, deposits on L2).
pub const START_TIMEOUT: Duration = Duration::from_secs(180);

/// devnet.json.
#[derive(Debug, Clone, Deserialize)]
pub struct DevnetInfo {
    /// L1 (anvil) JSON-RPC.
    pub l1_rpc: String,
    /// L2 JSON-RPC.
    pub l2_rpc: String,
    /// The sequencer's /health.
    pub health: String,
    /// L1 chain id.
    pub l1_chain_id: u64,
    /// L2 chain id.
    pub l2_chain_id: u64,
    /// Hash of L2 block 0.
    pub l2_genesis_hash: B256,
    /// L1 contracts and L2 predeploys.
    pub contracts: DevnetContracts,
    /// The funded dev accounts (anvil's ten).
    pub accounts: Vec<DevnetAccount>,
    /// The keys the sequencer's batcher and proposer use.
    pub operators: Operators,
    /// The L1 deployment.
    pub deployment: Deployment,
    /// The whole file, for comparisons across runs and fields not named here.
    #[serde(skip)]
    pub raw: Value,
}

/// devnet.json `contracts`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DevnetContracts {
    /// The OPEN token on L1.
    pub open_token: Address,
    /// The Rollup on L1.
    pub rollup: Address,
    /// The Portal on L1.
    pub portal: Address,
    /// The L2 message passer predeploy.
    pub l2_to_l1_message_passer: Address,
    /// The L1Block predeploy.
    pub l1_block: Address,
}

/// devnet.json `accounts[i]`.
#[derive(Debug, Clone, Deserialize)]
pub struct DevnetAccount {
    /// The address.
    pub address: Address,
    /// Its key, `0x…`.
    pub private_key: String,
    /// OPEN (wei) granted on L1 at creation.
    pub l1_open: U256,
    /// Native OPEN (wei) deposited to L2 at creation.
    pub l2_open: U256,
}

impl DevnetAccount {
    /// The account's signer.
    pub fn signer(&self) -> PrivateKeySigner {
        self.private_key.parse().unwrap()
    }
}

/// devnet.json `operators`.
#[derive(Debug, Clone, Deserialize)]
pub struct Operators {
    /// The batcher's account.
    pub batcher: KeyedAccount,
    /// The proposer's account.
    pub proposer: KeyedAccount,
    /// The gateway's inference provider, funded on L1 and L2 like a dev account.
    pub gateway_provider: DevnetAccount,
}

/// An operator's address with its key.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyedAccount {
    /// The address.
    pub address: Address,
    /// Its key, `0x…`.
    pub private_key: String,
}

/// How to start a [`Devnet`]; [`Devnet::start`] is the defaults with extra flags.
#[derive(Debug, Clone, Default)]
pub struct DevnetOptions {
    name: Option<String>,
    ports: Option<Ports>,
    binary: Option<PathBuf>,
    args: Vec<String>,
}

impl DevnetOptions {
    /// The test's name, for its temporary directory (`tributary-NAME-…`).
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// These ports (default: three free ones).
    pub fn ports(mut self, ports: Ports) -> Self {
        self.ports = Some(ports);
        self
    }

    /// This `devnet` binary (default: the workspace's, next to the test executable); the
    /// sequencer is the one next to it.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// Extra flags (the challenge window is 4 s unless they set `--challenge-window`).
    pub fn args(mut self, extra: &[&str]) -> Self {
        self.args = extra.iter().map(|a| a.to_string()).collect();
        self
    }

    /// Starts the devnet and waits until it is up.
    pub fn start(self) -> Devnet {
        let root = test_dir(self.name.as_deref().unwrap_or("devnet"));
        let ports = self.ports.unwrap_or_else(Ports::free);
        let binary = self.binary.unwrap_or_else(|| workspace_bin("devnet"));
        let sequencer = binary.with_file_name("sequencer");
        assert!(
            sequencer.exists(),
            "{} missing: a devnet runs the real sequencer; build it first with \
             `cargo build -p tributary-sequencer -p tributary-devnet`",
            sequencer.display()
        );
        let mut args: Vec<String> = vec![
            "--dir".into(),
            root.path().join("devnet").display().to_string(),
            "--l1-port".into(),
            ports.l1.to_string(),
            "--l2-port".into(),
            ports.l2.to_string(),
            "--metrics-port".into(),
            ports.metrics.to_string(),
            "--anvil".into(),
            crate::anvil_bin().display().to_string(),
            "--sequencer".into(),
            sequencer.display().to_string(),
        ];
        if !self
            .args
            .iter()
            .any(|a| a.starts_with("--challenge-window"))
        {
            args.extend(["--challenge-window".into(), "4".into()]);
        }
        let (process, info, startup) = run(&binary, &args, &self.args, &root, ports);
        Devnet {
            process,
            info,
            ports,
            startup,
            binary,
            args,
            extra: self.args,
            dir: root,
        }
    }
}

/// A running devnet: the `devnet` binary on its own ports in a temporary directory, logging
/// (every run appended) to `devnet.log` there; dropped, it is stopped with SIGINT (then
/// SIGKILL, with the children it reported), and the directory removed
/// (`TRIBUTARY_KEEP_TEST_DIRS=1` keeps it). Restartable on the same directory: it resumes.
#[derive(Debug)]
pub struct Devnet {
    /// The devnet process of this run (declared first: stopped before the directory goes).
    pub process: Proc,
    /// devnet.json, as this run wrote it.
    pub info: DevnetInfo,
    /// Its ports (the same on every run).
    pub ports: Ports,
    /// This run's time from spawn to "devnet is up".
    pub startup: Duration,
    binary: PathBuf,
    /// Directory, ports and binaries: the same on every start.
    args: Vec<String>,
    /// The caller's flags (replaced by [`Self::restart_with`]).
    extra: Vec<String>,
    /// The temporary directory; the devnet's own (`--dir`) is `devnet/` inside.
    pub dir: tempfile::TempDir,
}

/// Starts the devnet binary and waits for "Tributary devnet is up" in this run's output and
/// devnet.json; returns the process, devnet.json and the time it took.
fn run(
    binary: &std::path::Path,
    args: &[String],
    extra: &[String],
    root: &tempfile::TempDir,
    ports: Ports,
) -> (Proc, DevnetInfo, Duration) {
    let state = root.path().join("devnet");
    let mut command = Command::new(binary);
    command
        .args(args)
        .args(extra)
        .env("RUST_LOG", "info")
        .env_remove("TRIBUTARY_DEVNET_DIR")
        .env_remove("TRIBUTARY_ANVIL")
        .env_remove("TRIBUTARY_SEQUENCER");
    let mut process = Proc::spawn("devnet", &root.path().join("devnet.log"), &mut command);
    let json = state.join("devnet.json");
    let startup = process.wait_until(
        "devnet up",
        START_TIMEOUT,
        |p| p.output().contains("Tributary devnet is up") && json.exists(),
        |p| logs(p, &state),
    );
    let text = std::fs::read_to_string(&json).unwrap();
    let raw: Value = serde_json::from_str(&text).unwrap();
    let mut info: DevnetInfo = serde_json::from_value(raw.clone())
        .unwrap_or_else(|e| panic!("devnet.json does not parse: {e}\n{text}"));
    info.raw = raw;
    assert_eq!(info.l1_rpc, ports.l1_rpc(), "devnet.json l1_rpc");
    assert_eq!(info.l2_rpc, ports.l2_rpc(), "devnet.json l2_rpc");
    (process, info, startup)
}

/// The tails of the devnet's, the sequencer's and anvil's logs.
fn logs(process: &Proc, state: &std::path::Path) -> String {
    process.tail(40)
        + &tail_file(&state.join("sequencer.log"), 40)
        + &tail_file(&state.join("anvil.log"), 10)
}

impl Devnet {
    /// Starts a devnet with the default options and `extra` flags (challenge window 4 s unless
    /// they set `--challenge-window`), and waits until it is up.
    pub fn start(extra: &[&str]) -> Self {
        Self::options().args(extra).start()
    }

    /// Options to start a devnet with.
    pub fn options() -> DevnetOptions {
        DevnetOptions::default()
    }

    /// Waits for the devnet process to exit by itself and returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        match self.process.wait_exit(timeout) {
            Some(status) => status.code(),
            None => panic!("devnet still running after {timeout:?}:\n{}", self.logs()),
        }
    }

    /// SIGINT (as Ctrl-C); waits for the exit and returns the status and how long it took.
    pub fn interrupt(&mut self) -> (ExitStatus, Duration) {
        self.process.interrupt()
    }

    /// Stops the devnet with SIGINT and asserts it exits cleanly.
    pub fn stop(&mut self) {
        let (status, _) = self.interrupt();
        assert!(status.success(), "devnet exit {status}:\n{}", self.logs());
    }

    /// Stops the devnet and starts it again on the same directory with other flags.
    pub fn restart_with(&mut self, extra: &[&str]) {
        self.stop();
        self.resume_with(extra);
    }

    /// Starts the stopped devnet again on the same directory with other flags.
    pub fn resume_with(&mut self, extra: &[&str]) {
        self.extra = extra.iter().map(|a| a.to_string()).collect();
        self.restart();
    }

    /// Starts the stopped (or exited) devnet again on the same directory and ports (it resumes)
    /// and waits until it is up.
    pub fn restart(&mut self) {
        assert!(
            self.process.exited().is_some(),
            "restart of a devnet that still runs"
        );
        let (process, info, startup) =
            run(&self.binary, &self.args, &self.extra, &self.dir, self.ports);
        (self.process, self.info, self.startup) = (process, info, startup);
    }

    /// A field of devnet.json as a string.
    pub fn get(&self, key: &str) -> String {
        self.info.raw[key].as_str().unwrap().to_string()
    }

    /// A file in the devnet's directory (devnet.json, deployment.json, genesis.json, logs).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join("devnet").join(name)
    }

    /// The sequencer's log (all runs), without colour codes.
    pub fn sequencer_log(&self) -> String {
        strip_ansi(&std::fs::read_to_string(self.path("sequencer.log")).unwrap_or_default())
    }

    /// The last lines of the devnet's, the sequencer's and anvil's logs, for failure messages.
    pub fn logs(&self) -> String {
        logs(&self.process, &self.path(""))
    }

    /// A read-only provider on L1.
    pub fn l1(&self) -> DynProvider {
        http_provider(&self.info.l1_rpc)
    }

    /// A read-only provider on L2.
    pub fn l2(&self) -> DynProvider {
        http_provider(&self.info.l2_rpc)
    }

    /// A provider that signs on L1 as dev account `i`.
    pub fn l1_wallet(&self, i: usize) -> DynProvider {
        wallet_provider(&self.info.l1_rpc, self.info.accounts[i].signer())
    }

    /// Polls `check` every 250 ms until it returns `Some`, or panics with `what` and the logs.
    pub async fn wait_for<T, Fut>(
        &self,
        what: &str,
        timeout: Duration,
        check: impl FnMut() -> Fut,
    ) -> T
    where
        Fut: Future<Output = Option<T>>,
    {
        wait_for(
            || format!("{what}\n{}", self.logs()),
            timeout,
            Duration::from_millis(250),
            check,
        )
        .await
    }
}
