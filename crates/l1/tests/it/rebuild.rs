//! The L2 chain rebuilt from L1 data alone (batches in calldata or blobs, deposit events,
//! headers: derivation + execution in a fresh datadir) is the sequencer's chain, block for
//! block: same hashes, hence same state roots.

use std::time::{Duration, Instant};

use alloy::{
    network::EthereumWallet,
    primitives::U256,
    providers::{Provider, ProviderBuilder},
};
use tributary_primitives::Deployment;
use tributary_testkit::{dev_signer, workload};

use crate::utils::{Devnet, rebuild_and_compare, wait_safe};

async fn rebuilds_the_same_chain(da: &str) {
    let devnet = Devnet::start(&[&format!("--sequencer-arg=--batcher.da={da}")]);
    let l2_url: alloy::transports::http::reqwest::Url = devnet.get("l2_rpc").parse().unwrap();
    let l2 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(dev_signer(1)))
        .connect_http(l2_url);
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(dev_signer(2)))
        .connect_http(devnet.get("l1_rpc").parse().unwrap());
    let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
    let depositor = workload(&devnet, 0).await.depositor;

    // wait until everything so far is covered by batches on L1, then rebuild from L1 alone
    let target = l2.get_block_number().await.unwrap();
    wait_safe(&devnet, &l2, target).await;
    let (node, _datadir) = rebuild_and_compare(&devnet, &l2, target, da, false).await;
    // the rebuilt state answers like the sequencer's
    let rebuilt = node.head();
    let balance = node
        .with_state(rebuilt.state_root, move |s| s.trie_account(depositor))
        .await
        .unwrap()
        .unwrap()
        .unwrap()
        .balance;
    assert_eq!(
        balance,
        l2.get_balance(depositor)
            .number(rebuilt.number)
            .await
            .unwrap()
    );
    node.store().close().await;

    // the proposer takes its bonds back once outputs finalize (4 s window on this devnet)
    let rollup = tributary_contracts::Rollup::new(deployment.contracts.rollup, &l1);
    let deadline = Instant::now() + Duration::from_secs(90);
    while !rollup
        .getOutput(U256::ZERO)
        .call()
        .await
        .unwrap()
        .bondReclaimed
    {
        assert!(
            Instant::now() < deadline,
            "bond of output 0 not reclaimed:\n{}",
            devnet.logs()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rebuild_from_blob_batches() {
    Box::pin(rebuilds_the_same_chain("blobs")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rebuild_from_calldata_batches() {
    Box::pin(rebuilds_the_same_chain("calldata")).await;
}
