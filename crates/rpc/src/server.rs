//! [`start`]: binds the port, serves HTTP and WebSocket on it, and returns a
//! [`ServerHandle`] that stops the server gracefully.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Router,
    http::{HeaderValue, Method, header},
    routing::get,
    serve::Listener,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore},
    task::JoinHandle,
};
use tokio_util::sync::CancellationToken;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use crate::{
    config::{CorsConfig, ServerConfig},
    dispatch::Limits,
    error::ServerError,
    http,
    registry::Methods,
};

/// What every request handler needs; shared by all connections.
pub(crate) struct ServerState {
    pub(crate) methods: Methods,
    pub(crate) limits: Limits,
    pub(crate) max_request_body_size: usize,
    pub(crate) http_slots: Semaphore,
    pub(crate) ws_slots: Arc<Semaphore>,
    /// Origins allowed to open a WebSocket; `None` allows any.
    pub(crate) ws_origins: Option<Vec<HeaderValue>>,
    pub(crate) ws_max_message_size: usize,
    pub(crate) ws_queue_capacity: usize,
    pub(crate) max_subscriptions_per_connection: usize,
    pub(crate) shutdown: CancellationToken,
}

/// Semaphores panic above this many permits; configured limits are clamped to it.
fn permits(limit: usize) -> usize {
    limit.min(Semaphore::MAX_PERMITS)
}

/// Starts serving `methods` per `config` and returns once the port is bound.
///
/// The server runs on the current Tokio runtime until [`ServerHandle::stop`] is called or
/// the handle is dropped.
pub async fn start(
    config: ServerConfig,
    methods: impl Into<Methods>,
) -> Result<ServerHandle, ServerError> {
    let cors = cors_layer(&config.cors)?;
    let ws_origins = match &config.cors {
        CorsConfig::Origins(origins) if !origins.iter().any(|origin| origin == "*") => {
            Some(parse_origins(origins)?)
        }
        _ => None,
    };
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.listen_addr,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(ServerError::LocalAddr)?;

    let shutdown = CancellationToken::new();
    let max_ws_connections = permits(config.max_ws_connections);
    let state = Arc::new(ServerState {
        methods: methods.into(),
        limits: Limits {
            max_batch_size: config.max_batch_size,
            max_response_size: config.max_response_body_size,
        },
        max_request_body_size: config.max_request_body_size,
        http_slots: Semaphore::new(permits(config.max_concurrent_http_requests.max(1))),
        ws_slots: Arc::new(Semaphore::new(max_ws_connections)),
        ws_origins,
        ws_max_message_size: config.ws_max_message_size,
        // A zero-capacity channel does not exist; one message is the least that works.
        ws_queue_capacity: config.ws_queue_capacity.max(1),
        max_subscriptions_per_connection: config.max_subscriptions_per_connection,
        shutdown: shutdown.clone(),
    });
    let ws_slots = Arc::clone(&state.ws_slots);

    let mut router = Router::new()
        .route("/", get(http::get).post(http::post))
        .with_state(state);
    if let Some(cors) = cors {
        router = router.layer(cors);
    }
    let listener = LimitedListener {
        inner: listener,
        slots: Arc::new(Semaphore::new(permits(config.max_connections.max(1)))),
    };
    let serve =
        axum::serve(listener, router).with_graceful_shutdown(shutdown.clone().cancelled_owned());

    let timeout = config.shutdown_timeout;
    let signal = shutdown.clone();
    let task = tokio::spawn(async move {
        let drain = async {
            // Infallible in axum 0.8: accept errors are retried inside the listener.
            let _ = serve.await;
            // Upgraded WebSocket connections outlive hyper's connection tracking; each
            // holds a slot until its task ends, so taking every slot waits for all of them.
            let all = u32::try_from(max_ws_connections).unwrap_or(u32::MAX);
            let _ = ws_slots.acquire_many(all).await;
        };
        let deadline = async {
            signal.cancelled().await;
            tokio::time::sleep(timeout).await;
        };
        tokio::select! {
            _ = drain => tracing::info!(target: "rpc::server", "stopped"),
            _ = deadline => tracing::warn!(target: "rpc::server", ?timeout, "shutdown timed out, dropping connections"),
        }
    });
    tracing::info!(target: "rpc::server", %local_addr, "serving JSON-RPC over HTTP and WebSocket");
    Ok(ServerHandle {
        local_addr,
        shutdown,
        task: Some(task),
    })
}

fn parse_origins(origins: &[String]) -> Result<Vec<HeaderValue>, ServerError> {
    origins
        .iter()
        .map(|origin| {
            HeaderValue::from_str(origin)
                .map_err(|_| ServerError::InvalidCorsOrigin(origin.clone()))
        })
        .collect()
}

/// geth's CORS: POST and GET, any request header, preflight cached for 10 minutes.
fn cors_layer(config: &CorsConfig) -> Result<Option<CorsLayer>, ServerError> {
    let origin = match config {
        CorsConfig::Disabled => return Ok(None),
        CorsConfig::Any => AllowOrigin::any(),
        CorsConfig::Origins(origins) if origins.iter().any(|origin| origin == "*") => {
            AllowOrigin::any()
        }
        CorsConfig::Origins(origins) => AllowOrigin::list(parse_origins(origins)?),
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods([Method::POST, Method::GET])
            .allow_headers(Any)
            .expose_headers([header::CONTENT_TYPE])
            .max_age(Duration::from_secs(600)),
    ))
}

/// Handle of a running server. Dropping it starts a graceful shutdown in the background;
/// [`ServerHandle::stop`] does the same and waits for it.
#[derive(Debug)]
pub struct ServerHandle {
    local_addr: SocketAddr,
    shutdown: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The bound address (the real port when configured with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://<local_addr>`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// `ws://<local_addr>`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.local_addr)
    }

    /// Stops accepting connections, lets in-flight requests finish, closes WebSocket
    /// connections with code 1001 and waits until all is done or the configured shutdown
    /// timeout passed.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A TCP listener that keeps at most a fixed number of connections open. Further clients
/// wait in the kernel's backlog rather than costing memory here.
struct LimitedListener {
    inner: TcpListener,
    slots: Arc<Semaphore>,
}

impl Listener for LimitedListener {
    type Io = LimitedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // The semaphore is never closed, so this only fails in theory; serving the connection
        // unlimited then beats refusing it.
        let slot = Arc::clone(&self.slots).acquire_owned().await.ok();
        let (stream, addr) = Listener::accept(&mut self.inner).await;
        // Small JSON answers must not wait for Nagle's algorithm (40 ms with delayed ACKs).
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(target: "rpc::server", %err, "failed to set TCP_NODELAY");
        }
        (
            LimitedStream {
                stream,
                _slot: slot,
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A connection holding its slot until dropped.
struct LimitedStream {
    stream: TcpStream,
    _slot: Option<OwnedSemaphorePermit>,
}

impl AsyncRead for LimitedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for LimitedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
