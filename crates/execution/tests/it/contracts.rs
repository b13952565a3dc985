//! Contract creation, a call that emits a log, receipts, blooms and code in the change set.

use alloy_primitives::{B256, Bloom, BloomInput, Bytes, TxKind, U256, keccak256, logs_bloom};
use revm::database::InMemoryDB;

use crate::utils::*;

/// Runtime: `PUSH32 topic PUSH1 0 PUSH1 0 LOG1 STOP` (a log with one topic and no data).
fn runtime(topic: B256) -> Vec<u8> {
    let mut code = vec![0x7f];
    code.extend_from_slice(topic.as_slice());
    code.extend_from_slice(&[0x60, 0x00, 0x60, 0x00, 0xa1, 0x00]);
    code
}

/// Initcode: `CODECOPY(0, 12, len) RETURN(0, len)` followed by the runtime.
fn initcode(runtime: &[u8]) -> Vec<u8> {
    let len = u8::try_from(runtime.len()).unwrap();
    let mut code = vec![
        0x60, len, 0x60, 12, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3,
    ];
    assert_eq!(code.len(), 12);
    code.extend_from_slice(runtime);
    code
}

#[test]
fn deploy_then_call_emits_a_log_with_the_right_bloom() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    let topic = keccak256("Ping()");
    let runtime = runtime(topic);
    let contract = sender.create(0);

    let deploy = sign(
        DEV_KEY_0,
        eip1559(0, TxKind::Create, 0, 200_000, initcode(&runtime).into()),
    );
    let call = sign(
        DEV_KEY_0,
        eip1559(1, TxKind::Call(contract), 0, 100_000, Bytes::new()),
    );
    let out = run(&db, vec![deploy, call]);
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);

    let deployed = &out.transactions[0];
    assert!(deployed.receipt.status());
    assert_eq!(deployed.contract_address, Some(contract));
    assert_eq!(
        deployed.output.as_ref(),
        runtime.as_slice(),
        "a creation outputs the runtime"
    );
    assert!(deployed.receipt.logs().is_empty());
    assert_eq!(*deployed.receipt.logs_bloom(), Bloom::ZERO);

    let called = &out.transactions[1];
    assert!(called.receipt.status());
    assert_eq!(called.contract_address, None);
    let logs = called.receipt.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].address, contract);
    assert_eq!(logs[0].data.topics(), &[topic]);
    assert!(logs[0].data.data.is_empty());

    let bloom = *called.receipt.logs_bloom();
    assert_eq!(bloom, logs_bloom(logs.iter()));
    assert!(bloom.contains_input(BloomInput::Raw(contract.as_slice())));
    assert!(bloom.contains_input(BloomInput::Raw(topic.as_slice())));
    assert!(!bloom.contains_input(BloomInput::Raw(sender.as_slice())));
    assert_eq!(
        out.logs_bloom, bloom,
        "block bloom = union of receipt blooms"
    );
    assert_eq!(
        called.receipt.cumulative_gas_used(),
        deployed.gas_used + called.gas_used
    );

    let change = out.changes.account(&contract).unwrap();
    let account = change.info.unwrap();
    assert_eq!(account.code_hash, keccak256(&runtime));
    assert_eq!(account.nonce, 1, "EIP-161: contracts start at nonce 1");
    assert_eq!(
        out.changes.new_code(&contract).map(|c| c.as_ref()),
        Some(runtime.as_slice())
    );
    // the sender's code did not change
    assert!(out.changes.new_code(&sender).is_none());
}

#[test]
fn reverted_call_keeps_no_logs_and_reports_revert_data() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    let target = alloy_primitives::address!("0x00000000000000000000000000000000000000c1");
    // PUSH1 0xaa PUSH0 MSTORE8 ; LOG0(0, 1) ; REVERT(0, 1)
    set_code(
        &mut db,
        target,
        &[
            0x60, 0xaa, 0x5f, 0x53, 0x60, 0x01, 0x5f, 0xa0, 0x60, 0x01, 0x5f, 0xfd,
        ],
    );
    let call = sign(
        DEV_KEY_0,
        eip1559(0, TxKind::Call(target), 5, 100_000, Bytes::new()),
    );
    let out = run(&db, vec![call]);

    let executed = &out.transactions[0];
    assert!(!executed.receipt.status());
    assert!(executed.receipt.logs().is_empty());
    assert_eq!(executed.output.as_ref(), &[0xaa]);
    // fees are paid, value is not transferred, the nonce moves
    assert_eq!(balance(&db, &out, target), U256::ZERO);
    assert_eq!(nonce(&db, &out, sender), 1);
}

#[test]
fn storage_writes_appear_in_the_change_set() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    let target = alloy_primitives::address!("0x00000000000000000000000000000000000000c2");
    // SSTORE(5, CALLDATALOAD(0)); SSTORE(6, 0)
    set_code(
        &mut db,
        target,
        &[0x5f, 0x35, 0x60, 0x05, 0x55, 0x5f, 0x60, 0x06, 0x55, 0x00],
    );
    db.insert_account_storage(target, U256::from(6), U256::from(9))
        .unwrap();
    db.insert_account_storage(target, U256::from(7), U256::from(9))
        .unwrap();
    let word = B256::repeat_byte(0x11);
    let call = sign(
        DEV_KEY_0,
        eip1559(0, TxKind::Call(target), 0, 100_000, word.to_vec().into()),
    );
    let out = run(&db, vec![call]);

    let change = out.changes.account(&target).unwrap();
    assert!(!change.wipe_storage);
    let slots: Vec<(U256, U256)> = change
        .storage
        .iter()
        .map(|(k, v)| (U256::from_be_bytes(k.0), *v))
        .collect();
    // slot 5 set, slot 6 cleared (zero deletes), slot 7 untouched and absent
    assert_eq!(
        slots,
        vec![
            (U256::from(5), U256::from_be_bytes(word.0)),
            (U256::from(6), U256::ZERO)
        ]
    );
}
