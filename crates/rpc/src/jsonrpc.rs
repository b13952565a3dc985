//! JSON-RPC 2.0 wire shapes: request ids, validation of one request object, and the
//! serialized forms of responses and subscription notifications.

use serde::{Serialize, Serializer};
use serde_json::{Number, Value};

use crate::{error::RpcError, params::Params};

/// A request id as the client sent it; echoed back unchanged in the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Id {
    /// `"id": null` (allowed by the spec, discouraged) or an id that could not be read.
    Null,
    /// A number, kept as written (`1`, `-3`, `1.5`).
    Number(Number),
    /// A string.
    String(String),
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Number(number) => number.serialize(serializer),
            Self::String(string) => serializer.serialize_str(string),
        }
    }
}

/// One element of a request (or the whole request when it is not a batch), validated.
#[derive(Debug)]
pub(crate) enum Entry {
    /// A well-formed call; `id == None` makes it a notification, which gets no response.
    Call {
        /// The id, absent for notifications.
        id: Option<Id>,
        /// The method name.
        method: String,
        /// The params.
        params: Params,
    },
    /// Not a valid request object; always answered, with `id` when it could be read.
    Invalid {
        /// The request's id if it was valid, else null.
        id: Id,
        /// The -32600 error.
        error: RpcError,
    },
}

impl Entry {
    /// Validates one request object. Unknown members are ignored.
    pub(crate) fn parse(value: Value) -> Self {
        let Value::Object(mut object) = value else {
            return invalid(Id::Null, "invalid request");
        };
        let id = match object.remove("id") {
            None => None,
            Some(Value::Null) => Some(Id::Null),
            Some(Value::Number(number)) => Some(Id::Number(number)),
            Some(Value::String(string)) => Some(Id::String(string)),
            Some(_) => {
                return invalid(
                    Id::Null,
                    "invalid request: id must be a number, a string or null",
                );
            }
        };
        let reply_id = || id.clone().unwrap_or(Id::Null);
        if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return invalid(reply_id(), "invalid request: jsonrpc must be \"2.0\"");
        }
        let method = match object.remove("method") {
            Some(Value::String(method)) => method,
            _ => return invalid(reply_id(), "invalid request: method must be a string"),
        };
        let Some(params) = Params::from_member(object.remove("params")) else {
            return invalid(
                reply_id(),
                "invalid request: params must be an array or an object",
            );
        };
        Self::Call { id, method, params }
    }
}

fn invalid(id: Id, message: &str) -> Entry {
    Entry::Invalid {
        id,
        error: RpcError::invalid_request(message),
    }
}

#[derive(Serialize)]
struct Response<'a> {
    jsonrpc: &'static str,
    id: &'a Id,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a RpcError>,
}

/// Serializes one response object.
pub(crate) fn response(id: &Id, result: &Result<Value, RpcError>) -> String {
    let (result, error) = match result {
        Ok(value) => (Some(value), None),
        Err(error) => (None, Some(error)),
    };
    let response = Response {
        jsonrpc: "2.0",
        id,
        result,
        error,
    };
    // Serializing a Value with string keys cannot fail; fall back to an internal error rather
    // than panic should that ever change.
    serde_json::to_string(&response).unwrap_or_else(|err| {
        let error = RpcError::internal(format!("failed to serialize a response: {err}"));
        format!(
            r#"{{"jsonrpc":"2.0","id":{},"error":{{"code":{},"message":"{}"}}}}"#,
            serde_json::to_string(id).unwrap_or_else(|_| "null".to_owned()),
            error.code(),
            error.message()
        )
    })
}

/// Serializes a response, replacing it by `response too large` when over `max_size` bytes.
pub(crate) fn bounded_response(
    id: &Id,
    result: &Result<Value, RpcError>,
    max_size: usize,
) -> String {
    let body = response(id, result);
    if body.len() > max_size {
        return response(id, &Err(RpcError::response_too_large()));
    }
    body
}

/// Serializes a subscription notification:
/// `{"jsonrpc":"2.0","method":<method>,"params":{"subscription":<id>,"result":<item>}}`.
pub(crate) fn notification(
    method: &str,
    subscription: &str,
    result: Value,
) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct NotificationParams<'a> {
        subscription: &'a str,
        result: Value,
    }
    #[derive(Serialize)]
    struct Notification<'a> {
        jsonrpc: &'static str,
        method: &'a str,
        params: NotificationParams<'a>,
    }
    serde_json::to_string(&Notification {
        jsonrpc: "2.0",
        method,
        params: NotificationParams {
            subscription,
            result,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invalid_message(value: Value) -> (Id, String) {
        match Entry::parse(value) {
            Entry::Invalid { id, error } => (id, error.message().to_owned()),
            Entry::Call { .. } => panic!("accepted"),
        }
    }

    #[test]
    fn validation() {
        assert_eq!(invalid_message(json!(1)).0, Id::Null);
        let (id, msg) = invalid_message(json!({"jsonrpc": "1.0", "id": 7, "method": "m"}));
        assert_eq!(id, Id::Number(7.into()));
        assert!(msg.contains("jsonrpc"));
        assert!(
            invalid_message(json!({"jsonrpc": "2.0", "id": "a"}))
                .1
                .contains("method")
        );
        assert!(
            invalid_message(json!({"jsonrpc": "2.0", "id": [1], "method": "m"}))
                .1
                .contains("id")
        );
        assert!(
            invalid_message(json!({"jsonrpc": "2.0", "method": "m", "params": 5}))
                .1
                .contains("params")
        );
        match Entry::parse(json!({"jsonrpc": "2.0", "method": "m", "params": null})) {
            Entry::Call {
                id: None,
                method,
                params,
            } => {
                assert_eq!(method, "m");
                assert_eq!(params, Params::none());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn serialized_shapes() {
        assert_eq!(
            response(&Id::String("x".into()), &Ok(json!(1))),
            r#"{"jsonrpc":"2.0","id":"x","result":1}"#
        );
        assert_eq!(
            response(&Id::Null, &Err(RpcError::parse_error())),
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}"#
        );
        assert_eq!(
            response(&Id::Number(1.into()), &Ok(Value::Null)),
            r#"{"jsonrpc":"2.0","id":1,"result":null}"#
        );
        assert!(bounded_response(&Id::Null, &Ok(json!("x".repeat(100))), 50).contains("-32003"));
        assert_eq!(
            notification("eth_subscription", "0x1", json!(5)).unwrap(),
            r#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x1","result":5}}"#
        );
    }
}
