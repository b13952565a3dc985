//! Per-connection subscription state: ids, forwarder tasks and the bounded outgoing queue.
//!
//! Every WebSocket connection owns one [`Connection`]: a bounded queue of outgoing messages
//! drained by the connection's writer task, a cancellation token that ends all of the
//! connection's tasks, and the table of live subscriptions. A subscription is a task that
//! polls the handler's stream and pushes notifications into the queue.
//!
//! Slow consumers: responses to calls wait for room in the queue (which in turn stops the
//! connection from reading more requests), but a notification that finds the queue full
//! **closes the connection** (close code 1008, "subscription queue overflow"). Dropping only
//! the subscription would leave a client waiting forever for heads that never come, while a
//! closed connection is noticed and handled (ethers and viem reconnect and resubscribe).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use axum::extract::ws::{CloseFrame, Message};
use futures::{StreamExt, stream::BoxStream};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::{error::RpcError, jsonrpc};

/// WebSocket close code for a policy violation (RFC 6455), used on queue overflow.
pub(crate) const CLOSE_POLICY: u16 = 1008;
/// WebSocket close code "going away", used when the server shuts down.
pub(crate) const CLOSE_GOING_AWAY: u16 = 1001;

struct Subscription {
    /// The unsubscribe method allowed to cancel it.
    unsubscribe: &'static str,
    abort: tokio::task::AbortHandle,
}

/// The shared state of one WebSocket connection.
pub(crate) struct Connection {
    sender: mpsc::Sender<Message>,
    closed: CancellationToken,
    close_frame: Mutex<Option<CloseFrame>>,
    subscriptions: Mutex<HashMap<String, Subscription>>,
    max_subscriptions: usize,
}

/// Poisoning only means another task panicked mid-update of a plain map; the map itself is
/// still usable, and the server must not panic in turn.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Connection {
    /// A connection whose outgoing messages go to `sender`.
    pub(crate) fn new(sender: mpsc::Sender<Message>, max_subscriptions: usize) -> Self {
        Self {
            sender,
            closed: CancellationToken::new(),
            close_frame: Mutex::new(None),
            subscriptions: Mutex::new(HashMap::new()),
            max_subscriptions,
        }
    }

    /// Resolves once the connection is closing.
    pub(crate) fn closed(&self) -> &CancellationToken {
        &self.closed
    }

    /// Starts closing the connection; the first reason given is the one sent to the client.
    pub(crate) fn close(&self, code: u16, reason: &'static str) {
        lock(&self.close_frame).get_or_insert(CloseFrame {
            code,
            reason: reason.into(),
        });
        self.closed.cancel();
    }

    /// The close frame to send, if the server is the one closing.
    pub(crate) fn take_close_frame(&self) -> Option<CloseFrame> {
        lock(&self.close_frame).take()
    }

    /// Queues a response, waiting for room: the backpressure that bounds memory per
    /// connection. Fails only once the connection is gone.
    pub(crate) async fn send(&self, text: String) -> bool {
        self.sender.send(Message::Text(text.into())).await.is_ok()
    }

    /// Number of live subscriptions.
    #[cfg(test)]
    pub(crate) fn subscription_count(&self) -> usize {
        lock(&self.subscriptions).len()
    }

    /// Registers a subscription over `stream` and returns its id. Nothing is forwarded
    /// before `start` fires (or is dropped): the client must get the subscribe response,
    /// which tells it the id, before the first notification.
    pub(crate) fn subscribe(
        self: &Arc<Self>,
        stream: BoxStream<'static, Result<Value, serde_json::Error>>,
        notification: &'static str,
        unsubscribe: &'static str,
        start: oneshot::Receiver<()>,
    ) -> Result<String, RpcError> {
        let mut subscriptions = lock(&self.subscriptions);
        if subscriptions.len() >= self.max_subscriptions {
            return Err(RpcError::server(format!(
                "too many subscriptions on this connection (max {})",
                self.max_subscriptions
            )));
        }
        let id = loop {
            let id = subscription_id()?;
            if !subscriptions.contains_key(&id) {
                break id;
            }
        };
        // Spawned while the table is locked, so the task cannot try to remove its entry
        // before the entry exists.
        let task = tokio::spawn(forward(
            Arc::clone(self),
            id.clone(),
            stream,
            notification,
            start,
        ));
        subscriptions.insert(
            id.clone(),
            Subscription {
                unsubscribe,
                abort: task.abort_handle(),
            },
        );
        Ok(id)
    }

    /// Cancels subscription `id` if it exists and was made by a subscribe method paired with
    /// `unsubscribe`; returns whether it did.
    pub(crate) fn unsubscribe(&self, id: &str, unsubscribe: &str) -> bool {
        let mut subscriptions = lock(&self.subscriptions);
        match subscriptions.get(id) {
            Some(subscription) if subscription.unsubscribe == unsubscribe => {
                subscription.abort.abort();
                subscriptions.remove(id);
                true
            }
            _ => false,
        }
    }

    /// Ends every subscription; called when the connection closes.
    pub(crate) fn end_all(&self) {
        for (_, subscription) in lock(&self.subscriptions).drain() {
            subscription.abort.abort();
        }
    }
}

/// A geth-style id: 16 random bytes as a `0x` quantity (no leading zeros).
fn subscription_id() -> Result<String, RpcError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|err| RpcError::internal(format!("no randomness for a subscription id: {err}")))?;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    let digits = hex.trim_start_matches('0');
    Ok(format!(
        "0x{}",
        if digits.is_empty() { "0" } else { digits }
    ))
}

/// The forwarder task of one subscription.
async fn forward(
    connection: Arc<Connection>,
    id: String,
    mut stream: BoxStream<'static, Result<Value, serde_json::Error>>,
    notification: &'static str,
    start: oneshot::Receiver<()>,
) {
    tokio::select! {
        _ = connection.closed.cancelled() => return,
        // Err means the response path was dropped; the id may still have been sent.
        _ = start => {}
    }
    loop {
        let item = tokio::select! {
            biased;
            _ = connection.closed.cancelled() => return,
            item = stream.next() => item,
        };
        let Some(item) = item else { break };
        let text = match item.and_then(|value| jsonrpc::notification(notification, &id, value)) {
            Ok(text) => text,
            Err(err) => {
                tracing::warn!(target: "rpc::ws", subscription = %id, %err, "dropping an unserializable notification");
                continue;
            }
        };
        // Sent under the table's lock: once an unsubscribe has removed the entry (and then
        // queued its `true`), no notification of this subscription can follow that answer.
        let sent = {
            let subscriptions = lock(&connection.subscriptions);
            if !subscriptions.contains_key(&id) {
                return;
            }
            connection.sender.try_send(Message::Text(text.into()))
        };
        match sent {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(target: "rpc::ws", subscription = %id, "slow consumer: closing the connection");
                connection.close(CLOSE_POLICY, "subscription queue overflow");
                return;
            }
            Err(mpsc::error::TrySendError::Closed(_)) => return,
        }
    }
    // The stream ended on its own: forget the subscription so a later unsubscribe says false.
    lock(&connection.subscriptions).remove(&id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_geth_quantities() {
        for _ in 0..100 {
            let id = subscription_id().unwrap();
            assert!(id.starts_with("0x"));
            assert!(id.len() <= 34);
            assert!(!id[2..].starts_with('0') || id == "0x0");
            assert!(id[2..].bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }

    #[tokio::test]
    async fn ended_streams_are_forgotten_and_overflow_closes() {
        let (tx, mut rx) = mpsc::channel(2);
        let connection = Arc::new(Connection::new(tx, 4));
        let (go, start) = oneshot::channel();
        let stream = futures::stream::iter([Ok(Value::from(1))]).boxed();
        let id = connection.subscribe(stream, "n", "u", start).unwrap();
        assert_eq!(connection.subscription_count(), 1);
        go.send(()).unwrap();
        let first = rx.recv().await.unwrap();
        assert!(matches!(first, Message::Text(ref t) if t.as_str().contains(&id)));
        tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while connection.subscription_count() != 0 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .unwrap();
        assert!(!connection.unsubscribe(&id, "u"));

        let (go, start) = oneshot::channel();
        let endless = futures::stream::repeat_with(|| Ok(Value::from(2))).boxed();
        connection.subscribe(endless, "n", "u", start).unwrap();
        drop(go);
        tokio::time::timeout(
            std::time::Duration::from_secs(5),
            connection.closed().cancelled(),
        )
        .await
        .unwrap();
        assert_eq!(connection.take_close_frame().unwrap().code, CLOSE_POLICY);
    }
}
