//! HTTP transport: `POST /` carries JSON-RPC; `GET /` upgrades to WebSocket or, without an
//! upgrade, answers 200 with an empty body (load balancers probe it, as they do geth).

use std::sync::Arc;

use axum::{
    body::{Body, Bytes},
    extract::{
        State,
        ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection},
    },
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::{
    dispatch::{self, Transport},
    error::RpcError,
    jsonrpc::{self, Id},
    server::ServerState,
    ws,
};

/// Media types geth accepts for a request body.
const ACCEPTED_CONTENT_TYPES: [&str; 3] = [
    "application/json",
    "application/json-rpc",
    "application/jsonrequest",
];

/// `POST /`.
pub(crate) async fn post(
    State(state): State<Arc<ServerState>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !content_type_accepted(&headers) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RpcError::invalid_request("invalid content type, only application/json is supported"),
        );
    }
    let limit = state.max_request_body_size;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return too_large(limit);
    }
    // Taken before reading the body, so waiting requests hold no body in memory.
    let Ok(_slot) = state.http_slots.acquire().await else {
        return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            RpcError::server("server is shutting down"),
        );
    };
    let body = match read_body(body, limit).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => return too_large(limit),
        Err(BodyError::Read) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                RpcError::invalid_request("failed to read the request body"),
            );
        }
    };
    match dispatch::handle(&state.methods, &body, state.limits, &Transport::Http).await {
        Some(response) => json_response(StatusCode::OK, response),
        // Only notifications: nothing to answer, as the spec asks.
        None => StatusCode::OK.into_response(),
    }
}

/// `GET /`: a WebSocket upgrade, or a probe.
pub(crate) async fn get(
    State(state): State<Arc<ServerState>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    match upgrade {
        Ok(upgrade) => ws::upgrade(state, &headers, upgrade),
        // Asked for an upgrade but got it wrong: say why.
        Err(rejection) if headers.contains_key(header::UPGRADE) => rejection.into_response(),
        Err(_) => StatusCode::OK.into_response(),
    }
}

/// Missing content types are accepted: curl and many scripts omit it.
fn content_type_accepted(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    ACCEPTED_CONTENT_TYPES
        .iter()
        .any(|accepted| essence.eq_ignore_ascii_case(accepted))
}

enum BodyError {
    TooLarge,
    Read,
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    // The Content-Length check above misses chunked bodies; this cap catches them.
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Read),
    }
}

fn too_large(limit: usize) -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        RpcError::invalid_request(format!("request body too large (max {limit} bytes)")),
    )
}

/// An error outside JSON-RPC processing still gets a JSON-RPC body, so clients that only
/// read bodies see a reason.
fn error_response(status: StatusCode, error: RpcError) -> Response {
    json_response(status, jsonrpc::response(&Id::Null, &Err(error)))
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        headers
    }

    #[test]
    fn content_types() {
        assert!(content_type_accepted(&HeaderMap::new()));
        assert!(content_type_accepted(&with("application/json")));
        assert!(content_type_accepted(&with(
            "Application/JSON; charset=utf-8"
        )));
        assert!(content_type_accepted(&with("application/json-rpc")));
        assert!(!content_type_accepted(&with("text/plain")));
        assert!(!content_type_accepted(&with(
            "application/x-www-form-urlencoded"
        )));
    }
}
