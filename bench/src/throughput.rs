//! The throughput workloads (transfers, erc20, settle): pre-signed transactions sent as JSON-RPC batches
//! over a few concurrent connections; the clock runs from the first send until every sender's
//! `latest` nonce has reached its final value.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use eyre::Result;
use futures::future::join_all;

use crate::{
    chain::{Inclusion, ReceiptCheck, check_receipts, wait_for_nonces},
    cli::Args,
    cpu::CpuSample,
    rpc::{Rpc, parse_batch, send_raw_batch_body},
    tx::{DevAccounts, SENDERS, SignedTx, final_nonces},
};

/// Distinct rejection messages kept for the report.
const KEPT_MESSAGES: usize = 5;

/// The measurement of one throughput round.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// How waiting for inclusion ended.
    pub(crate) inclusion: Inclusion,
    /// First send → last inclusion (when every transaction was included).
    pub(crate) elapsed: Option<Duration>,
    /// First send → answer to the last batch.
    pub(crate) submit: Duration,
    /// Transactions the node rejected (an error item, or a failed batch request).
    pub(crate) rejected: usize,
    /// The first distinct rejection messages.
    pub(crate) messages: Vec<String>,
    /// The receipts of all measured transactions (fetched after timing).
    pub(crate) receipts: ReceiptCheck,
    /// CPU seconds used by (the bench, the node) from the first send to the end of waiting.
    pub(crate) cpu: (f64, f64),
}

/// Rejections seen by one connection.
#[derive(Debug, Default)]
struct Rejections {
    count: usize,
    messages: Vec<String>,
}

impl Rejections {
    fn add(&mut self, count: usize, message: String) {
        self.count += count;
        if self.messages.len() < KEPT_MESSAGES && !self.messages.contains(&message) {
            self.messages.push(message);
        }
    }
}

/// Prepares the request bodies, then sends `txs` and measures until they are all included.
pub(crate) async fn run(
    rpc: &Rpc,
    pid: u32,
    accounts: &DevAccounts,
    txs: &[SignedTx],
    args: &Args,
) -> Result<Outcome> {
    let connections = split(txs, args.connections, args.batch_size);
    let finals = final_nonces(txs);
    let abort = AtomicBool::new(false);
    let deadline = Instant::now() + args.timeout();

    let cpu_start = CpuSample::now(pid)?;
    let start = Instant::now();
    let sending = async {
        let per_connection = join_all(connections.into_iter().map(|batches| async move {
            let mut rejections = Rejections::default();
            for (body, count) in batches {
                match rpc
                    .post(body)
                    .await
                    .and_then(|bytes| parse_batch(&bytes, count))
                {
                    Ok(items) => {
                        for message in items.into_iter().filter_map(Result::err) {
                            rejections.add(1, message);
                        }
                    }
                    Err(error) => rejections.add(count, format!("batch failed: {error:#}")),
                }
            }
            rejections
        }))
        .await;
        let submitted = Instant::now();
        let mut all = Rejections::default();
        for part in per_connection {
            all.count += part.count;
            for message in part.messages {
                all.add(0, message);
            }
        }
        if all.count > 0 {
            // A rejected nonce blocks its sender's later ones: stop waiting.
            abort.store(true, Ordering::Relaxed);
        }
        (all, submitted)
    };
    let waiting = wait_for_nonces(rpc, accounts, finals, args.poll(), deadline, &abort);
    let ((rejections, submitted), inclusion) = tokio::join!(sending, waiting);
    let inclusion = inclusion?;
    let cpu = CpuSample::now(pid)?.since(&cpu_start);

    let receipts = check_receipts(rpc, txs).await?;
    Ok(Outcome {
        inclusion,
        elapsed: match inclusion {
            Inclusion::Done(end) => Some(end - start),
            _ => None,
        },
        submit: submitted - start,
        rejected: rejections.count,
        messages: rejections.messages,
        receipts,
        cpu,
    })
}

/// Splits `txs` over `connections` (sender `s` goes to connection `s % connections`, so each
/// sender's nonces arrive in order) and cuts each connection's stream into batch bodies.
fn split(txs: &[SignedTx], connections: usize, batch_size: usize) -> Vec<Vec<(String, usize)>> {
    let connections = connections.clamp(1, SENDERS);
    let mut streams: Vec<Vec<&SignedTx>> = vec![Vec::new(); connections];
    for tx in txs {
        streams[tx.sender % connections].push(tx);
    }
    streams
        .into_iter()
        .map(|stream| {
            stream
                .chunks(batch_size.max(1))
                .map(|chunk| {
                    (
                        send_raw_batch_body(chunk.iter().map(|tx| tx.raw.as_str())),
                        chunk.len(),
                    )
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use alloy_primitives::B256;

    use super::*;

    fn tx(sender: usize, nonce: u64) -> SignedTx {
        SignedTx {
            raw: format!("0x{sender:02x}{nonce:02x}"),
            hash: B256::ZERO,
            sender,
            nonce,
        }
    }

    #[test]
    fn split_keeps_each_sender_on_one_connection_in_order() {
        let txs: Vec<_> = (0..40).map(|i| tx(i % 10, (i / 10) as u64)).collect();
        let connections = split(&txs, 2, 7);
        assert_eq!(connections.len(), 2);
        assert_eq!(connections[0].iter().map(|(_, n)| n).sum::<usize>(), 20);
        assert_eq!(connections[0][0].1, 7);
        let first = &connections[1][0].0;
        // Connection 1 carries the odd senders, nonce 0 before nonce 1.
        assert!(first.find("0x0100").unwrap() < first.find("0x0101").unwrap());
        assert!(!first.contains("0x0000"));
    }
}
