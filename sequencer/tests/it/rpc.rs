//! JSON-RPC behaviour that clients rely on, straight over HTTP.

use serde_json::json;

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
