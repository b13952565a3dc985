//! Real processes for the devnet tests: the `devnet`, `sequencer` and anvil binaries, each
//! logging to a file, stopped with SIGINT (or killed with SIGKILL on purpose), never leaked.

use std::{
    fs::File,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    primitives::Address,
    providers::{DynProvider, Provider, ProviderBuilder},
};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::Value;
use tributary_primitives::Deployment;

/// How long a first devnet run may take to come up (deploy, fund, deposits on L2).
const START_TIMEOUT: Duration = Duration::from_secs(150);
/// How long a process may take to exit after SIGINT.
pub(crate) const STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// A fresh directory for one test, removed at the end unless `TRIBUTARY_KEEP_TEST_DIRS` is set
/// (then kept, with the processes' logs, and its path printed).
#[derive(Debug)]
pub(crate) struct TestDir {
    path: PathBuf,
    _guard: Option<tempfile::TempDir>,
}

impl TestDir {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        if std::env::var_os("TRIBUTARY_KEEP_TEST_DIRS").is_some() {
            let path = dir.keep();
            println!("test directory (kept): {}", path.display());
            Self { path, _guard: None }
        } else {
            Self {
                path: dir.path().to_path_buf(),
                _guard: Some(dir),
            }
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// The repository root.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// anvil as `npm ci` installs it.
pub(crate) fn anvil_bin() -> PathBuf {
    let bin = repo_root().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    assert!(bin.exists(), "{} missing: run npm ci", bin.display());
    bin
}

/// A workspace binary next to the `tributary` binary under test (`devnet`, `sequencer`).
pub(crate) fn sibling_bin(name: &str) -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_tributary")).with_file_name(name);
    assert!(
        bin.exists(),
        "{} missing: these tests run the real devnet and sequencer binaries; build them first \
         with `cargo build -p tributary-sequencer -p tributary-devnet -p tributary-cli`",
        bin.display()
    );
    bin
}

/// Three distinct free loopback ports (bound at once, then released).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ports {
    pub(crate) l1: u16,
    pub(crate) l2: u16,
    pub(crate) metrics: u16,
}

impl Ports {
    pub(crate) fn free() -> Self {
        let listeners: Vec<TcpListener> = (0..3)
            .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
            .collect();
        let port = |i: usize| listeners[i].local_addr().unwrap().port();
        Self {
            l1: port(0),
            l2: port(1),
            metrics: port(2),
        }
    }

    pub(crate) fn l1_rpc(&self) -> String {
        format!("http://127.0.0.1:{}", self.l1)
    }

    pub(crate) fn l2_rpc(&self) -> String {
        format!("http://127.0.0.1:{}", self.l2)
    }

    pub(crate) fn health(&self) -> String {
        format!("http://127.0.0.1:{}/health", self.metrics)
    }
}

/// Sends `signal` (`INT`, `KILL`) to `pid`.
fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args(["-s", signal, &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A child process with its output appended to a log file. Dropping it stops it (SIGINT, then
/// SIGKILL), and kills by pid the grandchildren it reported (a devnet's anvil and sequencer), so
/// nothing outlives a test.
#[derive(Debug)]
pub(crate) struct Proc {
    name: &'static str,
    log: PathBuf,
    child: Option<Child>,
}

impl Proc {
    /// Spawns `command`, appending its stdout and stderr to `log` after a header line.
    pub(crate) fn spawn(name: &'static str, log: &Path, command: &mut Command) -> Self {
        use std::io::Write;
        let mut file = File::options().create(true).append(true).open(log).unwrap();
        writeln!(file, "===== test: starting {name} =====").unwrap();
        let child = command
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        Self {
            name,
            log: log.to_path_buf(),
            child: Some(child),
        }
    }

    /// Its log so far, without colour codes.
    pub(crate) fn log(&self) -> String {
        strip_ansi(&std::fs::read_to_string(&self.log).unwrap_or_default())
    }

    /// The last `n` lines of its log.
    pub(crate) fn tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        format!(
            "--- {} ({}, last {n} lines) ---\n{}\n",
            self.name,
            self.log.display(),
            lines[lines.len().saturating_sub(n)..].join("\n")
        )
    }

    /// Panics (with the log's tail) if the process has exited.
    pub(crate) fn assert_running(&mut self) {
        if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
            panic!("{} exited ({status})\n{}", self.name, self.tail(60));
        }
    }

    /// SIGINT, then waits for the exit (panics after [`STOP_TIMEOUT`]); returns the status and
    /// how long the exit took.
    pub(crate) async fn interrupt(&mut self) -> (ExitStatus, Duration) {
        let child = self.child.as_mut().expect("running");
        let sent = Instant::now();
        signal(child.id(), "INT");
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.child = None;
                return (status, sent.elapsed());
            }
            if sent.elapsed() > STOP_TIMEOUT {
                panic!(
                    "{} did not exit within {STOP_TIMEOUT:?} of SIGINT\n{}",
                    self.name,
                    self.tail(60)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// kill -9, and waits for the exit.
    pub(crate) fn kill9(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Pids of the children a devnet reported in its log (`started name=.. pid=..`).
    fn reported_pids(&self) -> Vec<u32> {
        self.log()
            .lines()
            .filter(|l| l.contains(" started "))
            .filter_map(|l| {
                let rest = &l[l.find(" pid=")? + 5..];
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse()
                    .ok()
            })
            .collect()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        signal(child.id(), "INT");
        let deadline = Instant::now() + Duration::from_secs(40);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        for pid in self.reported_pids() {
            signal(pid, "KILL");
        }
    }
}

/// devnet.json, the parts these tests read.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DevnetFile {
    pub(crate) l1_rpc: String,
    pub(crate) l2_rpc: String,
    pub(crate) accounts: Vec<KeyedAccount>,
    pub(crate) operators: Operators,
    pub(crate) deployment: Deployment,
}

/// An address with its key.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct KeyedAccount {
    pub(crate) address: Address,
    pub(crate) private_key: String,
}

impl KeyedAccount {
    pub(crate) fn signer(&self) -> alloy::signers::local::PrivateKeySigner {
        self.private_key.parse().unwrap()
    }
}

/// devnet.json `operators`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Operators {
    pub(crate) batcher: KeyedAccount,
    pub(crate) proposer: KeyedAccount,
}

/// A running `devnet` (first run in a fresh directory).
#[derive(Debug)]
pub(crate) struct Devnet {
    /// `--dir`.
    pub(crate) dir: PathBuf,
    pub(crate) process: Proc,
    pub(crate) info: DevnetFile,
    /// Spawn to "devnet is up".
    pub(crate) startup: Duration,
}

impl Devnet {
    /// Starts `devnet --dir root/devnet` on `ports` with `extra` flags and waits until it is up
    /// (devnet.json written). Its own output goes to `root/devnet-run.log`.
    pub(crate) async fn start(root: &Path, ports: Ports, extra: &[&str]) -> Self {
        let dir = root.join("devnet");
        let mut command = Command::new(sibling_bin("devnet"));
        command
            .arg("--dir")
            .arg(&dir)
            .args(["--l1-port", &ports.l1.to_string()])
            .args(["--l2-port", &ports.l2.to_string()])
            .args(["--metrics-port", &ports.metrics.to_string()])
            .arg("--anvil")
            .arg(anvil_bin())
            .arg("--sequencer")
            .arg(sibling_bin("sequencer"))
            .args(extra)
            .env("RUST_LOG", "info")
            .env_remove("TRIBUTARY_DEVNET_DIR")
            .env_remove("TRIBUTARY_ANVIL")
            .env_remove("TRIBUTARY_SEQUENCER");
        let spawned = Instant::now();
        let mut process = Proc::spawn("devnet", &root.join("devnet-run.log"), &mut command);
        let json = dir.join("devnet.json");
        loop {
            process.assert_running();
            if process.log().contains("Tributary devnet is up") && json.exists() {
                break;
            }
            if spawned.elapsed() > START_TIMEOUT {
                panic!(
                    "devnet not up within {START_TIMEOUT:?}\n{}{}",
                    process.tail(40),
                    tail_file(&dir.join("sequencer.log"), 40)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let startup = spawned.elapsed();
        let text = std::fs::read_to_string(&json).unwrap();
        let info: DevnetFile = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("devnet.json does not parse: {e}\n{text}"));
        assert_eq!(info.l1_rpc, ports.l1_rpc(), "devnet.json l1_rpc");
        assert_eq!(info.l2_rpc, ports.l2_rpc(), "devnet.json l2_rpc");
        Self {
            dir,
            process,
            info,
            startup,
        }
    }

    /// devnet.json's path.
    pub(crate) fn json_path(&self) -> PathBuf {
        self.dir.join("devnet.json")
    }

    /// The devnet's, the sequencer's and anvil's log tails, for failure messages.
    pub(crate) fn logs_tail(&self) -> String {
        self.process.tail(30)
            + &tail_file(&self.dir.join("sequencer.log"), 40)
            + &tail_file(&self.dir.join("anvil.log"), 10)
    }
}

/// The last `n` lines of a file, without colour codes.
pub(crate) fn tail_file(path: &Path, n: usize) -> String {
    let text = strip_ansi(&std::fs::read_to_string(path).unwrap_or_default());
    let lines: Vec<&str> = text.lines().collect();
    format!(
        "--- {} (last {n} lines) ---\n{}\n",
        path.display(),
        lines[lines.len().saturating_sub(n)..].join("\n")
    )
}

/// Removes ANSI colour sequences (ESC [ ... letter).
pub(crate) fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A read-only HTTP provider.
pub(crate) fn http(url: &str) -> DynProvider {
    ProviderBuilder::new()
        .connect_http(url.parse().unwrap())
        .erased()
}

/// One JSON-RPC call, deserialized; panics with the method on error.
pub(crate) async fn rpc<T: DeserializeOwned + std::fmt::Debug + Send + Sync + Unpin + 'static>(
    provider: &DynProvider,
    method: &'static str,
    params: Value,
) -> T {
    provider
        .raw_request::<_, T>(method.into(), params)
        .await
        .unwrap_or_else(|e| panic!("{method} failed: {e}"))
}

/// Waits until `url` (a /health endpoint) answers 200; panics if `process` exits first or
/// after `timeout`.
pub(crate) async fn wait_healthy(url: &str, process: &mut Proc, timeout: Duration) -> Duration {
    let client = alloy::transports::http::reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(response) = client.get(url).timeout(Duration::from_secs(2)).send().await
            && response.status().is_success()
        {
            return started.elapsed();
        }
        process.assert_running();
        if started.elapsed() > timeout {
            panic!("{url} not healthy within {timeout:?}\n{}", process.tail(60));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls `check` every `every` until it returns `Some`, or panics with `what`.
pub(crate) async fn wait_for<T, F, Fut>(
    what: impl Fn() -> String,
    timeout: Duration,
    every: Duration,
    mut check: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if Instant::now() > deadline {
            panic!("{}: not within {timeout:?}", what());
        }
        tokio::time::sleep(every).await;
    }
}
