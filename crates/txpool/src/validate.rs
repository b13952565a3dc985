//! Stateless validation: what can be checked from the bytes alone, including sender recovery.

use alloy::{
    consensus::{
        Transaction, TxEnvelope,
        transaction::{Recovered, SignerRecoverable},
    },
    eips::eip2718::Decodable2718,
};
use alloy_primitives::{Bytes, keccak256};
use rayon::prelude::*;

use crate::{PoolConfig, PoolError, PoolErrorKind, PoolTransaction};

/// Base cost of every transaction.
pub const TX_BASE_GAS: u64 = 21_000;
/// Extra cost of a contract creation.
pub const TX_CREATE_GAS: u64 = 32_000;
/// Cost of a zero calldata byte.
pub const TX_DATA_ZERO_GAS: u64 = 4;
/// Cost of a non-zero calldata byte (EIP-2028).
pub const TX_DATA_NON_ZERO_GAS: u64 = 16;
/// Cost per 32-byte word of init code (EIP-3860).
pub const INIT_CODE_WORD_GAS: u64 = 2;
/// Cost per access list address (EIP-2930).
pub const ACCESS_LIST_ADDRESS_GAS: u64 = 2_400;
/// Cost per access list storage key (EIP-2930).
pub const ACCESS_LIST_STORAGE_KEY_GAS: u64 = 1_900;
/// Cost per EIP-7702 authorization (`PER_EMPTY_ACCOUNT_COST`).
pub const AUTHORIZATION_GAS: u64 = 25_000;
/// EIP-7623 floor cost per calldata token.
pub const FLOOR_GAS_PER_TOKEN: u64 = 10;

/// Intrinsic gas (Prague) and the EIP-7623 calldata floor of `tx`.
pub fn intrinsic_gas(tx: &TxEnvelope) -> (u64, u64) {
    let input = tx.input();
    let zeros = input.iter().filter(|b| **b == 0).count() as u64;
    let non_zeros = input.len() as u64 - zeros;
    let mut gas = TX_BASE_GAS + zeros * TX_DATA_ZERO_GAS + non_zeros * TX_DATA_NON_ZERO_GAS;
    if tx.is_create() {
        gas += TX_CREATE_GAS + INIT_CODE_WORD_GAS * (input.len() as u64).div_ceil(32);
    }
    if let Some(list) = tx.access_list() {
        for item in list.iter() {
            gas += ACCESS_LIST_ADDRESS_GAS
                + ACCESS_LIST_STORAGE_KEY_GAS * item.storage_keys.len() as u64;
        }
    }
    if let Some(auths) = tx.authorization_list() {
        gas += AUTHORIZATION_GAS * auths.len() as u64;
    }
    let tokens = zeros + 4 * non_zeros;
    let floor = TX_BASE_GAS + FLOOR_GAS_PER_TOKEN * tokens;
    (gas, floor)
}

/// Decodes `raw`, runs every stateless check and recovers the sender (the expensive part, done
/// once; cheap checks run first).
pub fn validate_stateless(raw: Bytes, config: &PoolConfig) -> Result<PoolTransaction, PoolError> {
    let fail = |kind| Err(PoolError::new(keccak256(&raw), kind));
    if raw.len() > config.max_tx_size {
        return fail(PoolErrorKind::OversizedData {
            size: raw.len(),
            limit: config.max_tx_size,
        });
    }
    match raw.first() {
        // typed transactions: accept 2930, 1559 and 7702 only (no blobs, no 0x7E deposits)
        Some(&ty) if ty < 0x80 && !matches!(ty, 1 | 2 | 4) => {
            return fail(PoolErrorKind::TxTypeNotSupported { ty });
        }
        None => return fail(PoolErrorKind::Decode("empty transaction".into())),
        _ => {}
    }
    let tx = match TxEnvelope::decode_2718_exact(&raw) {
        Ok(tx) => tx,
        Err(err) => return fail(PoolErrorKind::Decode(err.to_string())),
    };
    let hash = *tx.tx_hash();
    let fail = |kind| Err(PoolError::new(hash, kind));
    match tx.chain_id() {
        None => return fail(PoolErrorKind::UnprotectedTransaction),
        Some(have) if have != config.chain_id => {
            return fail(PoolErrorKind::InvalidChainId {
                have,
                want: config.chain_id,
            });
        }
        Some(_) => {}
    }
    if tx.is_create() && tx.input().len() > config.max_init_code_size {
        return fail(PoolErrorKind::MaxInitCodeSizeExceeded {
            size: tx.input().len(),
            limit: config.max_init_code_size,
        });
    }
    if tx.gas_limit() > config.block_gas_limit {
        return fail(PoolErrorKind::ExceedsBlockGasLimit {
            gas: tx.gas_limit(),
            limit: config.block_gas_limit,
        });
    }
    if tx.priority_fee_or_price() > tx.max_fee_per_gas() {
        return fail(PoolErrorKind::TipAboveFeeCap);
    }
    if tx.max_fee_per_gas() < config.min_base_fee {
        return fail(PoolErrorKind::Underpriced {
            fee_cap: tx.max_fee_per_gas(),
            minimum: config.min_base_fee,
        });
    }
    if tx
        .authorization_list()
        .is_some_and(|auths| auths.is_empty())
    {
        return fail(PoolErrorKind::EmptyAuthList);
    }
    let (intrinsic, floor) = intrinsic_gas(&tx);
    if tx.gas_limit() < intrinsic {
        return fail(PoolErrorKind::IntrinsicGasTooLow {
            gas: tx.gas_limit(),
            needed: intrinsic,
        });
    }
    if tx.gas_limit() < floor {
        return fail(PoolErrorKind::FloorDataGas {
            gas: tx.gas_limit(),
            needed: floor,
        });
    }
    let Ok(sender) = tx.recover_signer() else {
        return fail(PoolErrorKind::InvalidSender);
    };
    Ok(PoolTransaction {
        tx: Recovered::new_unchecked(tx, sender),
        raw,
        hash,
    })
}

/// [`validate_stateless`] over a batch on rayon's pool (one thread per core); results in input
/// order.
pub fn validate_batch(
    raws: Vec<Bytes>,
    config: &PoolConfig,
) -> Vec<Result<PoolTransaction, PoolError>> {
    raws.into_par_iter()
        .map(|raw| validate_stateless(raw, config))
        .collect()
}
