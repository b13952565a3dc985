//! `eth_estimateGas`: transfers, the EIP-150 63/64 rule, failures at the cap, the balance cap.

use alloy::{
    rpc::types::state::EvmOverrides,
    sol_types::{Revert, SolError},
};
use alloy_primitives::{Address, Bytes, U256, address};
use revm::database::InMemoryDB;
use tributary_execution::{SimulationError, SimulationErrorKind};

use crate::utils::*;

const SENDER: Address = address!("0x00000000000000000000000000000000000000e5");
const RECIPIENT: Address = address!("0x00000000000000000000000000000000000000e6");
const FORWARDER: Address = address!("0x00000000000000000000000000000000000000f0");
const BURNER: Address = address!("0x00000000000000000000000000000000000000f1");

fn estimate(
    db: &InMemoryDB,
    request: &alloy::rpc::types::TransactionRequest,
) -> Result<u64, SimulationError> {
    simulator().estimate_gas(db, &block(), request, &EvmOverrides::default())
}

fn succeeds_with(
    db: &InMemoryDB,
    request: &alloy::rpc::types::TransactionRequest,
    gas: u64,
) -> bool {
    let mut request = request.clone();
    request.gas = Some(gas);
    simulator()
        .call(db, &block(), &request, &EvmOverrides::default())
        .unwrap()
        .is_success()
}

#[test]
fn a_transfer_needs_21000() {
    let mut db = InMemoryDB::default();
    fund(&mut db, SENDER, ETHER);
    let mut request = call_request(SENDER, RECIPIENT, Bytes::new());
    request.value = Some(U256::from(1_000));
    assert_eq!(estimate(&db, &request).unwrap(), 21_000);
    // also when paying a fee
    request.max_fee_per_gas = Some(2 * GWEI);
    assert_eq!(estimate(&db, &request).unwrap(), 21_000);
}

#[test]
fn a_gas_forwarding_call_needs_more_than_it_uses() {
    let mut db = InMemoryDB::default();
    set_code(&mut db, FORWARDER, &forwarder(BURNER));
    set_code(&mut db, BURNER, BURNER_CODE);
    let request = call_request(SENDER, FORWARDER, Bytes::new());

    let used = simulator()
        .call(&db, &block(), &request, &EvmOverrides::default())
        .unwrap()
        .gas_used;
    let estimate = estimate(&db, &request).unwrap();
    // the forwarder keeps 1/64 of its gas when it calls: running with just `used` starves the
    // sub-call, so the estimate must be higher
    assert!(estimate > used, "estimate {estimate} <= used {used}");
    assert!(!succeeds_with(&db, &request, used));
    assert!(succeeds_with(&db, &request, estimate));
    assert!(
        !succeeds_with(&db, &request, estimate - 1),
        "the estimate is the smallest gas that succeeds"
    );
}

#[test]
fn a_revert_at_the_cap_is_returned_with_its_data() {
    let mut db = InMemoryDB::default();
    let data = Revert::from("closed").abi_encode();
    set_code(&mut db, RECIPIENT, &revert_with(&data));
    let err = estimate(&db, &call_request(SENDER, RECIPIENT, Bytes::new())).unwrap_err();
    assert_eq!(err.kind(), SimulationErrorKind::Reverted);
    assert_eq!(err.to_string(), "execution reverted: closed");
    assert_eq!(err.revert_data().unwrap().as_ref(), data.as_slice());
}

#[test]
fn running_out_of_gas_at_the_cap_exceeds_the_allowance() {
    let mut db = InMemoryDB::default();
    set_code(&mut db, RECIPIENT, LOOP_CODE);
    let mut request = call_request(SENDER, RECIPIENT, Bytes::new());
    request.gas = Some(1_000_000);
    let err = estimate(&db, &request).unwrap_err();
    assert!(matches!(
        err,
        SimulationError::GasRequiredExceedsAllowance { cap: 1_000_000 }
    ));
    assert_eq!(err.to_string(), "gas required exceeds allowance (1000000)");
    assert_eq!(err.kind(), SimulationErrorKind::Failed);

    // without a request gas the cap is the block gas limit, or the RPC gas cap
    let err = simulator()
        .with_gas_cap(500_000)
        .estimate_gas(
            &db,
            &block(),
            &call_request(SENDER, RECIPIENT, Bytes::new()),
            &EvmOverrides::default(),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "gas required exceeds allowance (500000)");
}

#[test]
fn the_senders_balance_caps_the_search() {
    let mut db = InMemoryDB::default();
    set_code(&mut db, BURNER, BURNER_CODE);
    // enough for 30_000 gas at 1 gwei; the burner needs ~48k and runs out of gas at 30_000
    let price = GWEI;
    fund(&mut db, SENDER, 30_000 * price);
    let mut request = call_request(SENDER, BURNER, Bytes::new());
    request.gas_price = Some(price);
    let err = estimate(&db, &request).unwrap_err();
    assert_eq!(err.to_string(), "gas required exceeds allowance (30000)");

    // a transfer fits
    let transfer = alloy::rpc::types::TransactionRequest {
        gas_price: Some(price),
        ..call_request(SENDER, RECIPIENT, Bytes::new())
    };
    assert_eq!(estimate(&db, &transfer).unwrap(), 21_000);

    // sending the whole balance leaves nothing for gas
    let mut all = transfer;
    all.value = Some(U256::from(30_000 * price));
    let err = estimate(&db, &all).unwrap_err();
    assert!(matches!(err, SimulationError::InsufficientFundsForTransfer));
    assert_eq!(err.to_string(), "insufficient funds for transfer");
}

#[test]
fn the_l1_fee_is_not_part_of_the_estimate() {
    let mut db = InMemoryDB::default();
    crate::l1_fee::set_l1_block_values(&mut db);
    fund(&mut db, SENDER, ETHER);
    // large calldata to a plain account: the L1 fee would be large, the gas is only intrinsic
    let data: Bytes = vec![0xab; 1_000].into();
    let request = call_request(SENDER, RECIPIENT, data);
    let estimate = estimate(&db, &request).unwrap();
    // 21000 + 16 per non-zero byte (EIP-7623's floor is 21000 + 40 per byte for pure data)
    assert_eq!(estimate, 21_000 + 40 * 1_000);
}
