//! An L1 reorg under a running devnet, checked by what users see: the L2 balance of a depositor
//! counts only the deposits of the canonical L1 chain, every L2 block is in the batch hash chain
//! exactly once, and the chain rebuilt from the canonical L1 alone is the sequencer's.

use std::time::Duration;

use alloy::{
    network::EthereumWallet,
    primitives::{B256, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::Filter,
    signers::local::MnemonicBuilder,
    sol_types::SolEvent,
};
use tributary_contracts::Rollup;
use tributary_genesis::DEV_MNEMONIC;
use tributary_primitives::{Deployment, batch::chain_hash_step};

use crate::utils::{Devnet, approve_portal, deposit, rebuild_and_compare, wait_balance, wait_safe};

/// Confirmation depth of the sequencer in this test: reorgs shallower than this never reach L2.
const CONFIRMATIONS: u64 = 4;

#[tokio::test(flavor = "multi_thread")]
async fn l1_reorg_drops_deposits_and_batches_of_the_lost_blocks() {
    Box::pin(run()).await;
}

async fn run() {
    let devnet = Devnet::start(&[&format!(
        "--sequencer-arg=--l1.confirmations={CONFIRMATIONS}"
    )]);
    let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
    let depositor = MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, 3);
    let who = depositor.address();
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(depositor))
        .connect_http(devnet.get("l1_rpc").parse().unwrap());
    let l2 = ProviderBuilder::new().connect_http(devnet.get("l2_rpc").parse().unwrap());
    let rollup = Rollup::new(deployment.contracts.rollup, l1.clone());
    approve_portal(&l1, &deployment, U256::MAX).await;
    let start = l2.get_balance(who).await.unwrap();

    // A deposit and a batch in blocks that L1 then reorgs out (before they are confirmed).
    let lost = U256::from(111_111u64);
    let mut reorged = false;
    for _attempt in 0..5 {
        // right after a batch lands, so that the reorg takes the batch with it
        let count = rollup.batchCount().call().await.unwrap();
        while rollup.batchCount().call().await.unwrap() == count {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let batch_block = l1.get_block_number().await.unwrap();
        let receipt = deposit(&l1, &deployment, who, lost).await;
        let head = l1.get_block_number().await.unwrap();
        let depth = head + 1 - batch_block.min(receipt.block_number.unwrap());
        if depth >= CONFIRMATIONS {
            // too slow: the sequencer may already use these blocks; try again
            continue;
        }
        let _: serde_json::Value = l1
            .raw_request("anvil_reorg".into(), (depth, Vec::<()>::new()))
            .await
            .unwrap();
        reorged = true;
        eprintln!("reorged {depth} L1 blocks from {}", head + 1 - depth);
        break;
    }
    assert!(
        reorged,
        "could not reorg before confirmation:\n{}",
        devnet.logs()
    );

    // a deposit on the new chain, from a fresh client: the old one caches the nonce of the
    // transaction the reorg dropped
    let kept = U256::from(222_222u64);
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(MnemonicBuilder::from_phrase_nth(
            DEV_MNEMONIC,
            3,
        )))
        .connect_http(devnet.get("l1_rpc").parse().unwrap());
    // the reorg may have taken the approval too
    approve_portal(&l1, &deployment, U256::MAX).await;
    deposit(&l1, &deployment, who, kept).await;
    let allowed = |now| now == start || now == start + kept;
    wait_balance(
        &devnet,
        &l2,
        who,
        start + kept,
        Duration::from_secs(60),
        allowed,
    )
    .await;

    // everything posted again, exactly once
    let target = l2.get_block_number().await.unwrap();
    wait_safe(&devnet, &l2, target).await;
    let logs = l1
        .get_logs(
            &Filter::new()
                .address(deployment.contracts.rollup)
                .event_signature(Rollup::BatchSubmitted::SIGNATURE_HASH)
                .from_block(deployment.deploy_block.number),
        )
        .await
        .unwrap();
    let mut chain = B256::ZERO;
    let mut next = 1u64;
    for log in &logs {
        let e = log
            .log_decode::<Rollup::BatchSubmitted>()
            .unwrap()
            .inner
            .data;
        assert_eq!(
            e.firstBlock, next,
            "batches are contiguous, each block once"
        );
        chain = chain_hash_step(chain, e.firstBlock, e.lastBlock, e.dataHash);
        assert_eq!(chain, e.chainHash);
        next = e.lastBlock + 1;
    }
    assert!(next > target);
    assert_eq!(rollup.batchChainHash().call().await.unwrap(), chain);
    eprintln!("{} batches cover L2 blocks 1..{next}", logs.len());

    // the canonical L1 alone gives the sequencer's chain, and the depositor's balance
    let (node, _dir) = rebuild_and_compare(&devnet, &l2, target, "after reorg", false).await;
    let head = node.head();
    let rebuilt = node
        .with_state(head.state_root, move |s| s.trie_account(who))
        .await
        .unwrap()
        .unwrap()
        .unwrap()
        .balance;
    assert_eq!(rebuilt, start + kept);
    assert_eq!(l2.get_balance(who).await.unwrap(), start + kept);
    node.store().close().await;
}

/// A reorg deeper than the confirmation depth takes an L1 block whose deposit the L2 already
/// executed: the sequencer stops instead of building on it, and on restart re-derives its chain
/// from the canonical L1, where that deposit never happened.
#[tokio::test(flavor = "multi_thread")]
async fn deep_l1_reorg_stops_the_sequencer_and_the_restart_rederives() {
    Box::pin(deep()).await;
}

async fn deep() {
    let mut devnet = Devnet::start(&["--sequencer-arg=--l1.confirmations=1"]);
    let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
    let l1_url: alloy::transports::http::reqwest::Url = devnet.get("l1_rpc").parse().unwrap();
    let fresh_l1 = || {
        ProviderBuilder::new()
            .wallet(EthereumWallet::from(MnemonicBuilder::from_phrase_nth(
                DEV_MNEMONIC,
                4,
            )))
            .connect_http(l1_url.clone())
    };
    let l1 = fresh_l1();
    let who = MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, 4).address();
    let l2 = ProviderBuilder::new().connect_http(devnet.get("l2_rpc").parse().unwrap());
    approve_portal(&l1, &deployment, U256::MAX).await;
    let start = l2.get_balance(who).await.unwrap();

    // a deposit the L2 executes...
    let lost = U256::from(333_333u64);
    let receipt = deposit(&l1, &deployment, who, lost).await;
    wait_balance(
        &devnet,
        &l2,
        who,
        start + lost,
        Duration::from_secs(60),
        |_| true,
    )
    .await;
    // ...then L1 takes its block back
    let head = l1.get_block_number().await.unwrap();
    let depth = head + 1 - receipt.block_number.unwrap();
    let _: serde_json::Value = l1
        .raw_request("anvil_reorg".into(), (depth, Vec::<()>::new()))
        .await
        .unwrap();
    eprintln!("reorged {depth} L1 blocks (confirmation depth 1)");

    // the sequencer refuses to go on (the devnet stops with it)
    let code = devnet.wait_exit(Duration::from_secs(60));
    assert_ne!(code, Some(0), "the devnet must report the failure");
    assert!(
        std::fs::read_to_string(devnet.path("sequencer.log"))
            .unwrap()
            .contains("reorg beyond the confirmation depth"),
        "{}",
        devnet.logs()
    );

    // the restart re-derives from the canonical L1: the deposit is gone, the chain goes on
    devnet.restart();
    let moved = std::fs::read_dir(devnet.path(""))
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().starts_with("l2.reorged-"));
    assert!(moved, "the old datadir is kept aside");
    // the re-derived chain catches up with L1 origin by origin: the funding deposit comes
    // back, the lost one never does
    let at_most_start = |now| now <= start;
    wait_balance(
        &devnet,
        &l2,
        who,
        start,
        Duration::from_secs(120),
        at_most_start,
    )
    .await;
    let kept = U256::from(444_444u64);
    deposit(&fresh_l1(), &deployment, who, kept).await;
    wait_balance(
        &devnet,
        &l2,
        who,
        start + kept,
        Duration::from_secs(60),
        |_| true,
    )
    .await;
    let target = l2.get_block_number().await.unwrap();
    wait_safe(&devnet, &l2, target).await;
    let (node, _dir) = rebuild_and_compare(&devnet, &l2, target, "after deep reorg", true).await;
    node.store().close().await;
}
