//! A user's OPEN round trip through the CLI: deposit on L1, withdraw on L2, prove and finalize on L1,
//! with the test playing batcher, proposer, challenger and guardian in between.

use alloy::{
    primitives::{B256, U256, keccak256},
    providers::Provider,
};
use tributary_contracts::{L2ToL1MessagePasser, Rollup};
use tributary_primitives::predeploys::L2_TO_L1_MESSAGE_PASSER;
use tributary_testkit::{open, u256, wallet_provider};

use crate::utils::{Chains, Mined, WINDOW_SECS, account, addr, key_hex, signer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposit_withdraw_prove_finalize_through_the_cli() {
    let chains = Chains::start().await;
    let d = chains.deployment.clone();
    let user = account(&chains.anvil, 1);
    let user_key = key_hex(&chains.anvil, 1);
    let key = Some(user_key.as_str());
    // The L1 recipient holds no OPEN yet: its balance afterwards is exactly the withdrawal.
    let target = account(&chains.anvil, 2);
    let target_s = target.to_string();
    // The devnet file (deployment embedded under `deployment`) works as --deployment.
    let cli = chains.cli(chains.write_devnet_file());
    let token = chains.token();

    // The treasury (the deployer) gives the user OPEN on L1.
    token.transfer(user, open(1_000)).send().await.mined().await;

    // ---- deposit: approve + Portal.depositTransaction, so the Portal holds OPEN to release.
    let run = cli
        .run(key, &["deposit", "--amount", "100", "--json"])
        .await;
    let deposit = run.json();
    assert_eq!(u256(&deposit["amount"]), open(100));
    assert_eq!(addr(&deposit["from"]), user);
    assert_eq!(addr(&deposit["to"]), user);
    assert!(deposit["approve_tx"].is_string(), "{deposit}");
    assert!(
        run.stderr.contains("approving the Portal"),
        "{}",
        run.stderr
    );
    assert_eq!(
        token.balanceOf(d.contracts.portal).call().await.unwrap(),
        open(100)
    );
    assert_eq!(token.balanceOf(user).call().await.unwrap(), open(900));
    // Human output by default.
    let run = cli.run(key, &["deposit", "--amount", "0.5"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with(&format!("deposited 0.5 OPEN for {user} on L2")),
        "{}",
        run.stdout
    );

    // ---- initiate on L2: value leaves the user's native balance.
    let l2_before = chains.l2.get_balance(user).await.unwrap();
    let run = cli
        .run(
            key,
            &[
                "withdraw", "initiate", "--amount", "2.5", "--to", &target_s, "--json",
            ],
        )
        .await;
    let initiated = run.json();
    let amount = open(5) / U256::from(2);
    let tx = initiated["l2_tx"].as_str().unwrap().to_string();
    let l2_block = initiated["l2_block"].as_u64().unwrap();
    let withdrawal_hash: B256 = initiated["withdrawal_hash"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(u256(&initiated["withdrawal"]["value"]), amount);
    assert_eq!(addr(&initiated["withdrawal"]["target"]), target);
    assert_eq!(addr(&initiated["withdrawal"]["sender"]), user);
    assert!(l2_block > 0);
    let l2_after = chains.l2.get_balance(user).await.unwrap();
    assert!(l2_after <= l2_before - amount, "{l2_before} -> {l2_after}");
    let passer = L2ToL1MessagePasser::new(L2_TO_L1_MESSAGE_PASSER, chains.l2.clone());
    assert!(passer.sentMessages(withdrawal_hash).call().await.unwrap());

    let status = |expected: &'static str| {
        let cli = cli.clone();
        let tx = tx.clone();
        async move {
            // Status reads only: no key needed.
            let v = cli
                .run(None, &["withdraw", "status", "--tx", &tx, "--json"])
                .await
                .json();
            assert_eq!(v["status"], expected, "{v}");
            v
        }
    };
    let v = status("waiting_for_output").await;
    assert!(v["latest_output_block"].is_null());

    // ---- prove before any output: a clear error, exit code 3 (retry later), nothing sent.
    cli.run(key, &["withdraw", "prove", "--tx", &tx])
        .await
        .fails_with(
            3,
            &format!("no output covers L2 block {l2_block} yet (latest output: none)"),
        );
    // ---- finalize before proving.
    cli.run(key, &["withdraw", "finalize", "--tx", &tx])
        .await
        .fails_with(1, "is not proven yet: run `tributary withdraw prove");

    // ---- a tampered output: the CLI recomputes the root from L2 data and refuses.
    chains.batch_to(l2_block).await;
    let bogus = keccak256("tampered output");
    chains.propose(l2_block, bogus).await;
    let v = status("ready_to_prove").await;
    assert_eq!(v["output"]["index"], 0);
    cli.run(key, &["withdraw", "prove", "--tx", &tx])
        .await
        .fails_with(
            1,
            &format!(
                "output #0 (L2 block {l2_block}) on l1 is {bogus} but the l2 node's block gives"
            ),
        );
    // A challenger disputes it and the guardian deletes it.
    let challenger = wallet_provider(&chains.anvil.endpoint(), signer(&chains.anvil, 3));
    Rollup::new(d.contracts.rollup, challenger)
        .challenge(U256::ZERO)
        .value(d.challenger_bond)
        .send()
        .await
        .mined()
        .await;
    chains
        .rollup()
        .resolve(U256::ZERO, false)
        .send()
        .await
        .mined()
        .await;
    assert_eq!(
        chains.rollup().outputCount().call().await.unwrap(),
        U256::ZERO
    );

    // ---- prove --wait: waits for the honest output, then proves against it.
    let waiting = cli
        .spawn_until(
            key,
            &[
                "withdraw",
                "prove",
                "--tx",
                &tx,
                "--wait",
                "--timeout",
                "60",
                "--json",
            ],
            "waiting for an output covering",
        )
        .await;
    let root = chains.output_root(l2_block).await;
    chains.propose(l2_block, root).await;
    let run = waiting.await.unwrap();
    let proven = run.json();
    assert_eq!(proven["output"]["index"], 0);
    assert_eq!(proven["output"]["l2_block"], l2_block);
    assert_eq!(
        proven["output"]["root"]
            .as_str()
            .unwrap()
            .parse::<B256>()
            .unwrap(),
        root
    );
    let v = status("proven").await;
    assert!(v["remaining_secs"].as_u64().unwrap() > 0, "{v}");

    // ---- finalize inside the window: a clear error with the remaining seconds.
    let run = cli.run(key, &["withdraw", "finalize", "--tx", &tx]).await;
    run.fails_with(3, "output #0 is not finalized yet: ");
    assert!(
        run.stderr.contains(" s of its challenge window remain"),
        "{}",
        run.stderr
    );

    // ---- past the window: finalizable; finalize --wait notices and releases the OPEN.
    assert_eq!(token.balanceOf(target).call().await.unwrap(), U256::ZERO);
    let waiting = cli
        .spawn_until(
            key,
            &[
                "withdraw",
                "finalize",
                "--tx",
                &tx,
                "--wait",
                "--timeout",
                "60",
            ],
            "waiting for output #0 to finalize",
        )
        .await;
    chains.advance_l1_time(WINDOW_SECS + 1).await;
    let run = waiting.await.unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(&format!(
            "finalized withdrawal {withdrawal_hash}: 2.5 OPEN released to {target}"
        )),
        "{}",
        run.stdout
    );
    let l1_tx: B256 = run
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("l1 tx"))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    let receipt = chains
        .operator
        .get_transaction_receipt(l1_tx)
        .await
        .unwrap()
        .unwrap();
    assert!(receipt.status());
    assert_eq!(token.balanceOf(target).call().await.unwrap(), amount);
    assert_eq!(
        token.balanceOf(d.contracts.portal).call().await.unwrap(),
        open(100) + open(1) / U256::from(2) - amount
    );
    status("finalized").await;

    // ---- replays fail with the Portal's decoded error.
    cli.run(key, &["withdraw", "finalize", "--tx", &tx])
        .await
        .fails_with(
            1,
            "finalizeWithdrawal failed: reverted with WithdrawalAlreadyFinalized",
        );
    cli.run(key, &["withdraw", "prove", "--tx", &tx])
        .await
        .fails_with(1, "WithdrawalAlreadyFinalized");
    assert_eq!(token.balanceOf(target).call().await.unwrap(), amount);

    chains.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finalizable_withdrawal_reports_so_and_a_bare_deployment_file_works() {
    let chains = Chains::start().await;
    let key = key_hex(&chains.anvil, 4);
    let key = Some(key.as_str());
    // The bare deployment JSON works as --deployment too.
    let cli = chains.cli(chains.write_deployment_file());
    chains
        .token()
        .transfer(account(&chains.anvil, 4), open(10))
        .send()
        .await
        .mined()
        .await;
    cli.run(key, &["deposit", "--amount", "10", "--json"])
        .await
        .json();

    // Two withdrawals to self (the default target), in successive L2 blocks.
    let first = cli
        .run(key, &["withdraw", "initiate", "--amount", "0.5", "--json"])
        .await
        .json();
    let initiated = cli
        .run(key, &["withdraw", "initiate", "--amount", "1", "--json"])
        .await
        .json();
    let tx = initiated["l2_tx"].as_str().unwrap();
    let first_block = first["l2_block"].as_u64().unwrap();
    let l2_block = initiated["l2_block"].as_u64().unwrap();
    assert!(l2_block > first_block);
    assert_eq!(
        addr(&initiated["withdrawal"]["target"]),
        account(&chains.anvil, 4)
    );

    // Output #0 covers the first withdrawal only; output #1, for a later block than the second
    // withdrawal's, is the first output at or after its block: the one to prove against.
    let later = l2_block + 2;
    while chains.l2.get_block_number().await.unwrap() < later {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    chains.batch_to(later).await;
    chains
        .propose(first_block, chains.output_root(first_block).await)
        .await;
    chains.propose(later, chains.output_root(later).await).await;
    let proven = cli
        .run(key, &["withdraw", "prove", "--tx", tx, "--json"])
        .await
        .json();
    assert_eq!(proven["output"]["index"], 1);
    assert_eq!(proven["output"]["l2_block"], later);

    chains.advance_l1_time(WINDOW_SECS).await;
    let run = cli.run(None, &["withdraw", "status", "--tx", tx]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("status           finalizable"),
        "{}",
        run.stdout
    );
    let before = chains
        .token()
        .balanceOf(account(&chains.anvil, 4))
        .call()
        .await
        .unwrap();
    cli.run(key, &["withdraw", "finalize", "--tx", tx, "--json"])
        .await
        .json();
    assert_eq!(
        chains
            .token()
            .balanceOf(account(&chains.anvil, 4))
            .call()
            .await
            .unwrap(),
        before + open(1)
    );
    chains.stop().await;
}
