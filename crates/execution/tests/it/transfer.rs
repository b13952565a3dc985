//! A signed EIP-1559 transfer: value moves, base fee to BaseFeeVault, tip to SequencerFeeVault.

use alloy_primitives::{Address, Bytes, TxKind, U256, address};
use op_alloy_consensus::{OpReceiptEnvelope, OpTxType};
use revm::database::InMemoryDB;
use tributary_primitives::predeploys::{BASE_FEE_VAULT, L1_FEE_VAULT, SEQUENCER_FEE_VAULT};

use crate::utils::*;

const RECIPIENT: Address = address!("0x00000000000000000000000000000000000000b0");

#[test]
fn eip1559_transfer_moves_value_and_pays_the_vaults() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);

    let tx = sign(
        DEV_KEY_0,
        eip1559(0, TxKind::Call(RECIPIENT), ETHER, 21_000, Bytes::new()),
    );
    let out = run(&db, vec![tx]);

    assert!(out.rejected.is_empty());
    assert_eq!(out.transactions.len(), 1);
    let executed = &out.transactions[0];
    assert_eq!(executed.gas_used, 21_000);
    assert_eq!(out.gas_used, 21_000);
    assert_eq!(executed.sender, sender);
    assert!(!executed.is_deposit);
    // no L1 fee parameters in state: the L1 fee is zero
    assert_eq!(executed.l1_fee, U256::ZERO);

    let base = U256::from(21_000u128 * BASE_FEE as u128);
    // effective tip = min(tip, fee cap - base fee) = 1 gwei
    let tip = U256::from(21_000u128 * GWEI);
    assert_eq!(balance(&db, &out, RECIPIENT), U256::from(ETHER));
    assert_eq!(
        balance(&db, &out, sender),
        U256::from(9 * ETHER) - base - tip
    );
    assert_eq!(balance(&db, &out, BASE_FEE_VAULT), base);
    assert_eq!(balance(&db, &out, SEQUENCER_FEE_VAULT), tip);
    assert_eq!(balance(&db, &out, L1_FEE_VAULT), U256::ZERO);
    assert_eq!(nonce(&db, &out, sender), 1);

    let receipt = &executed.receipt;
    assert!(matches!(receipt, OpReceiptEnvelope::Eip1559(_)));
    assert_eq!(receipt.tx_type(), OpTxType::Eip1559);
    assert!(receipt.status());
    assert_eq!(receipt.cumulative_gas_used(), 21_000);
    assert!(receipt.logs().is_empty());
    assert_eq!(receipt.deposit_nonce(), None);
}

#[test]
fn transfer_change_set_lists_exactly_the_touched_accounts() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    let tx = sign(
        DEV_KEY_0,
        eip1559(0, TxKind::Call(RECIPIENT), ETHER, 21_000, Bytes::new()),
    );
    let out = run(&db, vec![tx]);

    let changed: Vec<Address> = out.changes.accounts.keys().copied().collect();
    let mut expected = vec![sender, RECIPIENT, BASE_FEE_VAULT, SEQUENCER_FEE_VAULT];
    expected.sort();
    assert_eq!(
        changed, expected,
        "empty vaults credited with zero must not appear"
    );
    for change in out.changes.accounts.values() {
        assert!(change.storage.is_empty());
        assert!(!change.wipe_storage);
    }
    assert!(out.changes.code.is_empty());
}

#[test]
fn tip_is_capped_by_the_fee_cap() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    let mut tx = eip1559(0, TxKind::Call(RECIPIENT), 0, 21_000, Bytes::new());
    // tip 1.5 gwei, but only 0.5 gwei fits under the fee cap above the 1 gwei base fee
    tx.max_fee_per_gas = BASE_FEE as u128 + GWEI / 2;
    tx.max_priority_fee_per_gas = BASE_FEE as u128 + GWEI / 2;
    let out = run(&db, vec![sign(DEV_KEY_0, tx)]);
    assert_eq!(
        balance(&db, &out, SEQUENCER_FEE_VAULT),
        U256::from(21_000u128 * GWEI / 2)
    );
}
