//! From one request body to one response body, shared by HTTP and WebSocket.
//!
//! 1. Parse the JSON (`-32700` on failure, id null).
//! 2. An array is a batch: empty → one `-32600 empty batch` object; over the limit → one
//!    `-32600 batch too large` error (in an array, carrying the first call's id, as geth).
//! 3. Validate each entry ([`Entry::parse`]).
//! 4. Run all entries concurrently. Calls to a batched method are grouped into one handler
//!    invocation per method, in request order.
//! 5. Answer in request order, leaving out notifications; when every entry was a
//!    notification there is no body at all. Responses past the size limit are replaced by
//!    `-32003 response too large`.

use std::{
    collections::HashMap,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
};

use futures::{FutureExt, future::join_all};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::{
    error::{RpcError, RpcResult},
    jsonrpc::{self, Entry, Id},
    params::Params,
    registry::{BatchHandler, MethodKind, Methods},
    subscription::Connection,
};

/// The limits that apply while dispatching.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Most entries in one batch.
    pub(crate) max_batch_size: usize,
    /// Most bytes in one response body.
    pub(crate) max_response_size: usize,
}

/// Where the request came from; subscriptions exist only on WebSocket connections.
pub(crate) enum Transport<'a> {
    /// A stateless HTTP request.
    Http,
    /// A message on a WebSocket connection.
    Ws {
        /// The connection's state.
        connection: &'a Arc<Connection>,
        /// Start signals of subscriptions created by this message, fired by the caller once
        /// the response has been queued.
        started: &'a Mutex<Vec<oneshot::Sender<()>>>,
    },
}

/// Handles one request body; `None` means nothing is to be sent (only notifications).
pub(crate) async fn handle(
    methods: &Methods,
    body: &[u8],
    limits: Limits,
    transport: &Transport<'_>,
) -> Option<String> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(_) => return Some(jsonrpc::response(&Id::Null, &Err(RpcError::parse_error()))),
    };
    match value {
        Value::Array(batch) => handle_batch(methods, batch, limits, transport).await,
        single => {
            let mut answers = execute(methods, vec![Entry::parse(single)], transport).await;
            let (id, result) = answers.pop().flatten()?;
            Some(jsonrpc::bounded_response(
                &id,
                &result,
                limits.max_response_size,
            ))
        }
    }
}

async fn handle_batch(
    methods: &Methods,
    batch: Vec<Value>,
    limits: Limits,
    transport: &Transport<'_>,
) -> Option<String> {
    if batch.is_empty() {
        return Some(jsonrpc::response(
            &Id::Null,
            &Err(RpcError::invalid_request("empty batch")),
        ));
    }
    if batch.len() > limits.max_batch_size {
        // The protocol has no batch-level error; geth answers one error carrying the first
        // call's id so that clients matching responses by id notice it.
        let id = batch
            .into_iter()
            .find_map(|entry| match Entry::parse(entry) {
                Entry::Call { id: Some(id), .. } => Some(id),
                _ => None,
            })
            .unwrap_or(Id::Null);
        let error = RpcError::invalid_request("batch too large");
        return Some(format!("[{}]", jsonrpc::response(&id, &Err(error))));
    }
    let entries = batch.into_iter().map(Entry::parse).collect();
    let answers = execute(methods, entries, transport).await;

    let mut body = String::from("[");
    let mut answered = 0usize;
    let mut overflowed = false;
    for (id, result) in answers.into_iter().flatten() {
        let mut response = jsonrpc::response(&id, &result);
        // Like geth, once the body outgrows the limit every remaining answer is replaced.
        overflowed = overflowed || body.len() + response.len() + 1 > limits.max_response_size;
        if overflowed {
            response = jsonrpc::response(&id, &Err(RpcError::response_too_large()));
        }
        if answered > 0 {
            body.push(',');
        }
        body.push_str(&response);
        answered += 1;
    }
    body.push(']');
    (answered > 0).then_some(body)
}

/// The answer to one entry: `None` for notifications.
type Answer = Option<(Id, RpcResult<Value>)>;

/// Answers produced by one unit of concurrent work: `(entry index, result)` pairs.
type Work<'a> = Pin<Box<dyn Future<Output = Vec<(usize, RpcResult<Value>)>> + Send + 'a>>;

/// Runs every entry concurrently and returns the answers in entry order.
async fn execute(methods: &Methods, entries: Vec<Entry>, transport: &Transport<'_>) -> Vec<Answer> {
    let mut ids: Vec<Option<Id>> = Vec::with_capacity(entries.len());
    let mut results: Vec<Option<RpcResult<Value>>> = Vec::with_capacity(entries.len());
    let mut work: Vec<Work<'_>> = Vec::new();
    let mut groups: HashMap<&'static str, (BatchHandler, Vec<usize>, Vec<Params>)> = HashMap::new();

    for (index, entry) in entries.into_iter().enumerate() {
        let (id, method, params) = match entry {
            Entry::Invalid { id, error } => {
                ids.push(Some(id));
                results.push(Some(Err(error)));
                continue;
            }
            Entry::Call { id, method, params } => (id, method, params),
        };
        let is_notification = id.is_none();
        ids.push(id);
        results.push(None);
        let Some((name, kind)) = methods.get(&method) else {
            results[index] = Some(Err(RpcError::method_not_found(&method)));
            continue;
        };
        match kind {
            MethodKind::Call(handler) => {
                let handler = Arc::clone(handler);
                // The call itself sits inside the guard: a handler may panic before it
                // returns its future.
                let fut = guarded(name, async move { handler(params).await });
                work.push(Box::pin(async move { vec![(index, fut.await)] }));
            }
            MethodKind::Batched(handler) => {
                let group = groups
                    .entry(name)
                    .or_insert_with(|| (Arc::clone(handler), Vec::new(), Vec::new()));
                group.1.push(index);
                group.2.push(params);
            }
            // A subscription created by a notification could never be addressed by the
            // client, so it is not created at all.
            MethodKind::Subscribe { .. } if is_notification => {}
            MethodKind::Subscribe {
                handler,
                notification,
                unsubscribe,
            } => match transport {
                Transport::Http => {
                    results[index] = Some(Err(RpcError::notifications_unsupported()));
                }
                Transport::Ws {
                    connection,
                    started,
                } => {
                    let (handler, notification, unsubscribe) =
                        (Arc::clone(handler), *notification, *unsubscribe);
                    let fut = guarded(name, async move {
                        let stream = handler(params).await?;
                        let (start, gate) = oneshot::channel();
                        let id = connection.subscribe(stream, notification, unsubscribe, gate)?;
                        started
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(start);
                        Ok(Value::String(id))
                    });
                    work.push(Box::pin(async move { vec![(index, fut.await)] }));
                }
            },
            MethodKind::Unsubscribe => match transport {
                Transport::Http => {
                    results[index] = Some(Err(RpcError::notifications_unsupported()));
                }
                Transport::Ws { connection, .. } => {
                    results[index] = Some(
                        params
                            .parse::<(String,)>()
                            .map(|(id,)| Value::Bool(connection.unsubscribe(&id, name))),
                    );
                }
            },
        }
    }

    for (method, (handler, indices, calls)) in groups {
        let expected = indices.len();
        let fut = guarded_batch(method, expected, async move { handler(calls).await });
        work.push(Box::pin(async move {
            indices.into_iter().zip(fut.await).collect()
        }));
    }

    for (index, result) in join_all(work).await.into_iter().flatten() {
        results[index] = Some(result);
    }

    ids.into_iter()
        .zip(results)
        .map(|(id, result)| {
            let id = id?;
            let result =
                result.unwrap_or_else(|| Err(RpcError::internal("entry left without an answer")));
            Some((id, result))
        })
        .collect()
}

/// Turns a handler panic into -32603 so it cannot take the connection or the batch down.
async fn guarded(
    method: &'static str,
    fut: impl Future<Output = RpcResult<Value>> + Send,
) -> RpcResult<Value> {
    AssertUnwindSafe(fut)
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(RpcError::internal(format!("handler of {method} panicked"))))
}

/// [`guarded`] for batched handlers, which also must answer each call exactly once.
async fn guarded_batch(
    method: &'static str,
    expected: usize,
    fut: impl Future<Output = Vec<RpcResult<Value>>> + Send,
) -> Vec<RpcResult<Value>> {
    let mut answers = match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(answers) => answers,
        Err(_) => {
            let error = RpcError::internal(format!("batched handler of {method} panicked"));
            return vec![Err(error); expected];
        }
    };
    if answers.len() != expected {
        let error = RpcError::internal(format!(
            "batched handler of {method} answered {} of {expected} calls",
            answers.len()
        ));
        answers.resize(expected, Err(error));
    }
    answers
}
