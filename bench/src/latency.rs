//! The latency workload: pre-signed transfers sent one per request at a steady rate (request `i`
//! leaves at `start + i / rate`), while a watcher polls `eth_blockNumber` and reads each new block
//! with `eth_getBlockByNumber(n, false)`. A transaction's latency is the time from just before its
//! request is sent to the poll that first saw a head at or above the block holding it (its
//! receipt is served from then on). The same method runs against both nodes.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use alloy_primitives::B256;
use eyre::{Result, WrapErr, bail};
use serde_json::{Value, json};

use crate::{
    chain::{ReceiptCheck, check_receipts},
    cli::Args,
    cpu::CpuSample,
    rpc::{Rpc, quantity},
    tx::SignedTx,
};

/// Distinct rejection messages kept for the report.
const KEPT_MESSAGES: usize = 5;

/// The measurement of one latency round.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// Send-to-inclusion latency of each transaction that was seen in a block.
    pub(crate) latencies: Vec<Duration>,
    /// Transactions sent.
    pub(crate) sent: usize,
    /// Transactions the node rejected.
    pub(crate) rejected: usize,
    /// The first distinct rejection messages.
    pub(crate) messages: Vec<String>,
    /// Accepted transactions never seen in a block before the timeout.
    pub(crate) unseen: usize,
    /// First send → last send.
    pub(crate) send_span: Duration,
    /// The largest delay of a send behind its schedule.
    pub(crate) max_send_lag: Duration,
    /// Receipts of all transactions (fetched after the measurement).
    pub(crate) receipts: ReceiptCheck,
    /// CPU seconds used by (the bench, the node) from the first send to the end of watching.
    pub(crate) cpu: (f64, f64),
}

/// Sends `txs` at `args.rate` per second and measures when each appears in a block.
pub(crate) async fn run(rpc: &Rpc, pid: u32, txs: &[SignedTx], args: &Args) -> Result<Outcome> {
    let head: Value = rpc.call("eth_blockNumber", json!([])).await?;
    let index: HashMap<B256, usize> = txs.iter().enumerate().map(|(i, tx)| (tx.hash, i)).collect();
    let progress = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch(
        rpc.clone(),
        index,
        quantity(&head)? + 1,
        args.poll(),
        Arc::clone(&progress),
        Arc::clone(&stop),
    ));

    let interval = Duration::from_secs_f64(1.0 / args.rate.max(1) as f64);
    let cpu_start = CpuSample::now(pid)?;
    let start = tokio::time::Instant::now();
    let mut send_at = Vec::with_capacity(txs.len());
    let mut max_send_lag = Duration::ZERO;
    let mut requests = Vec::with_capacity(txs.len());
    for (i, tx) in txs.iter().enumerate() {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due).await;
        let now = tokio::time::Instant::now();
        max_send_lag = max_send_lag.max(now - due);
        send_at.push(now.into_std());
        let rpc = rpc.clone();
        let raw = tx.raw.clone();
        requests.push(tokio::spawn(async move {
            rpc.call::<Value>("eth_sendRawTransaction", json!([raw]))
                .await
        }));
    }
    let send_span = send_at
        .last()
        .zip(send_at.first())
        .map_or(Duration::ZERO, |(l, f)| *l - *f);

    let mut rejected = 0;
    let mut messages = Vec::new();
    for request in requests {
        if let Err(error) = request.await.wrap_err("send task")? {
            rejected += 1;
            let message = format!("{error:#}");
            if messages.len() < KEPT_MESSAGES && !messages.contains(&message) {
                messages.push(message);
            }
        }
    }
    let accepted = txs.len() - rejected;
    let deadline = Instant::now() + args.timeout();
    while progress.load(Ordering::Relaxed) < accepted
        && Instant::now() < deadline
        && !watcher.is_finished()
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let seen = watcher.await.wrap_err("block watcher")??;
    let cpu = CpuSample::now(pid)?.since(&cpu_start);

    let latencies: Vec<Duration> = seen
        .iter()
        .zip(&send_at)
        .filter_map(|(seen, sent)| seen.map(|seen| seen.saturating_duration_since(*sent)))
        .collect();
    let receipts = check_receipts(rpc, txs).await?;
    Ok(Outcome {
        unseen: accepted.saturating_sub(latencies.len()),
        latencies,
        sent: txs.len(),
        rejected,
        messages,
        send_span,
        max_send_lag,
        receipts,
        cpu,
    })
}

/// Follows the chain from block `from`, recording for each transaction of `index` the instant a
/// poll first saw its block as part of the chain. Ends when all are seen or `stop` is set.
async fn watch(
    rpc: Rpc,
    index: HashMap<B256, usize>,
    from: u64,
    poll: Duration,
    progress: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) -> Result<Vec<Option<Instant>>> {
    let mut seen: Vec<Option<Instant>> = vec![None; index.len()];
    let mut count = 0;
    let mut next = from;
    while count < index.len() && !stop.load(Ordering::Relaxed) {
        let head = quantity(&rpc.call::<Value>("eth_blockNumber", json!([])).await?)?;
        let observed = Instant::now();
        while next <= head {
            let block: Value = rpc
                .call("eth_getBlockByNumber", json!([format!("{next:#x}"), false]))
                .await?;
            if block.is_null() {
                break; // not served yet: retry at the next poll
            }
            let Some(hashes) = block["transactions"].as_array() else {
                bail!("block {next} has no transactions array");
            };
            for hash in hashes {
                let hash: B256 = serde_json::from_value(hash.clone())
                    .wrap_err_with(|| format!("block {next}: bad transaction hash {hash}"))?;
                if let Some(&i) = index.get(&hash)
                    && seen[i].is_none()
                {
                    seen[i] = Some(observed);
                    count += 1;
                }
            }
            next += 1;
        }
        progress.store(count, Ordering::Relaxed);
        if count < index.len() {
            tokio::time::sleep(poll).await;
        }
    }
    Ok(seen)
}
