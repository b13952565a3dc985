//! The L2 chain rebuilt from L1 data alone (batches in calldata or blobs, deposit events,
//! headers: derivation + execution in a fresh datadir) is the sequencer's chain, block for
//! block: same hashes, hence same state roots.

use std::time::{Duration, Instant};

use alloy::{
    network::EthereumWallet,
    primitives::{B256, U256},
    providers::{Provider, ProviderBuilder},
};
use tributary_l1::{L1Client, L1Error};
use tributary_primitives::Deployment;
use tributary_testkit::{dev_signer, workload};

use crate::utils::{Devnet, rebuild_and_compare, wait_safe};

/// The genesis check every L1-settled binary runs at start: the devnet's genesis passes; another
/// hash, another chain id, or a deployment naming another L1 is refused with the reason.
async fn check_genesis_against_l1(devnet: &Devnet, deployment: &Deployment) {
    let genesis = tributary_genesis::L2Genesis::read_json(&devnet.path("genesis.json")).unwrap();
    let url: alloy::transports::http::reqwest::Url = devnet.get("l1_rpc").parse().unwrap();
    let client = L1Client::new(url.clone(), None, deployment.clone());
    let (hash, chain_id) = (genesis.hash, genesis.config.chain_id);
    client.check_genesis(hash, chain_id).await.unwrap();
    let refused = |e: L1Error| e.to_string();
    let other = B256::repeat_byte(7);
    assert!(
        refused(client.check_genesis(other, chain_id).await.unwrap_err())
            .contains("but the deployment records"),
    );
    assert!(
        refused(client.check_genesis(hash, chain_id + 1).await.unwrap_err()).contains("chain id"),
    );
    let mut elsewhere = deployment.clone();
    elsewhere.l1_chain_id += 1;
    let e = refused(
        L1Client::new(url.clone(), None, elsewhere)
            .check_genesis(hash, chain_id)
            .await
            .unwrap_err(),
    );
    assert!(e.contains("the deployment expects"), "{e}");
    // a deployment file edited to another genesis: the Rollup on L1 is the authority
    let mut edited = deployment.clone();
    edited.l2_genesis_hash = other;
    let e = refused(
        L1Client::new(url, None, edited)
            .check_genesis(other, chain_id)
            .await
            .unwrap_err(),
    );
    assert!(e.contains(&format!("records genesis {hash}")), "{e}");
}

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
    check_genesis_against_l1(&devnet, &deployment).await;
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
