//! `eth_call`: success, reverts (reason, custom error), halts, geth's fee and check rules,
//! state and block overrides.

use alloy::{
    rpc::types::{
        BlockOverrides, TransactionRequest,
        state::{AccountOverride, EvmOverrides, StateOverride},
    },
    sol_types::{Revert, SolError},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address};
use revm::database::InMemoryDB;
use tributary_execution::{CallOutcome, SimulationError, SimulationErrorKind, revert_reason};

use crate::utils::*;

const CONTRACT: Address = address!("0x00000000000000000000000000000000000000c0");
const CALLER: Address = address!("0x00000000000000000000000000000000000000ca");

fn no_overrides() -> EvmOverrides {
    EvmOverrides::default()
}

fn with_code(code: &[u8]) -> InMemoryDB {
    let mut db = InMemoryDB::default();
    set_code(&mut db, CONTRACT, code);
    db
}

fn word(n: u64) -> Bytes {
    B256::from(U256::from(n)).to_vec().into()
}

#[test]
fn call_returns_output_and_gas_without_committing() {
    let db = with_code(&return_with(b"hello"));
    let request = call_request(CALLER, CONTRACT, Bytes::new());
    let result = simulator()
        .call(&db, &block(), &request, &no_overrides())
        .unwrap();
    assert!(result.is_success());
    assert!(result.gas_used > 21_000);
    assert_eq!(result.into_output().unwrap().as_ref(), b"hello");
    // nothing was written: the caller still does not exist
    assert!(revm::DatabaseRef::basic_ref(&db, CALLER).unwrap().is_none());
}

#[test]
fn revert_carries_data_and_a_decoded_reason() {
    let data = Revert::from("not allowed").abi_encode();
    let db = with_code(&revert_with(&data));
    let result = simulator()
        .call(
            &db,
            &block(),
            &call_request(CALLER, CONTRACT, Bytes::new()),
            &no_overrides(),
        )
        .unwrap();
    assert_eq!(
        result.outcome,
        CallOutcome::Revert {
            output: data.clone().into()
        }
    );
    let err = result.into_output().unwrap_err();
    assert_eq!(err.kind(), SimulationErrorKind::Reverted);
    assert_eq!(err.to_string(), "execution reverted: not allowed");
    assert_eq!(err.revert_data().unwrap().as_ref(), data.as_slice());
}

#[test]
fn custom_error_data_is_returned_undecoded() {
    // error Unauthorized(address) with an argument
    let mut data = alloy_primitives::keccak256("Unauthorized(address)")[..4].to_vec();
    data.extend_from_slice(B256::left_padding_from(CALLER.as_slice()).as_slice());
    let db = with_code(&revert_with(&data));
    let err = simulator()
        .call(
            &db,
            &block(),
            &call_request(CALLER, CONTRACT, Bytes::new()),
            &no_overrides(),
        )
        .unwrap()
        .into_output()
        .unwrap_err();
    assert_eq!(err.to_string(), "execution reverted");
    assert_eq!(err.revert_data().unwrap().as_ref(), data.as_slice());
    assert_eq!(revert_reason(&data), None);
}

#[test]
fn halts_report_geth_reasons_and_use_all_gas() {
    let db = with_code(LOOP_CODE);
    let mut request = call_request(CALLER, CONTRACT, Bytes::new());
    request.gas = Some(100_000);
    let result = simulator()
        .call(&db, &block(), &request, &no_overrides())
        .unwrap();
    assert!(matches!(result.outcome, CallOutcome::Halt { .. }));
    assert_eq!(result.gas_used, 100_000);
    let err = result.into_output().unwrap_err();
    assert_eq!(err.to_string(), "out of gas");
    assert_eq!(err.kind(), SimulationErrorKind::Failed);

    let db = with_code(&[0xfe]);
    let err = simulator()
        .call(
            &db,
            &block(),
            &call_request(CALLER, CONTRACT, Bytes::new()),
            &no_overrides(),
        )
        .unwrap()
        .into_output()
        .unwrap_err();
    assert_eq!(err.to_string(), "invalid opcode: INVALID");
}

#[test]
fn creation_returns_the_runtime_code() {
    let runtime = [0x60, 0x2a, 0x00];
    // CODECOPY(0, 12, 3) RETURN(0, 3) + runtime
    let mut initcode = vec![
        0x60, 0x03, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x03, 0x60, 0x00, 0xf3,
    ];
    initcode.extend_from_slice(&runtime);
    let request = TransactionRequest {
        from: Some(CALLER),
        input: alloy::rpc::types::TransactionInput::new(initcode.into()),
        ..Default::default()
    };
    let output = simulator()
        .call(&InMemoryDB::default(), &block(), &request, &no_overrides())
        .unwrap()
        .into_output()
        .unwrap();
    assert_eq!(output.as_ref(), &runtime);
}

#[test]
fn free_calls_skip_nonce_code_and_base_fee_checks() {
    // BASEFEE: a call that pays nothing sees base fee 0, as in geth
    let db = with_code(&[0x48, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3]);
    let mut request = call_request(CONTRACT, CONTRACT, Bytes::new());
    // any nonce, and a sender with code (EIP-3607 is not checked for calls)
    request.nonce = Some(999);
    let output = simulator()
        .call(&db, &block(), &request, &no_overrides())
        .unwrap()
        .into_output()
        .unwrap();
    assert_eq!(output, word(0));

    // a call that pays sees the block's base fee and must be funded
    request.from = Some(CALLER);
    request.max_fee_per_gas = Some(2 * GWEI);
    let err = simulator()
        .call(&db, &block(), &request, &no_overrides())
        .unwrap_err();
    assert_eq!(err.kind(), SimulationErrorKind::Rejected);
    assert!(
        err.to_string()
            .starts_with("insufficient funds for gas * price + value"),
        "{err}"
    );

    let mut funded = db.clone();
    fund(&mut funded, CALLER, ETHER);
    request.gas = None;
    let output = simulator()
        .call(&funded, &block(), &request, &no_overrides())
        .unwrap()
        .into_output()
        .unwrap();
    assert_eq!(output, word(BASE_FEE));

    // a fee cap below the base fee is refused with geth's message
    request.max_fee_per_gas = Some(1);
    let err = simulator()
        .call(&funded, &block(), &request, &no_overrides())
        .unwrap_err();
    assert_eq!(err.to_string(), "max fee per gas less than block base fee");
}

#[test]
fn bad_requests_are_user_errors() {
    let db = with_code(&return_with(b""));
    let mut request = call_request(CALLER, CONTRACT, Bytes::new());
    request.gas = Some(20_000);
    let err = simulator()
        .call(&db, &block(), &request, &no_overrides())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "intrinsic gas too low: have 20000, want 21000"
    );
    assert_eq!(err.kind(), SimulationErrorKind::Rejected);

    // value without balance
    request.gas = None;
    request.value = Some(U256::from(1));
    let err = simulator()
        .call(&db, &block(), &request, &no_overrides())
        .unwrap_err();
    assert!(err.to_string().starts_with("insufficient funds"), "{err}");

    let both = TransactionRequest {
        gas_price: Some(1),
        max_fee_per_gas: Some(1),
        ..call_request(CALLER, CONTRACT, Bytes::new())
    };
    let err = simulator()
        .call(&db, &block(), &both, &no_overrides())
        .unwrap_err();
    assert_eq!(err.kind(), SimulationErrorKind::InvalidParams);
}

#[test]
fn gas_above_the_cap_is_capped() {
    let db = with_code(LOOP_CODE);
    let mut request = call_request(CALLER, CONTRACT, Bytes::new());
    request.gas = Some(u64::MAX);
    let capped = simulator().with_gas_cap(200_000);
    let result = capped
        .call(&db, &block(), &request, &no_overrides())
        .unwrap();
    assert_eq!(result.gas_used, 200_000);
    // without a request gas, the call gets the cap
    request.gas = None;
    let result = simulator()
        .call(&db, &block(), &request, &no_overrides())
        .unwrap();
    assert_eq!(result.gas_used, block().gas_limit);
}

#[test]
fn state_overrides_replace_balance_code_and_storage() {
    let mut db = with_code(SLOT0_CODE);
    db.insert_account_storage(CONTRACT, U256::ZERO, U256::from(7))
        .unwrap();
    let request = call_request(CALLER, CONTRACT, Bytes::new());
    let run = |overrides: StateOverride| {
        simulator()
            .call(
                &db,
                &block(),
                &request,
                &EvmOverrides::state(Some(overrides)),
            )
            .unwrap()
            .into_output()
            .unwrap()
    };
    let slot0 = |v: u64| -> alloy_primitives::map::B256HashMap<B256> {
        [(B256::ZERO, B256::from(U256::from(v)))]
            .into_iter()
            .collect()
    };

    assert_eq!(run(StateOverride::default()), word(7));
    let diff = AccountOverride {
        state_diff: Some(slot0(9)),
        ..Default::default()
    };
    assert_eq!(run([(CONTRACT, diff)].into_iter().collect()), word(9));
    // a full `state` replacement clears the other slots, slot 0 included
    let state = AccountOverride {
        state: Some(
            [(B256::with_last_byte(1), B256::with_last_byte(1))]
                .into_iter()
                .collect(),
        ),
        ..Default::default()
    };
    assert_eq!(run([(CONTRACT, state)].into_iter().collect()), word(0));
    // new code at the address
    let code = AccountOverride {
        code: Some(return_with(b"other").into()),
        ..Default::default()
    };
    assert_eq!(
        run([(CONTRACT, code)].into_iter().collect()).as_ref(),
        b"other"
    );

    // a balance override funds a value transfer the sender could not make
    let mut send = call_request(CALLER, CONTRACT, Bytes::new());
    send.value = Some(U256::from(ETHER));
    assert!(
        simulator()
            .call(&db, &block(), &send, &no_overrides())
            .is_err()
    );
    let rich = AccountOverride {
        balance: Some(U256::from(2 * ETHER)),
        ..Default::default()
    };
    let overrides = EvmOverrides::state(Some([(CALLER, rich)].into_iter().collect()));
    assert!(
        simulator()
            .call(&db, &block(), &send, &overrides)
            .unwrap()
            .is_success()
    );

    let bad = AccountOverride {
        state: Some(slot0(1)),
        state_diff: Some(slot0(1)),
        ..Default::default()
    };
    let err = simulator()
        .call(
            &db,
            &block(),
            &request,
            &EvmOverrides::state(Some([(CONTRACT, bad)].into_iter().collect())),
        )
        .unwrap_err();
    assert_eq!(err.kind(), SimulationErrorKind::InvalidParams);
}

#[test]
fn block_overrides_set_the_header_fields() {
    // NUMBER, TIMESTAMP, COINBASE, PREVRANDAO, GASLIMIT into memory words 0..5, return them
    let code = [
        0x43, 0x5f, 0x52, 0x42, 0x60, 0x20, 0x52, 0x41, 0x60, 0x40, 0x52, 0x44, 0x60, 0x60, 0x52,
        0x45, 0x60, 0x80, 0x52, 0x60, 0xa0, 0x5f, 0xf3,
    ];
    let db = with_code(&code);
    let coinbase = address!("0x00000000000000000000000000000000000c0b0b");
    let random = B256::repeat_byte(0x77);
    let overrides = BlockOverrides {
        number: Some(U256::from(1234)),
        time: Some(5_000),
        coinbase: Some(coinbase),
        random: Some(random),
        gas_limit: Some(10_000_000),
        ..Default::default()
    };
    let output = simulator()
        .call(
            &db,
            &block(),
            &call_request(CALLER, CONTRACT, Bytes::new()),
            &EvmOverrides::block(Some(Box::new(overrides))),
        )
        .unwrap()
        .into_output()
        .unwrap();
    let words: Vec<U256> = output.chunks(32).map(U256::from_be_slice).collect();
    assert_eq!(words[0], U256::from(1234));
    assert_eq!(words[1], U256::from(5_000));
    assert_eq!(words[2], U256::from_be_slice(coinbase.as_slice()));
    assert_eq!(words[3], U256::from_be_bytes(random.0));
    assert_eq!(words[4], U256::from(10_000_000));

    let beacon = BlockOverrides {
        beacon_root: Some(B256::ZERO),
        ..Default::default()
    };
    let err = simulator()
        .call(
            &db,
            &block(),
            &call_request(CALLER, CONTRACT, Bytes::new()),
            &EvmOverrides::block(Some(Box::new(beacon))),
        )
        .unwrap_err();
    assert!(matches!(err, SimulationError::InvalidBlockOverride { .. }));
}

#[test]
fn calls_pay_no_l1_fee() {
    // with L1 fee parameters set, a sender funded for exactly its L2 gas can still call: the L1
    // fee is not charged to calls (op-geth)
    let mut db = with_code(&return_with(b""));
    crate::l1_fee::set_l1_block_values(&mut db);
    let sender = CALLER;
    let gas = 30_000u64;
    fund(&mut db, sender, u128::from(gas) * u128::from(BASE_FEE));
    let request = TransactionRequest {
        gas: Some(gas),
        gas_price: Some(u128::from(BASE_FEE)),
        to: Some(TxKind::Call(CONTRACT)),
        from: Some(sender),
        ..Default::default()
    };
    assert!(
        simulator()
            .call(&db, &block(), &request, &no_overrides())
            .unwrap()
            .is_success()
    );
}
