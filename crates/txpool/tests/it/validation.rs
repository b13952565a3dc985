//! Stateless validation: every rejection with geth's exact wording.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    signers::Signature,
};
use alloy_primitives::{Bytes, TxKind, U256};
use tributary_txpool::{PoolConfig, PoolErrorKind};

use crate::utils::*;

#[test]
fn accepts_every_supported_type() {
    let (pool, _) = pool();
    pool.add_raw(legacy(0, 0, 10 * GWEI, Some(CHAIN_ID)))
        .unwrap();
    pool.add_raw(eip2930(1, 0, 10 * GWEI)).unwrap();
    pool.add_raw(eip1559(2, 0, 10 * GWEI, GWEI)).unwrap();
    pool.add_raw(eip7702(3, 0, 1, 100_000)).unwrap();
    assert_eq!(pool.status().pending, 4);
    assert_eq!(
        pool.get(&alloy_primitives::keccak256(eip1559(2, 0, 10 * GWEI, GWEI)))
            .unwrap()
            .sender(),
        addr(2)
    );
}

#[test]
fn oversized_data() {
    let (pool, _) = pool();
    let raw = eip1559_with(
        0,
        0,
        GWEI,
        1,
        30_000_000,
        TxKind::Call(TO),
        vec![1u8; 128 * 1024].into(),
    );
    let size = raw.len();
    assert_eq!(
        reject(&pool, raw),
        format!("oversized data: transaction size {size}, limit 131072")
    );
}

#[test]
fn unsupported_types_and_garbage() {
    let (pool, _) = pool();
    // blob transaction and deposit type bytes are refused before decoding
    assert_eq!(
        reject(&pool, Bytes::from(vec![0x03, 0xc0])),
        "transaction type not supported"
    );
    assert_eq!(
        reject(&pool, Bytes::from(vec![0x7e, 0xc0])),
        "transaction type not supported"
    );
    let err = reject(&pool, Bytes::from(vec![0xc1, 0x80]));
    assert!(err.starts_with("rlp: "), "{err}");
    let err = pool.add_raw(Bytes::new()).unwrap_err();
    assert!(matches!(err.kind, PoolErrorKind::Decode(_)));
    assert!(err.kind.is_bad_transaction());
    // trailing bytes after a valid transaction
    let mut raw = eip1559(0, 0, GWEI, 1).to_vec();
    raw.push(0);
    assert!(reject(&pool, raw.into()).starts_with("rlp: "));
    assert!(pool.is_empty());
}

#[test]
fn chain_id() {
    let (pool, _) = pool();
    assert_eq!(
        reject(&pool, legacy(0, 0, GWEI, None)),
        "only replay-protected (EIP-155) transactions allowed over RPC"
    );
    assert_eq!(
        reject(&pool, legacy(0, 0, GWEI, Some(1))),
        format!("invalid chain id: have 1, want {CHAIN_ID}")
    );
}

#[test]
fn invalid_sender() {
    let (pool, _) = pool();
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_limit: 21_000,
        max_fee_per_gas: GWEI,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(TO),
        value: U256::ZERO,
        access_list: Default::default(),
        input: Bytes::new(),
    };
    let sig = Signature::new(U256::ZERO, U256::from(1), false);
    let raw = TxEnvelope::from(tx.into_signed(sig)).encoded_2718();
    assert_eq!(reject(&pool, raw.into()), "invalid sender");
}

#[test]
fn gas_checks() {
    let (pool, _) = pool();
    let raw = eip1559_with(0, 0, GWEI, 1, 20_999, TxKind::Call(TO), Bytes::new());
    assert_eq!(
        reject(&pool, raw),
        "intrinsic gas too low: gas 20999, minimum needed 21000"
    );
    // 100 non-zero bytes: intrinsic 22600, EIP-7623 floor 25000
    let data: Bytes = vec![1u8; 100].into();
    let raw = eip1559_with(0, 0, GWEI, 1, 22_599, TxKind::Call(TO), data.clone());
    assert_eq!(
        reject(&pool, raw),
        "intrinsic gas too low: gas 22599, minimum needed 22600"
    );
    let raw = eip1559_with(0, 0, GWEI, 1, 24_999, TxKind::Call(TO), data.clone());
    assert_eq!(
        reject(&pool, raw),
        "insufficient gas for floor data gas cost: gas 24999, minimum needed 25000"
    );
    pool.add_raw(eip1559_with(0, 0, GWEI, 1, 25_000, TxKind::Call(TO), data))
        .unwrap();
    // creation: 53000 + 2 per init code word
    let raw = eip1559_with(1, 0, GWEI, 1, 53_001, TxKind::Create, vec![0u8; 1].into());
    assert_eq!(
        reject(&pool, raw),
        "intrinsic gas too low: gas 53001, minimum needed 53006"
    );
    let raw = eip1559_with(1, 0, GWEI, 1, 30_000_001, TxKind::Call(TO), Bytes::new());
    assert_eq!(reject(&pool, raw), "exceeds block gas limit");
    let raw = eip7702(2, 0, 2, 70_999);
    assert_eq!(
        reject(&pool, raw),
        "intrinsic gas too low: gas 70999, minimum needed 71000"
    );
}

#[test]
fn init_code_limit() {
    let (pool, _) = pool();
    let raw = eip1559_with(
        0,
        0,
        GWEI,
        1,
        1_000_000,
        TxKind::Create,
        vec![0u8; 49_153].into(),
    );
    assert_eq!(
        reject(&pool, raw),
        "max initcode size exceeded: code size 49153, limit 49152"
    );
    let raw = eip1559_with(
        0,
        0,
        GWEI,
        1,
        1_000_000,
        TxKind::Create,
        vec![0u8; 49_152].into(),
    );
    pool.add_raw(raw).unwrap();
}

#[test]
fn fee_caps() {
    let (pool, _) = pool_with(PoolConfig::test().with_min_base_fee(GWEI), 2);
    assert_eq!(
        reject(&pool, eip1559(0, 0, GWEI, GWEI + 1)),
        "max priority fee per gas higher than max fee per gas"
    );
    assert_eq!(
        reject(&pool, eip1559(0, 0, GWEI - 1, 0)),
        "transaction underpriced: gas fee cap 999999999, minimum needed 1000000000"
    );
    pool.add_raw(eip1559(0, 0, GWEI, 0)).unwrap();
}

#[test]
fn empty_auth_list() {
    let (pool, _) = pool();
    assert_eq!(
        reject(&pool, eip7702(0, 0, 0, 100_000)),
        "EIP-7702 transaction with empty auth list"
    );
}
