//! Tributary's JSON-RPC transport: one port serving JSON-RPC 2.0 over HTTP and WebSocket,
//! a registry of async method handlers, batches, and subscriptions.
//!
//! # Place in the node
//!
//! Every wallet, dApp, foundry tool and the gateway reach the node through this crate. It
//! owns the wire (HTTP, WebSocket, JSON-RPC framing, limits, CORS) and nothing of Ethereum:
//! the namespaces (`eth_`, `net_`, `web3_`, `txpool_`, `debug_`, `tributary_`) are modules
//! that register handlers on an [`RpcModule`] and call into the rest of the node.
//!
//! ```text
//!   wallets, cast, viem ─HTTP POST /──┐                 ┌─▶ eth_sendRawTransaction ─▶ txpool ─▶ sequencer
//!                                     ├─▶ dispatch ─────┼─▶ eth_call / estimateGas ─▶ execution (revm)
//!   dApps, indexers ────WS GET /──────┘   (batches,     ├─▶ eth_get* ───────────────▶ storage (sqlx)
//!          ▲                               grouping)    └─▶ eth_subscribe ──────────▶ new heads / logs stream
//!          └──────────── eth_subscription notifications ◀── bounded per-connection queue
//! ```
//!
//! # Responsibilities
//!
//! - **Framing**: request validation and geth-compatible errors:
//!   `-32700 parse error` (id null), `-32600` for invalid requests, `-32601 the method X does
//!   not exist/is not available`. Notifications (no `id`) never get a response.
//! - **Registry** ([`RpcModule`], [`Methods`]): handlers are `async` closures over a shared
//!   context, `Fn(Params, Arc<Ctx>) -> Future<Output = RpcResult<impl Serialize>>`. Namespace
//!   modules build one `RpcModule` each; the node merges them with [`Methods::merge`].
//! - **Params** ([`Params`]): positional accessors for Ethereum's optional trailing arguments
//!   (`params.parse::<(Address, Option<BlockId>)>()`), with geth's -32602 messages.
//! - **Errors** ([`RpcError`]): the only place JSON-RPC error objects are built:
//!   [`RpcError::invalid_params`] (-32602), [`RpcError::internal`] (-32603, detail logged and
//!   hidden), [`RpcError::revert`] (3 with revert data), [`RpcError::server`] (-32000 with
//!   geth's message, e.g. "nonce too low").
//! - **Batches**: a JSON array runs its entries concurrently and answers in request order. An
//!   empty batch gets one `-32600 empty batch` object; more than
//!   [`ServerConfig::max_batch_size`] entries get one `-32600 batch too large` error. Calls to
//!   a method registered with [`RpcModule::register_batched_method`] are handed to it
//!   together, so e.g. `eth_sendRawTransaction` can recover senders in parallel and journal a
//!   whole batch in one database transaction.
//! - **Limits** ([`ServerConfig`]): request bodies over 5 MiB get HTTP 413 with a JSON-RPC
//!   error body; responses over the response limit become `-32003 response too large`;
//!   caps on TCP connections, WebSocket connections and concurrent HTTP requests. Content
//!   types other than JSON get 415 (a missing content type is accepted). A panicking
//!   handler answers `-32603`; no input makes the server panic.
//!
//! # Subscriptions
//!
//! [`RpcModule::register_subscription`] pairs a subscribe method (`eth_subscribe`) whose
//! handler returns a [`Stream`](futures::Stream) with its unsubscribe method
//! (`eth_unsubscribe`, answering `true`/`false`). The server answers the subscribe call with
//! a random 16-byte `0x` id, then sends each item as
//! `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":id,"result":item}}`.
//! Subscriptions exist only on WebSocket connections (over HTTP both methods answer geth's
//! `-32601 notifications not supported`) and end with the connection.
//!
//! Each connection has one bounded outgoing queue ([`ServerConfig::ws_queue_capacity`]).
//! Responses wait for room; a notification that finds the queue full closes the connection
//! with code 1008 ("subscription queue overflow"): memory stays bounded and the client learns
//! that it missed events, where a silently dropped subscription would leave it waiting.
//!
//! # Usage
//!
//! ```no_run
//! use std::sync::Arc;
//! use tributary_rpc::{Methods, Params, RpcError, RpcModule, ServerConfig};
//!
//! struct EthApi { chain_id: u64 }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut eth = RpcModule::new(EthApi { chain_id: 42 });
//! eth.register_method("eth_chainId", |_params: Params, api: Arc<EthApi>| async move {
//!     Ok::<_, RpcError>(format!("{:#x}", api.chain_id))
//! })?;
//! eth.register_batched_method("eth_sendRawTransaction", |calls: Vec<Params>, _api| async move {
//!     calls.iter().map(|params| params.parse::<(String,)>().map(|(raw,)| raw)).collect::<Vec<_>>()
//! })?;
//!
//! let mut methods = Methods::new();
//! methods.merge(eth)?;
//! let server = tributary_rpc::start(ServerConfig::default(), methods).await?;
//! println!("listening on {}", server.local_addr());
//! tokio::signal::ctrl_c().await?;
//! server.stop().await;
//! # Ok(())
//! # }
//! ```

mod config;
mod dispatch;
mod error;
mod eth;
mod http;
mod jsonrpc;
mod params;
mod registry;
mod server;
mod subscription;
mod ws;

pub use config::{
    CorsConfig, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_CONCURRENT_HTTP_REQUESTS,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_REQUEST_BODY_SIZE, DEFAULT_MAX_RESPONSE_BODY_SIZE,
    DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION, DEFAULT_MAX_WS_CONNECTIONS, DEFAULT_PORT,
    DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_WS_MAX_MESSAGE_SIZE, DEFAULT_WS_QUEUE_CAPACITY, ServerConfig,
};
pub use error::{RegisterError, RpcError, RpcResult, ServerError};
pub use eth::{EthApi, EthConfig, FILTER_TIMEOUT, eth_module};
pub use params::{FromParams, Params};
pub use registry::{Methods, RpcModule};
pub use server::{ServerHandle, start};
