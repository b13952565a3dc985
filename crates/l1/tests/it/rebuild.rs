//! The L2 chain rebuilt from L1 data alone (batches in calldata or blobs, deposit events,
//! headers: derivation + execution in a fresh datadir) is the sequencer's chain, block for
//! block: same hashes, hence same state roots.

use std::time::{Duration, Instant};

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, Bytes, U256, address},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::MnemonicBuilder,
};
use tributary_genesis::DEV_MNEMONIC;
use tributary_primitives::{Deployment, predeploys};

use crate::utils::{Devnet, approve_portal, deposit, rebuild_and_compare, wait_balance, wait_safe};

/// Init code of a contract whose runtime adds 1 to slot 0 on every call.
const COUNTER_INIT: &str = "600b600c600039600b6000f360016000540160005500";

async fn rebuilds_the_same_chain(da: &str) {
    let devnet = Devnet::start(&[&format!("--sequencer-arg=--batcher.da={da}")]);
    let l1_url = devnet.get("l1_rpc").parse().unwrap();
    let l2_url: alloy::transports::http::reqwest::Url = devnet.get("l2_rpc").parse().unwrap();
    let user = |i: u32| MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, i);
    let l2 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(user(1)))
        .connect_http(l2_url.clone());

    // L2 activity: transfers to fresh accounts, a contract and calls to it, a reverting
    // transaction, a withdrawal
    for i in 0..10u64 {
        let to = Address::from_word(alloy::primitives::keccak256(i.to_be_bytes()));
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_value(U256::from(1_000 + i));
        l2.send_transaction(tx)
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
    }
    let deploy = TransactionRequest::default()
        .with_deploy_code(Bytes::from(alloy::hex::decode(COUNTER_INIT).unwrap()));
    let receipt = l2
        .send_transaction(deploy)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let counter = receipt.contract_address.unwrap();
    for _ in 0..3 {
        let call = TransactionRequest::default()
            .with_to(counter)
            .with_gas_limit(50_000);
        l2.send_transaction(call)
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
    }
    // only the depositor account may set L1 values: this one reverts, and is still included
    let revert = TransactionRequest::default()
        .with_to(predeploys::L1_BLOCK)
        .with_input(Bytes::from_static(&[0x44, 0x0a, 0x5e, 0x20]))
        .with_gas_limit(100_000);
    let reverted = l2
        .send_transaction(revert)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!reverted.status(), "the reverting transaction reverts");
    let withdraw = TransactionRequest::default()
        .with_to(predeploys::L2_TO_L1_MESSAGE_PASSER)
        .with_value(U256::from(10u64).pow(U256::from(18)))
        .with_gas_limit(200_000);
    l2.send_transaction(withdraw)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();

    // a deposit made now, on L1
    let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(user(2)))
        .connect_http(l1_url);
    let mint = U256::from(123_456_789u64);
    let depositor = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    let before = l2.get_balance(depositor).await.unwrap();
    approve_portal(&l1, &deployment, mint).await;
    deposit(&l1, &deployment, depositor, mint).await;
    let expected = before + mint;
    wait_balance(
        &devnet,
        &l2,
        depositor,
        expected,
        Duration::from_secs(60),
        |_| true,
    )
    .await;

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
