//! Chain queries shared by the workloads: inclusion by account nonces, receipt checks, setup.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use eyre::{Result, bail, ensure};
use serde_json::{Value, json};

use crate::{
    rpc::{Rpc, parse_batch, quantity, send_raw_batch_body},
    tx::{DevAccounts, SENDERS, SignedTx, final_nonces},
};

/// Receipts fetched per batch when checking.
const RECEIPT_BATCH: usize = 500;

/// How waiting for inclusion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inclusion {
    /// Every sender's `latest` nonce reached its final nonce at this instant.
    Done(Instant),
    /// Stopped because `abort` was set (some transaction was rejected).
    Aborted,
    /// The deadline passed first.
    TimedOut,
}

/// Polls `eth_getTransactionCount(sender, "latest")` of every sender (one batch per poll) until
/// each reaches `finals`.
pub(crate) async fn wait_for_nonces(
    rpc: &Rpc,
    accounts: &DevAccounts,
    finals: [Option<u64>; SENDERS],
    poll: Duration,
    deadline: Instant,
    abort: &AtomicBool,
) -> Result<Inclusion> {
    let mut pending: Vec<(usize, u64)> = finals
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.map(|n| (i, n)))
        .collect();
    loop {
        if pending.is_empty() {
            return Ok(Inclusion::Done(Instant::now()));
        }
        if abort.load(Ordering::Relaxed) {
            return Ok(Inclusion::Aborted);
        }
        if Instant::now() > deadline {
            return Ok(Inclusion::TimedOut);
        }
        let calls: Vec<(&str, Value)> = pending
            .iter()
            .map(|(i, _)| {
                (
                    "eth_getTransactionCount",
                    json!([accounts.address(*i), "latest"]),
                )
            })
            .collect();
        let answers = rpc.batch(&calls).await?;
        let mut still = Vec::with_capacity(pending.len());
        for ((i, target), answer) in pending.into_iter().zip(answers) {
            let nonce = match answer {
                Ok(value) => quantity(&value)?,
                Err(message) => bail!("eth_getTransactionCount: {message}"),
            };
            if nonce < target {
                still.push((i, target));
            }
        }
        pending = still;
        if !pending.is_empty() {
            tokio::time::sleep(poll).await;
        }
    }
}

/// What the receipts of a set of transactions say.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReceiptCheck {
    /// Transactions without a receipt.
    pub(crate) missing: usize,
    /// Receipts with status 0 (reverted).
    pub(crate) failed: usize,
    /// Lowest and highest block number holding one of them.
    pub(crate) blocks: Option<(u64, u64)>,
    /// Total gas used.
    pub(crate) gas_used: u64,
}

impl ReceiptCheck {
    /// Number of blocks spanned.
    pub(crate) fn block_count(&self) -> u64 {
        self.blocks.map_or(0, |(lo, hi)| hi - lo + 1)
    }
}

/// Fetches the receipt of every transaction (batches of [`RECEIPT_BATCH`]) and counts what is
/// missing or reverted.
pub(crate) async fn check_receipts(rpc: &Rpc, txs: &[SignedTx]) -> Result<ReceiptCheck> {
    let mut check = ReceiptCheck::default();
    for chunk in txs.chunks(RECEIPT_BATCH) {
        let calls: Vec<(&str, Value)> = chunk
            .iter()
            .map(|tx| ("eth_getTransactionReceipt", json!([tx.hash])))
            .collect();
        for answer in rpc.batch(&calls).await? {
            let receipt = match answer {
                Ok(Value::Null) => {
                    check.missing += 1;
                    continue;
                }
                Ok(receipt) => receipt,
                Err(message) => bail!("eth_getTransactionReceipt: {message}"),
            };
            if quantity(&receipt["status"])? != 1 {
                check.failed += 1;
            }
            check.gas_used += quantity(&receipt["gasUsed"])?;
            let block = quantity(&receipt["blockNumber"])?;
            check.blocks = Some(match check.blocks {
                None => (block, block),
                Some((lo, hi)) => (lo.min(block), hi.max(block)),
            });
        }
    }
    Ok(check)
}

/// Sends `txs` in one batch and waits until all are included with status 1 (before timing).
pub(crate) async fn run_setup(
    rpc: &Rpc,
    accounts: &DevAccounts,
    txs: &[SignedTx],
    poll: Duration,
    timeout: Duration,
) -> Result<()> {
    if txs.is_empty() {
        return Ok(());
    }
    let body = send_raw_batch_body(txs.iter().map(|tx| tx.raw.as_str()));
    let answers = parse_batch(&rpc.post(body).await?, txs.len())?;
    if let Some(message) = answers.into_iter().find_map(Result::err) {
        bail!("setup transaction rejected: {message}");
    }
    let never = AtomicBool::new(false);
    let deadline = Instant::now() + timeout;
    let inclusion =
        wait_for_nonces(rpc, accounts, final_nonces(txs), poll, deadline, &never).await?;
    ensure!(
        matches!(inclusion, Inclusion::Done(_)),
        "setup transactions not included within {timeout:?}"
    );
    let check = check_receipts(rpc, txs).await?;
    ensure!(
        check.missing == 0 && check.failed == 0,
        "setup: {} receipts missing, {} reverted",
        check.missing,
        check.failed
    );
    eprintln!(
        "  setup: {} transactions, {} gas",
        txs.len(),
        check.gas_used
    );
    Ok(())
}
