//! JSON-RPC behaviour that clients rely on, straight over HTTP.

use serde_json::json;

use alloy_primitives::{B256, Bytes};

use crate::utils::{Sequencer, recipient, transfer};

#[test]
fn bad_input_gets_errors_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let seq = Sequencer::start(dir.path());
    let head = seq.call("eth_blockNumber", json!([]));
    // garbage raw transactions
    for raw in ["0x", "0x00", "0x02f8", "0xdeadbeef", "0x7e00"] {
        let e = seq.call_err("eth_sendRawTransaction", json!([raw]));
        assert_eq!(e["code"], json!(-32000), "{raw}: {e}");
    }
    let e = seq.call_err("eth_sendRawTransaction", json!(["not hex"]));
    assert_eq!(e["code"], json!(-32602));
    let e = seq.call_err("eth_getBalance", json!(["0x1234"]));
    assert_eq!(e["code"], json!(-32602));
    let e = seq.call_err("eth_nope", json!([]));
    assert_eq!(e["code"], json!(-32601));
    let e = seq.call_err("eth_getBalance", json!([recipient(1), "0xffffffff"]));
    assert_eq!(e["message"], json!("header not found"));
    assert!(
        seq.call("eth_getBlockByNumber", json!(["0xffffff", false]))
            .is_null()
    );
    let e = seq.call_err(
        "eth_getLogs",
        json!([{"fromBlock": "0x2", "toBlock": "0x1"}]),
    );
    assert_eq!(e["code"], json!(-32602), "{e}");
    let e = seq.call_err(
        "eth_getLogs",
        json!([{"blockHash": format!("0x{}", "11".repeat(32))}]),
    );
    assert_eq!(e["message"], json!("unknown block"), "{e}");
    // nothing was admitted
    assert_eq!(
        seq.call("txpool_status", json!([])),
        json!({"pending": "0x0", "queued": "0x0"})
    );
    // and the node still works
    let hash = seq.send_batch(&[transfer(5, 0, recipient(5), 5)])[0]
        .clone()
        .unwrap();
    let receipt = seq.wait_receipt(hash);
    assert_eq!(receipt["status"], json!("0x1"));
    assert_ne!(seq.call("eth_blockNumber", json!([])), head);
}

#[test]
fn blocks_carry_roots_and_hash_to_their_header() {
    let dir = tempfile::tempdir().unwrap();
    let seq = Sequencer::start(dir.path());
    let hash = seq.send_batch(&[transfer(6, 0, recipient(6), 1)])[0]
        .clone()
        .unwrap();
    let receipt = seq.wait_receipt(hash);
    let block = seq.call("eth_getBlockByHash", json!([receipt["blockHash"], true]));
    assert_eq!(block["hash"], receipt["blockHash"]);
    let txs = block["transactions"].as_array().unwrap();
    assert_eq!(txs[0]["type"], json!("0x7e"), "L1-info deposit first");
    assert_eq!(txs[1]["hash"], json!(hash));
    assert_eq!(
        block["miner"],
        json!("0x4200000000000000000000000000000000000011")
    );
    for field in [
        "stateRoot",
        "transactionsRoot",
        "receiptsRoot",
        "logsBloom",
        "baseFeePerGas",
    ] {
        assert!(block.get(field).is_some(), "{field} missing");
    }
    // the block's hash is keccak(rlp(header)): the node recomputes it on read, and the
    // parent link holds
    let parent = seq.call("eth_getBlockByHash", json!([block["parentHash"], false]));
    assert!(!parent.is_null());
    let number = u64::from_str_radix(
        block["number"].as_str().unwrap().trim_start_matches("0x"),
        16,
    )
    .unwrap();
    let parent_number = u64::from_str_radix(
        parent["number"].as_str().unwrap().trim_start_matches("0x"),
        16,
    )
    .unwrap();
    assert_eq!(parent_number + 1, number);
}

/// A receipt is served only once its block is `latest`: a client that reads state right after
/// it sees a receipt (a wallet estimating its next call) sees the transaction's effects. A
/// block's commit overlaps the next block's build, so its receipts are durable a moment before
/// it becomes the head.
#[test]
fn a_receipt_is_served_only_once_its_block_is_latest() {
    let dir = tempfile::tempdir().unwrap();
    let seq = Sequencer::start(dir.path());
    let quantity = |v: &serde_json::Value| {
        u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
    };
    for round in 0..5u64 {
        let raws: Vec<Bytes> = (0..200u64)
            .map(|i| {
                transfer(
                    (i % 10) as u32,
                    round * 20 + i / 10,
                    recipient(round * 1000 + i),
                    1,
                )
            })
            .collect();
        let hashes: Vec<B256> = seq
            .send_batch(&raws)
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        let last = hashes[hashes.len() - 1];
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let receipt = loop {
            let r = seq.call("eth_getTransactionReceipt", json!([last]));
            if !r.is_null() {
                break r;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no receipt for {last}"
            );
        };
        let head = quantity(&seq.call("eth_blockNumber", json!([])));
        let mined_in = quantity(&receipt["blockNumber"]);
        assert!(
            head >= mined_in,
            "round {round}: receipt of block {mined_in} served at head {head}"
        );
        let balance = seq.call(
            "eth_getBalance",
            json!([recipient(round * 1000 + 199), "latest"]),
        );
        assert_eq!(
            balance,
            json!("0x1"),
            "round {round}: latest state lacks the receipt's transfer"
        );
    }
}
