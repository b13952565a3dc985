//! `eth_subscribe` over WebSocket: `newHeads`, `logs` (with an address/topic filter) and
//! `newPendingTransactions` (hashes, or full transactions with `true`).
//!
//! Each subscription follows the node's broadcast channels; a subscriber too slow for them
//! skips what it missed (the server bounds its queue, see the crate docs) rather than holding
//! the node back.

use std::sync::Arc;

use alloy::rpc::types::{Filter, Header as RpcHeader};
use futures::{Stream, StreamExt, stream};
use serde_json::Value;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::{
    Params, RegisterError, RpcError, RpcModule,
    eth::{EthApi, convert},
};

pub(crate) fn register(m: &mut RpcModule<EthApi>) -> Result<(), RegisterError> {
    m.register_subscription(
        "eth_subscribe",
        "eth_subscription",
        "eth_unsubscribe",
        |p, api| async move { subscribe(&p, &api) },
    )?;
    Ok(())
}

fn subscribe(p: &Params, api: &Arc<EthApi>) -> Result<stream::BoxStream<'static, Value>, RpcError> {
    let kind: String = p.required(0)?;
    match kind.as_str() {
        "newHeads" => {
            p.ensure_at_most(1)?;
            Ok(follow(api.node.subscribe_blocks())
                .map(|block| to_value(&RpcHeader::from_sealed(block.header.clone())))
                .boxed())
        }
        "logs" => {
            p.ensure_at_most(2)?;
            let filter: Filter = p.optional(1)?.unwrap_or_default();
            Ok(follow(api.node.subscribe_blocks())
                .flat_map(move |block| {
                    let logs: Vec<Value> = block
                        .logs
                        .iter()
                        .filter(|l| filter.matches(&l.log))
                        .map(|l| to_value(&convert::log(l.clone())))
                        .collect();
                    stream::iter(logs)
                })
                .boxed())
        }
        "newPendingTransactions" => {
            p.ensure_at_most(2)?;
            let full = p.optional::<bool>(1)?.unwrap_or(false);
            let api = Arc::clone(api);
            Ok(follow(api.node.pool().subscribe_pending())
                .filter_map(move |hash| {
                    let item = if full {
                        api.node
                            .pool()
                            .get(&hash)
                            .and_then(|tx| convert::pending_transaction(&tx))
                            .map(|tx| to_value(&tx))
                    } else {
                        Some(to_value(&hash))
                    };
                    async move { item }
                })
                .boxed())
        }
        other => Err(RpcError::invalid_params(format!(
            "no \"{other}\" subscription in eth namespace"
        ))),
    }
}

/// A broadcast receiver as a stream that skips what it lagged behind on.
fn follow<T: Clone + Send + 'static>(rx: broadcast::Receiver<T>) -> impl Stream<Item = T> {
    stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(item) => return Some((item, rx)),
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return None,
            }
        }
    })
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
