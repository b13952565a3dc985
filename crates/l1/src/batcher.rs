//! The batcher: posts every sequenced L2 block to L1, in order, as versioned compressed batches
//! (docs/derivation.md, "Batches").
//!
//! ```text
//!  loop: wait until the key has nothing in flight (TxSender::wait_idle)
//!        next = Rollup.nextBlock() at the L1 head        ← what L1 shows, not local memory
//!        blocks next..=head from the store ─► BatchPayload ─► encode(codec) (≤ the DA budget)
//!        calldata: submitBatch(first, last, data)
//!        blobs:    submitBlobBatch(first, last, n) + EIP-4844 sidecar (SimpleCoder)
//!        wait for inclusion (fees bumped while pending)
//! ```
//!
//! Because each round starts from `nextBlock()` on L1, the batcher resumes after a crash
//! exactly where L1 stands (no gap: it starts at `nextBlock`; no double post: it waits for its
//! own in-flight transaction first, and the contract rejects a range that does not start at
//! `nextBlock`), and an L1 reorg that drops a batch simply makes `nextBlock` go back, so the
//! range is posted again.

use std::time::{Duration, Instant};

use alloy::{
    consensus::{SidecarBuilder, SimpleCoder},
    eips::eip4844::BYTES_PER_BLOB,
    network::TransactionBuilder,
    primitives::Bytes,
    providers::Provider,
};
use tokio::sync::watch;
use tracing::{info, warn};
use tributary_node::Node;
use tributary_primitives::{BatchBlock, BatchPayload, Codec};

use crate::{L1Client, L1Error, Result, TxSender};

/// Where batch data goes on L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataAvailability {
    /// Calldata of `submitBatch`.
    Calldata,
    /// EIP-4844 blobs of `submitBlobBatch`.
    Blobs,
    /// Blobs when the L1 supports them (its head has a blob base fee), calldata otherwise.
    #[default]
    Auto,
}

impl std::str::FromStr for DataAvailability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "calldata" => Ok(Self::Calldata),
            "blobs" => Ok(Self::Blobs),
            "auto" => Ok(Self::Auto),
            other => Err(format!(
                "unknown data availability {other:?} (calldata | blobs | auto)"
            )),
        }
    }
}

/// Largest calldata batch (below the 128 KiB transaction size limit of geth's pool).
pub const MAX_CALLDATA_BATCH: usize = 120_000;
/// Blobs per batch transaction (Prague's target; the maximum per block is 9).
pub const MAX_BLOBS_PER_BATCH: usize = 6;
/// Usable bytes per blob with alloy's `SimpleCoder` (31 of every 32 bytes).
const SIMPLE_CODER_BYTES_PER_BLOB: usize = BYTES_PER_BLOB / 32 * 31 - 32;

/// Batcher settings.
#[derive(Debug, Clone, Copy)]
pub struct BatcherConfig {
    /// Calldata, blobs or automatic.
    pub da: DataAvailability,
    /// Compression of new batches.
    pub codec: Codec,
    /// Most L2 blocks per batch.
    pub max_blocks: u64,
    /// Post a batch that is not full once its oldest block is this old (the safe head lags
    /// the unsafe head by about this much; longer delays fill blobs better).
    pub max_delay: Duration,
    /// Wait between rounds when there is nothing to post.
    pub poll_interval: Duration,
}

impl Default for BatcherConfig {
    fn default() -> Self {
        Self {
            da: DataAvailability::Auto,
            codec: Codec::DEFAULT,
            max_blocks: 1_000,
            max_delay: Duration::from_secs(4),
            poll_interval: Duration::from_millis(500),
        }
    }
}

/// One posted batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedBatch {
    /// First L2 block.
    pub first_block: u64,
    /// Last L2 block.
    pub last_block: u64,
    /// Encoded batch size.
    pub bytes: usize,
    /// Transactions in the batch.
    pub transactions: usize,
    /// Blobs used (0 for calldata).
    pub blobs: usize,
    /// L1 gas used by the batch transaction.
    pub l1_gas_used: u64,
    /// L1 block that included it.
    pub l1_block: u64,
}

/// Posts batches until `shutdown` turns true.
pub async fn run_batcher(
    client: L1Client,
    sender: TxSender,
    node: Node,
    config: BatcherConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    info!(target: "l1::batcher", address = %sender.address(), da = ?config.da, "batcher started");
    if config.da != DataAvailability::Calldata {
        crate::client::load_kzg_settings().await;
    }
    loop {
        // a round may wait long for L1 (inclusion, fee bumps): shutdown must not wait for it;
        // a transaction left in flight is awaited by the next start before it posts
        let round = tokio::select! {
            r = post_next(&client, &sender, &node, &config) => r,
            _ = shutdown.changed() => return,
        };
        let wait = match round {
            Ok(Some(_)) => Duration::ZERO,
            Ok(None) => config.poll_interval,
            Err(e) => {
                warn!(target: "l1::batcher", error = %e, "batch round failed; retrying");
                config.poll_interval * 4
            }
        };
        sender.report_balance().await;
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// One round: posts the next batch if there are unposted blocks.
pub async fn post_next(
    client: &L1Client,
    sender: &TxSender,
    node: &Node,
    config: &BatcherConfig,
) -> Result<Option<PostedBatch>> {
    sender.wait_idle().await?;
    let next = client
        .rollup()
        .nextBlock()
        .call()
        .await
        .map_err(|e| L1Error::rpc("Rollup.nextBlock", e))?;
    let head = node.head().number;
    metrics::gauge!("tributary_batcher_unposted_blocks").set(head.saturating_sub(next - 1) as f64);
    if next > head {
        return Ok(None);
    }
    let blobs = match config.da {
        DataAvailability::Calldata => false,
        DataAvailability::Blobs => true,
        DataAvailability::Auto => l1_has_blobs(client).await?,
    };
    let budget = if blobs {
        MAX_BLOBS_PER_BATCH * SIMPLE_CODER_BYTES_PER_BLOB
    } else {
        MAX_CALLDATA_BATCH
    };
    let last = head.min(next + config.max_blocks - 1);
    let (payload, data) = build_batch(node, next, last, config.codec, budget).await?;
    metrics::gauge!("tributary_batcher_pending_batch_bytes").set(data.len() as f64);
    let full = (payload.blocks.len() as u64) < last - next + 1
        || payload.blocks.len() as u64 == config.max_blocks
        || data.len() * 10 >= budget * 9;
    let oldest = payload.blocks.first().map_or(0, |b| b.timestamp);
    let age = unix_now().saturating_sub(oldest);
    if !full && age < config.max_delay.as_secs() {
        return Ok(None);
    }
    let (first, last) = (
        payload.first_block,
        payload.first_block + payload.blocks.len() as u64 - 1,
    );
    let rollup = client.rollup();
    let started = Instant::now();
    let (receipt, blob_count) = if blobs {
        let blob_data = data.clone();
        let sidecar = crate::client::on_large_stack(move || {
            SidecarBuilder::<SimpleCoder>::from_slice(&blob_data).build_4844()
        })
        .await?
        .map_err(|e| L1Error::Blobs(e.to_string()))?;
        let count = sidecar.blobs.len();
        let request = rollup
            .submitBlobBatch(first, last, alloy_primitives::U256::from(count))
            .into_transaction_request()
            .with_to(client.deployment().contracts.rollup);
        (sender.send(request, Some(sidecar)).await?, count)
    } else {
        let request = rollup
            .submitBatch(first, last, Bytes::from(data.clone()))
            .into_transaction_request()
            .with_to(client.deployment().contracts.rollup);
        (sender.send(request, None).await?, 0)
    };
    let posted = PostedBatch {
        first_block: first,
        last_block: last,
        bytes: data.len(),
        transactions: payload.tx_count(),
        blobs: blob_count,
        l1_gas_used: receipt.gas_used,
        l1_block: receipt.block_number.unwrap_or_default(),
    };
    info!(
        target: "l1::batcher",
        first, last,
        txs = posted.transactions,
        bytes = posted.bytes,
        blobs = posted.blobs,
        l1_gas = posted.l1_gas_used,
        l1_block = posted.l1_block,
        ms = started.elapsed().as_millis() as u64,
        "batch posted"
    );
    metrics::counter!("tributary_batcher_batches_total").increment(1);
    metrics::counter!("tributary_batcher_bytes_total").increment(posted.bytes as u64);
    metrics::counter!("tributary_batcher_l1_gas_total").increment(posted.l1_gas_used);
    metrics::gauge!("tributary_batcher_pending_batch_bytes").set(0.0);
    Ok(Some(posted))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether the L1 head carries a blob base fee (Cancun or later).
async fn l1_has_blobs(client: &L1Client) -> Result<bool> {
    let block = client
        .provider()
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .map_err(|e| L1Error::rpc("eth_getBlockByNumber", e))?
        .ok_or_else(|| L1Error::Rpc("no latest L1 block".into()))?;
    Ok(block.header.excess_blob_gas.is_some())
}

/// The batch of blocks `first..=last` (or a prefix of them) whose encoding fits `budget` bytes.
/// A single block larger than the budget still goes alone (the L1 decides whether it fits).
pub async fn build_batch(
    node: &Node,
    first: u64,
    last: u64,
    codec: Codec,
    budget: usize,
) -> Result<(BatchPayload, Vec<u8>)> {
    let store = node.store();
    let parent_hash = store
        .block_hash(first - 1)
        .await?
        .ok_or_else(|| L1Error::Mismatch(format!("L2 block {} not stored", first - 1)))?;
    let mut blocks = Vec::new();
    let mut origin_hashes = Vec::new();
    let mut raw_bytes = 0usize;
    for number in first..=last {
        let (block, origin_hash) = batch_block(node, number).await?;
        raw_bytes += block.txs.iter().map(|t| t.len()).sum::<usize>() + 16;
        blocks.push(block);
        origin_hashes.push(origin_hash);
        // signed transactions compress by a quarter at best: stop reading well past the budget
        if raw_bytes > budget * 2 {
            break;
        }
    }
    loop {
        let payload = BatchPayload {
            first_block: first,
            parent_hash,
            last_origin_hash: origin_hashes[blocks.len() - 1],
            blocks: blocks.clone(),
        };
        let data = payload.encode(codec);
        if data.len() <= budget || blocks.len() == 1 {
            return Ok((payload, data));
        }
        // shrink proportionally to the overshoot, at least by one block
        let keep = (blocks.len() * budget / data.len()).clamp(1, blocks.len() - 1);
        blocks.truncate(keep);
    }
}

/// L2 block `number` as a batch carries it, and the hash of its L1 origin.
async fn batch_block(node: &Node, number: u64) -> Result<(BatchBlock, alloy_primitives::B256)> {
    let header = node
        .store()
        .header_by_number(number)
        .await?
        .ok_or_else(|| L1Error::Mismatch(format!("L2 block {number} not stored")))?;
    let info = node
        .l1_info(number)
        .await?
        .ok_or_else(|| L1Error::Mismatch(format!("L2 block {number} has no L1-info deposit")))?;
    let txs = node
        .store()
        .block_transactions(number)
        .await?
        .into_iter()
        // deposits are derived from L1, never batched
        .filter(|t| t.raw.first() != Some(&op_alloy_consensus::DEPOSIT_TX_TYPE_ID))
        .map(|t| t.raw)
        .collect();
    Ok((
        BatchBlock {
            timestamp: header.timestamp,
            origin_number: info.number,
            txs,
        },
        info.hash,
    ))
}
