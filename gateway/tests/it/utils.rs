//! The gateway process, the `tributary` binary, and plain HTTP, for the tests (on top of the
//! shared harness, `tributary_testkit`).

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

use alloy::{
    primitives::{B256, U256, keccak256},
    providers::Provider,
    signers::local::PrivateKeySigner,
    transports::http::reqwest,
};
use serde_json::{Value, json};
use tributary_cli::gateway_api::{ChatMessage, ChatRequest, Payment};
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

    /// `tributary model register` as `owner`: a model linking `datanet`, with a fee of 0.01
    /// OPEN and the artifact hash `keccak256(artifact)`. Returns its id.
    pub(crate) async fn register_model(
        &self,
        owner: &PrivateKeySigner,
        datanet: u64,
        artifact: &str,
    ) -> u64 {
        let out = self
            .ok(
                owner,
                &[
                    "model",
                    "register",
                    "--datanets",
                    &datanet.to_string(),
                    "--fee",
                    "0.01",
                    "--artifact-hash",
                    &format!("{}", keccak256(artifact)),
                ],
            )
            .await;
        out["id"]
            .as_u64()
            .unwrap_or_else(|| panic!("no model id: {out}"))
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

/// [`post`], for an answer in JSON: the status and the parsed body.
pub(crate) async fn post_json(url: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let (status, body) = post(url, body).await;
    let value = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, value)
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

/// An evidence document's `weights`: (contribution id, bps), in order.
pub(crate) fn evidence_weights(evidence: &Value) -> Vec<(u64, u64)> {
    evidence["weights"]
        .as_array()
        .unwrap_or_else(|| panic!("no weights: {evidence}"))
        .iter()
        .map(|w| {
            (
                w["contribution_id"].as_u64().unwrap(),
                w["bps"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A chat request for `model` (named by its id) asking `question`, with a payment signed by
/// `signer`: at most `max_fee`, with `nonce`, valid until `deadline`.
pub(crate) fn paid_request(
    signer: &PrivateKeySigner,
    chain_id: u64,
    model: u64,
    question: &str,
    max_fee: U256,
    nonce: U256,
    deadline: U256,
) -> ChatRequest {
    let messages = vec![ChatMessage::user(question)];
    let payment = Payment::sign(
        signer,
        chain_id,
        U256::from(model),
        &messages,
        max_fee,
        nonce,
        deadline,
    )
    .unwrap();
    ChatRequest {
        model: model.to_string(),
        messages,
        max_tokens: None,
        temperature: None,
        stream: None,
        tributary: Some(payment),
    }
}
