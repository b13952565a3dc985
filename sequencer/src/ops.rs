//! The operators' endpoints, on their own port (`--metrics.port`): `GET /health` and
//! `GET /metrics` (Prometheus text format).
//!
//! `/health` answers 200 only when the node can do its job: the block producer runs, the store
//! takes writes, and — with an L1 — the L1 follower is caught up with no reorg beyond its
//! confirmation depth. Otherwise 503 with the reasons, so a load balancer or the devnet script
//! waits for readiness.

use std::net::SocketAddr;

use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde::Serialize;
use tokio::{net::TcpListener, sync::watch};
use tracing::info;
use tributary_node::Node;

#[derive(Clone)]
struct Ops {
    node: Node,
    prometheus: PrometheusHandle,
}

#[derive(Serialize)]
struct Health {
    ready: bool,
    problems: Vec<String>,
    head: u64,
    safe: u64,
    finalized: u64,
}

/// Installs the Prometheus recorder and serves `/health` and `/metrics` on `addr` until
/// `shutdown`; returns the bound address.
pub(crate) async fn serve(
    addr: SocketAddr,
    node: Node,
    mut shutdown: watch::Receiver<bool>,
) -> eyre::Result<SocketAddr> {
    let prometheus = PrometheusBuilder::new().install_recorder()?;
    let app = Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .with_state(Ops { node, prometheus });
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    info!(target: "sequencer::ops", %bound, "serving /health and /metrics");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = shutdown.wait_for(|stop| *stop).await;
            })
            .await;
    });
    Ok(bound)
}

async fn health(State(ops): State<Ops>) -> (StatusCode, Json<Health>) {
    let status = ops.node.sync_status();
    let mut problems = Vec::new();
    if let Err(e) = ops.node.store().check_writable().await {
        problems.push(format!("store not writable: {e}"));
    }
    if *ops.node.subscribe_shutdown().borrow() {
        problems.push("shutting down".into());
    }
    if status.l1_enabled && !status.l1_synced {
        problems.push(format!(
            "L1 not synced (L1 head {}, confirmed {})",
            status.l1_head, status.l1_confirmed
        ));
    }
    let ready = problems.is_empty();
    let body = Health {
        ready,
        problems,
        head: ops.node.head().number,
        safe: ops.node.safe_number(),
        finalized: ops.node.finalized_number(),
    };
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body))
}

async fn metrics(State(ops): State<Ops>) -> String {
    let node = &ops.node;
    metrics::gauge!("tributary_l2_head").set(node.head().number as f64);
    metrics::gauge!("tributary_l2_safe").set(node.safe_number() as f64);
    metrics::gauge!("tributary_l2_finalized").set(node.finalized_number() as f64);
    metrics::gauge!("tributary_txpool_size").set(node.pool().len() as f64);
    ops.prometheus.render()
}
