//! Rebuilds the L2 chain from L1 data alone: [`L1Client`] → [`Deriver`] → [`Importer`].
//!
//! ```text
//!  for each L1 block from the head's origin: L1Client::block_data (deposits, batches + blobs)
//!     └─► Deriver::push ─► BlockInput ─► Importer::import (same builder as the sequencer)
//!                                              └─► block hash back to the Deriver
//! ```
//!
//! The sequencer uses it to recover (a datadir rebuilt from L1), the prover to verify. A node
//! rebuilt this way holds exactly the blocks L1 makes canonical, with the same hashes and state
//! roots as the sequencer's when the sequencer was honest.

use std::time::Instant;

use futures::StreamExt;

use tokio::runtime::Handle;
use tracing::{debug, info};
use tributary_derivation::{BlockInput, DeriveEvent, Deriver, Execute, L2Head};
use tributary_node::{BlockOrigin, Importer, Node, NodeError};
use tributary_primitives::BlockRef;

use crate::{L1Client, L1Error, Result};

/// L1 blocks read ahead of the one being derived.
const PREFETCH_L1_BLOCKS: usize = 8;

/// What one L1 block did to the derived chain.
#[derive(Debug, Clone)]
pub struct DeriveStep {
    /// The L1 block.
    pub l1_block: u64,
    /// The derived head after it.
    pub head: L2Head,
    /// Batches accepted or skipped, forced blocks.
    pub events: Vec<DeriveEvent>,
}

/// Executes derived blocks through a node's [`Importer`] (from a blocking thread).
struct NodeExecutor {
    importer: Importer,
    runtime: Handle,
}

impl Execute for NodeExecutor {
    type Error = NodeError;

    fn execute(&mut self, input: &BlockInput) -> Result<alloy_primitives::B256, NodeError> {
        let origin = BlockOrigin {
            timestamp: input.timestamp,
            info: input.l1_info,
            prevrandao: input.origin.mix_hash,
            parent_beacon_block_root: input.origin.parent_beacon_block_root,
            deposits: input.deposits.clone(),
        };
        let header = self
            .runtime
            .block_on(self.importer.import(origin, input.transactions.clone()))?;
        debug!(target: "l1::derive", number = header.number, hash = %header.hash(), forced = input.forced, "derived block");
        Ok(header.hash())
    }
}

/// Where `node`'s chain stands for derivation: its head and the head's L1 origin.
pub async fn derived_head(
    client: &L1Client,
    node: &Node,
) -> Result<(L2Head, tributary_derivation::L1BlockInfo)> {
    let head = node.head();
    let (origin, sequence_number) = match node.l1_info(head.number).await? {
        Some(info) => (
            BlockRef {
                number: info.number,
                hash: info.hash,
            },
            info.sequence_number,
        ),
        None => (node.config().genesis.l1_origin, 0),
    };
    let info = client
        .block_info(origin.number)
        .await?
        .filter(|b| b.hash == origin.hash)
        .ok_or(L1Error::DeepReorg {
            number: origin.number,
            expected: origin.hash,
            actual: alloy_primitives::B256::ZERO,
        })?;
    Ok((
        L2Head {
            number: head.number,
            hash: head.hash(),
            timestamp: head.timestamp,
            origin,
            sequence_number,
        },
        info,
    ))
}

/// A [`Deriver`] bound to a node: pushes canonical L1 blocks and imports the L2 blocks they
/// make canonical into the node, keeping its place between calls (the prover's `watch` advances
/// one instance as L1 grows).
pub struct NodeDeriver {
    /// Taken while a push runs on a blocking thread; missing after that thread panicked.
    state: Option<(Deriver, NodeExecutor)>,
    /// The derived head when `state` is taken (kept for [`Self::head`]).
    head: L2Head,
    /// The last L1 block pushed.
    l1_head: BlockRef,
    /// The next L1 block to push.
    next: u64,
}

impl std::fmt::Debug for NodeDeriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeDeriver")
            .field("head", &self.head)
            .field("l1_head", &self.l1_head)
            .finish()
    }
}

impl NodeDeriver {
    /// A deriver standing at `node`'s head (a node opened with [`Node::open`], not producing).
    ///
    /// `processed` is the last L1 block whose push completed when that head was saved: the L1
    /// blocks after the head's origin up to it are replayed without deriving (the exact resume
    /// of the derivation crate's docs, "Resuming"). With `None` the head's origin is pushed
    /// again and its batches are skipped as stale.
    pub async fn open(client: &L1Client, node: &Node, processed: Option<u64>) -> Result<Self> {
        let (head, origin) = derived_head(client, node).await?;
        let mut deriver = Deriver::new(node.config().rollup.clone(), head, origin.clone())
            .map_err(|e| L1Error::Derivation(e.to_string()))?;
        let processed = processed.filter(|&m| m >= origin.number);
        for number in origin.number + 1..=processed.unwrap_or(origin.number) {
            let data = fetch(client, number).await?;
            deriver
                .push_processed(&data)
                .map_err(|e| L1Error::Derivation(e.to_string()))?;
        }
        Ok(Self {
            head: *deriver.head(),
            l1_head: deriver.l1_head(),
            state: Some((
                deriver,
                NodeExecutor {
                    importer: node.importer(),
                    runtime: Handle::current(),
                },
            )),
            next: processed.map_or(origin.number, |m| m + 1),
        })
    }

    /// The last derived L2 block.
    pub fn head(&self) -> &L2Head {
        &self.head
    }

    /// The last L1 block pushed (the head's origin before the first push).
    pub fn l1_head(&self) -> BlockRef {
        self.l1_head
    }

    /// The next L1 block [`Self::advance`] pushes.
    pub fn next_l1_block(&self) -> u64 {
        self.next
    }

    /// Pushes every L1 block after the last one pushed up to `until` (the head's origin itself
    /// first, when nothing was pushed yet); `on_step` sees each one's outcome. Returns the derived
    /// head.
    pub async fn advance(
        &mut self,
        client: &L1Client,
        until: u64,
        mut on_step: impl FnMut(&DeriveStep),
    ) -> Result<L2Head> {
        let started = Instant::now();
        let first = self.next;
        // L1 reads (header, logs, calldata, blobs: several round trips per block) dominate a
        // catch-up: keep the next blocks in flight while one executes
        let mut blocks = futures::stream::iter(first..=until)
            .map(|number| async move { (number, fetch(client, number).await) })
            .buffered(PREFETCH_L1_BLOCKS);
        while let Some((number, data)) = blocks.next().await {
            let data = data?;
            let (mut deriver, mut executor) = self
                .state
                .take()
                .ok_or_else(|| L1Error::Derivation("an earlier push panicked".into()))?;
            let (deriver, executor, events) = tokio::task::spawn_blocking(move || {
                let events = deriver.push(data, &mut executor);
                (deriver, executor, events)
            })
            .await
            .map_err(|e| L1Error::Derivation(e.to_string()))?;
            self.head = *deriver.head();
            self.l1_head = deriver.l1_head();
            self.state = Some((deriver, executor));
            let events = events.map_err(|e| L1Error::Derivation(e.to_string()))?;
            self.next = number + 1;
            on_step(&DeriveStep {
                l1_block: number,
                head: self.head,
                events,
            });
        }
        let head = self.head;
        if until >= first {
            info!(
                target: "l1::derive",
                l1_blocks = until + 1 - first,
                l2_head = head.number,
                ms = started.elapsed().as_millis() as u64,
                "derived from L1"
            );
        }
        Ok(head)
    }
}

/// One L1 block as derivation reads it (it must exist: callers stay at or below the L1 head).
async fn fetch(client: &L1Client, number: u64) -> Result<tributary_derivation::L1BlockData> {
    client
        .block_data(number, true)
        .await?
        .ok_or_else(|| L1Error::Rpc(format!("L1 block {number} not found")))
}

/// Derives into `node` (opened with [`Node::open`], not producing) every L2 block that L1
/// blocks up to `until` make canonical, starting after the node's head; `on_step` sees each L1
/// block's outcome. Returns the derived head.
pub async fn derive_into(
    client: &L1Client,
    node: &Node,
    until: u64,
    on_step: impl FnMut(&DeriveStep),
) -> Result<L2Head> {
    NodeDeriver::open(client, node, None)
        .await?
        .advance(client, until, on_step)
        .await
}
