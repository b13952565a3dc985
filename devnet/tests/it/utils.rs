//! This suite's setup on top of the shared harness (`tributary_testkit`): the devnet binary under
//! test, and the L2 transaction and JSON helpers only these tests use.

use std::{collections::BTreeMap, time::Duration};

use alloy::{
    consensus::TxEnvelope,
    eips::eip2718::Encodable2718,
    network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use serde_json::{Value, json};
pub(crate) use tributary_testkit::{
    Devnet, log_field, open, quantity, quantity_u64, rpc, sync_status, wait_receipt,
    wait_safe_within,
};

/// Starts the devnet binary under test (`name` names the test's directory) with `extra` flags
/// (and the harness's 4 s challenge window) on free ports, and waits until it is up.
pub(crate) fn start(name: &str, extra: &[&str]) -> Devnet {
    Devnet::options()
        .name(&format!("devnet-it-{name}"))
        .binary(env!("CARGO_BIN_EXE_devnet"))
        .args(extra)
        .start()
}

/// The sequencer's WARN and ERROR lines (all runs), printed for the record; panics on ERROR.
pub(crate) fn check_sequencer_log(devnet: &Devnet) {
    let log = devnet.sequencer_log();
    let problems: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    if !problems.is_empty() {
        eprintln!("sequencer.log: {} WARN/ERROR lines:", problems.len());
        for line in problems.iter().take(20) {
            eprintln!("  {line}");
        }
    }
    let errors: Vec<&&str> = problems.iter().filter(|l| l.contains(" ERROR ")).collect();
    assert!(
        errors.is_empty(),
        "the sequencer logged errors: {errors:#?}"
    );
}

/// GET `url`: status and JSON body.
pub(crate) async fn http_get_json(url: &str) -> (u16, Value) {
    let response = alloy::transports::http::reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// A block with full transactions, as raw JSON (deposits are type 0x7e, which Ethereum types
/// do not decode).
pub(crate) async fn block_json(provider: &DynProvider, number: u64) -> Value {
    let block: Value = rpc(
        provider,
        "eth_getBlockByNumber",
        json!([format!("{number:#x}"), true]),
    )
    .await;
    assert!(!block.is_null(), "block {number} missing");
    block
}

/// Signs EIP-1559 transactions locally and sends them raw, nonces counted here: one
/// round-trip per transaction, so hundreds go out in a few seconds.
#[derive(Debug)]
pub(crate) struct L2Sender {
    provider: DynProvider,
    chain_id: u64,
    max_fee: u128,
    nonces: BTreeMap<Address, u64>,
}

/// Priority fee of the tests' L2 transactions.
pub(crate) const TIP: u128 = 1_000_000_000;

impl L2Sender {
    pub(crate) async fn new(devnet: &Devnet) -> Self {
        let provider = devnet.l2();
        let chain_id = provider.get_chain_id().await.unwrap();
        assert_eq!(
            chain_id, devnet.info.l2_chain_id,
            "eth_chainId vs devnet.json"
        );
        let base_fee: Value =
            rpc(&provider, "eth_getBlockByNumber", json!(["latest", false])).await;
        let base_fee = quantity(&base_fee["baseFeePerGas"]).to::<u128>();
        Self {
            provider,
            chain_id,
            max_fee: base_fee * 4 + TIP,
            nonces: BTreeMap::new(),
        }
    }

    /// Sends `value` (and `data`) from `from` to `to`; returns the hash.
    pub(crate) async fn send(
        &mut self,
        from: &PrivateKeySigner,
        to: Address,
        value: U256,
        data: Bytes,
        gas: u64,
    ) -> B256 {
        let nonce = match self.nonces.get(&from.address()) {
            Some(n) => *n,
            None => self
                .provider
                .get_transaction_count(from.address())
                .await
                .unwrap(),
        };
        let request = TransactionRequest::default()
            .with_from(from.address())
            .with_to(to)
            .with_value(value)
            .with_input(data)
            .with_nonce(nonce)
            .with_chain_id(self.chain_id)
            .with_gas_limit(gas)
            .with_max_fee_per_gas(self.max_fee)
            .with_max_priority_fee_per_gas(TIP);
        let envelope: TxEnvelope = request
            .build(&EthereumWallet::from(from.clone()))
            .await
            .unwrap();
        let raw = envelope.encoded_2718();
        let hash: B256 = rpc(
            &self.provider,
            "eth_sendRawTransaction",
            json!([Bytes::from(raw)]),
        )
        .await;
        assert_eq!(hash, *envelope.tx_hash());
        self.nonces.insert(from.address(), nonce + 1);
        hash
    }
}

/// Waits for the receipts of `hashes` (raw JSON, with the OP L1-fee fields); all must succeed.
pub(crate) async fn receipts(devnet: &Devnet, hashes: &[B256]) -> Vec<Value> {
    let l2 = devnet.l2();
    let mut out = Vec::with_capacity(hashes.len());
    for hash in hashes {
        out.push(wait_receipt(&l2, *hash, Duration::from_secs(60), || devnet.logs()).await);
    }
    out
}

/// The highest `blockNumber` among receipts.
pub(crate) fn max_block(receipts: &[Value]) -> u64 {
    receipts
        .iter()
        .map(|r| quantity_u64(&r["blockNumber"]))
        .max()
        .unwrap()
}
