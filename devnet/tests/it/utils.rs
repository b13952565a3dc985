//! Shared setup: the devnet process (started, awaited, stopped with SIGINT, never leaked), its
//! devnet.json, free ports, JSON-RPC helpers and L2 transaction helpers.

use std::{
    collections::BTreeMap,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    consensus::TxEnvelope,
    eips::eip2718::Encodable2718,
    network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Value, json};
use tributary_primitives::Deployment;

/// How long a devnet may take to come up (first run: deploy, fund, deposits on L2).
pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(180);
/// How long a devnet may take to exit after SIGINT.
pub(crate) const STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// A temporary directory for one test's devnet; kept (path printed) when
/// `TRIBUTARY_KEEP_TEST_DIRS` is set, to read the logs of a run.
pub(crate) fn test_dir(name: &str) -> tempfile::TempDir {
    let keep = std::env::var_os("TRIBUTARY_KEEP_TEST_DIRS").is_some();
    let dir = tempfile::Builder::new()
        .prefix(&format!("devnet-it-{name}-"))
        .disable_cleanup(keep)
        .tempdir()
        .unwrap();
    if keep {
        eprintln!("{name}: keeping {}", dir.path().display());
    }
    dir
}

/// The repository root.
pub(crate) fn repo_root() -> PathBuf {
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

/// The sequencer binary next to the devnet binary under test.
pub(crate) fn sequencer_bin() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_devnet")).with_file_name("sequencer");
    assert!(
        bin.exists(),
        "{} missing: the devnet tests run the real sequencer; build it first with \
         `cargo build -p tributary-sequencer -p tributary-devnet`",
        bin.display()
    );
    bin
}

/// The devnet's three ports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ports {
    pub(crate) l1: u16,
    pub(crate) l2: u16,
    pub(crate) metrics: u16,
}

impl Ports {
    /// Three distinct free loopback ports (bound at once, then released).
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

    /// Whether nothing listens on any of them any more.
    pub(crate) fn all_free(&self) -> bool {
        [self.l1, self.l2, self.metrics]
            .iter()
            .all(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
    }
}

/// devnet.json, the parts the tests read.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DevnetInfo {
    pub(crate) l1_rpc: String,
    pub(crate) l2_rpc: String,
    pub(crate) health: String,
    pub(crate) l1_chain_id: u64,
    pub(crate) l2_chain_id: u64,
    pub(crate) l2_genesis_hash: B256,
    pub(crate) contracts: ContractsInfo,
    pub(crate) accounts: Vec<AccountInfo>,
    pub(crate) deployment: Deployment,
    /// The whole file, for comparisons across runs.
    #[serde(skip)]
    pub(crate) raw: Value,
}

/// devnet.json `contracts`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct ContractsInfo {
    pub(crate) open_token: Address,
    pub(crate) rollup: Address,
    pub(crate) portal: Address,
    pub(crate) l2_to_l1_message_passer: Address,
    pub(crate) l1_block: Address,
}

/// devnet.json `accounts[i]`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AccountInfo {
    pub(crate) address: Address,
    pub(crate) private_key: String,
    pub(crate) l1_open: U256,
    pub(crate) l2_open: U256,
}

impl AccountInfo {
    pub(crate) fn signer(&self) -> PrivateKeySigner {
        self.private_key.parse().unwrap()
    }
}

/// A running `devnet` process. Dropping it stops the devnet (SIGINT, then SIGKILL of the
/// devnet and of the children it named in its log), so no anvil or sequencer outlives a test.
#[derive(Debug)]
pub(crate) struct Devnet {
    /// The devnet directory (`--dir`).
    pub(crate) dir: PathBuf,
    /// This run's stdout and stderr (outside `dir`: the devnet may clear `dir`).
    pub(crate) run_log: PathBuf,
    child: Option<Child>,
    pub(crate) info: DevnetInfo,
    /// Time from spawn to "devnet is up".
    pub(crate) startup: Duration,
}

impl Devnet {
    /// Starts `devnet` on `root/devnet` and waits until it is up; `run` names this run's log.
    pub(crate) async fn start(root: &Path, run: &str, ports: Ports, extra: &[&str]) -> Self {
        let dir = root.join("devnet");
        let run_log = root.join(format!("devnet-{run}.log"));
        let log = std::fs::File::create(&run_log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_devnet"));
        command
            .arg("--dir")
            .arg(&dir)
            .args(["--l1-port", &ports.l1.to_string()])
            .args(["--l2-port", &ports.l2.to_string()])
            .args(["--metrics-port", &ports.metrics.to_string()])
            .args(["--challenge-window", "4"])
            .arg("--anvil")
            .arg(anvil_bin())
            .arg("--sequencer")
            .arg(sequencer_bin())
            .args(extra)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .env_remove("TRIBUTARY_DEVNET_DIR")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        let spawned = Instant::now();
        let child = command.spawn().expect("devnet starts");
        let mut devnet = Self {
            dir,
            run_log,
            child: Some(child),
            info: placeholder_info(),
            startup: Duration::ZERO,
        };
        devnet.wait_up().await;
        devnet.startup = spawned.elapsed();
        devnet
    }

    async fn wait_up(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "devnet exited ({status}) before it was up\n{}",
                    self.logs_tail()
                );
            }
            let out = self.run_output();
            let json = self.dir.join("devnet.json");
            if out.contains("Tributary devnet is up") && json.exists() {
                let text = std::fs::read_to_string(&json).unwrap();
                let raw: Value = serde_json::from_str(&text).unwrap();
                let mut info: DevnetInfo = serde_json::from_value(raw.clone())
                    .unwrap_or_else(|e| panic!("devnet.json does not parse: {e}\n{text}"));
                info.raw = raw;
                self.info = info;
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "devnet not up within {START_TIMEOUT:?}\n{}",
                    self.logs_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// This run's stdout/stderr so far, without colour codes.
    pub(crate) fn run_output(&self) -> String {
        strip_ansi(&std::fs::read_to_string(&self.run_log).unwrap_or_default())
    }

    /// The sequencer's log (all runs), without colour codes.
    pub(crate) fn sequencer_log(&self) -> String {
        strip_ansi(&std::fs::read_to_string(self.dir.join("sequencer.log")).unwrap_or_default())
    }

    /// The sequencer's WARN and ERROR lines (all runs), printed for the record; panics on ERROR.
    pub(crate) fn check_sequencer_log(&self) {
        let log = self.sequencer_log();
        let problems: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
            .collect();
        if !problems.is_empty() {
            eprintln!("sequencer.log: {} WARN/ERROR lines:", problems.len());
            for line in problems.iter().take(20) {
                eprintln!("  {line}");
            }
        }
        let errors: Vec<&&str> = problems.iter().filter(|l| l.contains(" ERROR ")).collect();
        assert!(
            errors.is_empty(),
            "the sequencer logged errors: {errors:#?}"
        );
    }

    /// The last lines of the devnet's, the sequencer's and anvil's logs, for failure messages.
    pub(crate) fn logs_tail(&self) -> String {
        let tail = |name: &str, text: String, n: usize| {
            let lines: Vec<&str> = text.lines().collect();
            let from = lines.len().saturating_sub(n);
            format!(
                "--- {name} (last {n} lines) ---\n{}\n",
                lines[from..].join("\n")
            )
        };
        let read = |p: PathBuf| strip_ansi(&std::fs::read_to_string(p).unwrap_or_default());
        tail("devnet", self.run_output(), 40)
            + &tail("sequencer.log", read(self.dir.join("sequencer.log")), 40)
            + &tail("anvil.log", read(self.dir.join("anvil.log")), 10)
    }

    /// Sends SIGINT and waits for the exit; returns the status and how long it took.
    pub(crate) async fn interrupt(&mut self) -> (ExitStatus, Duration) {
        let child = self.child.as_mut().expect("devnet running");
        let sent = Instant::now();
        kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.child = None;
                return (status, sent.elapsed());
            }
            if sent.elapsed() > STOP_TIMEOUT {
                let tail = self.logs_tail();
                panic!("devnet did not exit within {STOP_TIMEOUT:?} of SIGINT\n{tail}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Pids of the children this run reported (`started name=.. pid=..`).
    fn child_pids(&self) -> Vec<i32> {
        self.run_output()
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

    pub(crate) fn l1(&self) -> DynProvider {
        http_provider(&self.info.l1_rpc)
    }

    pub(crate) fn l2(&self) -> DynProvider {
        http_provider(&self.info.l2_rpc)
    }

    /// A provider that signs on L1 as dev account `i`.
    pub(crate) fn l1_wallet(&self, i: usize) -> DynProvider {
        ProviderBuilder::new()
            .wallet(EthereumWallet::from(self.info.accounts[i].signer()))
            .connect_http(self.info.l1_rpc.parse().unwrap())
            .erased()
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = Pid::from_raw(child.id() as i32);
        let _ = kill(pid, Signal::SIGINT);
        let deadline = Instant::now() + Duration::from_secs(40);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        // the devnet died without stopping its children: stop them by the pids it logged
        for pid in self.child_pids() {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

fn placeholder_info() -> DevnetInfo {
    DevnetInfo {
        l1_rpc: String::new(),
        l2_rpc: String::new(),
        health: String::new(),
        l1_chain_id: 0,
        l2_chain_id: 0,
        l2_genesis_hash: B256::ZERO,
        contracts: ContractsInfo {
            open_token: Address::ZERO,
            rollup: Address::ZERO,
            portal: Address::ZERO,
            l2_to_l1_message_passer: Address::ZERO,
            l1_block: Address::ZERO,
        },
        accounts: Vec::new(),
        deployment: serde_json::from_value(json!({
            "l1_chain_id": 0, "l2_chain_id": 0,
            "deploy_block": {"number": 0, "hash": B256::ZERO},
            "contracts": {"open_token": Address::ZERO, "rollup": Address::ZERO, "portal": Address::ZERO},
            "roles": {"owner": Address::ZERO, "batcher": Address::ZERO, "proposer": Address::ZERO,
                      "guardian": Address::ZERO, "treasury": Address::ZERO},
            "challenge_window_secs": 0, "proposer_bond": "0x0", "challenger_bond": "0x0",
            "l2_genesis_hash": B256::ZERO, "max_deposit_gas_limit": 0,
            "max_deposit_gas_per_l1_block": 0
        }))
        .unwrap(),
        raw: Value::Null,
    }
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
pub(crate) fn http_provider(url: &str) -> DynProvider {
    ProviderBuilder::new()
        .connect_http(url.parse().unwrap())
        .erased()
}

/// One JSON-RPC call through `provider`, deserialized; panics with the method on error.
pub(crate) async fn rpc<T: DeserializeOwned>(
    provider: &DynProvider,
    method: &'static str,
    params: Value,
) -> T {
    let value: Value = provider
        .raw_request(method.into(), params)
        .await
        .unwrap_or_else(|e| panic!("{method} failed: {e}"));
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("{method}: unexpected answer ({e}): {value}"))
}

/// `0x…` quantity of a JSON field as U256.
pub(crate) fn quantity(v: &Value) -> U256 {
    let s = v.as_str().unwrap_or_else(|| panic!("not a quantity: {v}"));
    U256::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()
}

/// `0x…` quantity of a JSON field as u64.
pub(crate) fn quantity_u64(v: &Value) -> u64 {
    quantity(v).to::<u64>()
}

/// `tributary_syncStatus`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SyncStatus {
    pub(crate) l1_enabled: bool,
    pub(crate) l1_synced: bool,
    pub(crate) head_l1: u64,
    pub(crate) confirmed_l1: u64,
    pub(crate) unsafe_l2: NumHash,
    pub(crate) safe_l2: NumHash,
    pub(crate) finalized_l2: NumHash,
}

/// A block number and hash.
#[derive(Debug, Clone, Copy, Deserialize)]
pub(crate) struct NumHash {
    pub(crate) number: u64,
    pub(crate) hash: B256,
}

/// `tributary_syncStatus`, checked for internal consistency.
pub(crate) async fn sync_status(l2: &DynProvider) -> SyncStatus {
    let s: SyncStatus = rpc(l2, "tributary_syncStatus", json!([])).await;
    assert!(s.head_l1 >= s.confirmed_l1, "{s:?}");
    assert!(
        s.unsafe_l2.number >= s.safe_l2.number && s.safe_l2.number >= s.finalized_l2.number,
        "unsafe >= safe >= finalized: {s:?}"
    );
    assert!(
        !s.unsafe_l2.hash.is_zero() && !s.safe_l2.hash.is_zero(),
        "{s:?}"
    );
    s
}

/// Waits until `tributary_syncStatus` reports `safeL2 >= block`.
pub(crate) async fn wait_safe(devnet: &Devnet, block: u64, timeout: Duration) -> SyncStatus {
    let l2 = devnet.l2();
    let deadline = Instant::now() + timeout;
    loop {
        let status = sync_status(&l2).await;
        if status.safe_l2.number >= block {
            return status;
        }
        if Instant::now() > deadline {
            panic!(
                "L2 block {block} not safe within {timeout:?} ({status:?})\n{}",
                devnet.logs_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Polls `check` every 250 ms until it returns `Some`, or panics with `what` and the logs.
pub(crate) async fn wait_for<T, F, Fut>(
    devnet: &Devnet,
    what: &str,
    timeout: Duration,
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
            panic!("{what}: not within {timeout:?}\n{}", devnet.logs_tail());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// GET `url`: status and JSON body.
pub(crate) async fn http_get_json(url: &str) -> (u16, Value) {
    let response = alloy::transports::http::reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// A block with full transactions, as raw JSON (deposits are type 0x7e, which Ethereum types
/// do not decode).
pub(crate) async fn block_json(provider: &DynProvider, number: u64) -> Value {
    let block: Value = rpc(
        provider,
        "eth_getBlockByNumber",
        json!([format!("{number:#x}"), true]),
    )
    .await;
    assert!(!block.is_null(), "block {number} missing");
    block
}

/// Signs EIP-1559 transactions locally and sends them raw, nonces counted here: one
/// round-trip per transaction, so hundreds go out in a few seconds.
#[derive(Debug)]
pub(crate) struct L2Sender {
    provider: DynProvider,
    chain_id: u64,
    max_fee: u128,
    nonces: BTreeMap<Address, u64>,
}

/// Priority fee of the tests' L2 transactions.
pub(crate) const TIP: u128 = 1_000_000_000;

impl L2Sender {
    pub(crate) async fn new(devnet: &Devnet) -> Self {
        let provider = devnet.l2();
        let chain_id = provider.get_chain_id().await.unwrap();
        assert_eq!(
            chain_id, devnet.info.l2_chain_id,
            "eth_chainId vs devnet.json"
        );
        let base_fee: Value =
            rpc(&provider, "eth_getBlockByNumber", json!(["latest", false])).await;
        let base_fee = quantity(&base_fee["baseFeePerGas"]).to::<u128>();
        Self {
            provider,
            chain_id,
            max_fee: base_fee * 4 + TIP,
            nonces: BTreeMap::new(),
        }
    }

    /// Sends `value` (and `data`) from `from` to `to`; returns the hash.
    pub(crate) async fn send(
        &mut self,
        from: &PrivateKeySigner,
        to: Address,
        value: U256,
        data: Bytes,
        gas: u64,
    ) -> B256 {
        let nonce = match self.nonces.get(&from.address()) {
            Some(n) => *n,
            None => self
                .provider
                .get_transaction_count(from.address())
                .await
                .unwrap(),
        };
        let request = TransactionRequest::default()
            .with_from(from.address())
            .with_to(to)
            .with_value(value)
            .with_input(data)
            .with_nonce(nonce)
            .with_chain_id(self.chain_id)
            .with_gas_limit(gas)
            .with_max_fee_per_gas(self.max_fee)
            .with_max_priority_fee_per_gas(TIP);
        let envelope: TxEnvelope = request
            .build(&EthereumWallet::from(from.clone()))
            .await
            .unwrap();
        let raw = envelope.encoded_2718();
        let hash: B256 = rpc(
            &self.provider,
            "eth_sendRawTransaction",
            json!([Bytes::from(raw)]),
        )
        .await;
        assert_eq!(hash, *envelope.tx_hash());
        self.nonces.insert(from.address(), nonce + 1);
        hash
    }
}

/// Waits for the receipts of `hashes` (raw JSON, with the OP L1-fee fields); all must succeed.
pub(crate) async fn receipts(devnet: &Devnet, hashes: &[B256]) -> Vec<Value> {
    let l2 = devnet.l2();
    let mut out = Vec::with_capacity(hashes.len());
    for hash in hashes {
        let receipt = wait_for(
            devnet,
            &format!("receipt of {hash}"),
            Duration::from_secs(60),
            || {
                let l2 = l2.clone();
                async move {
                    let r: Value = rpc(&l2, "eth_getTransactionReceipt", json!([hash])).await;
                    (!r.is_null()).then_some(r)
                }
            },
        )
        .await;
        assert_eq!(
            receipt["status"], "0x1",
            "transaction {hash} failed: {receipt}"
        );
        out.push(receipt);
    }
    out
}

/// The highest `blockNumber` among receipts.
pub(crate) fn max_block(receipts: &[Value]) -> u64 {
    receipts
        .iter()
        .map(|r| quantity_u64(&r["blockNumber"]))
        .max()
        .unwrap()
}

/// `n` OPEN in wei.
pub(crate) fn open(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}
