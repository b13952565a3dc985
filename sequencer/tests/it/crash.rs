//! kill -9: nothing acknowledged is lost, and the chain continues from the same state root.

use std::collections::HashSet;

use alloy_primitives::B256;
use serde_json::json;

use crate::utils::{Sequencer, recipient, transfer};

#[test]
fn kill9_keeps_receipts_pool_and_state_root() {
    let dir = tempfile::tempdir().unwrap();
    let seq = Sequencer::start(dir.path());

    // mined before the kill
    let raws: Vec<_> = (0..40)
        .map(|n| transfer(2, n, recipient(n), 1 + n))
        .collect();
    let mined: Vec<B256> = seq
        .send_batch(&raws)
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let receipts: Vec<_> = mined.iter().map(|h| seq.wait_receipt(*h)).collect();
    // acknowledged but not executable: a nonce gap keeps it in the pool
    let queued = seq.send_batch(&[transfer(2, 41, recipient(1000), 7)])[0]
        .clone()
        .unwrap();
    // a burst acknowledged right before the kill: each is mined or pooled afterwards
    let burst_raws: Vec<_> = (0..200)
        .map(|n| transfer(3, n, recipient(2000 + n), 1))
        .collect();
    let burst: Vec<B256> = seq
        .send_batch(&burst_raws)
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    seq.kill9();

    let seq = Sequencer::start(dir.path());
    for (hash, before) in mined.iter().zip(&receipts) {
        let after = seq.call("eth_getTransactionReceipt", json!([hash]));
        assert_eq!(&after, before, "receipt of {hash} changed across kill -9");
        // the block it was in is still the same block, with the same state root
        let number = &before["blockNumber"];
        let block = seq.call("eth_getBlockByNumber", json!([number, false]));
        assert_eq!(block["hash"], before["blockHash"]);
    }
    let pooled = seq.call("eth_getTransactionByHash", json!([queued]));
    assert_eq!(pooled["hash"], json!(queued), "journaled tx lost");
    assert!(
        pooled["blockHash"].is_null(),
        "queued tx must still be pending"
    );
    let mut lost = HashSet::new();
    for hash in &burst {
        let tx = seq.call("eth_getTransactionByHash", json!([hash]));
        if tx.is_null() {
            lost.insert(*hash);
        }
    }
    assert!(
        lost.is_empty(),
        "{} acknowledged transactions lost: {lost:?}",
        lost.len()
    );
    for hash in &burst {
        seq.wait_receipt(*hash);
    }

    // the state root continues: filling the gap mines both, on top of the restored state
    let fill = seq.send_batch(&[transfer(2, 40, recipient(999), 1)])[0]
        .clone()
        .unwrap();
    seq.wait_receipt(fill);
    let r = seq.wait_receipt(queued);
    assert_eq!(r["status"], json!("0x1"));
    let balance = seq.call("eth_getBalance", json!([recipient(1000), "latest"]));
    assert_eq!(balance, json!("0x7"));
}
