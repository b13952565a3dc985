//! `debug_executionWitness` over HTTP on a real node: the witness a client fetches verifies with
//! `tributary-stateless` against the block it fetches the same way.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope, transaction::Recovered},
    signers::{SignerSync, local::MnemonicBuilder},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use op_alloy_consensus::TxDeposit;
use serde_json::{Value, json};
use tributary_genesis::DEV_MNEMONIC;
use tributary_node::{FixedOrigin, Node, NodeConfig, OriginSource};
use tributary_primitives::{RollupConfig, l1_info::user_deposit_source_hash};
use tributary_rpc::{EthApi, EthConfig, ServerConfig, ServerHandle, eth_module};
use tributary_stateless::{ExecutionWitness, StatelessBlock, verify_block};

use crate::utils::{call, error_of};

/// Runtime: `sstore(calldataload(0), calldataload(32))`, behind a 12-byte init prefix.
const STORE_INIT: &[u8] = &[
    0x60, 0x08, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x08, 0x60, 0x00, 0xf3, // init
    0x60, 0x20, 0x35, 0x60, 0x00, 0x35, 0x55, 0x00, // runtime
];

fn sign(nonce: u64, to: TxKind, input: Bytes, chain_id: u64) -> Recovered<TxEnvelope> {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: 200_000,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1_000_000_000,
        to,
        value: U256::from(1),
        access_list: Default::default(),
        input,
    };
    let signer = MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, 0);
    let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    Recovered::new_unchecked(TxEnvelope::from(tx.into_signed(sig)), signer.address())
}

fn slot_write(slot: u64, value: u64) -> Bytes {
    [
        U256::from(slot).to_be_bytes::<32>(),
        U256::from(value).to_be_bytes::<32>(),
    ]
    .concat()
    .into()
}

/// A node with three imported blocks (a deployment and transfers; storage writes and a
/// deposit; storage deletions) served over HTTP.
async fn serve() -> (tempfile::TempDir, Node, RollupConfig, ServerHandle) {
    let dir = tempfile::tempdir().unwrap();
    let config = NodeConfig::dev(dir.path());
    let rollup = config.rollup.clone();
    let chain_id = rollup.l2_chain_id;
    let mut origins = FixedOrigin::new(
        config.genesis.l1_origin,
        config.genesis.timestamp,
        config.l1_base_fee,
        &config.rollup,
    );
    let node = Node::open(config).await.unwrap();
    let mut importer = node.importer();
    let contract = MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, 0)
        .address()
        .create(0);

    let mut nonce = 0;
    let mut next = |to, input| {
        nonce += 1;
        sign(nonce - 1, to, input, chain_id)
    };
    let blocks = [
        vec![
            next(TxKind::Create, Bytes::from_static(STORE_INIT)),
            next(TxKind::Call(Address::repeat_byte(0xaa)), Bytes::new()),
        ],
        (0..16)
            .map(|i| next(TxKind::Call(contract), slot_write(i, i + 1)))
            .collect(),
        (0..12)
            .map(|i| next(TxKind::Call(contract), slot_write(i, 0)))
            .collect(),
    ];
    for (i, txs) in blocks.into_iter().enumerate() {
        let parent = node.head();
        let mut origin = origins.next(&parent, parent.timestamp + 1).unwrap();
        if i == 1 {
            origin.deposits.push(TxDeposit {
                source_hash: user_deposit_source_hash(keccak256("l1"), 0),
                from: Address::repeat_byte(0xd1),
                to: TxKind::Call(contract),
                mint: 1_000,
                value: U256::ZERO,
                gas_limit: 100_000,
                is_system_transaction: false,
                input: slot_write(100, 7),
            });
        }
        importer.import(origin, txs).await.unwrap();
    }

    let methods = eth_module(EthApi::new(node.clone(), EthConfig::default())).unwrap();
    let server = tributary_rpc::start(ServerConfig::test(), methods)
        .await
        .unwrap();
    (dir, node, rollup, server)
}

/// The block `tag` names, fetched as a client does: the header from `eth_getBlockByNumber`, the
/// raw transactions from `eth_getRawTransactionByHash`.
async fn fetch_block(server: &ServerHandle, tag: Value) -> (B256, StatelessBlock) {
    let block = call(server, "eth_getBlockByNumber", json!([tag, false])).await["result"].clone();
    let hash: B256 = serde_json::from_value(block["hash"].clone()).unwrap();
    let header: alloy::rpc::types::Header = serde_json::from_value(block.clone()).unwrap();
    let mut raws = Vec::new();
    for tx in block["transactions"].as_array().unwrap() {
        let raw = call(server, "eth_getRawTransactionByHash", json!([tx])).await;
        raws.push(serde_json::from_value::<Bytes>(raw["result"].clone()).unwrap());
    }
    (hash, StatelessBlock::new(header.inner, raws))
}

#[tokio::test(flavor = "multi_thread")]
async fn fetched_witnesses_verify_statelessly() {
    let (_dir, node, rollup, server) = serve().await;
    for number in 1..=3u64 {
        let tag = json!(format!("{number:#x}"));
        let response = call(&server, "debug_executionWitness", json!([tag])).await;
        let witness: ExecutionWitness = serde_json::from_value(response["result"].clone())
            .unwrap_or_else(|e| panic!("{e}: {response}"));
        let (hash, block) = fetch_block(&server, tag).await;
        let verified = verify_block(&witness, &block, &rollup)
            .unwrap_or_else(|e| panic!("block {number}: {e}"));
        assert_eq!(verified.block_hash, hash);
        assert_eq!(verified.state_root, block.header.state_root);

        // by hash: the same witness
        let by_hash = call(&server, "debug_executionWitnessByBlockHash", json!([hash])).await;
        assert_eq!(by_hash["result"], response["result"]);
    }
    // tags resolve as elsewhere
    let latest = call(&server, "debug_executionWitness", json!(["latest"])).await;
    let third = call(&server, "debug_executionWitness", json!(["0x3"])).await;
    assert_eq!(latest["result"], third["result"]);
    assert_eq!(node.head().number, 3);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_follow_reth_and_geth() {
    let (_dir, _node, _rollup, server) = serve().await;
    let response = call(&server, "debug_executionWitness", json!(["0x64"])).await;
    assert_eq!(
        error_of(&response, -32001)["message"],
        "block not found: 0x64"
    );
    let unknown = B256::repeat_byte(7);
    let response = call(
        &server,
        "debug_executionWitnessByBlockHash",
        json!([unknown]),
    )
    .await;
    assert_eq!(
        error_of(&response, -32001)["message"],
        format!("block not found: hash {unknown}")
    );
    let response = call(&server, "debug_executionWitness", json!(["0x0"])).await;
    error_of(&response, -32000);
    for params in [json!([]), json!(["nope"]), json!([{"x": 1}])] {
        let response = call(&server, "debug_executionWitness", params).await;
        error_of(&response, -32602);
    }
    server.stop().await;
}
