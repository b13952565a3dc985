//! The user's round trip on a real devnet, with the sequencer's own batcher and proposer (the
//! test posts nothing to L1 itself): `tributary withdraw initiate / prove --wait / finalize
//! --wait / status` and `tributary deposit --wait`, driven through the binary only, keys in
//! `TRIBUTARY_PRIVATE_KEY`, `--deployment` the devnet's devnet.json, which also supplies both
//! endpoints (no `--l1-rpc`/`--l2-rpc`).

use std::time::Instant;

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use serde_json::{Value, json};
use tributary_contracts::OpenToken;
use tributary_testkit::{Devnet, open, quantity, rpc, u256};

use crate::utils::{Cli, addr};

/// `--timeout` of the CLI's `--wait` runs, seconds.
const WAIT_SECS: &str = "120";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawal_on_the_devnet() {
    let test_started = Instant::now();
    let mut devnet = Devnet::options()
        .name("cli-withdrawal")
        .args(&[
            "--challenge-window",
            "4",
            "--sequencer-arg=--proposer.max-interval-secs=2",
            "--sequencer-arg=--batcher.max-delay-secs=1",
        ])
        .start();
    println!("devnet up in {:?}", devnet.startup);
    let info = devnet.info.clone();
    // No --l1-rpc/--l2-rpc: the CLI takes the endpoints from devnet.json (free ports here, so
    // the built-in defaults would miss this devnet).
    let cli = Cli::with_deployment(devnet.path("devnet.json"), devnet.dir.path());
    let (l1, l2) = (devnet.l1(), devnet.l2());
    let token = OpenToken::new(info.deployment.contracts.open_token, l1.clone());

    // ---- initiate on L2: dev account 1 withdraws 3.5 OPEN to a fresh L1 address.
    let sender = &info.accounts[1];
    let key = Some(sender.private_key.as_str());
    let target: Address = PrivateKeySigner::random().address();
    let amount = open(7) / U256::from(2);
    assert_eq!(token.balanceOf(target).call().await.unwrap(), U256::ZERO);
    let l2_before = l2.get_balance(sender.address).await.unwrap();
    let steps = Instant::now();
    let initiated = cli
        .run(
            key,
            &[
                "withdraw",
                "initiate",
                "--amount",
                "3.5",
                "--to",
                &target.to_string(),
                "--json",
            ],
        )
        .await
        .json();
    let tx = initiated["l2_tx"].as_str().unwrap().to_string();
    let l2_block = initiated["l2_block"].as_u64().unwrap();
    assert_eq!(u256(&initiated["withdrawal"]["value"]), amount);
    assert_eq!(addr(&initiated["withdrawal"]["sender"]), sender.address);
    assert_eq!(addr(&initiated["withdrawal"]["target"]), target);

    // The sender paid exactly 3.5 OPEN plus the fees its receipt states (L2 execution + L1
    // data fee), in the withdrawal's block and nowhere else.
    let receipt: Value = rpc(&l2, "eth_getTransactionReceipt", json!([tx])).await;
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    let fee = quantity(&receipt["gasUsed"]) * quantity(&receipt["effectiveGasPrice"])
        + quantity(&receipt["l1Fee"]);
    assert!(fee > U256::ZERO, "{receipt}");
    let balance_at = |block: u64| {
        let l2 = l2.clone();
        async move {
            l2.get_balance(sender.address)
                .block_id(block.into())
                .await
                .unwrap()
        }
    };
    assert_eq!(balance_at(l2_block - 1).await, l2_before);
    assert_eq!(balance_at(l2_block).await, l2_before - amount - fee);
    let l2_after = l2.get_balance(sender.address).await.unwrap();
    assert_eq!(
        l2_after,
        l2_before - amount - fee,
        "the L2 balance dropped by 3.5 OPEN + fees ({fee} wei)"
    );

    let status = |expected: &'static [&'static str]| {
        let cli = cli.clone();
        let tx = tx.clone();
        async move {
            // status reads only: no key
            let v = cli
                .run(None, &["withdraw", "status", "--tx", &tx, "--json"])
                .await
                .json();
            assert!(
                expected.contains(&v["status"].as_str().unwrap_or_default()),
                "status {} not in {expected:?}: {v}",
                v["status"]
            );
            v
        }
    };
    status(&["waiting_for_output", "ready_to_prove"]).await;

    // ---- prove: waits for the real batcher and proposer to cover the block.
    let proved = cli
        .run(
            key,
            &[
                "withdraw",
                "prove",
                "--tx",
                &tx,
                "--wait",
                "--timeout",
                WAIT_SECS,
                "--json",
            ],
        )
        .await
        .json();
    let output_block = proved["output"]["l2_block"].as_u64().unwrap();
    assert!(output_block >= l2_block, "{proved}");
    let proved_after = steps.elapsed();
    status(&["proven", "finalizable"]).await;

    // ---- finalize: waits out the 4 s challenge window, then releases the OPEN.
    let finalized = cli
        .run(
            key,
            &[
                "withdraw",
                "finalize",
                "--tx",
                &tx,
                "--wait",
                "--timeout",
                WAIT_SECS,
                "--json",
            ],
        )
        .await
        .json();
    assert_eq!(finalized["call_succeeded"], true, "{finalized}");
    let finalized_after = steps.elapsed();
    assert_eq!(
        token.balanceOf(target).call().await.unwrap(),
        amount,
        "the target's L1 OPEN is exactly 3.5 OPEN"
    );
    // The target paid nothing: it holds no ETH.
    assert_eq!(l1.get_balance(target).await.unwrap(), U256::ZERO);

    // ---- a replay fails with the Portal's decoded error and changes nothing.
    cli.run(key, &["withdraw", "finalize", "--tx", &tx])
        .await
        .fails_with(1, "WithdrawalAlreadyFinalized");
    assert_eq!(token.balanceOf(target).call().await.unwrap(), amount);
    let v = status(&["finalized"]).await;
    assert_eq!(
        v["withdrawal"]["withdrawal_hash"],
        initiated["withdrawal_hash"]
    );

    // ---- deposit 2 OPEN on L1 (dev account 2, idle on L2): its L2 balance grows by exactly 2.
    let depositor = &info.accounts[2];
    let portal = info.deployment.contracts.portal;
    let l2_before = l2.get_balance(depositor.address).await.unwrap();
    let l1_before = token.balanceOf(depositor.address).call().await.unwrap();
    let locked_before = token.balanceOf(portal).call().await.unwrap();
    let deposit_started = Instant::now();
    let deposited = cli
        .run(
            Some(&depositor.private_key),
            &[
                "deposit",
                "--amount",
                "2",
                "--wait",
                "--timeout",
                WAIT_SECS,
                "--json",
            ],
        )
        .await
        .json();
    let deposit_took = deposit_started.elapsed();
    assert_eq!(u256(&deposited["amount"]), open(2), "{deposited}");
    assert_eq!(addr(&deposited["to"]), depositor.address);
    assert_eq!(
        l2.get_balance(depositor.address).await.unwrap(),
        l2_before + open(2),
        "the L2 balance grew by exactly 2 OPEN"
    );
    assert_eq!(
        token.balanceOf(depositor.address).call().await.unwrap(),
        l1_before - open(2)
    );
    assert_eq!(
        token.balanceOf(portal).call().await.unwrap(),
        locked_before + open(2)
    );

    // ---- Ctrl-C stops the devnet cleanly.
    let (exit, stop_took) = devnet.interrupt();
    assert!(
        exit.success(),
        "devnet exit {exit} after SIGINT\n{}",
        devnet.logs()
    );
    println!(
        "withdrawal_on_the_devnet: devnet up {:?}; initiate→proved {proved_after:?} (output at L2 \
         block {output_block}, withdrawal in {l2_block}); →finalized {finalized_after:?}; deposit \
         --wait {deposit_took:?}; SIGINT stop {stop_took:?}; total {:?}",
        devnet.startup,
        test_started.elapsed()
    );
}
