//! `debug_traceCall` and `debug_traceTransaction` with geth's tracers.

use alloy::{
    rpc::types::state::EvmOverrides,
    sol_types::{Revert, SolError},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256};
use alloy_rpc_types_trace::geth::{
    CallConfig, GethDebugBuiltInTracerType, GethDebugTracingCallOptions, GethDebugTracingOptions,
    GethDefaultTracingOptions, GethTrace, PreStateConfig, PreStateFrame,
};
use revm::database::InMemoryDB;
use tributary_execution::{BlockTx, SimulationError, SimulationErrorKind};

use crate::utils::*;

const FORWARDER: Address = address!("0x00000000000000000000000000000000000000d0");
const CALLEE: Address = address!("0x00000000000000000000000000000000000000d1");
const COUNTER: Address = address!("0x00000000000000000000000000000000000000d2");

fn call_opts(tracing_options: GethDebugTracingOptions) -> GethDebugTracingCallOptions {
    GethDebugTracingCallOptions::new(tracing_options)
}

fn trace_call(db: &InMemoryDB, to: Address, opts: GethDebugTracingOptions) -> GethTrace {
    let sender = signer(DEV_KEY_0).address();
    simulator()
        .trace_call(
            db,
            &block(),
            &call_request(sender, to, Bytes::new()),
            &call_opts(opts),
        )
        .unwrap()
}

#[test]
fn struct_logs_follow_the_opcodes_and_match_the_receipt_gas() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, ETHER);
    set_code(&mut db, CALLEE, READER_CODE);
    db.insert_account_storage(CALLEE, U256::from(2), U256::from(5))
        .unwrap();
    let gas_limit = 100_000;
    let txs = vec![sign(
        DEV_KEY_0,
        eip1559(0, TxKind::Call(CALLEE), 0, gas_limit, Bytes::new()),
    )];
    let out = run(&db, txs.clone());
    let receipt_gas = out.transactions[0].gas_used;

    let frame = simulator()
        .trace_transaction(&db, &block(), &txs, 0, &GethDebugTracingOptions::default())
        .unwrap()
        .try_into_default_frame()
        .unwrap();
    assert!(!frame.failed);
    assert_eq!(frame.gas, receipt_gas);
    let ops: Vec<&str> = frame.struct_logs.iter().map(|l| l.op.as_ref()).collect();
    assert_eq!(
        ops,
        ["PUSH1", "SLOAD", "POP", "PUSH1", "SLOAD", "POP", "STOP"]
    );
    let logs = &frame.struct_logs;
    assert_eq!(logs[0].gas, gas_limit - 21_000);
    for pair in logs.windows(2) {
        assert_eq!(
            pair[1].gas,
            pair[0].gas - pair[0].gas_cost,
            "at {}",
            pair[0].op
        );
    }
    assert_eq!(logs[1].gas_cost, 2_100, "cold SLOAD");
    let executed: u64 = logs.iter().map(|l| l.gas_cost).sum();
    assert_eq!(21_000 + executed, receipt_gas);
    // the stack and the storage read are recorded by default, memory is not
    assert_eq!(logs[1].stack.as_deref(), Some(&[U256::from(1)][..]));
    let read = logs[4].storage.as_ref().unwrap();
    assert_eq!(
        read.get(&B256::with_last_byte(2)),
        Some(&B256::from(U256::from(5)))
    );
    assert!(logs.iter().all(|l| l.memory.is_none()));

    let lean = GethDebugTracingOptions {
        config: GethDefaultTracingOptions::default()
            .disable_stack()
            .disable_storage(),
        ..Default::default()
    };
    let frame = simulator()
        .trace_transaction(&db, &block(), &txs, 0, &lean)
        .unwrap()
        .try_into_default_frame()
        .unwrap();
    assert!(
        frame
            .struct_logs
            .iter()
            .all(|l| l.stack.is_none() && l.storage.is_none())
    );
}

#[test]
fn call_tracer_shows_nested_calls_and_reverts() {
    let mut db = InMemoryDB::default();
    let data = Revert::from("nope").abi_encode();
    set_code(&mut db, FORWARDER, &forwarder(CALLEE));
    set_code(&mut db, CALLEE, &revert_with(&data));

    let opts = GethDebugTracingOptions::call_tracer(CallConfig::default());
    let frame = trace_call(&db, FORWARDER, opts)
        .try_into_call_frame()
        .unwrap();
    let sender = signer(DEV_KEY_0).address();
    assert_eq!(frame.typ, "CALL");
    assert_eq!((frame.from, frame.to), (sender, Some(FORWARDER)));
    assert_eq!(frame.error.as_deref(), Some("execution reverted"));
    assert_eq!(frame.calls.len(), 1);
    let inner = &frame.calls[0];
    assert_eq!(inner.typ, "CALL");
    assert_eq!((inner.from, inner.to), (FORWARDER, Some(CALLEE)));
    assert_eq!(inner.error.as_deref(), Some("execution reverted"));
    assert_eq!(inner.revert_reason.as_deref(), Some("nope"));
    assert_eq!(
        inner.output.as_ref().map(|o| o.to_vec()),
        Some(data.clone())
    );

    let call = simulator()
        .call(
            &db,
            &block(),
            &call_request(sender, FORWARDER, Bytes::new()),
            &EvmOverrides::default(),
        )
        .unwrap();
    assert_eq!(frame.gas_used, U256::from(call.gas_used));

    let top_only = GethDebugTracingOptions::call_tracer(CallConfig {
        only_top_call: Some(true),
        with_log: None,
    });
    let frame = trace_call(&db, FORWARDER, top_only)
        .try_into_call_frame()
        .unwrap();
    assert!(frame.calls.is_empty());
}

#[test]
fn call_tracer_with_logs() {
    let mut db = InMemoryDB::default();
    let topic = keccak256("Ping()");
    // PUSH32 topic PUSH0 PUSH0 LOG1 STOP
    let mut logger = vec![0x7f];
    logger.extend_from_slice(topic.as_slice());
    logger.extend_from_slice(&[0x5f, 0x5f, 0xa1, 0x00]);
    set_code(&mut db, FORWARDER, &forwarder(CALLEE));
    set_code(&mut db, CALLEE, &logger);

    let with_log = GethDebugTracingOptions::call_tracer(CallConfig {
        only_top_call: None,
        with_log: Some(true),
    });
    let frame = trace_call(&db, FORWARDER, with_log)
        .try_into_call_frame()
        .unwrap();
    assert_eq!(frame.error, None);
    let logs = &frame.calls[0].logs;
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].address, Some(CALLEE));
    assert_eq!(logs[0].topics.as_deref(), Some(&[topic][..]));
    assert!(frame.logs.is_empty(), "the log belongs to the inner call");
}

#[test]
fn trace_transaction_replays_the_block_up_to_the_traced_tx() {
    let mut db = InMemoryDB::default();
    set_code(&mut db, COUNTER, COUNTER_CODE);
    let sender = signer(DEV_KEY_0).address();
    // the sender is funded by the block's first transaction, a deposit from L1
    let depositor = address!("0x00000000000000000000000000000000000d0001");
    let txs = vec![
        BlockTx::Deposit(deposit(
            depositor,
            TxKind::Call(sender),
            ETHER,
            ETHER,
            100_000,
        )),
        sign(
            DEV_KEY_0,
            eip1559(0, TxKind::Call(COUNTER), 0, 100_000, Bytes::new()),
        ),
        sign(
            DEV_KEY_0,
            eip1559(1, TxKind::Call(COUNTER), 0, 100_000, Bytes::new()),
        ),
    ];
    let out = run(&db, txs.clone());
    assert!(out.all_included(), "{:?}", out.rejected);
    // the first increment writes a fresh slot, the second a dirty one: different gas
    assert_ne!(out.transactions[1].gas_used, out.transactions[2].gas_used);
    let receipt_gas = out.transactions[2].gas_used;

    let trace = |opts: GethDebugTracingOptions| {
        simulator()
            .trace_transaction(&db, &block(), &txs, 2, &opts)
            .unwrap()
    };
    let frame = trace(GethDebugTracingOptions::default())
        .try_into_default_frame()
        .unwrap();
    assert_eq!(frame.gas, receipt_gas);
    let calls = trace(GethDebugTracingOptions::call_tracer(CallConfig::default()))
        .try_into_call_frame()
        .unwrap();
    assert_eq!(calls.gas_used, U256::from(receipt_gas));
    assert_eq!(calls.from, sender);

    // the prestate is the state after the first two transactions
    let diff = GethDebugTracingOptions::prestate_tracer(PreStateConfig {
        diff_mode: Some(true),
        ..Default::default()
    });
    let PreStateFrame::Diff(diff) = trace(diff).try_into_pre_state_frame().unwrap() else {
        panic!("diff mode")
    };
    let slot0 = B256::ZERO;
    assert_eq!(
        diff.pre[&COUNTER].storage.get(&slot0),
        Some(&B256::from(U256::from(1)))
    );
    assert_eq!(
        diff.post[&COUNTER].storage.get(&slot0),
        Some(&B256::from(U256::from(2)))
    );
    assert_eq!(diff.pre[&sender].nonce, Some(1));

    // tracing the deposit itself works too
    assert!(
        simulator()
            .trace_transaction(&db, &block(), &txs, 0, &GethDebugTracingOptions::default())
            .is_ok()
    );
    let err = simulator()
        .trace_transaction(&db, &block(), &txs, 3, &GethDebugTracingOptions::default())
        .unwrap_err();
    assert_eq!(err.kind(), SimulationErrorKind::InvalidParams);
}

#[test]
fn four_byte_noop_and_unsupported_tracers() {
    let mut db = InMemoryDB::default();
    set_code(&mut db, CALLEE, &return_with(b""));
    let sender = signer(DEV_KEY_0).address();
    let request = call_request(
        sender,
        CALLEE,
        Bytes::from_static(&[0x12, 0x34, 0x56, 0x78, 0xff]),
    );

    let four = simulator()
        .trace_call(
            &db,
            &block(),
            &request,
            &call_opts(GethDebugTracingOptions::four_byte_tracer()),
        )
        .unwrap()
        .try_into_four_byte_frame()
        .unwrap();
    assert_eq!(four.0.get("0x12345678-1"), Some(&1));

    let noop = simulator()
        .trace_call(
            &db,
            &block(),
            &request,
            &call_opts(GethDebugTracingOptions::new_tracer(
                GethDebugBuiltInTracerType::NoopTracer,
            )),
        )
        .unwrap();
    assert!(matches!(noop, GethTrace::NoopTracer(_)));

    let prestate = simulator()
        .trace_call(
            &db,
            &block(),
            &request,
            &call_opts(GethDebugTracingOptions::prestate_tracer(
                PreStateConfig::default(),
            )),
        )
        .unwrap()
        .try_into_pre_state_frame()
        .unwrap();
    let PreStateFrame::Default(accounts) = prestate else {
        panic!("default mode")
    };
    assert!(accounts.0.contains_key(&CALLEE));

    for tracer in [
        GethDebugBuiltInTracerType::FlatCallTracer,
        GethDebugBuiltInTracerType::MuxTracer,
    ] {
        let err = simulator()
            .trace_call(
                &db,
                &block(),
                &request,
                &call_opts(GethDebugTracingOptions::new_tracer(tracer)),
            )
            .unwrap_err();
        assert!(matches!(err, SimulationError::UnsupportedTracer { .. }));
        assert_eq!(err.kind(), SimulationErrorKind::InvalidParams);
    }
    let err = simulator()
        .trace_call(
            &db,
            &block(),
            &request,
            &call_opts(GethDebugTracingOptions::js_tracer("{}")),
        )
        .unwrap_err();
    assert!(matches!(err, SimulationError::UnsupportedTracer { .. }));
}

#[test]
fn trace_call_applies_overrides() {
    let db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    let code = alloy::rpc::types::state::AccountOverride {
        code: Some(READER_CODE.to_vec().into()),
        ..Default::default()
    };
    let opts = call_opts(GethDebugTracingOptions::default())
        .with_state_overrides([(CALLEE, code)].into_iter().collect());
    let frame = simulator()
        .trace_call(
            &db,
            &block(),
            &call_request(sender, CALLEE, Bytes::new()),
            &opts,
        )
        .unwrap()
        .try_into_default_frame()
        .unwrap();
    assert_eq!(frame.struct_logs.len(), 7, "the overridden code ran");
}
