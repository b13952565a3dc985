//! Transactions invalid for the block are rejected without touching state; block gas accounting.

use alloy_primitives::{Address, Bytes, TxKind, U256, address};
use revm::{context::result::InvalidTransaction, database::InMemoryDB};
use tributary_execution::{BlockContext, RejectReason};

use crate::utils::*;

const RECIPIENT: Address = address!("0x00000000000000000000000000000000000000b2");

fn transfer(nonce: u64, gas_limit: u64) -> tributary_execution::BlockTx {
    sign(
        DEV_KEY_0,
        eip1559(nonce, TxKind::Call(RECIPIENT), 1, gas_limit, Bytes::new()),
    )
}

#[test]
fn nonce_too_high_is_rejected_without_state_change() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);

    let out = run(&db, vec![transfer(5, 21_000)]);
    assert!(out.transactions.is_empty());
    assert_eq!(out.gas_used, 0);
    assert_eq!(out.rejected.len(), 1);
    let r = &out.rejected[0];
    assert_eq!(r.index, 0);
    assert!(matches!(
        r.reason.invalid_transaction(),
        Some(InvalidTransaction::NonceTooHigh { tx: 5, state: 0 })
    ));
    assert!(r.reason.is_retryable());
    assert!(out.changes.is_empty(), "{:?}", out.changes);
    assert_eq!(out.transactions_root, alloy::consensus::EMPTY_ROOT_HASH);
    assert_eq!(out.receipts_root, alloy::consensus::EMPTY_ROOT_HASH);
}

#[test]
fn replayed_nonce_is_rejected_and_the_next_tx_still_runs() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);

    let first = transfer(0, 21_000);
    let replay = first.clone();
    let out = run(&db, vec![first, replay, transfer(1, 21_000)]);

    assert_eq!(
        out.transactions.iter().map(|t| t.index).collect::<Vec<_>>(),
        vec![0, 2]
    );
    assert_eq!(out.rejected.len(), 1);
    assert_eq!(out.rejected[0].index, 1);
    assert!(matches!(
        out.rejected[0].reason.invalid_transaction(),
        Some(InvalidTransaction::NonceTooLow { tx: 0, state: 1 })
    ));
    assert!(!out.rejected[0].reason.is_retryable());
    assert_eq!(nonce(&db, &out, sender), 2);
    assert_eq!(balance(&db, &out, RECIPIENT), U256::from(2));
    assert_eq!(out.transactions[1].receipt.cumulative_gas_used(), 42_000);
}

#[test]
fn insufficient_balance_is_rejected() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 1000);
    let out = run(&db, vec![transfer(0, 21_000)]);
    assert!(out.transactions.is_empty());
    assert!(matches!(
        out.rejected[0].reason.invalid_transaction(),
        Some(InvalidTransaction::LackOfFundForMaxFee { .. })
    ));
    assert!(out.changes.is_empty());
}

#[test]
fn wrong_chain_id_is_rejected() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    let mut tx = eip1559(0, TxKind::Call(RECIPIENT), 1, 21_000, Bytes::new());
    tx.chain_id = 1;
    let out = run(&db, vec![sign(DEV_KEY_0, tx)]);
    assert!(matches!(
        out.rejected[0].reason.invalid_transaction(),
        Some(InvalidTransaction::InvalidChainId)
    ));
}

#[test]
fn fee_cap_below_base_fee_is_rejected() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    let mut tx = eip1559(0, TxKind::Call(RECIPIENT), 1, 21_000, Bytes::new());
    tx.max_fee_per_gas = BASE_FEE as u128 - 1;
    tx.max_priority_fee_per_gas = 0;
    let out = run(&db, vec![sign(DEV_KEY_0, tx)]);
    assert!(matches!(
        out.rejected[0].reason.invalid_transaction(),
        Some(InvalidTransaction::GasPriceLessThanBasefee)
    ));
}

#[test]
fn tx_whose_gas_limit_exceeds_the_gas_left_is_rejected_for_this_block() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    let mut block = BlockContext::new(1, 1_700_000_000, 50_000, BASE_FEE);
    block.prevrandao = alloy_primitives::B256::repeat_byte(1);

    // the limit, not the use, is what must fit: 21k used by the first leaves 29k < 30k
    let txs = vec![
        transfer(0, 30_000),
        transfer(1, 30_000),
        transfer(1, 29_000),
    ];
    let out = executor().execute(&db, &block, &txs).unwrap();

    assert_eq!(
        out.transactions.iter().map(|t| t.index).collect::<Vec<_>>(),
        vec![0, 2]
    );
    assert_eq!(
        out.rejected[0].reason,
        RejectReason::BlockGasExhausted {
            gas_limit: 30_000,
            remaining: 29_000
        }
    );
    assert!(out.rejected[0].reason.is_retryable());
    assert_eq!(out.gas_used, 42_000);
}
