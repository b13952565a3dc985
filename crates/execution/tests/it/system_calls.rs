//! EIP-4788 and EIP-2935 pre-block system calls.

use alloy::eips::{
    eip2935::{HISTORY_SERVE_WINDOW, HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE},
    eip4788::{BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE, SYSTEM_ADDRESS},
};
use alloy_primitives::{B256, U256, keccak256};
use revm::database::InMemoryDB;
use tributary_execution::BlockContext;

use crate::utils::*;

fn with_system_contracts() -> InMemoryDB {
    let mut db = InMemoryDB::default();
    set_code(&mut db, HISTORY_STORAGE_ADDRESS, &HISTORY_STORAGE_CODE);
    set_code(&mut db, BEACON_ROOTS_ADDRESS, &BEACON_ROOTS_CODE);
    db
}

#[test]
fn parent_hash_and_beacon_root_are_stored_before_the_block() {
    let db = with_system_contracts();
    let mut block = block();
    block.number = 10_000;
    block.parent_hash = keccak256("block 9999");
    block.parent_beacon_block_root = keccak256("beacon");
    let out = executor().execute(&db, &block, &[]).unwrap();

    // EIP-2935: slot (number - 1) % 8191 holds the parent hash
    let history = out.changes.account(&HISTORY_STORAGE_ADDRESS).unwrap();
    let slot = U256::from((block.number - 1) % HISTORY_SERVE_WINDOW as u64);
    assert_eq!(
        out.changes.storage(&HISTORY_STORAGE_ADDRESS, slot),
        Some(U256::from_be_bytes(block.parent_hash.0))
    );
    assert_eq!(history.storage.len(), 1);

    // EIP-4788: slot t % 8191 holds the timestamp, slot t % 8191 + 8191 the root
    let t = U256::from(block.timestamp % 8191);
    assert_eq!(
        out.changes.storage(&BEACON_ROOTS_ADDRESS, t),
        Some(U256::from(block.timestamp))
    );
    assert_eq!(
        out.changes
            .storage(&BEACON_ROOTS_ADDRESS, t + U256::from(8191)),
        Some(U256::from_be_bytes(block.parent_beacon_block_root.0))
    );

    // system calls pay nothing and leave the caller and coinbase alone
    assert!(out.changes.account(&SYSTEM_ADDRESS).is_none());
    assert!(out.changes.account(&block.beneficiary).is_none());
    assert_eq!(out.gas_used, 0);
    assert_eq!(out.changes.accounts.len(), 2);
}

#[test]
fn no_system_calls_without_the_contracts() {
    let db = InMemoryDB::default();
    let out = run(&db, vec![]);
    assert!(out.changes.is_empty());
}

#[test]
fn no_system_calls_at_genesis() {
    let db = with_system_contracts();
    let block = BlockContext {
        number: 0,
        parent_hash: B256::ZERO,
        ..block()
    };
    let out = executor().execute(&db, &block, &[]).unwrap();
    assert!(out.changes.is_empty());
}
