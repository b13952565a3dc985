//! Errors: the JSON-RPC error object sent to clients ([`RpcError`]) and the crate's own
//! failures when registering methods ([`RegisterError`]) or starting the server
//! ([`ServerError`]).
//!
//! Only this crate builds JSON-RPC error objects (style guide, "RPC edge mapping"). Handlers
//! map their domain errors to one of the constructors below; the codes and wording follow geth
//! because wallets and libraries match on them.

use std::{fmt, net::SocketAddr};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Result of a JSON-RPC handler.
pub type RpcResult<T> = Result<T, RpcError>;

/// A JSON-RPC 2.0 error object: `{"code": .., "message": .., "data"?: ..}`.
///
/// Build it with the constructor matching the failure; the codes are the associated constants
/// ([`RpcError::INVALID_PARAMS`], ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct RpcError {
    code: i64,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<Value>,
}

impl RpcError {
    /// The body is not valid JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON is not a valid request object (or batch).
    pub const INVALID_REQUEST: i64 = -32600;
    /// No such method, or subscriptions requested over HTTP.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// The method exists but its arguments do not decode.
    pub const INVALID_PARAMS: i64 = -32602;
    /// A fault on the server side; the detail is only in the logs.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// Generic server error, used by geth for rejected transactions ("nonce too low").
    pub const SERVER_ERROR: i64 = -32000;
    /// The requested resource (a block) does not exist (EIP-1474; reth's "block not found").
    pub const RESOURCE_NOT_FOUND: i64 = -32001;
    /// The response would exceed the configured size limit (geth's code).
    pub const RESPONSE_TOO_LARGE: i64 = -32003;
    /// Execution reverted; `data` carries the revert bytes (EIP-1474 / geth).
    pub const EXECUTION_REVERTED: i64 = 3;

    /// `-32700 parse error`: the request body is not JSON.
    pub fn parse_error() -> Self {
        Self::custom(Self::PARSE_ERROR, "parse error", None)
    }

    /// `-32600` with the given message (geth uses "invalid request", "empty batch",
    /// "batch too large").
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::custom(Self::INVALID_REQUEST, message, None)
    }

    /// `-32601 the method <name> does not exist/is not available`, geth's wording.
    pub fn method_not_found(method: &str) -> Self {
        Self::custom(
            Self::METHOD_NOT_FOUND,
            format!("the method {method} does not exist/is not available"),
            None,
        )
    }

    /// `-32601 notifications not supported`: a subscription method called over HTTP.
    ///
    /// geth answers this way, and its client treats any -32601 on subscribe as "no
    /// subscriptions here", so the code matters more than the text.
    pub fn notifications_unsupported() -> Self {
        Self::custom(Self::METHOD_NOT_FOUND, "notifications not supported", None)
    }

    /// `-32602` with the given message, e.g. `"invalid argument 0: hex string without 0x prefix"`.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::custom(Self::INVALID_PARAMS, message, None)
    }

    /// `-32603 internal error`. The detail is logged here and never sent: it may name files,
    /// SQL or other internals a client has no business seeing.
    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!(target: "rpc", %detail, "internal error while serving a request");
        Self::custom(Self::INTERNAL_ERROR, "internal error", None)
    }

    /// Code `3`, `"execution reverted"` or `"execution reverted: <reason>"`, with the revert
    /// bytes as `0x`-hex in `data`, as geth answers `eth_call` and `eth_estimateGas`.
    pub fn revert(data: impl AsRef<[u8]>, reason: Option<&str>) -> Self {
        let message = match reason {
            Some(reason) => format!("execution reverted: {reason}"),
            None => "execution reverted".to_owned(),
        };
        Self::custom(
            Self::EXECUTION_REVERTED,
            message,
            Some(Value::String(to_hex(data.as_ref()))),
        )
    }

    /// `-32000` with the message passed through verbatim: rejected transactions use geth's
    /// strings ("nonce too low", "already known") because wallets match on them.
    pub fn server(message: impl Into<String>) -> Self {
        Self::custom(Self::SERVER_ERROR, message, None)
    }

    /// `-32001 block not found: <block>`, as reth answers a block-scoped `debug_` call for a block
    /// it does not have (`block` as in reth: `0x`-hex number, tag, or `hash 0x…`).
    pub fn block_not_found(block: impl fmt::Display) -> Self {
        Self::custom(
            Self::RESOURCE_NOT_FOUND,
            format!("block not found: {block}"),
            None,
        )
    }

    /// `-32003 response too large`: the serialized response exceeds the configured limit.
    pub fn response_too_large() -> Self {
        Self::custom(Self::RESPONSE_TOO_LARGE, "response too large", None)
    }

    /// Any code, message and optional data.
    pub fn custom(code: i64, message: impl Into<String>, data: Option<Value>) -> Self {
        Self {
            code,
            message: message.into(),
            data,
        }
    }

    /// The error code.
    pub fn code(&self) -> i64 {
        self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The optional `data` member.
    pub fn data(&self) -> Option<&Value> {
        self.data.as_ref()
    }
}

/// `0x`-prefixed lowercase hex; small enough not to pull a hex crate into the transport.
fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("0x");
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Registering a method on an [`RpcModule`](crate::RpcModule) or merging
/// [`Methods`](crate::Methods) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// Two handlers claim the same method name; the later one is rejected, never overrides.
    #[error("method {0} is already registered")]
    DuplicateMethod(String),
}

/// Starting the server failed.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listen address could not be bound (in use, no permission).
    #[error("failed to bind {addr}: {source}")]
    Bind {
        /// The configured listen address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The bound socket did not report its address.
    #[error("failed to read the bound address: {0}")]
    LocalAddr(std::io::Error),
    /// A configured CORS origin is not a valid header value.
    #[error("invalid CORS origin {0:?}")]
    InvalidCorsOrigin(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn revert_carries_hex_data_and_reason() {
        let err = RpcError::revert([0x08, 0xc3, 0x79, 0xa0], Some("insufficient balance"));
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            json!({"code": 3, "message": "execution reverted: insufficient balance", "data": "0x08c379a0"})
        );
        let bare = RpcError::revert([], None);
        assert_eq!(bare.message(), "execution reverted");
        assert_eq!(bare.data(), Some(&json!("0x")));
    }

    #[test]
    fn internal_hides_the_detail() {
        let err = RpcError::internal("sqlite: disk I/O error at /var/lib/tributary/db");
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            json!({"code": -32603, "message": "internal error"})
        );
    }

    #[test]
    fn geth_wording() {
        assert_eq!(
            RpcError::method_not_found("eth_foo").message(),
            "the method eth_foo does not exist/is not available"
        );
        let err = RpcError::server("nonce too low");
        assert_eq!((err.code(), err.message()), (-32000, "nonce too low"));
        let err = RpcError::block_not_found("0x64");
        assert_eq!(
            (err.code(), err.message()),
            (-32001, "block not found: 0x64")
        );
    }
}
