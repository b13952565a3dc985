//! Chain queries shared by the workloads: inclusion by account nonces, receipt checks, setup.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use alloy_primitives::Address;
use eyre::{Result, bail, ensure, eyre};
use serde_json::{Value, json};

use crate::{
    rpc::{Rpc, parse_batch, quantity, send_raw_batch_body},
    tx::{DevAccounts, SENDERS, SignedTx, final_nonces},
};

/// Receipts fetched per batch when checking.
const RECEIPT_BATCH: usize = 500;
/// How long missing receipts are asked for again after inclusion was seen.
const RECEIPT_GRACE: Duration = Duration::from_secs(2);
/// Interval of those retries.
const RECEIPT_RETRY: Duration = Duration::from_millis(50);

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
    /// (block number, transaction index, gas used) of every receipt found.
    pub(crate) executed: Vec<(u64, u64, u64)>,
}

impl ReceiptCheck {
    /// Number of blocks spanned.
    pub(crate) fn block_count(&self) -> u64 {
        self.blocks.map_or(0, |(lo, hi)| hi - lo + 1)
    }

    /// Gas used by each transaction, in the order the chain executed them.
    pub(crate) fn gas_in_execution_order(&self) -> Vec<u64> {
        let mut executed = self.executed.clone();
        executed.sort_unstable();
        executed.into_iter().map(|(_, _, gas)| gas).collect()
    }

    /// Counts one receipt.
    fn add(&mut self, receipt: &Value) -> Result<()> {
        if quantity(&receipt["status"])? != 1 {
            self.failed += 1;
        }
        let gas = quantity(&receipt["gasUsed"])?;
        self.gas_used += gas;
        let block = quantity(&receipt["blockNumber"])?;
        let index = quantity(&receipt["transactionIndex"])?;
        self.executed.push((block, index, gas));
        self.blocks = Some(match self.blocks {
            None => (block, block),
            Some((lo, hi)) => (lo.min(block), hi.max(block)),
        });
        Ok(())
    }
}

/// Fetches the receipt of every transaction (batches of [`RECEIPT_BATCH`]) and counts what is
/// missing or reverted. Missing receipts are asked for again every [`RECEIPT_RETRY`] for up to
/// [`RECEIPT_GRACE`] after the first pass: anvil can answer the new `latest` nonce a moment before it serves the
/// receipts of the block that raised it.
pub(crate) async fn check_receipts(rpc: &Rpc, txs: &[SignedTx]) -> Result<ReceiptCheck> {
    let mut check = ReceiptCheck::default();
    let mut pending: Vec<&SignedTx> = txs.iter().collect();
    let mut give_up = None;
    while !pending.is_empty() {
        let mut missing = Vec::new();
        for (tx, answer) in pending.iter().zip(receipts_by_hash(rpc, &pending).await?) {
            match answer {
                Value::Null => missing.push(*tx),
                receipt => check.add(&receipt)?,
            }
        }
        let give_up = *give_up.get_or_insert_with(|| Instant::now() + RECEIPT_GRACE);
        if missing.is_empty() || Instant::now() > give_up {
            check.missing = missing.len();
            break;
        }
        pending = missing;
        tokio::time::sleep(RECEIPT_RETRY).await;
    }
    Ok(check)
}

/// `eth_getTransactionReceipt` of each transaction (batches of [`RECEIPT_BATCH`]), in the order of
/// `txs` (`null` when there is no receipt).
async fn receipts_by_hash(rpc: &Rpc, txs: &[&SignedTx]) -> Result<Vec<Value>> {
    let mut out = Vec::with_capacity(txs.len());
    for chunk in txs.chunks(RECEIPT_BATCH) {
        let calls: Vec<(&str, Value)> = chunk
            .iter()
            .map(|tx| ("eth_getTransactionReceipt", json!([tx.hash])))
            .collect();
        for answer in rpc.batch(&calls).await? {
            out.push(answer.map_err(|message| eyre!("eth_getTransactionReceipt: {message}"))?);
        }
    }
    Ok(out)
}

/// Sends `txs` (setup stage `stage`, from 1) in one batch and waits until all are included with
/// status 1 (before timing).
pub(crate) async fn run_setup(
    rpc: &Rpc,
    accounts: &DevAccounts,
    stage: usize,
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
        bail!("setup stage {stage}: transaction rejected: {message}");
    }
    let never = AtomicBool::new(false);
    let deadline = Instant::now() + timeout;
    let inclusion =
        wait_for_nonces(rpc, accounts, final_nonces(txs), poll, deadline, &never).await?;
    ensure!(
        matches!(inclusion, Inclusion::Done(_)),
        "setup stage {stage}: transactions not included within {timeout:?}"
    );
    let check = check_receipts(rpc, txs).await?;
    ensure!(
        check.missing == 0 && check.failed == 0,
        "setup stage {stage}: {} receipts missing, {} reverted",
        check.missing,
        check.failed
    );
    eprintln!(
        "  setup stage {stage}: {} transactions, {} gas",
        txs.len(),
        check.gas_used
    );
    Ok(())
}

/// Checks that every contract (name, address) has code (`eth_getCode`): a call to an address
/// without code succeeds with status 1, so receipts alone would not notice a missing contract.
pub(crate) async fn check_code(rpc: &Rpc, contracts: &[(&str, Address)]) -> Result<()> {
    for (name, address) in contracts {
        let code: String = rpc.call("eth_getCode", json!([address, "latest"])).await?;
        ensure!(code.len() > 2, "no {name} code at {address}");
    }
    Ok(())
}
