//! Start, health, the funding invariants, SIGINT and resume.

use std::time::{Duration, Instant};

use alloy::{
    primitives::{Address, Bytes, U256},
    providers::Provider,
};
use serde_json::{Value, json};
use tributary_contracts::{OpenToken, Rollup};

use tributary_testkit::free_port;

use crate::utils::*;

#[tokio::test(flavor = "multi_thread")]
async fn devnet_starts_is_healthy_stops_and_resumes() {
    let began = Instant::now();
    let gateway_port = free_port().to_string();
    let mut devnet = start("lifecycle", &["--gateway", "--gateway-port", &gateway_port]);
    let ports = devnet.ports;
    eprintln!("first start: up in {:.1} s", devnet.startup.as_secs_f64());
    let info = devnet.info.clone();
    assert!(
        devnet
            .process
            .output()
            .contains("Tributary devnet is up (new)")
    );
    assert_eq!(info.l1_rpc, format!("http://127.0.0.1:{}", ports.l1));
    assert_eq!(info.l2_rpc, format!("http://127.0.0.1:{}", ports.l2));
    assert_eq!(info.accounts.len(), 10);
    let gateway = format!("http://127.0.0.1:{gateway_port}");
    assert_eq!(info.raw["gateway"], json!(gateway));
    let provider = info.operators.gateway_provider.address;
    let gateway_health = |label: &'static str| {
        let url = format!("{gateway}/health");
        async move {
            let (code, health) = http_get_json(&url).await;
            assert_eq!(code, 200, "gateway /health {label}: {health}");
            assert_eq!(
                health["provider"],
                json!(provider),
                "gateway /health {label}: {health}"
            );
        }
    };
    gateway_health("at start").await;

    // health
    let (code, health) = http_get_json(&info.health).await;
    assert_eq!(code, 200, "/health: {health}");
    assert_eq!(health["ready"], true, "/health: {health}");
    assert_eq!(
        health["problems"].as_array().map(Vec::len),
        Some(0),
        "/health: {health}"
    );

    let (l1, l2) = (devnet.l1(), devnet.l2());
    assert_eq!(l1.get_chain_id().await.unwrap(), info.l1_chain_id);
    assert_eq!(l2.get_chain_id().await.unwrap(), info.l2_chain_id);
    let status = sync_status(&l2).await;
    assert!(status.l1_enabled && status.l1_synced, "{status:?}");

    // funding: 10,000 OPEN on L2 each (from deposits), l1_open on L1, nothing else on L2
    let token = OpenToken::new(info.contracts.open_token, &l1);
    let mut l2_sum = U256::ZERO;
    for account in info
        .accounts
        .iter()
        .chain([&info.operators.gateway_provider])
    {
        let l2_balance = l2.get_balance(account.address).await.unwrap();
        assert_eq!(
            l2_balance,
            open(10_000),
            "L2 balance of {}",
            account.address
        );
        assert_eq!(account.l2_open, open(10_000));
        l2_sum += l2_balance;
        let l1_open = token.balanceOf(account.address).call().await.unwrap();
        assert_eq!(l1_open, account.l1_open, "L1 OPEN of {}", account.address);
    }
    let locked = token.balanceOf(info.contracts.portal).call().await.unwrap();
    assert_eq!(
        l2_sum, locked,
        "native OPEN on L2 must equal OPEN locked in the Portal"
    );

    // some L2 transfers, then wait until they are safe (batched on L1, confirmed)
    let mut sender = L2Sender::new(&devnet).await;
    let mut hashes = Vec::new();
    for i in 0..6usize {
        let from = info.accounts[1 + i % 3].signer();
        let to = info.accounts[4 + i % 2].address;
        hashes.push(
            sender
                .send(&from, to, open(1 + i as u64), Bytes::new(), 21_000)
                .await,
        );
    }
    let receipts_before = receipts(&devnet, &hashes).await;
    let last_tx_block = max_block(&receipts_before);
    // fees go to the vaults (none burned): native OPEN is still exactly what the Portal locks
    let at_last = balances_at(&devnet, last_tx_block).await;
    let supply: U256 = at_last.iter().map(|(_, b)| *b).sum();
    assert_eq!(
        supply, locked,
        "dev accounts + fee vaults must hold exactly the OPEN locked on L1: {at_last:?}"
    );
    assert!(
        at_last[11..].iter().all(|(_, b)| !b.is_zero()),
        "every fee vault was paid: {at_last:?}"
    );
    let safe = wait_safe_within(&devnet, &l2, last_tx_block, Duration::from_secs(60)).await;
    let safe_block: Value = rpc(&l2, "eth_getBlockByNumber", json!(["safe", false])).await;
    assert!(quantity_u64(&safe_block["number"]) >= last_tx_block);
    eprintln!(
        "transfers in blocks ..={last_tx_block}, safe at {} after {:.1} s",
        safe.safe_l2.number,
        began.elapsed().as_secs_f64()
    );

    // what must survive the restart
    let genesis_hash = block_json(&l2, 0).await["hash"].clone();
    assert_eq!(
        genesis_hash,
        json!(info.l2_genesis_hash),
        "block 0 is the genesis devnet.json names"
    );
    let l1_before = l1.get_block_number().await.unwrap();
    let deploy_block_hash = l1
        .get_block_by_number(info.deployment.deploy_block.number.into())
        .await
        .unwrap()
        .unwrap()
        .header
        .hash;
    assert_eq!(deploy_block_hash, info.deployment.deploy_block.hash);
    let balances_before = balances(&devnet).await;
    let rollup = Rollup::new(info.contracts.rollup, &l1);
    let next_batch_before = rollup.nextBlock().call().await.unwrap();
    // every block served so far (the receipts were acknowledged: they must survive)
    let head_before = l2.get_block_number().await.unwrap();
    let mut hashes_before = Vec::new();
    for n in 0..=head_before {
        hashes_before.push(block_json(&l2, n).await["hash"].clone());
    }

    // SIGINT: a clean exit (0) that frees the ports
    let (exit, took) = devnet.interrupt();
    eprintln!("SIGINT: exited {exit} in {:.1} s", took.as_secs_f64());
    assert!(
        exit.success(),
        "devnet exit after SIGINT: {exit}\n{}",
        devnet.logs()
    );
    // the unsafe head at the stop (blocks were sealed until then)
    let old_head = last_sealed_block(&devnet.sequencer_log())
        .expect("sealed blocks logged")
        .max(head_before);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ports.all_free() {
        assert!(
            Instant::now() < deadline,
            "ports {ports:?} still in use after the devnet exited"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // resume: same directory, same ports
    devnet.restart();
    assert_eq!(devnet.ports, ports);
    eprintln!("resume: up in {:.1} s", devnet.startup.as_secs_f64());
    let run = devnet.process.output();
    assert!(
        run.contains("Tributary devnet is up (resumed)"),
        "second run did not resume:\n{}",
        devnet.logs()
    );
    assert!(
        !run.contains("contract deployed") && !run.contains("OPEN granted"),
        "second run redeployed or refunded:\n{run}"
    );
    let resumed = devnet.info.clone();
    assert_eq!(resumed.contracts, info.contracts, "no redeploy");
    assert_eq!(resumed.raw["deployment"], info.raw["deployment"]);
    assert_eq!(resumed.raw["accounts"], info.raw["accounts"]);
    assert_eq!(resumed.l2_genesis_hash, info.l2_genesis_hash);

    let (l1, l2) = (devnet.l1(), devnet.l2());
    let (code, health) = http_get_json(&resumed.health).await;
    assert_eq!(code, 200, "/health after resume: {health}");
    assert_eq!(health["ready"], true, "/health after resume: {health}");
    gateway_health("after resume").await;

    // L1 resumed from its saved state
    assert!(l1.get_block_number().await.unwrap() >= l1_before);
    let deploy_block = l1
        .get_block_by_number(info.deployment.deploy_block.number.into())
        .await
        .unwrap()
        .expect("the deploy block survives");
    assert_eq!(deploy_block.header.hash, deploy_block_hash);
    let rollup = Rollup::new(info.contracts.rollup, &l1);
    assert!(rollup.nextBlock().call().await.unwrap() >= next_batch_before);
    assert_eq!(
        rollup.l2GenesisHash().call().await.unwrap(),
        info.l2_genesis_hash
    );

    // L2: same genesis, the old blocks and receipts unchanged, the head moves on
    assert_eq!(block_json(&l2, 0).await["hash"], genesis_hash);
    for receipt in &receipts_before {
        let hash = &receipt["transactionHash"];
        let again: Value = rpc(&l2, "eth_getTransactionReceipt", json!([hash])).await;
        assert_eq!(&again, receipt, "receipt of {hash} after resume");
    }
    for (n, hash) in hashes_before.iter().enumerate() {
        let block = block_json(&l2, n as u64).await;
        assert_eq!(&block["hash"], hash, "block {n} changed across the restart");
    }
    for n in head_before + 1..=old_head {
        let block = block_json(&l2, n).await;
        let parent = block_json(&l2, n - 1).await;
        assert_eq!(block["parentHash"], parent["hash"], "chain link at {n}");
    }
    let new_head = devnet
        .wait_for("head beyond the old head", Duration::from_secs(30), || {
            let l2 = l2.clone();
            async move {
                let n = l2.get_block_number().await.unwrap();
                (n > old_head).then_some(n)
            }
        })
        .await;
    let first_new = block_json(&l2, old_head + 1).await;
    let old_tip = block_json(&l2, old_head).await;
    assert_eq!(
        first_new["parentHash"], old_tip["hash"],
        "the chain continues"
    );
    eprintln!("resume: old head {old_head}, new head {new_head}");

    // balances preserved (nobody transacted since) and the invariant still holds on L1
    assert_eq!(balances(&devnet).await, balances_before);
    let token = OpenToken::new(info.contracts.open_token, &l1);
    assert_eq!(
        token.balanceOf(info.contracts.portal).call().await.unwrap(),
        locked
    );
    for account in &info.accounts {
        assert_eq!(
            token.balanceOf(account.address).call().await.unwrap(),
            account.l1_open
        );
    }

    // a transaction after the resume: nonces continue
    let mut sender = L2Sender::new(&devnet).await;
    let hash = sender
        .send(
            &info.accounts[1].signer(),
            info.accounts[6].address,
            open(1),
            Bytes::new(),
            21_000,
        )
        .await;
    let after = receipts(&devnet, &[hash]).await;
    assert!(quantity_u64(&after[0]["blockNumber"]) > old_head);
    check_sequencer_log(&devnet);
    eprintln!(
        "devnet_starts_is_healthy_stops_and_resumes: {:.1} s",
        began.elapsed().as_secs_f64()
    );
}

/// Native L2 balances of the dev accounts and the fee vaults, at the latest block.
async fn balances(devnet: &Devnet) -> Vec<(Address, U256)> {
    let latest = devnet.l2().get_block_number().await.unwrap();
    balances_at(devnet, latest).await
}

/// L2 balances at block `n`: the ten dev accounts, the gateway's provider, the three fee vaults.
async fn balances_at(devnet: &Devnet, n: u64) -> Vec<(Address, U256)> {
    let l2 = devnet.l2();
    let mut out = Vec::new();
    let vaults = [
        tributary_primitives::predeploys::SEQUENCER_FEE_VAULT,
        tributary_primitives::predeploys::BASE_FEE_VAULT,
        tributary_primitives::predeploys::L1_FEE_VAULT,
    ];
    let info = &devnet.info;
    let accounts = info
        .accounts
        .iter()
        .chain([&info.operators.gateway_provider]);
    for address in accounts.map(|a| a.address).chain(vaults) {
        let balance = l2
            .get_balance(address)
            .block_id(alloy::eips::BlockId::number(n))
            .await
            .unwrap();
        out.push((address, balance));
    }
    out
}

/// The highest `sealed block number=N` in the sequencer log.
fn last_sealed_block(log: &str) -> Option<u64> {
    log.lines()
        .filter(|l| l.contains("sealed block"))
        .filter_map(|l| log_field(l, "number"))
        .max()
}

#[test]
fn sealed_block_parsing() {
    let log = "x INFO node::producer: sealed block number=8 hash=0xeb txs=1\n\
               y INFO node::producer: sealed block number=12 hash=0x84 txs=1\n";
    assert_eq!(last_sealed_block(log), Some(12));
}
