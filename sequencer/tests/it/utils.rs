//! Running the real binary: a free port, a datadir, JSON-RPC over HTTP, kill -9.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    signers::{SignerSync, local::MnemonicBuilder},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use serde_json::{Value, json};

/// The repository root (where node_modules and tests/clients live).
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running anvil (the L1 stand-in); killed on drop.
pub(crate) struct Anvil {
    child: Child,
    pub(crate) url: String,
}

impl Anvil {
    /// Starts `node_modules/.bin/anvil` (Prague) on a free port and waits until it answers.
    pub(crate) fn start() -> Self {
        let port = free_port();
        let child = Command::new(repo_root().join("node_modules/.bin/anvil"))
            .args([
                "--port",
                &port.to_string(),
                "--hardfork",
                "prague",
                "--silent",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn anvil (npm ci installs it)");
        let anvil = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        wait_until_up(&anvil.url, "anvil");
        anvil
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `sequencer --dev`; killed (SIGKILL) on drop.
pub(crate) struct Sequencer {
    child: Child,
    pub(crate) url: String,
}

impl Sequencer {
    /// Starts the binary on a free port with `datadir` and waits until it answers.
    pub(crate) fn start(datadir: &Path) -> Self {
        let port = free_port();
        let mut args: Vec<std::ffi::OsString> = ["--dev", "--block-time", "50", "--http.port"]
            .into_iter()
            .map(Into::into)
            .collect();
        args.push(port.to_string().into());
        args.push("--datadir".into());
        args.push(datadir.into());
        Self::start_with(port, &args)
    }

    /// Starts the binary with `args` and waits until it answers on `port`.
    pub(crate) fn start_with(port: u16, args: &[std::ffi::OsString]) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_sequencer"))
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn sequencer");
        let seq = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        wait_until_up(&seq.url, "sequencer");
        seq
    }

    /// SIGKILL, no chance to flush anything.
    pub(crate) fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn try_call(&self, method: &str, params: Value) -> Result<Value, String> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let response: Value = ureq_post(&self.url, &body)?;
        match response.get("error") {
            Some(e) => Err(e.to_string()),
            None => Ok(response["result"].clone()),
        }
    }

    /// A JSON-RPC call that must succeed.
    pub(crate) fn call(&self, method: &str, params: Value) -> Value {
        self.try_call(method, params)
            .unwrap_or_else(|e| panic!("{method} failed: {e}"))
    }

    /// A JSON-RPC call that must fail; returns the error object.
    pub(crate) fn call_err(&self, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let response = ureq_post(&self.url, &body).unwrap();
        response
            .get("error")
            .cloned()
            .unwrap_or_else(|| panic!("{method} succeeded: {response}"))
    }

    /// A batch of raw transactions; returns each entry's result or error.
    pub(crate) fn send_batch(&self, raws: &[Bytes]) -> Vec<Result<B256, Value>> {
        let body: Vec<Value> = raws
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                json!({"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [raw]})
            })
            .collect();
        let response = ureq_post(&self.url, &Value::Array(body)).unwrap();
        let mut out: Vec<(u64, Result<B256, Value>)> = response
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let id = r["id"].as_u64().unwrap();
                let result = match r.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(serde_json::from_value(r["result"].clone()).unwrap()),
                };
                (id, result)
            })
            .collect();
        out.sort_by_key(|(id, _)| *id);
        out.into_iter().map(|(_, r)| r).collect()
    }

    /// Waits for a receipt and returns it.
    pub(crate) fn wait_receipt(&self, hash: B256) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let r = self.call("eth_getTransactionReceipt", json!([hash]));
            if !r.is_null() {
                return r;
            }
            assert!(Instant::now() < deadline, "no receipt for {hash}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Sequencer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (up to 30 s) until the node at `url` answers `eth_chainId`.
fn wait_until_up(url: &str, what: &str) {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []});
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ureq_post(url, &body).is_ok_and(|r| r.get("error").is_none()) {
        assert!(Instant::now() < deadline, "{what} did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Minimal blocking HTTP POST of JSON (std only: one request per connection).
fn ureq_post(url: &str, body: &Value) -> Result<Value, String> {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let payload = body.to_string();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let (_, body) = response
        .split_once("\r\n\r\n")
        .ok_or("malformed HTTP response")?;
    serde_json::from_str(body).map_err(|e| format!("{e}: {body}"))
}

/// A signed EIP-1559 transfer from dev account `from` on the dev chain.
pub(crate) fn transfer(from: u32, nonce: u64, to: Address, value: u64) -> Bytes {
    let tx = TxEip1559 {
        chain_id: 424_242,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1_000_000,
        to: TxKind::Call(to),
        value: U256::from(value),
        access_list: Default::default(),
        input: Bytes::new(),
    };
    let signer = MnemonicBuilder::from_phrase_nth(tributary_genesis::DEV_MNEMONIC, from);
    let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
}

/// A fresh recipient per index.
pub(crate) fn recipient(i: u64) -> Address {
    Address::left_padding_from(&(0xfee0_0000 + i).to_be_bytes())
}

/// Runs a command to completion, failing the test with its output if it fails.
pub(crate) fn run(cmd: &mut Command) {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
