//! Batch validity (docs/derivation.md, "Derivation rules" 1): a batch either yields the inputs of
//! all its new blocks or is skipped whole with the first rule it breaks.
//!
//! Checks run from cheap to expensive so that junk costs little: the event's range against the
//! head and its length, decoding (capped decompression), the payload's range, the parent, every block's origin
//! and timestamp, the last origin hash, and only then transaction decoding and signature
//! recovery. Nothing is executed before the whole batch passed.

use alloy::{
    consensus::{Transaction, TxEnvelope, transaction::Recovered, transaction::SignerRecoverable},
    eips::eip2718::Decodable2718,
};
use alloy_primitives::{B256, Bytes};
use op_alloy_consensus::DEPOSIT_TX_TYPE_ID;
use rayon::prelude::*;
use tributary_primitives::{BatchBlock, BatchPayload, RollupConfig};

use crate::{
    BatchData, BlockInput, InvalidBatch, L2Head,
    deposits::l1_info,
    l1_window::{KnownL1, L1Window},
};

/// The most blocks one batch may cover (the Rollup's bound, kept in primitives beside the
/// batch chain). A longer event range is [`InvalidBatch::RangeTooLong`] and is not filled.
pub use tributary_primitives::batch::MAX_BLOCKS_PER_BATCH;

/// A block derivation inserted (forced inclusion), remembered so that a later batch may re-cover
/// it with the same content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ForcedBlock {
    pub(crate) number: u64,
    pub(crate) timestamp: u64,
    pub(crate) origin_number: u64,
    pub(crate) parent_hash: B256,
}

/// What a batch is checked against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) config: &'a RollupConfig,
    pub(crate) head: &'a L2Head,
    /// The run of forced blocks ending at the head (empty when the head was not forced).
    pub(crate) forced: &'a [ForcedBlock],
    pub(crate) l1: &'a L1Window,
    /// The L1 block carrying the batch.
    pub(crate) inclusion: u64,
}

/// A new block of a batch that passed the structural checks.
struct Planned<'a> {
    number: u64,
    block: &'a BatchBlock,
    origin: &'a KnownL1,
    sequence_number: u64,
    origin_changed: bool,
}

/// The inputs of the batch's blocks after the head, or the rule it breaks.
pub(crate) fn validate_batch(
    cx: Context<'_>,
    batch: &BatchData,
) -> Result<Vec<BlockInput>, InvalidBatch> {
    let head = cx.head.number;
    let next = head.saturating_add(1);
    // the event's range first: old and future batches are skipped without decompressing them
    if batch.last_block <= head {
        return Err(InvalidBatch::Stale {
            first_block: batch.first_block,
            last_block: batch.last_block,
            head,
        });
    }
    if batch.first_block > next {
        return Err(InvalidBatch::FirstBlockMismatch {
            expected: next,
            first_block: batch.first_block,
        });
    }
    // first_block <= next <= last_block here
    if batch.last_block.saturating_sub(batch.first_block) >= MAX_BLOCKS_PER_BATCH {
        return Err(InvalidBatch::RangeTooLong {
            first_block: batch.first_block,
            last_block: batch.last_block,
        });
    }
    let payload = BatchPayload::decode(&batch.data)?;
    let len = payload.blocks.len() as u64;
    if len == 0 {
        return Err(InvalidBatch::Empty);
    }
    if payload.first_block != batch.first_block
        || payload.first_block.checked_add(len - 1) != Some(batch.last_block)
    {
        return Err(InvalidBatch::RangeMismatch {
            event_first: batch.first_block,
            event_last: batch.last_block,
            payload_first: payload.first_block,
            payload_blocks: payload.blocks.len(),
        });
    }
    // first_block <= next and last_block > head: blocks below `next` re-cover forced blocks
    let Some((covered, new)) = usize::try_from(next - payload.first_block)
        .ok()
        .and_then(|n| payload.blocks.split_at_checked(n))
    else {
        return Err(InvalidBatch::OverlapsDerived {
            first_block: payload.first_block,
            head,
        });
    };
    let parent_hash = check_covered(cx, payload.first_block, covered)?;
    if payload.parent_hash != parent_hash {
        return Err(InvalidBatch::ParentHashMismatch {
            expected: parent_hash,
            got: payload.parent_hash,
        });
    }
    let planned = plan(cx, next, new)?;
    if let Some(last) = planned.last()
        && payload.last_origin_hash != last.origin.info.hash
    {
        return Err(InvalidBatch::LastOriginHashMismatch {
            expected: last.origin.info.hash,
            got: payload.last_origin_hash,
        });
    }
    // Sender recovery dominates the cost of a batch (~60 µs per transaction): recover every
    // transaction of the batch at once, in parallel, then report the first failure in order.
    let raws: Vec<(u64, usize, &Bytes)> = planned
        .iter()
        .flat_map(|p| {
            p.block
                .txs
                .iter()
                .enumerate()
                .map(move |(index, raw)| (p.number, index, raw))
        })
        .collect();
    let mut recovered = raws
        .par_iter()
        .map(|&(number, index, raw)| recover(cx.config, number, index, raw))
        .collect::<Vec<_>>()
        .into_iter();
    planned
        .into_iter()
        .map(|p| {
            let transactions = recovered
                .by_ref()
                .take(p.block.txs.len())
                .collect::<Result<Vec<_>, _>>()?;
            Ok(BlockInput {
                number: p.number,
                timestamp: p.block.timestamp,
                origin: p.origin.info.clone(),
                l1_info: l1_info(&p.origin.info, p.sequence_number, cx.config),
                deposits: if p.origin_changed {
                    p.origin.deposits.clone()
                } else {
                    Vec::new()
                },
                transactions,
                forced: false,
                filled: false,
            })
        })
        .collect()
}

/// Checks the blocks `first_block..=head` of a batch against the forced blocks they re-cover and
/// returns the hash the batch's `parent_hash` must equal.
fn check_covered(
    cx: Context<'_>,
    first_block: u64,
    covered: &[BatchBlock],
) -> Result<B256, InvalidBatch> {
    if covered.is_empty() {
        return Ok(cx.head.hash);
    }
    let overlaps = InvalidBatch::OverlapsDerived {
        first_block,
        head: cx.head.number,
    };
    let Some(start) = cx
        .forced
        .first()
        .and_then(|f| usize::try_from(first_block.checked_sub(f.number)?).ok())
    else {
        return Err(overlaps);
    };
    let Some(forced) = cx.forced.get(start..) else {
        return Err(overlaps);
    };
    if forced.len() != covered.len() || forced.last().map(|f| f.number) != Some(cx.head.number) {
        return Err(overlaps);
    }
    for (f, block) in forced.iter().zip(covered) {
        if block.timestamp != f.timestamp
            || block.origin_number != f.origin_number
            || !block.txs.is_empty()
        {
            return Err(InvalidBatch::ContradictsForcedBlock { number: f.number });
        }
    }
    Ok(forced.first().map_or(cx.head.hash, |f| f.parent_hash))
}

/// Checks the origin and timestamp of every new block, in order from the head.
fn plan<'a>(
    cx: Context<'a>,
    next: u64,
    blocks: &'a [BatchBlock],
) -> Result<Vec<Planned<'a>>, InvalidBatch> {
    let mut parent_timestamp = cx.head.timestamp;
    let mut parent_origin = cx.head.origin.number;
    let mut parent_sequence = cx.head.sequence_number;
    let mut planned = Vec::with_capacity(blocks.len());
    for (i, block) in blocks.iter().enumerate() {
        // at most the batch's last block: no overflow
        let number = next.saturating_add(i as u64);
        let origin = block.origin_number;
        let origin_changed = origin != parent_origin;
        if origin_changed && Some(origin) != parent_origin.checked_add(1) {
            return Err(InvalidBatch::OriginNotContiguous {
                number,
                origin,
                parent_origin,
            });
        }
        if origin > cx.inclusion {
            return Err(InvalidBatch::OriginAfterInclusion {
                number,
                origin,
                inclusion: cx.inclusion,
            });
        }
        let known = cx
            .l1
            .get(origin)
            .ok_or(InvalidBatch::OriginUnknown { number, origin })?;
        let timestamp = block.timestamp;
        if timestamp < parent_timestamp {
            return Err(InvalidBatch::TimestampBeforeParent {
                number,
                timestamp,
                parent_timestamp,
            });
        }
        if timestamp < known.info.timestamp {
            return Err(InvalidBatch::TimestampBeforeOrigin {
                number,
                timestamp,
                origin_timestamp: known.info.timestamp,
            });
        }
        let max = known
            .info
            .timestamp
            .saturating_add(cx.config.max_sequencer_drift);
        if timestamp > max {
            return Err(InvalidBatch::TimestampDrift {
                number,
                timestamp,
                max,
            });
        }
        let sequence_number = if origin_changed {
            0
        } else {
            parent_sequence.saturating_add(1)
        };
        planned.push(Planned {
            number,
            block,
            origin: known,
            sequence_number,
            origin_changed,
        });
        (parent_timestamp, parent_origin, parent_sequence) = (timestamp, origin, sequence_number);
    }
    Ok(planned)
}

/// Decodes a batch transaction and recovers its sender: the one place derivation recovers
/// senders.
fn recover(
    config: &RollupConfig,
    number: u64,
    index: usize,
    raw: &Bytes,
) -> Result<Recovered<TxEnvelope>, InvalidBatch> {
    if raw.first() == Some(&DEPOSIT_TX_TYPE_ID) {
        return Err(InvalidBatch::DepositTx { number, index });
    }
    let tx = TxEnvelope::decode_2718_exact(raw).map_err(|e| InvalidBatch::TxDecode {
        number,
        index,
        reason: e.to_string(),
    })?;
    if tx.is_eip4844() {
        return Err(InvalidBatch::BlobTx { number, index });
    }
    match tx.chain_id() {
        None => return Err(InvalidBatch::UnprotectedTx { number, index }),
        Some(chain_id) if chain_id != config.l2_chain_id => {
            return Err(InvalidBatch::WrongChainId {
                number,
                index,
                chain_id,
                expected: config.l2_chain_id,
            });
        }
        Some(_) => {}
    }
    let signer = tx
        .recover_signer()
        .map_err(|_| InvalidBatch::BadSignature { number, index })?;
    Ok(Recovered::new_unchecked(tx, signer))
}
