//! A devnet in a temporary directory, on free loopback ports, stopped on drop.

use std::{
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, Bytes, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
};
use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use serde_json::Value;
use tributary_contracts::{OpenToken, Portal};
use tributary_derivation::DeriveEvent;
use tributary_genesis::L2Genesis;
use tributary_l1::{L1Client, derive_into};
use tributary_node::{Node, NodeConfig};
use tributary_primitives::Deployment;

/// The repository root.
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A workspace binary next to this test executable (target/<profile>/NAME).
pub(crate) fn workspace_bin(name: &str) -> PathBuf {
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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running devnet.
pub(crate) struct Devnet {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) info: Value,
    args: Vec<String>,
    child: Child,
}

impl Devnet {
    /// Starts a devnet and waits until it wrote devnet.json.
    pub(crate) fn start(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let anvil = repo_root().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        assert!(anvil.exists(), "{} missing: run npm ci", anvil.display());
        let mut args: Vec<String> = vec![
            "--dir".into(),
            dir.path().join("d").display().to_string(),
            "--l1-port".into(),
            free_port().to_string(),
            "--l2-port".into(),
            free_port().to_string(),
            "--metrics-port".into(),
            free_port().to_string(),
            "--challenge-window".into(),
            "4".into(),
            "--anvil".into(),
            anvil.display().to_string(),
            "--sequencer".into(),
            workspace_bin("sequencer").display().to_string(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        let child = spawn(&args, dir.path());
        let mut devnet = Self {
            dir,
            info: Value::Null,
            args,
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
    pub(crate) fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
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

    /// Starts the devnet again on the same directory (it resumes) and waits until /health is
    /// ready.
    pub(crate) fn restart(&mut self) {
        self.child = spawn(&self.args, self.dir.path());
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
    pub(crate) fn get(&self, key: &str) -> String {
        self.info[key].as_str().unwrap().to_string()
    }

    /// The devnet directory (deployment.json, genesis.json, logs).
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join("d").join(name)
    }

    /// The tail of the devnet's and the sequencer's logs.
    pub(crate) fn logs(&self) -> String {
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
fn http_ok(url: &str) -> bool {
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

/// Starts the devnet binary with `args`, logging to `dir`/devnet.out (appended).
fn spawn(args: &[String], dir: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("devnet.out"))
        .unwrap();
    let mut command = Command::new(workspace_bin("devnet"));
    // SAFETY: one async-signal-safe system call. The devnet stops (and stops its children)
    // if this test dies without dropping it (a panic that aborts, a killed runner).
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGINT).map_err(std::io::Error::from)
        });
    }
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
pub(crate) async fn wait_safe(devnet: &Devnet, l2: &impl Provider, target: u64) {
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

/// Rebuilds the chain from the devnet's L1 alone in a fresh datadir and asserts every derived
/// block (at least up to `target`) equals the sequencer's. Unless `invalid_batches` are
/// expected (a batch built on an origin a reorg removed), every batch must be valid. Returns
/// the rebuilt node.
pub(crate) async fn rebuild_and_compare(
    devnet: &Devnet,
    l2: &impl Provider,
    target: u64,
    label: &str,
    invalid_batches: bool,
) -> (Node, tempfile::TempDir) {
    let genesis = L2Genesis::read_json(&devnet.path("genesis.json")).unwrap();
    let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
    let datadir = tempfile::tempdir().unwrap();
    let node = Node::open(NodeConfig::with_genesis(datadir.path(), genesis.config))
        .await
        .unwrap();
    let client = L1Client::new(devnet.get("l1_rpc").parse().unwrap(), None, deployment);
    let until = client.head_number().await.unwrap();
    let (mut accepted, mut skipped) = (0, 0);
    let head = derive_into(&client, &node, until, |step| {
        for event in &step.events {
            match event {
                DeriveEvent::BatchAccepted { .. } => accepted += 1,
                DeriveEvent::BatchSkipped { reason, .. } => {
                    skipped += 1;
                    eprintln!("skipped batch: {reason}");
                }
                DeriveEvent::ForcedBlocks {
                    first_block,
                    last_block,
                } => panic!("forced blocks {first_block}..={last_block} on an honest chain"),
                DeriveEvent::EmptyBlocks {
                    first_block,
                    last_block,
                } => assert!(
                    invalid_batches,
                    "empty blocks {first_block}..={last_block} on an honest chain"
                ),
            }
        }
    })
    .await
    .unwrap();
    eprintln!(
        "{label}: derived {} L2 blocks from {accepted} batches over {until} L1 blocks",
        head.number
    );
    if !invalid_batches {
        assert_eq!(skipped, 0, "an honest sequencer's batches are all valid");
    }
    assert!(
        head.number >= target,
        "derived up to {} < {target}",
        head.number
    );
    for number in 1..=head.number {
        let theirs = l2
            .get_block_by_number(number.into())
            .await
            .unwrap()
            .unwrap()
            .header;
        let ours = node
            .store()
            .header_by_number(number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ours.hash(), theirs.hash, "block {number} differs");
        assert_eq!(ours.state_root, theirs.state_root);
    }
    (node, datadir)
}

/// Lets the Portal take `amount` OPEN from `l1`'s account.
pub(crate) async fn approve_portal(l1: &impl Provider, deployment: &Deployment, amount: U256) {
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
pub(crate) async fn deposit(
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
pub(crate) async fn wait_balance(
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
