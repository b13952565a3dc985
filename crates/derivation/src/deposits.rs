//! The L1-derived transactions of an L2 block: the user deposits of its origin and the fields of
//! its L1-info deposit. The sequencer builds its blocks with the same two functions, so both
//! sides agree on them by construction.

use alloy_primitives::{TxKind, U256};
use op_alloy_consensus::TxDeposit;
use tracing::warn;
use tributary_primitives::{
    DepositPayload, L1Info, RollupConfig, l1_info::user_deposit_source_hash,
};

use crate::{DepositLog, L1BlockInfo};

/// The deposit transactions of the Portal logs of L1 block `block`, in log order.
///
/// Each log becomes a [`TxDeposit`] with source hash `user_deposit_source_hash(block.hash,
/// log_index)` (OP's user-deposit domain), `from` and `to` as logged (`TxKind::Create` when
/// `isCreation`), the payload's mint, value, gas limit and data, and `is_system_transaction =
/// false`. A log that does not decode (unknown version, short or malformed payload) or whose
/// mint does not fit a `u128` is skipped with a warning: the Portal never emits one, so it can
/// only come from a caller's bug, and skipping it keeps derivation total.
pub fn deposit_transactions(block: &L1BlockInfo, logs: &[DepositLog]) -> Vec<TxDeposit> {
    logs.iter()
        .filter_map(|log| match deposit_transaction(block, log) {
            Ok(tx) => Some(tx),
            Err(reason) => {
                warn!(
                    target: "derivation",
                    l1_block = block.number,
                    log_index = log.log_index,
                    %reason,
                    "skipping malformed deposit log"
                );
                None
            }
        })
        .collect()
}

fn deposit_transaction(block: &L1BlockInfo, log: &DepositLog) -> Result<TxDeposit, String> {
    let payload = DepositPayload::decode_versioned(log.version, &log.opaque_data)
        .map_err(|e| e.to_string())?;
    let mint = u128::try_from(payload.mint)
        .map_err(|_| format!("mint {} does not fit in 128 bits", payload.mint))?;
    Ok(TxDeposit {
        source_hash: user_deposit_source_hash(block.hash, log.log_index),
        from: log.from,
        to: if payload.is_creation {
            TxKind::Create
        } else {
            TxKind::Call(log.to)
        },
        mint,
        value: payload.value,
        gas_limit: payload.gas_limit,
        is_system_transaction: false,
        input: payload.data,
    })
}

/// The fields of the L1-info deposit of an L2 block with origin `origin` and sequence number
/// `sequence_number`: the origin's number, timestamp, base fee, blob base fee and hash, the
/// rollup's L1 fee scalars, and a zero batcher hash (docs/derivation.md, "Transactions of block
/// `n`").
pub fn l1_info(origin: &L1BlockInfo, sequence_number: u64, config: &RollupConfig) -> L1Info {
    L1Info {
        number: origin.number,
        timestamp: origin.timestamp,
        base_fee: U256::from(origin.base_fee),
        blob_base_fee: origin.blob_base_fee,
        hash: origin.hash,
        sequence_number,
        batcher_hash: alloy_primitives::B256::ZERO,
        base_fee_scalar: config.base_fee_scalar,
        blob_base_fee_scalar: config.blob_base_fee_scalar,
    }
}
