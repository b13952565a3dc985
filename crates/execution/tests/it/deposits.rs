//! Deposits: minting, value, failure semantics and their receipts.

use alloy_primitives::{Address, Bytes, TxKind, U256, address};
use op_alloy_consensus::{OpReceiptEnvelope, OpTxType};
use revm::database::InMemoryDB;
use tributary_execution::{BlockTx, DEPOSIT_RECEIPT_VERSION, ExecutionError};
use tributary_primitives::predeploys::{BASE_FEE_VAULT, SEQUENCER_FEE_VAULT};

use crate::utils::*;

const DEPOSITOR: Address = address!("0x00000000000000000000000000000000000d0001");
const TARGET: Address = address!("0x00000000000000000000000000000000000d0002");

#[test]
fn deposit_mints_native_balance_to_its_sender() {
    let db = InMemoryDB::default();
    let d = deposit(DEPOSITOR, TxKind::Call(TARGET), 5 * ETHER, 0, 100_000);
    let out = run(&db, vec![d.into()]);

    assert!(out.rejected.is_empty());
    assert_eq!(balance(&db, &out, DEPOSITOR), U256::from(5 * ETHER));
    assert_eq!(nonce(&db, &out, DEPOSITOR), 1);
    let executed = &out.transactions[0];
    assert!(executed.is_deposit);
    assert_eq!(executed.l1_fee, U256::ZERO);
    // a plain call to an empty account costs the intrinsic gas (Regolith: real gas used)
    assert_eq!(executed.gas_used, 21_000);
    let receipt = &executed.receipt;
    assert!(matches!(receipt, OpReceiptEnvelope::Deposit(_)));
    assert_eq!(receipt.tx_type(), OpTxType::Deposit);
    assert!(receipt.status());
    assert_eq!(receipt.deposit_nonce(), Some(0));
    assert_eq!(
        receipt.deposit_receipt_version(),
        Some(DEPOSIT_RECEIPT_VERSION)
    );
    // deposits pay no L2 fees
    assert_eq!(balance(&db, &out, BASE_FEE_VAULT), U256::ZERO);
    assert_eq!(balance(&db, &out, SEQUENCER_FEE_VAULT), U256::ZERO);
}

#[test]
fn deposit_value_is_paid_from_the_mint() {
    let db = InMemoryDB::default();
    let d = deposit(
        DEPOSITOR,
        TxKind::Call(TARGET),
        5 * ETHER,
        2 * ETHER,
        100_000,
    );
    let out = run(&db, vec![d.into()]);
    assert_eq!(balance(&db, &out, DEPOSITOR), U256::from(3 * ETHER));
    assert_eq!(balance(&db, &out, TARGET), U256::from(2 * ETHER));
}

#[test]
fn deposit_nonce_in_receipt_is_the_nonce_before_execution() {
    let mut db = InMemoryDB::default();
    let info = revm::state::AccountInfo {
        nonce: 7,
        ..Default::default()
    };
    db.insert_account_info(DEPOSITOR, info);
    let d = deposit(DEPOSITOR, TxKind::Call(TARGET), ETHER, 0, 100_000);
    let out = run(&db, vec![d.into()]);
    assert_eq!(out.transactions[0].receipt.deposit_nonce(), Some(7));
    assert_eq!(nonce(&db, &out, DEPOSITOR), 8);
}

#[test]
fn reverted_deposit_still_mints_and_bumps_the_nonce() {
    let mut db = InMemoryDB::default();
    set_code(&mut db, TARGET, REVERT_CODE);
    let d = deposit(DEPOSITOR, TxKind::Call(TARGET), 3 * ETHER, ETHER, 100_000);
    let out = run(&db, vec![d.into()]);

    assert!(out.rejected.is_empty(), "a deposit is never rejected");
    let executed = &out.transactions[0];
    assert!(!executed.receipt.status());
    // the mint stays, the value transfer is undone
    assert_eq!(balance(&db, &out, DEPOSITOR), U256::from(3 * ETHER));
    assert_eq!(balance(&db, &out, TARGET), U256::ZERO);
    assert_eq!(nonce(&db, &out, DEPOSITOR), 1);
    assert_eq!(executed.receipt.deposit_nonce(), Some(0));
    // revert: gas actually used, not the limit
    assert!(executed.gas_used > 21_000 && executed.gas_used < 100_000);
}

#[test]
fn out_of_gas_deposit_still_mints_bumps_the_nonce_and_uses_its_gas_limit() {
    let mut db = InMemoryDB::default();
    set_code(&mut db, TARGET, LOOP_CODE);
    let d = deposit(DEPOSITOR, TxKind::Call(TARGET), 3 * ETHER, ETHER, 50_000);
    let out = run(&db, vec![d.into()]);

    let executed = &out.transactions[0];
    assert!(!executed.receipt.status());
    assert_eq!(
        executed.gas_used, 50_000,
        "a failed deposit reports its whole gas limit"
    );
    assert_eq!(out.gas_used, 50_000);
    assert_eq!(balance(&db, &out, DEPOSITOR), U256::from(3 * ETHER));
    assert_eq!(balance(&db, &out, TARGET), U256::ZERO);
    assert_eq!(nonce(&db, &out, DEPOSITOR), 1);
}

#[test]
fn deposit_below_intrinsic_gas_fails_but_mints() {
    let db = InMemoryDB::default();
    let d = deposit(DEPOSITOR, TxKind::Call(TARGET), ETHER, 0, 1_000);
    let out = run(&db, vec![d.into()]);
    assert!(out.rejected.is_empty());
    let executed = &out.transactions[0];
    assert!(!executed.receipt.status());
    assert_eq!(executed.gas_used, 1_000);
    assert_eq!(balance(&db, &out, DEPOSITOR), U256::from(ETHER));
    assert_eq!(nonce(&db, &out, DEPOSITOR), 1);
}

#[test]
fn deposit_funds_a_signed_tx_later_in_the_same_block() {
    let db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    let d = deposit(sender, TxKind::Call(sender), ETHER, 0, 100_000);
    // the deposit bumps the nonce to 1
    let t = sign(
        DEV_KEY_0,
        eip1559(1, TxKind::Call(TARGET), 1000, 21_000, Bytes::new()),
    );
    let out = run(&db, vec![d.into(), t]);
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
    assert_eq!(out.transactions.len(), 2);
    assert_eq!(balance(&db, &out, TARGET), U256::from(1000));
    assert_eq!(out.transactions[1].receipt.cumulative_gas_used(), 42_000);
}

#[test]
fn deposit_without_source_hash_is_an_error() {
    let db = InMemoryDB::default();
    let mut d = deposit(DEPOSITOR, TxKind::Call(TARGET), ETHER, 0, 100_000);
    d.source_hash = Default::default();
    let err = executor()
        .execute(&db, &block(), &[BlockTx::Deposit(d)])
        .unwrap_err();
    assert!(matches!(
        err,
        ExecutionError::DepositWithoutSourceHash { index: 0 }
    ));
    assert!(!err.is_fatal());
}
