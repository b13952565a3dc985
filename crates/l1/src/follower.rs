//! Follows L1 at a confirmation depth: the window of confirmed L1 blocks (header fields and the
//! Portal's deposits) that the sequencer may use as origins, and the safe and finalized heads
//! read from the Rollup at the confirmed block.
//!
//! ```text
//!  poll eth_blockNumber ─► confirmed = head - confirmations
//!     └─► for each new confirmed block: header + Portal logs (L1Client::block_data)
//!           parent hash must chain to the previous one, else: a reorg deeper than the depth
//!           └─► L1View (shared with the origin source)
//!     └─► Rollup.nextBlock() and outputs at the confirmed block ─► Node::update_sync_status
//! ```
//!
//! Reorgs shallower than the confirmation depth never reach the sequencer: it only adopts
//! confirmed blocks as origins, so their deposits were never executed. A deeper reorg halts
//! origin advancement (the node keeps its origin and `/health` turns unready) and is logged:
//! recovering from it means re-deriving the L2 chain from L1 (tributary-derivation).

use std::{
    collections::BTreeMap,
    sync::{Arc, RwLock},
    time::Duration,
};

use alloy::eips::BlockId;
use tokio::sync::watch;
use tracing::{debug, error, info, warn};
use tributary_derivation::{DepositLog, L1BlockInfo};
use tributary_node::Node;

use crate::{L1Client, L1Error, Result};

/// How many confirmed L1 blocks the view keeps behind the newest (origins lag the L1 head by
/// a few blocks at most; a sequencing window is the most derivation may look back).
const WINDOW: usize = 512;

/// A confirmed L1 block as the origin source needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedBlock {
    /// Header fields.
    pub info: L1BlockInfo,
    /// The Portal's deposits, in log order.
    pub deposits: Vec<DepositLog>,
}

#[derive(Debug, Default)]
struct ViewState {
    blocks: BTreeMap<u64, Arc<ConfirmedBlock>>,
    halted: Option<String>,
}

/// The confirmed L1 blocks, shared between the follower (writer) and the origin source.
#[derive(Debug, Default)]
pub struct L1View {
    state: RwLock<ViewState>,
}

impl L1View {
    /// Confirmed block `number`, if the view holds it.
    pub fn block(&self, number: u64) -> Option<Arc<ConfirmedBlock>> {
        self.read().blocks.get(&number).cloned()
    }

    /// The newest confirmed block.
    pub fn newest(&self) -> Option<Arc<ConfirmedBlock>> {
        self.read().blocks.last_key_value().map(|(_, b)| b.clone())
    }

    /// Why origins cannot advance, if they cannot (a reorg deeper than the depth).
    pub fn halted(&self) -> Option<String> {
        self.read().halted.clone()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, ViewState> {
        // a poisoned lock only means a panicking writer: the map itself is always consistent
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, ViewState> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// Follower settings.
#[derive(Debug, Clone, Copy)]
pub struct FollowerConfig {
    /// L1 blocks a block must be buried under before it may be an origin.
    pub confirmations: u64,
    /// How often the L1 head is polled.
    pub poll_interval: Duration,
}

/// Follows L1 until `shutdown` turns true. `start` is the first L1 block the view needs (the
/// origin of the L2 head) and `start_hash` its hash as the L2 chain recorded it.
///
/// Returns an error only for a reorg deeper than the confirmation depth: origins are halted at
/// once and the caller must stop the node; on restart it finds out whether its chain still
/// stands on canonical L1 blocks (and re-derives it from L1 if not).
pub async fn run_follower(
    client: L1Client,
    view: Arc<L1View>,
    node: Node,
    config: FollowerConfig,
    start: u64,
    start_hash: alloy_primitives::B256,
    mut shutdown: watch::Receiver<bool>,
) -> Result<()> {
    node.update_sync_status(|s| s.l1_enabled = true);
    let mut next = start;
    loop {
        match step(&client, &view, &node, config, &mut next, start, start_hash).await {
            Ok(()) => {}
            Err(e @ L1Error::DeepReorg { .. }) => {
                error!(target: "l1::follower", error = %e, "origins halted");
                view.write().halted = Some(e.to_string());
                node.update_sync_status(|s| s.l1_synced = false);
                return Err(e);
            }
            Err(e) => {
                warn!(target: "l1::follower", error = %e, "L1 poll failed; retrying");
                node.update_sync_status(|s| s.l1_synced = false);
            }
        }
        tokio::select! {
            () = tokio::time::sleep(config.poll_interval) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return Ok(());
        }
    }
}

/// One poll: new confirmed blocks into the view, then the safe and finalized heads.
async fn step(
    client: &L1Client,
    view: &L1View,
    node: &Node,
    config: FollowerConfig,
    next: &mut u64,
    start: u64,
    start_hash: alloy_primitives::B256,
) -> Result<()> {
    let head = client.head_number().await?;
    let confirmed = head.saturating_sub(config.confirmations);
    node.update_sync_status(|s| {
        s.l1_head = head;
    });
    while *next <= confirmed {
        let number = *next;
        let data = client
            .block_data(number, false)
            .await?
            .ok_or_else(|| L1Error::Rpc(format!("L1 block {number} not found")))?;
        let block = ConfirmedBlock {
            info: data.info,
            deposits: data.deposits,
        };
        check_chain(view, &block, start, start_hash)?;
        if !block.deposits.is_empty() {
            info!(target: "l1::follower", number, deposits = block.deposits.len(), "deposits confirmed");
        }
        debug!(target: "l1::follower", number, hash = %block.info.hash, "L1 block confirmed");
        let mut state = view.write();
        state.blocks.insert(number, Arc::new(block));
        while state.blocks.len() > WINDOW {
            state.blocks.pop_first();
        }
        drop(state);
        *next += 1;
        node.update_sync_status(|s| s.l1_confirmed = number);
    }
    let halted = view.halted().is_some();
    update_settlement(client, node, confirmed).await?;
    node.update_sync_status(|s| s.l1_synced = !halted);
    metrics::gauge!("tributary_l1_head").set(head as f64);
    metrics::gauge!("tributary_l1_confirmed").set(confirmed as f64);
    Ok(())
}

/// The new block must chain to the previous one (and the first one must be the block the L2
/// chain recorded); otherwise L1 reorged deeper than the confirmation depth.
fn check_chain(
    view: &L1View,
    block: &ConfirmedBlock,
    start: u64,
    start_hash: alloy_primitives::B256,
) -> Result<()> {
    let (number, expected) = match view.block(block.info.number.wrapping_sub(1)) {
        Some(parent) => (parent.info.number, parent.info.hash),
        None if block.info.number == start => (start, start_hash),
        None => return Ok(()),
    };
    let actual = if number == block.info.number {
        block.info.hash
    } else {
        block.info.parent_hash
    };
    if actual != expected {
        return Err(L1Error::DeepReorg {
            number,
            expected,
            actual,
        });
    }
    Ok(())
}

/// Reads the safe and finalized L2 heads from the Rollup as of L1 block `confirmed`.
async fn update_settlement(client: &L1Client, node: &Node, confirmed: u64) -> Result<()> {
    let rollup = client.rollup();
    // the contracts do not exist before the deploy block
    let at = BlockId::number(confirmed.max(client.deployment().deploy_block.number));
    let next_block = rollup
        .nextBlock()
        .block(at)
        .call()
        .await
        .map_err(|e| L1Error::rpc("Rollup.nextBlock", e))?;
    let safe = next_block.saturating_sub(1);
    let count: u64 = rollup
        .outputCount()
        .block(at)
        .call()
        .await
        .map_err(|e| L1Error::rpc("Rollup.outputCount", e))?
        .saturating_to();
    // finalized outputs are a prefix (an output finalizes only after every earlier one):
    // binary search for its end
    let (mut lo, mut hi) = (0u64, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let done = rollup
            .isFinalized(alloy_primitives::U256::from(mid))
            .block(at)
            .call()
            .await
            .map_err(|e| L1Error::rpc("Rollup.isFinalized", e))?;
        if done { lo = mid + 1 } else { hi = mid }
    }
    let finalized = match lo.checked_sub(1) {
        None => 0,
        Some(index) => {
            rollup
                .getOutput(alloy_primitives::U256::from(index))
                .block(at)
                .call()
                .await
                .map_err(|e| L1Error::rpc("Rollup.getOutput", e))?
                .l2BlockNumber
        }
    };
    node.update_sync_status(|s| {
        s.safe = safe;
        s.finalized = finalized;
    });
    metrics::gauge!("tributary_l2_safe").set(safe as f64);
    metrics::gauge!("tributary_l2_finalized").set(finalized as f64);
    Ok(())
}
