//! The proposer: posts output roots (docs/contracts.md, "Outputs") for L2 blocks already
//! covered by batches on L1, at a configurable cadence.
//!
//! ```text
//!  loop: wait until the key has nothing in flight
//!        target = Rollup.nextBlock() - 1  (the newest batched block), if ≥ latest output + interval
//!        outputRoot = keccak(0 ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash)  (local store)
//!        proposeOutput(target, outputRoot, L1 head hash, L1 head number) + bond
//! ```
//!
//! The L1 block hash guard makes a proposal built on an L1 block that is reorged out revert
//! (`L1BlockHashMismatch`) instead of landing on the new chain; the next round retries.

use std::time::{Duration, Instant};

use alloy::{eips::BlockNumberOrTag, network::TransactionBuilder, providers::Provider};
use alloy_primitives::U256;
use tokio::sync::watch;
use tracing::{info, warn};
use tributary_node::Node;
use tributary_primitives::{OutputRootProof, predeploys::L2_TO_L1_MESSAGE_PASSER};
use tributary_trie::EMPTY_ROOT_HASH;

use crate::{L1Client, L1Error, Result, TxSender};

/// Proposer settings.
#[derive(Debug, Clone, Copy)]
pub struct ProposerConfig {
    /// Propose once the newest batched block is at least this many blocks past the last output.
    pub interval_blocks: u64,
    /// ...or once this long has passed since the last proposal (with at least one new block).
    pub max_interval: Duration,
    /// Wait between rounds.
    pub poll_interval: Duration,
}

impl Default for ProposerConfig {
    fn default() -> Self {
        Self {
            interval_blocks: 100,
            max_interval: Duration::from_secs(10),
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// One posted output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedOutput {
    /// The L2 block.
    pub l2_block: u64,
    /// The output root.
    pub output_root: alloy_primitives::B256,
    /// L1 gas used by the proposal.
    pub l1_gas_used: u64,
    /// L1 block that included it.
    pub l1_block: u64,
}

/// Proposes until `shutdown` turns true.
pub async fn run_proposer(
    client: L1Client,
    sender: TxSender,
    node: Node,
    config: ProposerConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    info!(target: "l1::proposer", address = %sender.address(), "proposer started");
    let mut last = Instant::now();
    // outputs below this index are finalized and reclaimed (or not ours)
    let mut reclaim_cursor = 0u64;
    loop {
        let force = last.elapsed() >= config.max_interval;
        let round = tokio::select! {
            r = propose_next(&client, &sender, &node, config.interval_blocks, force) => r,
            _ = shutdown.changed() => return,
        };
        match round {
            Ok(Some(_)) => last = Instant::now(),
            Ok(None) => {
                // idle: take back a finalized output's bond (one transaction per round)
                let reclaim = tokio::select! {
                    r = reclaim_next(&client, &sender, &mut reclaim_cursor) => r,
                    _ = shutdown.changed() => return,
                };
                if let Err(e) = reclaim {
                    warn!(target: "l1::proposer", error = %e, "bond reclaim failed; retrying");
                }
            }
            Err(e) => warn!(target: "l1::proposer", error = %e, "proposal round failed; retrying"),
        }
        sender.report_balance().await;
        tokio::select! {
            () = tokio::time::sleep(config.poll_interval) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// One round: proposes the newest batched block if it is due (`force`: any new block is).
pub async fn propose_next(
    client: &L1Client,
    sender: &TxSender,
    node: &Node,
    interval_blocks: u64,
    force: bool,
) -> Result<Option<ProposedOutput>> {
    sender.wait_idle().await?;
    let rollup = client.rollup();
    let next = rollup
        .nextBlock()
        .call()
        .await
        .map_err(|e| L1Error::rpc("Rollup.nextBlock", e))?;
    let latest: u64 = rollup
        .latestBlockNumber()
        .call()
        .await
        .map_err(|e| L1Error::rpc("Rollup.latestBlockNumber", e))?
        .saturating_to();
    let target = next.saturating_sub(1);
    let due = target > latest && (force || target >= latest + interval_blocks);
    if !due || target > node.head().number {
        return Ok(None);
    }
    let proof = output_at(node, target).await?;
    let output_root = proof.output_root();
    let l1 = client
        .provider()
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await
        .map_err(|e| L1Error::rpc("eth_getBlockByNumber", e))?
        .ok_or_else(|| L1Error::Rpc("no latest L1 block".into()))?;
    let bond = client.deployment().proposer_bond;
    let request = rollup
        .proposeOutput(
            U256::from(target),
            output_root,
            l1.header.hash,
            U256::from(l1.header.number),
        )
        .value(bond)
        .into_transaction_request()
        .with_to(client.deployment().contracts.rollup);
    let receipt = sender.send(request, None).await?;
    let proposed = ProposedOutput {
        l2_block: target,
        output_root,
        l1_gas_used: receipt.gas_used,
        l1_block: receipt.block_number.unwrap_or_default(),
    };
    info!(
        target: "l1::proposer",
        l2_block = target,
        %output_root,
        l1_gas = proposed.l1_gas_used,
        l1_block = proposed.l1_block,
        "output proposed"
    );
    metrics::counter!("tributary_proposer_outputs_total").increment(1);
    metrics::gauge!("tributary_proposer_latest_l2_block").set(target as f64);
    Ok(Some(proposed))
}

/// Takes back the bond of the first finalized, unreclaimed output of this proposer at or after
/// `cursor` (and withdraws the credit), moving the cursor past outputs that need nothing.
/// Returns whether a transaction was sent.
pub async fn reclaim_next(client: &L1Client, sender: &TxSender, cursor: &mut u64) -> Result<bool> {
    let rollup = client.rollup();
    let count: u64 = rollup
        .outputCount()
        .call()
        .await
        .map_err(|e| L1Error::rpc("Rollup.outputCount", e))?
        .saturating_to();
    while *cursor < count {
        let index = U256::from(*cursor);
        let output = rollup
            .getOutput(index)
            .call()
            .await
            .map_err(|e| L1Error::rpc("Rollup.getOutput", e))?;
        if output.proposer != sender.address() || output.bondReclaimed {
            *cursor += 1;
            continue;
        }
        let finalized = rollup
            .isFinalized(index)
            .call()
            .await
            .map_err(|e| L1Error::rpc("Rollup.isFinalized", e))?;
        if !finalized {
            return Ok(false);
        }
        let to = client.deployment().contracts.rollup;
        let reclaim = rollup
            .reclaimProposerBond(index)
            .into_transaction_request()
            .with_to(to);
        sender.send(reclaim, None).await?;
        let withdraw = rollup
            .withdrawCredits()
            .into_transaction_request()
            .with_to(to);
        sender.send(withdraw, None).await?;
        info!(target: "l1::proposer", output_index = *cursor, "proposer bond reclaimed");
        metrics::counter!("tributary_proposer_bonds_reclaimed_total").increment(1);
        *cursor += 1;
        return Ok(true);
    }
    Ok(false)
}

/// The output root preimage of L2 block `number`, from the local store.
pub async fn output_at(node: &Node, number: u64) -> Result<OutputRootProof> {
    let header = node
        .store()
        .header_by_number(number)
        .await?
        .ok_or_else(|| L1Error::Mismatch(format!("L2 block {number} not stored")))?;
    let storage_root = node
        .with_state(header.state_root, |state| {
            state.trie_account(L2_TO_L1_MESSAGE_PASSER)
        })
        .await??
        .map_or(EMPTY_ROOT_HASH, |a| a.storage_root);
    Ok(OutputRootProof::v0(
        header.state_root,
        storage_root,
        header.hash(),
    ))
}
