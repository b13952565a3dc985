//! `txpool_status`, `txpool_content` and `txpool_inspect` (geth's shapes).

use std::collections::BTreeMap;

use alloy::consensus::Transaction as _;
use alloy_primitives::{Address, U64};
use serde::Serialize;

use crate::{
    RegisterError, RpcModule,
    eth::{EthApi, convert},
};

#[derive(Debug, Serialize)]
struct Status {
    pending: U64,
    queued: U64,
}

/// Sender → nonce (decimal string, as geth) → value.
type BySender<T> = BTreeMap<Address, BTreeMap<String, T>>;

#[derive(Debug, Serialize)]
struct Content<T> {
    pending: BySender<T>,
    queued: BySender<T>,
}

pub(crate) fn register(m: &mut RpcModule<EthApi>) -> Result<(), RegisterError> {
    m.register_method("txpool_status", |_p, api| async move {
        let s = api.node.pool().status();
        Ok(Status {
            pending: U64::from(s.pending),
            queued: U64::from(s.queued),
        })
    })?;
    m.register_method("txpool_content", |_p, api| async move {
        Ok(content(&api, convert::pending_transaction))
    })?;
    m.register_method("txpool_inspect", |_p, api| async move {
        Ok(content(&api, |tx| {
            let to = tx
                .envelope()
                .to()
                .map_or_else(|| "contract creation".to_owned(), |a| a.to_string());
            Some(format!(
                "{to}: {} wei + {} gas × {} wei",
                tx.envelope().value(),
                tx.gas_limit(),
                tx.max_fee_per_gas()
            ))
        }))
    })?;
    Ok(())
}

fn content<T>(
    api: &EthApi,
    f: impl Fn(&tributary_txpool::PoolTransaction) -> Option<T>,
) -> Content<T> {
    let mut out = Content {
        pending: BTreeMap::new(),
        queued: BTreeMap::new(),
    };
    for (sender, txs) in api.node.pool().content() {
        let by_nonce = |txs: &BTreeMap<u64, std::sync::Arc<tributary_txpool::PoolTransaction>>| {
            txs.iter()
                .filter_map(|(n, tx)| Some((n.to_string(), f(tx)?)))
                .collect::<BTreeMap<_, _>>()
        };
        let pending = by_nonce(&txs.pending);
        let queued = by_nonce(&txs.queued);
        if !pending.is_empty() {
            out.pending.insert(sender, pending);
        }
        if !queued.is_empty() {
            out.queued.insert(sender, queued);
        }
    }
    out
}
