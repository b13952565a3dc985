//! Blocks are built from the pool and committed with real roots.

use std::time::Duration;

use alloy::eips::eip2718::Decodable2718;
use alloy_primitives::{Bytes, U256};
use op_alloy_consensus::OpReceiptEnvelope;
use tributary_genesis::DEV_ACCOUNTS;
use tributary_node::Node;
use tributary_primitives::{l1_info::L1_INFO_DEPOSIT_GAS, predeploys::SEQUENCER_FEE_VAULT};

use crate::utils::{
    config, launch, recipient, send_and_mine, transfer, transfer_with_gas_limit, wait_for_receipts,
};

#[tokio::test(flavor = "multi_thread")]
async fn transfers_are_mined_with_consistent_headers_state_and_journal() {
    let dir = tempfile::tempdir().unwrap();
    let handle = launch(dir.path()).await;
    let node = handle.node().clone();
    let genesis = node.head();

    let raws: Vec<_> = (0..50)
        .map(|n| transfer(n as u32 % 3, n / 3, recipient(n), 1000 + n))
        .collect();
    let hashes = send_and_mine(&node, raws).await;

    let head = node.head();
    assert!(head.number > genesis.number);
    // every receipt is successful and its block is stored with the hash the header hashes to
    for hash in &hashes {
        let receipt = node.store().receipt(*hash).await.unwrap().unwrap();
        let envelope = OpReceiptEnvelope::decode_2718(&mut receipt.encoded.as_ref()).unwrap();
        assert!(envelope.status());
        assert_eq!(receipt.gas_used, 21_000);
        assert!(
            receipt.l1_fee.unwrap() > U256::ZERO,
            "the L1 data fee is charged"
        );
        let header = node
            .store()
            .header_by_number(receipt.block_number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(header.hash(), receipt.block_hash);
        assert_eq!(header.hash_slow(), receipt.block_hash);
        assert_eq!(header.beneficiary, SEQUENCER_FEE_VAULT);
        // the first transaction of every block is the L1-info deposit
        let txs = node
            .store()
            .block_transactions(receipt.block_number)
            .await
            .unwrap();
        assert_eq!(txs[0].raw[0], 0x7e);
    }
    // the state at the head's root has the transfers
    let root = head.state_root;
    let (balance, sender_nonce) = node
        .with_state(root, |state| {
            use revm::DatabaseRef;
            (
                state.basic_ref(recipient(7)).unwrap().unwrap().balance,
                state.basic_ref(DEV_ACCOUNTS[0]).unwrap().unwrap().nonce,
            )
        })
        .await
        .unwrap();
    assert_eq!(balance, U256::from(1007));
    assert_eq!(sender_nonce, 17);
    // the pool and its journal are empty again
    assert!(node.pool().is_empty());
    assert!(node.store().pool_load().await.unwrap().is_empty());
    handle.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn rejected_transactions_change_nothing_and_pending_nonce_counts_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let handle = launch(dir.path()).await;
    let node = handle.node().clone();
    // a gap: nonce 1 without nonce 0 stays queued; nonce 0 then makes both pending
    let queued = transfer(4, 1, recipient(1), 1);
    let r = node
        .send_raw_transactions(vec![queued.clone()])
        .await
        .unwrap();
    let queued_hash = *r[0].as_ref().unwrap();
    assert_eq!(
        node.pending_nonce(DEV_ACCOUNTS[4]).await.unwrap().unwrap(),
        0
    );
    let again = node.send_raw_transactions(vec![queued]).await.unwrap();
    assert_eq!(again[0].as_ref().unwrap_err().to_string(), "already known");
    assert_eq!(node.store().pool_load().await.unwrap().len(), 1);

    let r = node
        .send_raw_transactions(vec![transfer(4, 0, recipient(2), 1)])
        .await
        .unwrap();
    let first = *r[0].as_ref().unwrap();
    wait_for_receipts(&node, &[first, queued_hash]).await;
    assert_eq!(
        node.pending_nonce(DEV_ACCOUNTS[4]).await.unwrap().unwrap(),
        2
    );
    let low = node
        .send_raw_transactions(vec![transfer(4, 0, recipient(3), 5)])
        .await
        .unwrap();
    let err = low[0].as_ref().unwrap_err().to_string();
    assert!(err.starts_with("nonce too low"), "{err}");
    handle.stop().await.unwrap();
}

/// Blocks are packed by the gas transactions use, not by their limits: transfers given twice
/// the gas they need still fill a block twice as far as their limits say.
#[tokio::test(flavor = "multi_thread")]
async fn blocks_are_packed_by_gas_used_not_by_gas_limits() {
    const LIMIT: u64 = 42_000;
    // room for exactly 10 such limits beside the L1-info deposit's reserved 1M
    let gas_limit = L1_INFO_DEPOSIT_GAS + 10 * LIMIT;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path())
        .with_gas_limit(gas_limit)
        .with_block_time(Duration::from_millis(300));
    let handle = Node::launch(config).await.unwrap();
    let node = handle.node().clone();
    let txs: Vec<Bytes> = (0..30u64)
        .map(|i| transfer_with_gas_limit((i % 10) as u32, i / 10, recipient(i), 1, LIMIT))
        .collect();
    let hashes = send_and_mine(&node, txs).await;
    let mut per_block = std::collections::BTreeMap::<u64, usize>::new();
    for hash in &hashes {
        let receipt = node.store().receipt(*hash).await.unwrap().unwrap();
        *per_block.entry(receipt.block_number).or_default() += 1;
    }
    let fullest = per_block.values().max().copied().unwrap_or(0);
    assert!(
        fullest > 10,
        "at most {fullest} transfers per block ({per_block:?}): packed by limits"
    );
    // and never beyond the block's real gas
    for number in per_block.keys() {
        let header = node
            .store()
            .header_by_number(*number)
            .await
            .unwrap()
            .unwrap();
        assert!(header.gas_used <= gas_limit);
    }
    handle.stop().await.unwrap();
}
