//! Test support shared by the integration tests of several crates (dev-dependency only).
//!
//! * [`Devnet`]: the `devnet` binary (anvil + the sequencer in L1 mode, with batcher and
//!   proposer) in a temporary directory on free loopback ports, stopped on drop; restartable.
//! * The L1 steps tests repeat: [`approve_portal`], [`deposit`], [`wait_balance`],
//!   [`wait_safe`].
//! * [`workspace_bin`]: the path of a workspace binary next to the running test executable.
//!
//! Set `TRIBUTARY_KEEP_TEST_DIRS=1` to keep a devnet's directory (logs, chain) after the test.

use std::{
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256, address},
    providers::{Provider, ProviderBuilder},
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::{MnemonicBuilder, PrivateKeySigner},
};
use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use serde_json::Value;
use tributary_contracts::{OpenToken, Portal};
use tributary_genesis::DEV_MNEMONIC;
use tributary_primitives::{Deployment, predeploys};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The anvil binary installed by `npm ci`.
pub fn anvil_bin() -> PathBuf {
    let anvil = repo_root().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    assert!(anvil.exists(), "{} missing: run npm ci", anvil.display());
    anvil
}

/// A workspace binary next to this test executable (target/<profile>/NAME).
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/it-<hash> → target/<profile>/NAME
    let bin = exe.parent().unwrap().parent().unwrap().join(name);
    assert!(
        bin.exists(),
        "{} missing: build the workspace first (cargo build --workspace)",
        bin.display()
    );
    bin
}

/// A free loopback TCP port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running devnet.
#[derive(Debug)]
pub struct Devnet {
    /// The temporary directory (the devnet's own directory is `d/` inside).
    pub dir: tempfile::TempDir,
    /// devnet.json.
    pub info: Value,
    /// Directory, ports and binaries: the same on every start.
    args: Vec<String>,
    /// The caller's flags (replaced by [`Self::restart_with`]).
    extra: Vec<String>,
    child: Child,
}

impl Devnet {
    /// Starts a devnet (challenge window 4 s unless `extra` sets `--challenge-window`) and
    /// waits until it wrote devnet.json.
    pub fn start(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let anvil = anvil_bin();
        let mut args: Vec<String> = vec![
            "--dir".into(),
            dir.path().join("d").display().to_string(),
            "--l1-port".into(),
            free_port().to_string(),
            "--l2-port".into(),
            free_port().to_string(),
            "--metrics-port".into(),
            free_port().to_string(),
            "--anvil".into(),
            anvil.display().to_string(),
            "--sequencer".into(),
            workspace_bin("sequencer").display().to_string(),
        ];
        if !extra.iter().any(|a| a.starts_with("--challenge-window")) {
            args.extend(["--challenge-window".into(), "4".into()]);
        }
        let extra: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
        let child = spawn(&[args.clone(), extra.clone()].concat(), dir.path());
        let mut devnet = Self {
            dir,
            info: Value::Null,
            args,
            extra,
            child,
        };
        let path = devnet.dir.path().join("d/devnet.json");
        let deadline = Instant::now() + Duration::from_secs(180);
        while !path.exists() {
            if let Some(status) = devnet.child.try_wait().unwrap() {
                panic!("devnet exited ({status}):\n{}", devnet.logs());
            }
            assert!(
                Instant::now() < deadline,
                "devnet not up:\n{}",
                devnet.logs()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        devnet.info = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        devnet
    }

    /// Waits for the devnet process to exit by itself and returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "devnet still running:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Stops the devnet with SIGINT (as Ctrl-C) and asserts it exits cleanly.
    pub fn stop(&mut self) {
        let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGINT);
        let code = self.wait_exit(Duration::from_secs(60));
        assert_eq!(code, Some(0), "devnet exit status:\n{}", self.logs());
    }

    /// Stops the devnet and starts it again on the same directory with other flags.
    pub fn restart_with(&mut self, extra: &[&str]) {
        self.stop();
        self.extra = extra.iter().map(|a| a.to_string()).collect();
        self.restart();
    }

    /// Starts the devnet again on the same directory (it resumes) and waits until /health is
    /// ready.
    pub fn restart(&mut self) {
        self.child = spawn(
            &[self.args.clone(), self.extra.clone()].concat(),
            self.dir.path(),
        );
        let health = self.get("health");
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if http_ok(&health) {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("devnet exited ({status}):\n{}", self.logs());
            }
            assert!(
                Instant::now() < deadline,
                "devnet not healthy:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A field of devnet.json as a string.
    pub fn get(&self, key: &str) -> String {
        self.info[key].as_str().unwrap().to_string()
    }

    /// The devnet directory (deployment.json, genesis.json, logs).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join("d").join(name)
    }

    /// The tail of the devnet's and the sequencer's logs.
    pub fn logs(&self) -> String {
        let read = |p: PathBuf| std::fs::read_to_string(p).unwrap_or_default();
        let tail = |s: String| {
            s.lines()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n")
        };
        format!(
            "--- devnet ---\n{}\n--- sequencer ---\n{}",
            tail(read(self.dir.path().join("devnet.out"))),
            tail(read(self.path("sequencer.log")))
        )
    }
}

/// Whether `GET url` (plain http on loopback) answers 200.
pub fn http_ok(url: &str) -> bool {
    use std::io::{Read, Write};
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let Ok(mut stream) = std::net::TcpStream::connect(host) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if write!(stream, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200")
}

/// Makes the process `command` starts receive SIGINT when the test process dies, so that no
/// devnet, node or prover outlives a killed test run.
pub fn die_with_parent(command: &mut Command) {
    // SAFETY: one async-signal-safe system call between fork and exec.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGINT).map_err(std::io::Error::from)
        });
    }
}

/// Starts the devnet binary with `args`, logging to `dir`/devnet.out (appended).
fn spawn(args: &[String], dir: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("devnet.out"))
        .unwrap();
    let mut command = Command::new(workspace_bin("devnet"));
    // The devnet stops (and stops its children) if this test dies without dropping it (a
    // panic that aborts, a killed runner).
    die_with_parent(&mut command);
    command
        .args(args)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap()
}

impl Drop for Devnet {
    fn drop(&mut self) {
        if std::env::var_os("TRIBUTARY_KEEP_TEST_DIRS").is_some() {
            eprintln!("keeping {}", self.dir.path().display());
            let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
            let _ = dir.keep();
        }
        let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGINT);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
    }
}

/// Waits until L2 block `target` is safe (covered by a batch in a confirmed L1 block).
pub async fn wait_safe(devnet: &Devnet, l2: &impl Provider, target: u64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status: Value = l2
            .raw_request("tributary_syncStatus".into(), ())
            .await
            .unwrap();
        if status["safeL2"]["number"].as_u64().unwrap() >= target {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "L2 block {target} never became safe:\n{}",
            devnet.logs()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Lets the Portal take `amount` OPEN from `l1`'s account.
pub async fn approve_portal(l1: &impl Provider, deployment: &Deployment, amount: U256) {
    OpenToken::new(deployment.contracts.open_token, l1)
        .approve(deployment.contracts.portal, amount)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
}

/// Deposits `mint` OPEN to `to` on L2 through the Portal, from `l1`'s account.
pub async fn deposit(
    l1: &impl Provider,
    deployment: &Deployment,
    to: Address,
    mint: U256,
) -> TransactionReceipt {
    let receipt = Portal::new(deployment.contracts.portal, l1)
        .depositTransaction(to, mint, U256::ZERO, 100_000, false, Bytes::new())
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status(), "deposit reverted on L1");
    receipt
}

/// Waits until `who`'s L2 balance is `expected`; every balance seen on the way must pass
/// `allowed`.
pub async fn wait_balance(
    devnet: &Devnet,
    l2: &impl Provider,
    who: Address,
    expected: U256,
    timeout: Duration,
    allowed: impl Fn(U256) -> bool,
) {
    let deadline = Instant::now() + timeout;
    loop {
        let now = l2.get_balance(who).await.unwrap();
        assert!(
            allowed(now),
            "unexpected L2 balance {now} of {who} (waiting for {expected})"
        );
        if now == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "L2 balance of {who} never became {expected}:\n{}",
            devnet.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Init code of a contract whose runtime adds 1 to slot 0 on every call.
const COUNTER_INIT: &str = "600b600c600039600b6000f360016000540160005500";

/// The signer of dev account `i` (the `test test … junk` mnemonic, as anvil's accounts).
pub fn dev_signer(i: u32) -> PrivateKeySigner {
    MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, i)
}

/// What [`workload`] did.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    /// The L2 account the L1 deposit credited (dev account 2).
    pub depositor: Address,
    /// The L2 transaction that initiated a 1 OPEN withdrawal (from dev account 1 to itself).
    pub withdrawal: B256,
    /// The L2 head after it.
    pub last_block: u64,
}

/// A fixed workload touching every kind of L2 block content: ten transfers to fresh accounts
/// (`seed` picks them), a contract deployed and called three times, a transaction that reverts
/// (and is still included), a withdrawal, and a deposit made on L1 (waited for on L2).
pub async fn workload(devnet: &Devnet, seed: u64) -> Workload {
    let l2_url: alloy::transports::http::reqwest::Url = devnet.get("l2_rpc").parse().unwrap();
    let l1_url: alloy::transports::http::reqwest::Url = devnet.get("l1_rpc").parse().unwrap();
    let l2 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(dev_signer(1)))
        .connect_http(l2_url);
    // L2 activity: transfers to fresh accounts, a contract and calls to it, a reverting
    // transaction, a withdrawal
    for i in 0..10u64 {
        let to = Address::from_word(alloy::primitives::keccak256(
            (seed * 1_000 + i).to_be_bytes(),
        ));
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_value(U256::from(1_000 + i));
        l2.send_transaction(tx)
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
    }
    let deploy = TransactionRequest::default()
        .with_deploy_code(Bytes::from(alloy::hex::decode(COUNTER_INIT).unwrap()));
    let receipt = l2
        .send_transaction(deploy)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let counter = receipt.contract_address.unwrap();
    for _ in 0..3 {
        let call = TransactionRequest::default()
            .with_to(counter)
            .with_gas_limit(50_000);
        l2.send_transaction(call)
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
    }
    // only the depositor account may set L1 values: this one reverts, and is still included
    let revert = TransactionRequest::default()
        .with_to(predeploys::L1_BLOCK)
        .with_input(Bytes::from_static(&[0x44, 0x0a, 0x5e, 0x20]))
        .with_gas_limit(100_000);
    let reverted = l2
        .send_transaction(revert)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!reverted.status(), "the reverting transaction reverts");
    let withdraw = TransactionRequest::default()
        .with_to(predeploys::L2_TO_L1_MESSAGE_PASSER)
        .with_value(U256::from(10u64).pow(U256::from(18)))
        .with_gas_limit(200_000);
    let withdrawal = l2
        .send_transaction(withdraw)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(withdrawal.status(), "the withdrawal succeeds");

    // a deposit made now, on L1
    let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(dev_signer(2)))
        .connect_http(l1_url);
    let mint = U256::from(123_456_789u64);
    let depositor = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    let before = l2.get_balance(depositor).await.unwrap();
    approve_portal(&l1, &deployment, mint).await;
    deposit(&l1, &deployment, depositor, mint).await;
    let expected = before + mint;
    wait_balance(
        devnet,
        &l2,
        depositor,
        expected,
        Duration::from_secs(60),
        |_| true,
    )
    .await;
    Workload {
        depositor,
        withdrawal: withdrawal.transaction_hash,
        last_block: l2.get_block_number().await.unwrap(),
    }
}

/// The log without terminal colour codes (`ESC [ … m`).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
