//! Verification speed against sequencing speed, on the same blocks.
//!
//! ```sh
//! scripts/bench-prover.sh [--txs 20000]   # builds the release binaries, then runs this
//! ```
//!
//! 1. Starts a devnet (anvil + the release sequencer with batcher and proposer) and sends `--txs`
//!    signed transfers to fresh addresses from the ten dev accounts, in JSON-RPC batches of 500.
//! 2. Waits until every block is covered by a batch on L1.
//! 3. Runs `prover verify` (release) from an empty datadir against L1 alone.
//! 4. Compares, over the same L2 blocks: the sequencer's execution + state root + commit time
//!    (its `sealed block … build_us commit_us` log lines) with the prover's own (the same log
//!    lines: it imports through the same block builder) and with the prover's wall time, which
//!    also covers reading L1 (logs, calldata, blobs), decoding, sender recovery and checkpoints.
//!
//! Ratios above 1 mean the auditor is faster than the sequencer: it keeps up.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    network::TxSignerSync,
    primitives::{Address, TxKind, U256, keccak256},
    providers::{Provider, ProviderBuilder},
};
use serde_json::{Value, json};
use tributary_testkit::{Devnet, dev_signer, strip_ansi, wait_safe, workspace_bin};

fn main() {
    let txs: usize = std::env::args()
        .skip_while(|a| a != "--txs")
        .nth(1)
        .map_or(20_000, |n| n.parse().expect("--txs N"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(run(txs));
}

async fn run(txs: usize) {
    let devnet = Devnet::start(&[]);
    let l2_url = devnet.get("l2_rpc");
    let l2 = ProviderBuilder::new().connect_http(l2_url.parse().unwrap());
    let chain_id = l2.get_chain_id().await.unwrap();

    // pre-signed transfers, round-robin over the ten dev accounts
    let signers: Vec<_> = (0..10).map(dev_signer).collect();
    let mut nonces = Vec::new();
    for signer in &signers {
        nonces.push(
            l2.get_transaction_count(signer.address())
                .pending()
                .await
                .unwrap(),
        );
    }
    let mut raws = Vec::with_capacity(txs);
    for i in 0..txs {
        let s = i % signers.len();
        let mut tx = TxEip1559 {
            chain_id,
            nonce: nonces[s],
            gas_limit: 21_000,
            max_fee_per_gas: 100_000_000_000,
            max_priority_fee_per_gas: 1,
            to: TxKind::Call(Address::from_word(keccak256(
                (i as u64 + 7_000_000).to_be_bytes(),
            ))),
            value: U256::from(1),
            ..Default::default()
        };
        nonces[s] += 1;
        let signature = signers[s].sign_transaction_sync(&mut tx).unwrap();
        raws.push(TxEnvelope::from(tx.into_signed(signature)).encoded_2718());
    }

    let first_block = l2.get_block_number().await.unwrap() + 1;
    let http = alloy::transports::http::reqwest::Client::new();
    let started = Instant::now();
    for (n, chunk) in raws.chunks(500).enumerate() {
        let batch: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                json!({"jsonrpc":"2.0","id": n * 500 + i,"method":"eth_sendRawTransaction",
                       "params":[alloy::hex::encode_prefixed(raw)]})
            })
            .collect();
        let answers: Vec<Value> = http
            .post(&l2_url)
            .json(&batch)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for answer in answers {
            assert!(answer.get("error").is_none(), "rejected: {answer}");
        }
    }
    // every sender at its final nonce
    loop {
        let mut done = true;
        for (signer, nonce) in signers.iter().zip(&nonces) {
            if l2.get_transaction_count(signer.address()).await.unwrap() < *nonce {
                done = false;
            }
        }
        if done {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "transfers not mined"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let last_block = l2.get_block_number().await.unwrap();
    println!(
        "load: {txs} transfers in L2 blocks {first_block}..={last_block} ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    wait_safe(&devnet, &l2, last_block).await;

    // the auditor, from L1 alone
    let datadir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(workspace_bin("prover"))
        .args([
            "verify",
            "--json",
            "--l1-confirmations",
            "0",
            "--l1-rpc",
            &devnet.get("l1_rpc"),
            "--deployment",
            &devnet.path("deployment.json").display().to_string(),
            "--datadir",
            &datadir.path().join("p").display().to_string(),
        ])
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let wall = started.elapsed();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no report ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(report["ok"], true, "{report:#}");
    let verified_head = report["l2_head"].as_u64().unwrap();
    assert!(verified_head >= last_block);

    if std::env::var_os("VERIFY_SPEED_LOG").is_some() {
        for line in strip_ansi(&String::from_utf8_lossy(&out.stderr)).lines() {
            if !line.contains("sealed block") {
                eprintln!("prover: {line}");
            }
        }
    }
    let sequencer_log = std::fs::read_to_string(devnet.path("sequencer.log")).unwrap();
    let prover_log = String::from_utf8_lossy(&out.stderr).into_owned();
    let range = 1..=verified_head;
    let sequencer = block_times(&sequencer_log, &range);
    let prover = block_times(&prover_log, &range);
    let blocks = range.clone().count();
    let seq_total = sequencer.as_secs_f64();
    let prover_exec = prover.as_secs_f64();
    let prover_wall = wall.as_secs_f64();
    println!("blocks 1..={verified_head} ({blocks} blocks, {txs} load transfers)");
    println!("sequencer  execution + state root + commit: {seq_total:8.3} s");
    println!("prover     execution + state root + commit: {prover_exec:8.3} s");
    println!(
        "prover     wall time (L1 reads, decode, recovery, execution, checkpoints): {prover_wall:8.3} s"
    );
    println!(
        "ratio (sequencer / prover), execution: {:.2}; end to end: {:.2}",
        seq_total / prover_exec,
        seq_total / prover_wall
    );
}

/// Sum of `build_us + commit_us` of the `sealed block` log lines for blocks in `range`.
fn block_times(log: &str, range: &std::ops::RangeInclusive<u64>) -> Duration {
    let field = |line: &str, name: &str| -> Option<u64> {
        let start = line.find(&format!("{name}="))? + name.len() + 1;
        let digits: String = line[start..]
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let log = strip_ansi(log);
    let mut total = 0u64;
    let mut seen = std::collections::HashSet::new();
    for line in log.lines().filter(|l| l.contains("sealed block")) {
        let (Some(number), Some(build), Some(commit)) = (
            field(line, "number"),
            field(line, "build_us"),
            field(line, "commit_us"),
        ) else {
            continue;
        };
        // a restarted sequencer logs no block twice, but count each block once regardless
        if range.contains(&number) && seen.insert(number) {
            total += build + commit;
        }
    }
    assert_eq!(
        seen.len() as u64,
        range.end() - range.start() + 1,
        "a block's timing is missing from the log"
    );
    Duration::from_micros(total)
}
