//! The change set is complete: applying it and executing the next block continues correctly.

use alloy_primitives::{Address, Bytes, TxKind, U256, address, keccak256};
use revm::{DatabaseRef, database::InMemoryDB};

use crate::utils::*;

const RECIPIENT: Address = address!("0x00000000000000000000000000000000000000f1");

#[test]
fn applying_the_change_set_lets_the_next_block_build_on_it() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    let depositor = address!("0x00000000000000000000000000000000000d0005");
    // block 1: a deposit funds the sender; the sender deploys a counter
    // counter runtime: SSTORE(0, SLOAD(0) + 1)
    let runtime = [0x5f, 0x54, 0x60, 0x01, 0x01, 0x5f, 0x55, 0x00];
    let mut initcode = vec![
        0x60, 8, 0x60, 12, 0x5f, 0x39, 0x60, 8, 0x5f, 0xf3, 0x00, 0x00,
    ];
    initcode.extend_from_slice(&runtime);
    // the first deposit bumps nothing of the sender; the second makes its nonce 1
    let counter = sender.create(1);
    let block1 = vec![
        deposit(depositor, TxKind::Call(sender), 0, 0, 50_000).into(),
        deposit(sender, TxKind::Call(sender), 10 * ETHER, 0, 50_000).into(),
        sign(
            DEV_KEY_0,
            eip1559(1, TxKind::Create, 0, 200_000, initcode.into()),
        ),
        sign(
            DEV_KEY_0,
            eip1559(2, TxKind::Call(counter), 0, 100_000, Bytes::new()),
        ),
    ];
    let out1 = run(&db, block1);
    assert!(out1.rejected.is_empty(), "{:?}", out1.rejected);
    assert!(out1.transactions.iter().all(|t| t.receipt.status()));
    apply(&mut db, &out1.changes);

    let on_disk = db.basic_ref(counter).unwrap().unwrap();
    assert_eq!(on_disk.code_hash, keccak256(runtime));
    assert_eq!(db.storage_ref(counter, U256::ZERO).unwrap(), U256::from(1));

    // block 2 continues from the applied state: nonce 3, counter goes to 2, value arrives
    let block2 = vec![
        sign(
            DEV_KEY_0,
            eip1559(3, TxKind::Call(counter), 0, 100_000, Bytes::new()),
        ),
        sign(
            DEV_KEY_0,
            eip1559(4, TxKind::Call(RECIPIENT), 9, 21_000, Bytes::new()),
        ),
    ];
    let out2 = run(&db, block2);
    assert!(out2.rejected.is_empty(), "{:?}", out2.rejected);
    assert_eq!(
        out2.changes.storage(&counter, U256::ZERO),
        Some(U256::from(2))
    );
    assert_eq!(nonce(&db, &out2, sender), 5);
    assert_eq!(balance(&db, &out2, RECIPIENT), U256::from(9));
}

#[test]
fn contract_destroyed_in_its_creation_tx_leaves_no_account() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    // initcode: SELFDESTRUCT(RECIPIENT) — EIP-6780 deletes it: created in the same tx
    let mut initcode = vec![0x73];
    initcode.extend_from_slice(RECIPIENT.as_slice());
    initcode.push(0xff);
    let created = sender.create(0);
    let tx = sign(
        DEV_KEY_0,
        eip1559(0, TxKind::Create, 1234, 100_000, initcode.into()),
    );
    let out = run(&db, vec![tx]);

    assert!(out.transactions[0].receipt.status());
    // the endowment moved on to the beneficiary of the selfdestruct
    assert_eq!(balance(&db, &out, RECIPIENT), U256::from(1234));
    match out.changes.account(&created) {
        None => {}
        Some(change) => assert_eq!(change.info, None, "{change:?}"),
    }
}
