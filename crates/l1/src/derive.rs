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

use tokio::runtime::Handle;
use tracing::{debug, info};
use tributary_derivation::{BlockInput, DeriveEvent, Deriver, Execute, L2Head};
use tributary_node::{BlockOrigin, Importer, Node, NodeError};
use tributary_primitives::BlockRef;

use crate::{L1Client, L1Error, Result};

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

/// Derives into `node` (opened with [`Node::open`], not producing) every L2 block that L1
/// blocks up to `until` make canonical, starting after the node's head; `on_step` sees each L1
/// block's outcome. Returns the derived head.
pub async fn derive_into(
    client: &L1Client,
    node: &Node,
    until: u64,
    mut on_step: impl FnMut(&DeriveStep),
) -> Result<L2Head> {
    let (head, origin) = derived_head(client, node).await?;
    let mut deriver = Deriver::new(node.config().rollup.clone(), head, origin.clone())
        .map_err(|e| L1Error::Derivation(e.to_string()))?;
    let mut executor = NodeExecutor {
        importer: node.importer(),
        runtime: Handle::current(),
    };
    let started = Instant::now();
    let first = origin.number;
    for number in first..=until {
        let data = client
            .block_data(number, true)
            .await?
            .ok_or_else(|| L1Error::Rpc(format!("L1 block {number} not found")))?;
        let (returned_deriver, returned_executor, events) =
            tokio::task::spawn_blocking(move || {
                let events = deriver.push(data, &mut executor);
                (deriver, executor, events)
            })
            .await
            .map_err(|e| L1Error::Derivation(e.to_string()))?;
        deriver = returned_deriver;
        executor = returned_executor;
        let events = events.map_err(|e| L1Error::Derivation(e.to_string()))?;
        on_step(&DeriveStep {
            l1_block: number,
            head: *deriver.head(),
            events,
        });
    }
    let head = *deriver.head();
    info!(
        target: "l1::derive",
        l1_blocks = until.saturating_sub(first) + 1,
        l2_head = head.number,
        ms = started.elapsed().as_millis() as u64,
        "derived from L1"
    );
    Ok(head)
}
