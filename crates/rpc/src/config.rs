//! [`ServerConfig`]: every limit of the server, with named defaults that binaries can reuse as
//! clap `default_value_t`.

use std::{
    net::{Ipv4Addr, SocketAddr},
    time::Duration,
};

/// Port wallets expect an Ethereum node on.
pub const DEFAULT_PORT: u16 = 8545;
/// Largest accepted HTTP request body (5 MiB, as geth); larger ones get HTTP 413.
pub const DEFAULT_MAX_REQUEST_BODY_SIZE: usize = 5 * 1024 * 1024;
/// Largest response body (100 MiB); larger answers become `-32003 response too large`.
pub const DEFAULT_MAX_RESPONSE_BODY_SIZE: usize = 100 * 1024 * 1024;
/// Most calls in one batch (geth's default).
pub const DEFAULT_MAX_BATCH_SIZE: usize = 1000;
/// Most open TCP connections, HTTP and WebSocket together.
pub const DEFAULT_MAX_CONNECTIONS: usize = 2000;
/// Most open WebSocket connections.
pub const DEFAULT_MAX_WS_CONNECTIONS: usize = 1000;
/// Most HTTP requests handled at once; further requests wait for a slot.
pub const DEFAULT_MAX_CONCURRENT_HTTP_REQUESTS: usize = 512;
/// Largest incoming WebSocket message (same as an HTTP body).
pub const DEFAULT_WS_MAX_MESSAGE_SIZE: usize = DEFAULT_MAX_REQUEST_BODY_SIZE;
/// Outgoing messages queued per WebSocket connection before a notification overflows it.
pub const DEFAULT_WS_QUEUE_CAPACITY: usize = 1024;
/// Most live subscriptions per WebSocket connection.
pub const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION: usize = 1024;
/// How long a graceful shutdown waits for in-flight requests and connections.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// Which browser origins may call the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CorsConfig {
    /// No CORS headers: browsers refuse cross-origin calls (geth's default). WebSocket
    /// origins are not checked.
    #[default]
    Disabled,
    /// Any origin (development, public endpoints).
    Any,
    /// Only these origins, e.g. `https://app.example`. `"*"` in the list means any. WebSocket
    /// upgrades from other origins are refused with 403, as geth's `--ws.origins` does.
    Origins(Vec<String>),
}

/// Configuration of the JSON-RPC server. [`ServerConfig::default`] listens on
/// `127.0.0.1:8545`; [`ServerConfig::test`] on a free port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to listen on for both HTTP and WebSocket. Default `127.0.0.1:8545`: exposing
    /// the node beyond the host is an explicit operator decision.
    pub listen_addr: SocketAddr,
    /// Largest HTTP request body in bytes; default [`DEFAULT_MAX_REQUEST_BODY_SIZE`].
    pub max_request_body_size: usize,
    /// Largest response in bytes; default [`DEFAULT_MAX_RESPONSE_BODY_SIZE`].
    pub max_response_body_size: usize,
    /// Most calls per batch; default [`DEFAULT_MAX_BATCH_SIZE`].
    pub max_batch_size: usize,
    /// Most open TCP connections; default [`DEFAULT_MAX_CONNECTIONS`]. Further connections
    /// wait in the kernel's accept backlog.
    pub max_connections: usize,
    /// Most open WebSocket connections; default [`DEFAULT_MAX_WS_CONNECTIONS`]. Further
    /// upgrades get HTTP 503.
    pub max_ws_connections: usize,
    /// Most HTTP requests in progress; default [`DEFAULT_MAX_CONCURRENT_HTTP_REQUESTS`].
    pub max_concurrent_http_requests: usize,
    /// Largest incoming WebSocket message; default [`DEFAULT_WS_MAX_MESSAGE_SIZE`]. A larger
    /// message closes the connection.
    pub ws_max_message_size: usize,
    /// Outgoing queue per WebSocket connection, in messages; default
    /// [`DEFAULT_WS_QUEUE_CAPACITY`]. The [crate docs](crate#subscriptions) say what happens
    /// on overflow.
    pub ws_queue_capacity: usize,
    /// Most live subscriptions per connection; default
    /// [`DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION`].
    pub max_subscriptions_per_connection: usize,
    /// Browser origins allowed; default [`CorsConfig::Disabled`].
    pub cors: CorsConfig,
    /// Grace period of [`ServerHandle::stop`](crate::ServerHandle::stop); default
    /// [`DEFAULT_SHUTDOWN_TIMEOUT`].
    pub shutdown_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            max_request_body_size: DEFAULT_MAX_REQUEST_BODY_SIZE,
            max_response_body_size: DEFAULT_MAX_RESPONSE_BODY_SIZE,
            max_batch_size: DEFAULT_MAX_BATCH_SIZE,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_ws_connections: DEFAULT_MAX_WS_CONNECTIONS,
            max_concurrent_http_requests: DEFAULT_MAX_CONCURRENT_HTTP_REQUESTS,
            ws_max_message_size: DEFAULT_WS_MAX_MESSAGE_SIZE,
            ws_queue_capacity: DEFAULT_WS_QUEUE_CAPACITY,
            max_subscriptions_per_connection: DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
            cors: CorsConfig::Disabled,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }
}

impl ServerConfig {
    /// Defaults, listening on `127.0.0.1:0` (a free port) for tests.
    pub fn test() -> Self {
        Self {
            listen_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ..Self::default()
        }
    }

    /// Sets [`Self::listen_addr`].
    #[must_use]
    pub fn with_listen_addr(mut self, addr: SocketAddr) -> Self {
        self.listen_addr = addr;
        self
    }

    /// Sets [`Self::max_request_body_size`].
    #[must_use]
    pub fn with_max_request_body_size(mut self, bytes: usize) -> Self {
        self.max_request_body_size = bytes;
        self
    }

    /// Sets [`Self::max_response_body_size`].
    #[must_use]
    pub fn with_max_response_body_size(mut self, bytes: usize) -> Self {
        self.max_response_body_size = bytes;
        self
    }

    /// Sets [`Self::max_batch_size`].
    #[must_use]
    pub fn with_max_batch_size(mut self, calls: usize) -> Self {
        self.max_batch_size = calls;
        self
    }

    /// Sets [`Self::max_connections`].
    #[must_use]
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections;
        self
    }

    /// Sets [`Self::max_ws_connections`].
    #[must_use]
    pub fn with_max_ws_connections(mut self, connections: usize) -> Self {
        self.max_ws_connections = connections;
        self
    }

    /// Sets [`Self::max_concurrent_http_requests`].
    #[must_use]
    pub fn with_max_concurrent_http_requests(mut self, requests: usize) -> Self {
        self.max_concurrent_http_requests = requests;
        self
    }

    /// Sets [`Self::ws_max_message_size`].
    #[must_use]
    pub fn with_ws_max_message_size(mut self, bytes: usize) -> Self {
        self.ws_max_message_size = bytes;
        self
    }

    /// Sets [`Self::ws_queue_capacity`].
    #[must_use]
    pub fn with_ws_queue_capacity(mut self, messages: usize) -> Self {
        self.ws_queue_capacity = messages;
        self
    }

    /// Sets [`Self::max_subscriptions_per_connection`].
    #[must_use]
    pub fn with_max_subscriptions_per_connection(mut self, subscriptions: usize) -> Self {
        self.max_subscriptions_per_connection = subscriptions;
        self
    }

    /// Sets [`Self::cors`].
    #[must_use]
    pub fn with_cors(mut self, cors: CorsConfig) -> Self {
        self.cors = cors;
        self
    }

    /// Sets [`Self::shutdown_timeout`].
    #[must_use]
    pub fn with_shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }
}
