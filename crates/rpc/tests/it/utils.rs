//! A test server with a handful of methods exercising every registry feature, and clients.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use futures::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use tokio::{net::TcpStream, sync::Barrier};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};
use tributary_rpc::{Methods, Params, RpcError, RpcModule, ServerConfig, ServerHandle};

/// Calls the `rendezvous` method must gather before any of them returns; proves concurrency
/// without timing anything.
pub(crate) const RENDEZVOUS: usize = 4;

/// Shared state of the test methods.
#[derive(Debug)]
pub(crate) struct TestCtx {
    /// Number of calls each invocation of the batched `test_record` received.
    pub(crate) record_invocations: Mutex<Vec<usize>>,
    /// Ticker streams not yet dropped by the server.
    pub(crate) live_tickers: AtomicUsize,
    rendezvous: Barrier,
}

impl TestCtx {
    /// Waits (up to 10 s) until exactly `n` ticker streams are alive.
    pub(crate) async fn wait_live_tickers(&self, n: usize) {
        tokio::time::timeout(Duration::from_secs(10), async {
            while self.live_tickers.load(Ordering::SeqCst) != n {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap_or_else(|_| {
            panic!(
                "{} live tickers, want {n}",
                self.live_tickers.load(Ordering::SeqCst)
            )
        });
    }
}

/// Counts a ticker stream as alive until the server drops it.
struct LiveTicker(Arc<TestCtx>);

impl LiveTicker {
    fn new(ctx: Arc<TestCtx>) -> Self {
        ctx.live_tickers.fetch_add(1, Ordering::SeqCst);
        Self(ctx)
    }
}

impl Drop for LiveTicker {
    fn drop(&mut self) {
        self.0.live_tickers.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Test methods:
/// - `test_echo`: returns its params (null when absent);
/// - `test_add(a, b?)`: a + b;
/// - `test_fail(kind)`: "server" → -32000 nonce too low, "revert" → 3, "internal" → -32603;
/// - `test_panic`: panics;
/// - `test_rendezvous`: returns once RENDEZVOUS calls are in progress at the same time;
/// - `test_record(x)` (batched): returns x, records the size of each invocation;
/// - `test_subscribe(kind, n?)` / `test_unsubscribe` / `test_subscription` notifications:
///   "count" emits 0..n then ends, "ticker" emits forever every 10 ms, "flood" emits 64 KiB
///   strings as fast as possible.
pub(crate) fn methods() -> (Methods, Arc<TestCtx>) {
    let ctx = Arc::new(TestCtx {
        record_invocations: Mutex::new(Vec::new()),
        live_tickers: AtomicUsize::new(0),
        rendezvous: Barrier::new(RENDEZVOUS),
    });
    let mut module = RpcModule::from_shared(Arc::clone(&ctx));
    module
        .register_method("test_echo", |params: Params, _| async move {
            Ok::<_, RpcError>(params.as_value().cloned().unwrap_or(Value::Null))
        })
        .unwrap()
        .register_method("test_add", |params: Params, _| async move {
            let (a, b): (i64, Option<i64>) = params.parse()?;
            Ok(a + b.unwrap_or(0))
        })
        .unwrap()
        .register_method("test_fail", |params: Params, _| async move {
            let (kind,): (String,) = params.parse()?;
            Err::<(), _>(match kind.as_str() {
                "server" => RpcError::server("nonce too low"),
                "revert" => RpcError::revert([0xde, 0xad], Some("no")),
                _ => RpcError::internal("secret detail"),
            })
        })
        .unwrap()
        .register_method("test_panic", |_, _| async move {
            if true {
                panic!("handler bug");
            }
            Ok::<_, RpcError>(())
        })
        .unwrap()
        .register_method("test_rendezvous", |_, ctx: Arc<TestCtx>| async move {
            ctx.rendezvous.wait().await;
            Ok::<_, RpcError>(true)
        })
        .unwrap()
        .register_batched_method(
            "test_record",
            |calls: Vec<Params>, ctx: Arc<TestCtx>| async move {
                ctx.record_invocations.lock().unwrap().push(calls.len());
                calls
                    .iter()
                    .map(|params| {
                        params
                            .ensure_at_most(1)
                            .and_then(|()| params.required::<Value>(0))
                    })
                    .collect::<Vec<_>>()
            },
        )
        .unwrap()
        .register_subscription(
            "test_subscribe",
            "test_subscription",
            "test_unsubscribe",
            |params: Params, ctx: Arc<TestCtx>| async move {
                let (kind, n): (String, Option<u64>) = params.parse()?;
                Ok(match kind.as_str() {
                    "count" => stream::iter((0..n.unwrap_or(3)).map(Value::from)).boxed(),
                    "ticker" => {
                        stream::unfold((0u64, LiveTicker::new(ctx)), |(i, live)| async move {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            Some((Value::from(i), (i + 1, live)))
                        })
                        .boxed()
                    }
                    "flood" => stream::repeat_with(|| Value::String("x".repeat(64 * 1024))).boxed(),
                    other => return Err(RpcError::invalid_params(format!("unknown kind {other}"))),
                })
            },
        )
        .unwrap();
    (module.into_methods(), ctx)
}

/// Starts the test server.
pub(crate) async fn spawn(config: ServerConfig) -> (ServerHandle, Arc<TestCtx>) {
    let (methods, ctx) = methods();
    let handle = tributary_rpc::start(config, methods).await.unwrap();
    (handle, ctx)
}

/// Starts the test server with the test defaults.
pub(crate) async fn spawn_default() -> (ServerHandle, Arc<TestCtx>) {
    spawn(ServerConfig::test()).await
}

/// A raw HTTP answer.
#[derive(Debug)]
pub(crate) struct HttpAnswer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
}

impl HttpAnswer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|err| panic!("{err}: {:?}", self.body))
    }
}

/// POSTs `body` as application/json.
pub(crate) async fn post(handle: &ServerHandle, body: impl Into<String>) -> HttpAnswer {
    post_with(handle, body, &[("content-type", "application/json")]).await
}

/// POSTs `body` with the given headers.
pub(crate) async fn post_with(
    handle: &ServerHandle,
    body: impl Into<String>,
    headers: &[(&str, &str)],
) -> HttpAnswer {
    let mut request = reqwest::Client::new()
        .post(handle.http_url())
        .body(body.into());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    answer(request.send().await.unwrap()).await
}

pub(crate) async fn answer(response: reqwest::Response) -> HttpAnswer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    HttpAnswer {
        status,
        headers,
        body,
    }
}

/// POSTs one call and returns the parsed response object.
pub(crate) async fn call(handle: &ServerHandle, method: &str, params: Value) -> Value {
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let answer = post(handle, request.to_string()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.json()
}

/// The `error` member of a response, asserting its code.
pub(crate) fn error_of(response: &Value, code: i64) -> &Value {
    let error = &response["error"];
    assert_eq!(error["code"], code, "{response}");
    error
}

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket connection.
pub(crate) async fn ws_connect(handle: &ServerHandle) -> Ws {
    tokio_tungstenite::connect_async(handle.ws_url())
        .await
        .unwrap()
        .0
}

/// Sends a text message.
pub(crate) async fn ws_send(ws: &mut Ws, value: Value) {
    ws.send(Message::text(value.to_string())).await.unwrap();
}

/// The next text message as JSON (fails after 10 s).
pub(crate) async fn ws_next(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("timed out waiting for a message")
            .expect("connection ended")
            .expect("read error");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected message {other:?}"),
        }
    }
}

/// A call over WebSocket; returns the response, skipping nothing (callers expect order).
pub(crate) async fn ws_call(ws: &mut Ws, id: u64, method: &str, params: Value) -> Value {
    ws_send(
        ws,
        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
    )
    .await;
    ws_next(ws).await
}

/// Reads until the response with `id`, skipping notifications.
pub(crate) async fn ws_response(ws: &mut Ws, id: u64) -> Value {
    loop {
        let message = ws_next(ws).await;
        if message["id"] == id {
            return message;
        }
        assert_eq!(
            message["method"], "test_subscription",
            "unexpected message {message}"
        );
    }
}
