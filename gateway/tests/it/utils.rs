//! The gateway process, the `tributary` binary, and plain HTTP, for the tests (on top of the
//! shared harness, `tributary_testkit`).

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

use alloy::{
    primitives::{B256, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
    transports::http::reqwest,
};
use serde_json::{Value, json};
use tributary_testkit::{Devnet, Proc, Run, free_port, key_hex, quantity, rpc, workspace_bin};

/// `n` thousandths of an OPEN, in wei.
pub(crate) fn milli_open(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(15))
}

/// A `gateway` process on a free port, stopped on drop.
pub(crate) struct GatewayProc {
    pub(crate) url: String,
    process: Proc,
}

impl GatewayProc {
    /// Starts the gateway against the devnet's L2 with `key` as the provider key; returns once
    /// /health answers.
    pub(crate) fn start(devnet: &Devnet, key: &PrivateKeySigner, dir: &Path) -> Self {
        let port = free_port();
        let mut command = Command::new(workspace_bin("gateway"));
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
            .env("RUST_LOG", "info");
        let mut process = Proc::spawn("gateway", &dir.join("gateway.log"), &mut command);
        let url = format!("http://127.0.0.1:{port}");
        process.wait_healthy(&format!("{url}/health"), Duration::from_secs(60));
        Self { url, process }
    }

    /// The log so far.
    pub(crate) fn logs(&self) -> String {
        self.process.log()
    }
}

/// The `tributary` binary against the devnet and the gateway.
pub(crate) struct Cli {
    pub(crate) devnet_json: PathBuf,
    pub(crate) gateway: String,
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
        Run::new(format!("tributary {args:?}"), output)
    }

    /// Runs and expects success; returns the JSON it printed.
    pub(crate) async fn ok(&self, key: &PrivateKeySigner, args: &[&str]) -> Value {
        self.run(key, args).await.json()
    }

    /// Runs and expects failure (exit 1); returns stderr.
    pub(crate) async fn fails(&self, key: &PrivateKeySigner, args: &[&str]) -> String {
        let run = self.run(key, args).await;
        run.expect_code(1);
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

/// What a transaction cost its sender: gas × price plus the L1 data fee (from the raw receipt,
/// which carries `l1Fee` as OP's do).
pub(crate) async fn tx_cost(l2: &impl Provider, tx: B256) -> U256 {
    let receipt: Value = rpc(l2, "eth_getTransactionReceipt", json!([tx])).await;
    let field = |name: &str| {
        receipt
            .get(name)
            .filter(|v| !v.is_null())
            .map(quantity)
            .unwrap_or_default()
    };
    field("gasUsed") * field("effectiveGasPrice") + field("l1Fee")
}
