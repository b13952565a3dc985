//! Compares the output roots posted on L1 with the ones recomputed from the derived chain, and
//! locates where a mismatching one diverges.
//!
//! An output root is a hash (`keccak(0 ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash)`), so
//! L1 alone cannot say which field a wrong one got wrong. The first divergent L2 block comes
//! from the derivation evidence instead: an invalid batch or a forced block between the last
//! output that matched and this one is where the chain the sequencer committed to left the one
//! L1 makes canonical. Without such evidence the derived chain is what the batches say, so the
//! output itself is wrong at its own block. An optional, untrusted L2 RPC (`--l2-rpc`) narrows
//! it further: the first block whose header differs, and which header fields differ.

use alloy::{
    eips::BlockId,
    providers::{DynProvider, Provider},
};
use alloy_primitives::{B256, U256};
use eyre::WrapErr;
use serde::Serialize;
use tributary_l1::{L1Client, output_at};
use tributary_node::Node;

use crate::checkpoint::Checkpoint;

/// The verdict on one posted output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Status {
    /// Equal to the root recomputed from L1 data.
    Ok,
    /// Different.
    Mismatch,
    /// Its L2 block is past the derived head (not yet derivable).
    Pending,
}

/// One posted output and what the prover found.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutputCheck {
    pub(crate) index: u64,
    pub(crate) l2_block: u64,
    pub(crate) posted_root: B256,
    /// L1 timestamp of the proposal.
    pub(crate) proposed_at: u64,
    pub(crate) status: Status,
    /// The recomputed root and its preimage (absent while pending).
    pub(crate) derived: Option<Derived>,
    /// Set when the output was challenged.
    pub(crate) challenger: Option<alloy_primitives::Address>,
    /// Set when the guardian resolved a challenge as "output valid".
    pub(crate) challenge_resolved: bool,
    /// Where a mismatch comes from.
    pub(crate) divergence: Option<Divergence>,
}

/// The recomputed output.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Derived {
    pub(crate) output_root: B256,
    pub(crate) state_root: B256,
    pub(crate) message_passer_storage_root: B256,
    pub(crate) block_hash: B256,
}

/// Where a mismatching output's chain leaves the derived one.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Divergence {
    /// The first L2 block known to differ.
    pub(crate) first_block: u64,
    /// What differs there: `output_root` (the output commits to something else than the derived
    /// block), `block` (derivation replaced the block: see `cause`), or header field names
    /// from the L2 RPC comparison (`stateRoot`, `transactionsRoot`, ...).
    pub(crate) fields: Vec<String>,
    /// Why, for people.
    pub(crate) cause: String,
}

/// Checks every output the Rollup holds at L1 block `at` against the derived chain in `node`.
/// `l2_rpc` (optional, untrusted) only refines where mismatches diverge.
pub(crate) async fn check_outputs(
    client: &L1Client,
    node: &Node,
    checkpoint: &Checkpoint,
    at: u64,
    l2_rpc: Option<&DynProvider>,
) -> eyre::Result<Vec<OutputCheck>> {
    let rollup = client.rollup();
    let block = BlockId::number(at);
    let count: u64 = rollup
        .outputCount()
        .block(block)
        .call()
        .await
        .wrap_err("reading Rollup.outputCount()")?
        .try_into()
        .unwrap_or(u64::MAX);
    let head = node.head().number;
    let mut checks = Vec::with_capacity(count as usize);
    // the last L2 block known to agree (genesis agrees by construction: the Rollup records it)
    let mut agreed = 0u64;
    for index in 0..count {
        let output = rollup
            .getOutput(U256::from(index))
            .block(block)
            .call()
            .await
            .wrap_err_with(|| format!("reading Rollup.getOutput({index})"))?;
        let l2_block = output.l2BlockNumber;
        let mut check = OutputCheck {
            index,
            l2_block,
            posted_root: output.outputRoot,
            proposed_at: output.timestamp,
            status: Status::Pending,
            derived: None,
            challenger: (!output.challenger.is_zero()).then_some(output.challenger),
            challenge_resolved: output.challengeResolved,
            divergence: None,
        };
        if l2_block <= head {
            let proof = output_at(node, l2_block).await?;
            let derived = Derived {
                output_root: proof.output_root(),
                state_root: proof.state_root,
                message_passer_storage_root: proof.message_passer_storage_root,
                block_hash: proof.latest_blockhash,
            };
            check.derived = Some(derived);
            if derived.output_root == output.outputRoot {
                check.status = Status::Ok;
                agreed = l2_block;
            } else {
                check.status = Status::Mismatch;
                check.divergence =
                    Some(locate(node, checkpoint, agreed + 1, l2_block, l2_rpc).await?);
            }
        }
        checks.push(check);
    }
    Ok(checks)
}

/// The first block in `from..=to` where the committed chain leaves the derived one.
async fn locate(
    node: &Node,
    checkpoint: &Checkpoint,
    from: u64,
    to: u64,
    l2_rpc: Option<&DynProvider>,
) -> eyre::Result<Divergence> {
    let anomaly = checkpoint.first_anomaly_in(from, to);
    if let Some(rpc) = l2_rpc
        && let Some(found) = compare_with_rpc(node, rpc, from, to).await?
    {
        let cause = match anomaly {
            Some(a) => format!(
                "{}; the L2 RPC's block differs in {}",
                a.describe(),
                found.1.join(", ")
            ),
            None => format!(
                "the L2 RPC's block {} differs from the one derived from L1 in {}",
                found.0,
                found.1.join(", ")
            ),
        };
        return Ok(Divergence {
            first_block: found.0,
            fields: found.1,
            cause,
        });
    }
    Ok(match anomaly {
        Some(a) => Divergence {
            first_block: a.blocks().map_or(from, |(first, _)| first.max(from)),
            fields: vec!["block".into()],
            cause: a.describe(),
        },
        None => Divergence {
            first_block: to,
            fields: vec!["output_root".into()],
            cause: format!(
                "every batch for blocks {from}..={to} is valid, so the chain is the batches' own; \
                 the posted root does not commit to its block {to}"
            ),
        },
    })
}

/// Binary search over `from..=to` for the first block whose hash the L2 RPC reports differently;
/// returns it with the names of the header fields that differ. `None` when they all agree.
async fn compare_with_rpc(
    node: &Node,
    rpc: &DynProvider,
    from: u64,
    to: u64,
) -> eyre::Result<Option<(u64, Vec<String>)>> {
    let differs = |number: u64| async move {
        let ours = node
            .store()
            .header_by_number(number)
            .await?
            .ok_or_else(|| eyre::eyre!("derived block {number} missing"))?;
        let theirs = rpc
            .get_block_by_number(number.into())
            .await
            .wrap_err_with(|| format!("L2 RPC: block {number}"))?;
        Ok::<_, eyre::Report>((ours, theirs))
    };
    let (ours, theirs) = differs(to).await?;
    if theirs
        .as_ref()
        .is_some_and(|b| b.header.hash == ours.hash())
    {
        return Ok(None);
    }
    let (mut lo, mut hi) = (from, to);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (ours, theirs) = differs(mid).await?;
        if theirs.is_some_and(|b| b.header.hash == ours.hash()) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let (ours, theirs) = differs(lo).await?;
    let Some(theirs) = theirs else {
        return Ok(Some((lo, vec!["missing".into()])));
    };
    let theirs = &theirs.header.inner;
    let mut fields = Vec::new();
    let mut check = |name: &str, same: bool| {
        if !same {
            fields.push(name.to_string());
        }
    };
    check("parentHash", ours.parent_hash == theirs.parent_hash);
    check("stateRoot", ours.state_root == theirs.state_root);
    check(
        "transactionsRoot",
        ours.transactions_root == theirs.transactions_root,
    );
    check("receiptsRoot", ours.receipts_root == theirs.receipts_root);
    check("logsBloom", ours.logs_bloom == theirs.logs_bloom);
    check("timestamp", ours.timestamp == theirs.timestamp);
    check("gasUsed", ours.gas_used == theirs.gas_used);
    check("mixHash", ours.mix_hash == theirs.mix_hash);
    check(
        "baseFeePerGas",
        ours.base_fee_per_gas == theirs.base_fee_per_gas,
    );
    if fields.is_empty() {
        fields.push("hash".into());
    }
    Ok(Some((lo, fields)))
}
