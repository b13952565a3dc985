//! The gateway process, the `tributary` binary, and plain HTTP, for the tests.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    primitives::{B256, U256, hex},
    providers::Provider,
    signers::local::PrivateKeySigner,
    transports::http::reqwest,
};
use serde_json::Value;
use tributary_testkit::{Devnet, die_with_parent, free_port, http_ok, workspace_bin};

/// `n` thousandths of an OPEN, in wei.
pub(crate) fn milli_open(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(15))
}

/// Hex of a key, as `TRIBUTARY_PRIVATE_KEY` takes it.
pub(crate) fn key_hex(signer: &PrivateKeySigner) -> String {
    format!("0x{}", hex::encode(signer.to_bytes()))
}

/// A `gateway` process on a free port, killed on drop.
pub(crate) struct GatewayProc {
    pub(crate) url: String,
    pub(crate) log: PathBuf,
    child: Child,
}

impl GatewayProc {
    /// Starts the gateway against the devnet's L2 with `key` as the provider key; returns once
    /// /health answers.
    pub(crate) fn start(devnet: &Devnet, key: &PrivateKeySigner, dir: &Path) -> Self {
        let port = free_port();
        let log = dir.join("gateway.log");
        let out = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(workspace_bin("gateway"));
        die_with_parent(&mut command);
        command
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--deployment",
                &devnet.path("devnet.json").display().to_string(),
                "--data-dir",
                &dir.join("gateway").display().to_string(),
                "--sync-interval-ms",
                "300",
            ])
            .env("TRIBUTARY_GATEWAY_KEY", key_hex(key))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        let mut child = command.spawn().unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !http_ok(&format!("{url}/health")) {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "gateway exited ({status}):\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "gateway not up");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { url, log, child }
    }

    /// The log so far.
    pub(crate) fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for GatewayProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `tributary` binary against the devnet and the gateway.
pub(crate) struct Cli {
    pub(crate) devnet_json: PathBuf,
    pub(crate) gateway: String,
}

/// What a run printed.
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Cli {
    /// Runs `tributary --json ARGS` with `key` in `TRIBUTARY_PRIVATE_KEY`.
    pub(crate) async fn run(&self, key: &PrivateKeySigner, args: &[&str]) -> Run {
        let output = tokio::process::Command::new(workspace_bin("tributary"))
            .args(args)
            .args([
                "--json",
                "--deployment",
                &self.devnet_json.display().to_string(),
                "--gateway",
                &self.gateway,
            ])
            .env("TRIBUTARY_PRIVATE_KEY", key_hex(key))
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs and expects success; returns the JSON it printed.
    pub(crate) async fn ok(&self, key: &PrivateKeySigner, args: &[&str]) -> Value {
        let run = self.run(key, args).await;
        assert_eq!(
            run.code,
            Some(0),
            "tributary {args:?} failed:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("tributary {args:?} printed no JSON ({e}):\n{}", run.stdout))
    }

    /// Runs and expects failure (exit 1); returns stderr.
    pub(crate) async fn fails(&self, key: &PrivateKeySigner, args: &[&str]) -> String {
        let run = self.run(key, args).await;
        assert_eq!(
            run.code,
            Some(1),
            "tributary {args:?} should fail:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        run.stderr
    }
}

/// `POST url` with `body`; returns the status and the body.
pub(crate) async fn post(url: &str, body: impl Into<reqwest::Body>) -> (u16, Vec<u8>) {
    let response = reqwest::Client::new()
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.bytes().await.unwrap().to_vec(),
    )
}

/// `GET url`; returns the status and the body.
pub(crate) async fn get(url: &str) -> (u16, Vec<u8>) {
    let response = reqwest::get(url).await.unwrap();
    (
        response.status().as_u16(),
        response.bytes().await.unwrap().to_vec(),
    )
}

/// The `error.code` of an OpenAI error body.
pub(crate) fn error_code(body: &[u8]) -> String {
    let value: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)));
    value["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {value}"))
        .to_string()
}

/// A `0x…` quantity or a decimal string as U256.
pub(crate) fn u256(v: &Value) -> U256 {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
}

/// What a transaction cost its sender: gas × price plus the L1 data fee (from the raw receipt,
/// which carries `l1Fee` as OP's do).
pub(crate) async fn tx_cost(l2: &impl Provider, tx: B256) -> U256 {
    let receipt: Value = l2
        .raw_request("eth_getTransactionReceipt".into(), (tx,))
        .await
        .unwrap();
    let field = |name: &str| {
        receipt
            .get(name)
            .filter(|v| !v.is_null())
            .map(u256)
            .unwrap_or_default()
    };
    field("gasUsed") * field("effectiveGasPrice") + field("l1Fee")
}
