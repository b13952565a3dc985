//! Talking to the processes the way a user or a script does: plain HTTP, JSON-RPC, raw JSON
//! values, and polling until something holds.

use std::{
    future::Future,
    time::{Duration, Instant},
};

use alloy::{
    network::EthereumWallet,
    primitives::{B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Value, json};

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

/// A read-only HTTP provider.
pub fn http_provider(url: &str) -> DynProvider {
    ProviderBuilder::new()
        .connect_http(url.parse().unwrap())
        .erased()
}

/// An HTTP provider that signs with `signer`.
pub fn wallet_provider(url: &str, signer: PrivateKeySigner) -> DynProvider {
    ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(url.parse().unwrap())
        .erased()
}

/// One JSON-RPC call, deserialized; panics with the method on an error or an unexpected answer.
pub async fn rpc<T: DeserializeOwned>(
    provider: &impl Provider,
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

/// A JSON-RPC quantity (`"0x…"`, hex) as U256; panics on anything else.
pub fn quantity(v: &Value) -> U256 {
    let hex = v
        .as_str()
        .and_then(|s| s.strip_prefix("0x"))
        .unwrap_or_else(|| panic!("not a quantity: {v}"));
    U256::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("not a quantity ({e}): {v}"))
}

/// A JSON-RPC quantity as u64.
pub fn quantity_u64(v: &Value) -> u64 {
    quantity(v)
        .try_into()
        .unwrap_or_else(|_| panic!("not a u64: {v}"))
}

/// A U256 printed as a JSON string, `0x…` hex or decimal (as the binaries' `--json` output
/// carries amounts).
pub fn u256(v: &Value) -> U256 {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
}

/// Polls `check` every `every` until it returns `Some`; after `timeout` panics with `what()`
/// (evaluated then, so it can carry the latest logs).
pub async fn wait_for<T, Fut>(
    what: impl FnOnce() -> String,
    timeout: Duration,
    every: Duration,
    mut check: impl FnMut() -> Fut,
) -> T
where
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if Instant::now() > deadline {
            panic!("not within {timeout:?}: {}", what());
        }
        tokio::time::sleep(every).await;
    }
}

/// Waits for the receipt of `hash` (raw JSON, with the OP L1-fee fields) and asserts that the
/// transaction succeeded; `context()` goes into the failure message.
pub async fn wait_receipt(
    l2: &impl Provider,
    hash: B256,
    timeout: Duration,
    context: impl FnOnce() -> String,
) -> Value {
    let receipt: Value = wait_for(
        || format!("receipt of {hash}\n{}", context()),
        timeout,
        Duration::from_millis(250),
        || async move {
            let r: Value = rpc(l2, "eth_getTransactionReceipt", json!([hash])).await;
            (!r.is_null()).then_some(r)
        },
    )
    .await;
    assert_eq!(
        receipt["status"], "0x1",
        "transaction {hash} failed: {receipt}"
    );
    receipt
}

/// `tributary_syncStatus`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Whether the node follows an L1.
    pub l1_enabled: bool,
    /// Whether it has caught up with it.
    pub l1_synced: bool,
    /// The L1 head it saw.
    pub head_l1: u64,
    /// The L1 block it treats as confirmed.
    pub confirmed_l1: u64,
    /// The L2 head.
    pub unsafe_l2: NumHash,
    /// The highest L2 block batched in a confirmed L1 block.
    pub safe_l2: NumHash,
    /// The highest L2 block under an output past its challenge window.
    pub finalized_l2: NumHash,
}

/// A block number and hash.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct NumHash {
    /// The number.
    pub number: u64,
    /// The hash.
    pub hash: B256,
}

/// `tributary_syncStatus`, checked for internal consistency (L1 head ≥ confirmed, unsafe ≥ safe
/// ≥ finalized, real hashes).
pub async fn sync_status(l2: &impl Provider) -> SyncStatus {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(quantity(&json!("0x1f")), U256::from(31));
        assert_eq!(quantity_u64(&json!("0x0")), 0);
        assert_eq!(u256(&json!("0x1f")), U256::from(31));
        assert_eq!(u256(&json!("31")), U256::from(31));
    }

    #[test]
    #[should_panic(expected = "not a quantity")]
    fn a_quantity_is_hex_with_0x() {
        quantity(&json!("1f"));
    }
}
