//! WebSocket transport: the upgrade on `GET /` and the life of one connection.
//!
//! A connection runs three kinds of tasks, all ended by the connection's cancellation token:
//!
//! ```text
//!  client ──frames──▶ reader loop ──spawn (≤ MAX_IN_FLIGHT)──▶ request tasks ─┐
//!                                                                              ├─▶ bounded queue ──▶ writer ──▶ client
//!                                           subscription forwarders ──try_send─┘
//! ```
//!
//! Requests on one connection are served concurrently, up to [`MAX_IN_FLIGHT`]; past that
//! the reader stops reading, so a client pipelining requests without reading the answers is
//! slowed down by TCP instead of growing the server's memory.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use axum::{
    body::Bytes,
    extract::ws::{Message, WebSocket, WebSocketUpgrade},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};

use futures::{SinkExt, StreamExt, stream::SplitSink};
use tokio::{
    sync::{OwnedSemaphorePermit, mpsc},
    task::JoinSet,
};

use crate::{
    dispatch::{self, Transport},
    server::ServerState,
    subscription::{CLOSE_GOING_AWAY, Connection},
};

/// Requests served at once per connection.
pub(crate) const MAX_IN_FLIGHT: usize = 64;

/// How long a closing connection may take to flush its last frames before it is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Accepts a WebSocket upgrade if the origin and the connection limit allow it.
pub(crate) fn upgrade(
    state: Arc<ServerState>,
    headers: &HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if let Some(allowed) = &state.ws_origins {
        // Browsers always send Origin; non-browser clients (cast, scripts) usually do not,
        // and are not what an origin list protects against.
        if let Some(origin) = headers.get(header::ORIGIN)
            && !allowed.iter().any(|allowed| allowed == origin)
        {
            return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
        }
    }
    let Ok(permit) = Arc::clone(&state.ws_slots).try_acquire_owned() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "too many websocket connections",
        )
            .into_response();
    };
    upgrade
        .max_message_size(state.ws_max_message_size)
        .max_frame_size(state.ws_max_message_size)
        .on_upgrade(move |socket| serve_connection(socket, state, permit))
}

/// Runs one connection until either side closes it or the server shuts down.
async fn serve_connection(
    socket: WebSocket,
    state: Arc<ServerState>,
    permit: OwnedSemaphorePermit,
) {
    let (sink, mut frames) = socket.split();
    let (sender, queue) = mpsc::channel(state.ws_queue_capacity);
    let connection = Arc::new(Connection::new(
        sender,
        state.max_subscriptions_per_connection,
    ));
    let mut writer = tokio::spawn(write_loop(sink, queue, Arc::clone(&connection)));
    let mut requests = JoinSet::new();
    tracing::debug!(target: "rpc::ws", "connection opened");

    loop {
        tokio::select! {
            biased;
            _ = connection.closed().cancelled() => break,
            _ = state.shutdown.cancelled() => {
                connection.close(CLOSE_GOING_AWAY, "server shutting down");
                break;
            }
            Some(_) = requests.join_next(), if !requests.is_empty() => {}
            frame = frames.next(), if requests.len() < MAX_IN_FLIGHT => {
                let body = match frame {
                    Some(Ok(frame @ (Message::Text(_) | Message::Binary(_)))) => frame.into_data(),
                    // tungstenite answers pings itself.
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => break,
                    Some(Err(err)) => {
                        // Includes messages over the size limit; the stream cannot be trusted
                        // after a protocol error, so the connection ends.
                        tracing::debug!(target: "rpc::ws", %err, "read error, closing");
                        break;
                    }
                };
                requests.spawn(serve_message(Arc::clone(&state), Arc::clone(&connection), body));
            }
        }
    }

    connection.closed().cancel();
    connection.end_all();
    requests.abort_all();
    if tokio::time::timeout(CLOSE_GRACE, &mut writer)
        .await
        .is_err()
    {
        // A peer that stopped reading can block a write forever.
        writer.abort();
    }
    tracing::debug!(target: "rpc::ws", "connection closed");
    drop(permit);
}

/// Serves one request message and queues its response, then lets the subscriptions it
/// created start.
async fn serve_message(state: Arc<ServerState>, connection: Arc<Connection>, body: Bytes) {
    let started = Mutex::new(Vec::new());
    let transport = Transport::Ws {
        connection: &connection,
        started: &started,
    };
    if let Some(response) = dispatch::handle(&state.methods, &body, state.limits, &transport).await
        && !connection.send(response).await
    {
        return;
    }
    for start in started.into_inner().unwrap_or_else(PoisonError::into_inner) {
        // The forwarder may already be gone (unsubscribed in the same batch).
        let _ = start.send(());
    }
}

/// Drains the queue into the socket; several queued messages share one flush.
async fn write_loop(
    mut sink: SplitSink<WebSocket, Message>,
    mut queue: mpsc::Receiver<Message>,
    connection: Arc<Connection>,
) {
    loop {
        let message = tokio::select! {
            biased;
            _ = connection.closed().cancelled() => break,
            message = queue.recv() => message,
        };
        let Some(message) = message else { break };
        let mut written = sink.feed(message).await;
        while written.is_ok() {
            match queue.try_recv() {
                Ok(message) => written = sink.feed(message).await,
                Err(_) => break,
            }
        }
        if written.is_err() || sink.flush().await.is_err() {
            connection.closed().cancel();
            return;
        }
    }
    // What is already queued (at most the queue's capacity) still goes out, in order: the
    // answer to the subscribe call that overflowed, the last answers before a shutdown.
    while let Ok(message) = queue.try_recv() {
        if sink.feed(message).await.is_err() {
            return;
        }
    }
    if let Some(frame) = connection.take_close_frame() {
        let _ = sink.send(Message::Close(Some(frame))).await;
    }
    let _ = sink.close().await;
}
