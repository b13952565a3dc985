//! `eth_createAccessList`: the slots a call reads, without its sender and recipient.

use alloy::{
    eips::eip2930::{AccessList, AccessListItem},
    rpc::types::state::EvmOverrides,
};
use alloy_primitives::{Address, B256, Bytes, address};
use revm::database::InMemoryDB;

use crate::utils::*;

const SENDER: Address = address!("0x00000000000000000000000000000000000000a5");
const FORWARDER: Address = address!("0x00000000000000000000000000000000000000a6");
const READER: Address = address!("0x00000000000000000000000000000000000000a7");

#[test]
fn lists_the_slots_read_by_a_called_contract() {
    let mut db = InMemoryDB::default();
    set_code(&mut db, FORWARDER, &forwarder(READER));
    set_code(&mut db, READER, READER_CODE);
    let request = call_request(SENDER, FORWARDER, Bytes::new());

    let result = simulator()
        .create_access_list(&db, &block(), &request, &EvmOverrides::default())
        .unwrap();
    assert_eq!(result.error, None);
    // the sender and the recipient (FORWARDER) are warm anyway and left out
    assert_eq!(
        result.access_list,
        AccessList(vec![AccessListItem {
            address: READER,
            storage_keys: vec![B256::with_last_byte(1), B256::with_last_byte(2)],
        }])
    );

    // the gas is what the call uses with that list
    let mut with_list = request.clone();
    with_list.access_list = Some(result.access_list.clone());
    let call = simulator()
        .call(&db, &block(), &with_list, &EvmOverrides::default())
        .unwrap();
    assert_eq!(result.gas_used, alloy_primitives::U256::from(call.gas_used));
    let without = simulator()
        .call(&db, &block(), &request, &EvmOverrides::default())
        .unwrap();
    assert_ne!(call.gas_used, without.gas_used, "the list changes the cost");
}

#[test]
fn a_reverting_call_reports_its_error_in_the_result() {
    let mut db = InMemoryDB::default();
    set_code(&mut db, READER, REVERT_CODE);
    let result = simulator()
        .create_access_list(
            &db,
            &block(),
            &call_request(SENDER, READER, Bytes::new()),
            &EvmOverrides::default(),
        )
        .unwrap();
    assert_eq!(result.error.as_deref(), Some("execution reverted"));
    assert!(result.access_list.0.is_empty());
}
