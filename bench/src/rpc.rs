//! A minimal JSON-RPC client over HTTP: single calls, and batches whose body is built ahead of time
//! (so the timed phase only moves bytes) and whose per-item errors are reported one by one.

use std::{fmt::Write as _, time::Duration};

use eyre::{Result, WrapErr, bail, eyre};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Timeout of one HTTP request (a batch of hundreds of transactions included).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// A JSON-RPC endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Rpc {
    client: reqwest::Client,
    url: String,
}

/// The outcome of one item of a batch: its `result`, or the error message.
pub(crate) type ItemResult = std::result::Result<Value, String>;

impl Rpc {
    /// A client for `url` (loopback only: no proxy is ever used).
    pub(crate) fn new(url: String) -> Result<Self> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .tcp_nodelay(true)
            .build()
            .wrap_err("building the HTTP client")?;
        Ok(Self { client, url })
    }

    /// POSTs a JSON body and returns the response body.
    pub(crate) async fn post(&self, body: String) -> Result<Vec<u8>> {
        let response = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .wrap_err_with(|| format!("POST {}", self.url))?;
        let status = response.status();
        let bytes = response.bytes().await.wrap_err("reading the response")?;
        if !status.is_success() {
            bail!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
            );
        }
        Ok(bytes.to_vec())
    }

    /// Calls `method` and decodes its result.
    pub(crate) async fn call<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let bytes = self.post(body.to_string()).await?;
        let mut response: Value =
            serde_json::from_slice(&bytes).wrap_err_with(|| format!("{method}: bad JSON"))?;
        if let Some(error) = response.get("error") {
            bail!("{method}: {}", error_message(error));
        }
        let result = response
            .get_mut("result")
            .map(Value::take)
            .ok_or_else(|| eyre!("{method}: no result"))?;
        serde_json::from_value(result).wrap_err_with(|| format!("{method}: unexpected result"))
    }

    /// Sends a batch of calls and returns each item's outcome, in the order of `calls`.
    pub(crate) async fn batch(&self, calls: &[(&str, Value)]) -> Result<Vec<ItemResult>> {
        let items: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(id, (method, params))| {
                json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
            })
            .collect();
        let bytes = self.post(Value::Array(items).to_string()).await?;
        parse_batch(&bytes, calls.len())
    }
}

/// Builds the body of a batch of `eth_sendRawTransaction` calls with ids `0..raws.len()`.
pub(crate) fn send_raw_batch_body<'a>(raws: impl IntoIterator<Item = &'a str>) -> String {
    let mut body = String::from("[");
    for (id, raw) in raws.into_iter().enumerate() {
        if id > 0 {
            body.push(',');
        }
        // Writing to a String cannot fail.
        let _ = write!(
            body,
            r#"{{"jsonrpc":"2.0","id":{id},"method":"eth_sendRawTransaction","params":["{raw}"]}}"#
        );
    }
    body.push(']');
    body
}

/// Parses a batch response of `n` items with ids `0..n` (in any order). An item without an answer
/// is an error; a response that is one error object (the whole batch refused) errors every item.
pub(crate) fn parse_batch(bytes: &[u8], n: usize) -> Result<Vec<ItemResult>> {
    let response: Value = serde_json::from_slice(bytes).wrap_err("batch response: bad JSON")?;
    let mut out: Vec<ItemResult> = vec![Err("no answer in the batch response".into()); n];
    match response {
        Value::Array(items) => {
            for mut item in items {
                let Some(id) = item.get("id").and_then(Value::as_u64) else {
                    bail!("batch item without a numeric id: {item}");
                };
                let slot = usize::try_from(id)
                    .ok()
                    .and_then(|id| out.get_mut(id))
                    .ok_or_else(|| eyre!("batch item with unknown id {id}"))?;
                *slot = match item.get("error") {
                    Some(error) => Err(error_message(error)),
                    None => Ok(item
                        .get_mut("result")
                        .map(Value::take)
                        .unwrap_or(Value::Null)),
                };
            }
        }
        Value::Object(ref object) if object.contains_key("error") => {
            let message = format!("whole batch refused: {}", error_message(&object["error"]));
            out.iter_mut().for_each(|slot| *slot = Err(message.clone()));
        }
        other => bail!(
            "unexpected batch response: {}",
            &other.to_string()[..other.to_string().len().min(300)]
        ),
    }
    Ok(out)
}

/// A JSON-RPC error object as `message (code)`.
fn error_message(error: &Value) -> String {
    match (
        error.get("message").and_then(Value::as_str),
        error.get("code"),
    ) {
        (Some(message), Some(code)) => format!("{message} ({code})"),
        _ => error.to_string(),
    }
}

/// Parses a `0x`-prefixed hex quantity.
pub(crate) fn quantity(value: &Value) -> Result<u64> {
    let text = value
        .as_str()
        .ok_or_else(|| eyre!("expected a hex quantity, got {value}"))?;
    let digits = text
        .strip_prefix("0x")
        .ok_or_else(|| eyre!("expected a 0x quantity, got {text}"))?;
    u64::from_str_radix(digits, 16).wrap_err_with(|| format!("bad quantity {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_body_is_json() {
        let body = send_raw_batch_body(["0x01", "0x02"]);
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed[1]["id"], 1);
        assert_eq!(parsed[1]["params"][0], "0x02");
    }

    #[test]
    fn parses_out_of_order_items_and_errors() {
        let body = br#"[{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nonce too low"}},
                         {"jsonrpc":"2.0","id":0,"result":"0xab"}]"#;
        let items = parse_batch(body, 3).unwrap();
        assert_eq!(items[0], Ok(Value::from("0xab")));
        assert_eq!(items[1], Err("nonce too low (-32000)".to_string()));
        assert!(items[2].is_err());
        let refused = br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"too big"}}"#;
        assert!(parse_batch(refused, 2).unwrap().iter().all(Result::is_err));
    }

    #[test]
    fn parses_quantities() {
        assert_eq!(quantity(&Value::from("0x67932")).unwrap(), 424_242);
        assert!(quantity(&Value::from("12")).is_err());
    }
}
