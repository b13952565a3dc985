//! Tributary's paid-inference gateway: an OpenAI-compatible chat endpoint for models registered on
//! L2, whose every paid answer is attributed to the DataNet contributions it quotes (or, for an LLM
//! that paraphrased, to those it was given as context, by retrieval score) and settled on chain
//! with the user's signed request. docs/gateway.md is the API reference.
//!
//! ```text
//!  user (tributary query, any OpenAI client + a signed `tributary` object)
//!    │ POST /v1/chat/completions
//!    ▼
//!  chat ─► Chain: ModelRegistry (terms, links), settleSigned pre-flight ──────────────► L2 node
//!    │ ─► Library: Engine::retrieve (BM25 over the model's DataNets)
//!    │ ─► Responder: LLM backend (/v1/chat/completions) or the extractive responder
//!    │ ─► Library: Engine::attribute (spans; a backend's paraphrase: its context's BM25 scores)
//!    │ ─► Chain: acceptedContributors (re-normalise if needed)
//!    │ ─► EvidenceStore: canonical JSON bytes, keccak256 = evidence hash
//!    └─► Chain: settleSigned (provider key) ─► receipt ─► chat.completion + `tributary` receipt
//!
//!  contributor (tributary contribute) ── POST /v1/contributions ─► Library: pending store or engine
//!  sync task (every sync_interval) ─► pending contributions Accepted on chain ─► Engine::ingest
//!  anyone ── GET /v1/attributions/{hash}, JSON-RPC tributary_getAttribution ─► the exact evidence bytes
//! ```
//!
//! [`Gateway::open`] connects to L2 and opens the engine; [`Gateway::catch_up`] and
//! [`Gateway::sync`] bring the index up to date (the binary shows them with progress bars);
//! [`Gateway::serve`] binds and returns a [`GatewayHandle`] that stops the server on drop;
//! [`Gateway::router`] is the axum app itself, for tests that call it without a server.
//!
//! Errors are [`GatewayError`]s: each has an HTTP status and a stable code, sent as OpenAI's error
//! body; reverts of the settlement contract are decoded ([`tributary_contracts::ContractRevert`])
//! into what they mean for the user (expired, replayed, fee over maxFee, not prepaid...). No input
//! makes a handler panic: bodies are parsed into typed requests and every failure is an error
//! value. Tracing targets: `gateway`, `gateway::chat`, `gateway::chain`, `gateway::library`,
//! `gateway::http`.

mod answer;
mod chain;
mod chat;
pub mod config;
pub mod error;
mod evidence;
mod library;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use alloy::primitives::{Address, B256, hex};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower_http::timeout::TimeoutLayer;
use tracing::{info, warn};
use tributary_attribution::AddReport;
use tributary_cli::gateway_api::ContributionStatus;

pub use answer::{Backend, Responder};
pub use config::GatewayConfig;
pub use error::{GatewayError, Result};
pub use library::SyncReport;

use crate::{chain::Chain, evidence::EvidenceStore, library::Library};

/// Shared by every handler.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    chain: Arc<Chain>,
    library: Arc<Library>,
    evidence: EvidenceStore,
    responder: Arc<Responder>,
    top_k: usize,
}

/// A gateway connected to L2 with its engine open, not serving yet.
#[derive(Debug)]
pub struct Gateway {
    state: AppState,
    config: GatewayConfig,
}

/// Runs blocking work (the engine, the stores, the synchronous registry) off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| GatewayError::Internal(format!("blocking task failed: {e}")))?
}

impl Gateway {
    /// Connects to L2 (reading its chain id) and opens the engine, the pending store and the
    /// evidence store under `config.data_dir`.
    pub async fn open(config: GatewayConfig) -> Result<Self> {
        let chain = Arc::new(
            Chain::connect(
                config.l2_rpc.clone(),
                config.key.clone(),
                config.request_timeout,
            )
            .await?,
        );
        let (dir, index, attribution, lib_chain) = (
            config.data_dir.clone(),
            config.index,
            config.attribution,
            chain.clone(),
        );
        let library = blocking(move || Library::open(&dir, index, attribution, lib_chain)).await?;
        let evidence = EvidenceStore::open(&config.data_dir.join("evidence"))?;
        info!(target: "gateway", provider = %chain.address(), chain_id = chain.chain_id(), dir = %config.data_dir.display(), "opened");
        Ok(Self {
            state: AppState {
                chain,
                library: Arc::new(library),
                evidence,
                responder: Arc::new(config.responder.clone()),
                top_k: config.top_k,
            },
            config,
        })
    }

    /// The provider key's address (what model owners authorise).
    pub fn provider(&self) -> Address {
        self.state.chain.address()
    }

    /// Indexes contributions stored but not indexed (after a crash between the two);
    /// `progress(done, total)`.
    pub async fn catch_up(
        &self,
        progress: impl FnMut(u64, u64) + Send + 'static,
    ) -> Result<AddReport> {
        let library = self.state.library.clone();
        blocking(move || library.catch_up(progress)).await
    }

    /// Checks the pending contributions against the chain (indexes the Accepted, drops the
    /// rejected); `progress(done, total)`.
    pub async fn sync(
        &self,
        progress: impl FnMut(u64, u64) + Send + 'static,
    ) -> Result<SyncReport> {
        let library = self.state.library.clone();
        blocking(move || library.sync(progress)).await
    }

    /// The HTTP API (docs/gateway.md):
    ///
    /// - `POST /v1/chat/completions`: a paid, attributed answer.
    /// - `POST /v1/contributions`: upload a registered contribution's bytes.
    /// - `GET /v1/contributions/{contentHash}`: `pending` or `indexed`.
    /// - `GET /v1/attributions/{evidenceHash}`: the exact evidence bytes.
    /// - `POST /`: JSON-RPC, `tributary_getAttribution(evidenceHash)`.
    /// - `GET /health`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/chat/completions", post(chat::completions))
            .route("/v1/contributions", post(upload))
            .route("/v1/contributions/{hash}", get(contribution))
            .route("/v1/attributions/{hash}", get(attribution))
            .route("/", post(json_rpc))
            .route("/health", get(health))
            .fallback(|uri: axum::http::Uri| async move {
                GatewayError::NotFound(uri.path().to_string())
            })
            .with_state(self.state.clone())
    }

    /// Binds and serves; the pending contributions are synced every `sync_interval` meanwhile.
    pub async fn serve(self) -> Result<GatewayHandle> {
        let listener = TcpListener::bind(self.config.listen)
            .await
            .map_err(|e| GatewayError::Internal(format!("binding {}: {e}", self.config.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| GatewayError::Internal(e.to_string()))?;
        let app = self
            .router()
            .layer(DefaultBodyLimit::max(self.config.max_body_bytes))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                self.config.request_timeout,
            ));
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                warn!(target: "gateway", "server error: {e}");
            }
        });
        let sync = tokio::spawn(sync_loop(
            self.state.library.clone(),
            self.config.sync_interval,
        ));
        info!(target: "gateway", %addr, "serving");
        Ok(GatewayHandle {
            addr,
            stop: Some(stop),
            server: Some(server),
            sync,
        })
    }
}

/// Syncs the pending contributions forever; a failed round is logged and retried next time.
async fn sync_loop(library: Arc<Library>, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let library = library.clone();
        match blocking(move || library.sync(|_, _| {})).await {
            Ok(report) if report.indexed + report.dropped > 0 => {
                info!(target: "gateway::library", indexed = report.indexed, dropped = report.dropped, pending = report.pending, "synced");
            }
            Ok(_) => {}
            Err(e) => warn!(target: "gateway::library", "sync failed: {e}"),
        }
    }
}

/// A serving gateway; stops (gracefully: in-flight requests finish) on [`Self::stop`] or drop.
#[derive(Debug)]
pub struct GatewayHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    sync: JoinHandle<()>,
}

impl GatewayHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits for in-flight requests (each bounded by the request
    /// timeout).
    pub async fn stop(mut self) {
        self.sync.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for GatewayHandle {
    fn drop(&mut self) {
        self.sync.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn parse_hash(param: &'static str, value: &str) -> Result<B256> {
    value.parse().map_err(|_| GatewayError::InvalidRequest {
        param,
        message: format!("{value:?} is not a 32-byte 0x hex hash"),
    })
}

async fn upload(State(state): State<AppState>, body: Bytes) -> Result<Json<ContributionStatus>> {
    if body.is_empty() {
        return Err(GatewayError::InvalidRequest {
            param: "body",
            message: "empty body: send the contribution's bytes".into(),
        });
    }
    let library = state.library.clone();
    blocking(move || library.upload(&body)).await.map(Json)
}

async fn contribution(
    State(state): State<AppState>,
    Path(hash): Path<String>,
) -> Result<Json<ContributionStatus>> {
    let hash = parse_hash("contentHash", &hash)?;
    let library = state.library.clone();
    blocking(move || library.status(hash)).await.map(Json)
}

async fn attribution(State(state): State<AppState>, Path(hash): Path<String>) -> Result<Response> {
    let hash = parse_hash("evidenceHash", &hash)?;
    let evidence = state.evidence.clone();
    let bytes = blocking(move || evidence.get(hash)).await?;
    // The stored bytes as they are: keccak256 of this body is the evidence hash on chain.
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "provider": state.chain.address(),
        "chain_id": state.chain.chain_id(),
    }))
}

/// JSON-RPC 2.0 over `POST /`: `tributary_getAttribution(evidenceHash)` returns the evidence
/// bytes as 0x hex (as `eth_getCode` returns code: `keccak256(result) == evidenceHash`), `null`
/// when unknown.
async fn json_rpc(State(state): State<AppState>, body: Bytes) -> Json<Value> {
    let error = |id: Value, code: i64, message: &str| {
        Json(json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}))
    };
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error(Value::Null, -32700, "parse error");
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        return error(id, -32600, "invalid request");
    };
    if method != "tributary_getAttribution" {
        return error(
            id,
            -32601,
            &format!("the method {method} does not exist/is not available"),
        );
    }
    let Some(hash) = request
        .get("params")
        .and_then(|p| p.get(0))
        .and_then(Value::as_str)
        .and_then(|h| h.parse::<B256>().ok())
    else {
        return error(id, -32602, "invalid params: expected [evidenceHash]");
    };
    let evidence = state.evidence.clone();
    match blocking(move || evidence.get(hash)).await {
        Ok(bytes) => {
            Json(json!({"jsonrpc": "2.0", "id": id, "result": format!("0x{}", hex::encode(bytes))}))
        }
        Err(GatewayError::EvidenceNotFound(_)) => {
            Json(json!({"jsonrpc": "2.0", "id": id, "result": Value::Null}))
        }
        Err(e) => {
            warn!(target: "gateway::http", "tributary_getAttribution: {e}");
            error(id, -32603, "internal error")
        }
    }
}
