//! kill -9 of the sequencer (with its batcher and proposer) while anvil keeps running, several
//! times, preferably while a batch transaction is pending in anvil's mempool; then, from L1
//! alone: the batches cover every L2 block exactly once, contiguously, the hash chain matches
//! the Rollup's, no transaction of the batcher (or the proposer) failed on L1, and every L2
//! transfer the node acknowledged has a receipt.
//!
//! ```text
//!  devnet (first run, then SIGINT) ─► anvil --state D/anvil-state.json   (runs throughout)
//!                                     sequencer --datadir D/l2 … ×(KILLS+1), kill -9 between
//!  transfer stream (dev account 3) ─► L2, acknowledged hashes recorded
//! ```

use std::{
    path::Path,
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use alloy::{
    consensus::TxEnvelope,
    eips::{BlockId, BlockNumberOrTag, eip2718::Encodable2718},
    network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use serde_json::{Value, json};
use tributary_contracts::Rollup;
use tributary_testkit::{
    Devnet, DevnetInfo, L1Batch, Ports, Proc, anvil_bin, http_provider, l1_batches, quantity_u64,
    rpc, wait_for, wait_receipt, workspace_bin,
};

/// kill -9 rounds; every round but [`RANDOM_ROUND`] waits for a pending batch transaction.
const KILLS: usize = 4;
/// The round that kills at a random moment instead.
const RANDOM_ROUND: usize = 2;
/// How long a round looks for a pending batch transaction before killing anyway.
const CATCH_TIMEOUT: Duration = Duration::from_secs(20);
/// Batch DA of run `i` of the sequencer: alternating, so that both kinds of batch transaction
/// are pending at some kill, and a calldata run (which posts within a second of its start, while
/// a blob run first loads the KZG setup) restarts right onto a transaction still pending.
fn da(run: usize) -> &'static str {
    if run % 2 == 1 { "calldata" } else { "auto" }
}
/// Priority fee of the L2 transfers.
const TIP: u128 = 1_000_000_000;

/// A tiny xorshift generator (seed printed, so a failing run can be told apart).
struct Rng(u64);

impl Rng {
    fn from_time() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        Self(nanos | 1)
    }

    fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_millis(lo + self.0 % (hi - lo + 1))
    }
}

/// anvil on the devnet's saved state, with the flags the devnet uses (devnet/src/process.rs).
fn start_anvil(root: &Path, dir: &Path, ports: Ports) -> Proc {
    let mut command = Command::new(anvil_bin());
    command
        .args(["--host", "127.0.0.1", "--hardfork", "prague"])
        .args(["--port", &ports.l1.to_string()])
        .args(["--block-time", "1", "--accounts", "12"])
        .arg("--state")
        .arg(dir.join("anvil-state.json"))
        .args(["--state-interval", "2", "--preserve-historical-states"]);
    Proc::spawn("anvil", &root.join("anvil.log"), &mut command)
}

/// The sequencer as the devnet starts it (devnet/src/process.rs), batching every second and
/// proposing every two, batches as `da` (`auto`: blobs on anvil, or `calldata`).
fn start_sequencer(root: &Path, dir: &Path, ports: Ports, info: &DevnetInfo, da: &str) -> Proc {
    let mut command = Command::new(workspace_bin("sequencer"));
    command
        .arg("--deployment")
        .arg(dir.join("deployment.json"))
        .arg("--genesis")
        .arg(dir.join("genesis.json"))
        .arg("--datadir")
        .arg(dir.join("l2"))
        .args(["--l1.rpc", &ports.l1_rpc()])
        .args(["--http.port", &ports.l2.to_string()])
        .args(["--metrics.port", &ports.metrics.to_string()])
        .args(["--batcher.max-delay-secs", "1"])
        .args(["--proposer.max-interval-secs", "2"])
        .args(["--batcher.da", da])
        .env("TRIBUTARY_BATCHER_KEY", &info.operators.batcher.private_key)
        .env(
            "TRIBUTARY_PROPOSER_KEY",
            &info.operators.proposer.private_key,
        )
        .env("RUST_LOG", "info");
    for var in [
        "TRIBUTARY_DEPLOYMENT",
        "TRIBUTARY_GENESIS",
        "TRIBUTARY_L1_RPC",
        "TRIBUTARY_L1_BEACON",
        "TRIBUTARY_BATCHER_DA",
    ] {
        command.env_remove(var);
    }
    Proc::spawn("sequencer", &root.join("sequencer.log"), &mut command)
}

/// (pending, latest) transaction counts of `address` on L1; pending is read first, so
/// `pending > latest` means a transaction was in the pool and still unmined at the second read.
async fn nonces(l1: &DynProvider, address: Address) -> Option<(u64, u64)> {
    let pending = l1
        .get_transaction_count(address)
        .block_id(BlockNumberOrTag::Pending.into())
        .await
        .ok()?;
    let latest = l1
        .get_transaction_count(address)
        .block_id(BlockNumberOrTag::Latest.into())
        .await
        .ok()?;
    Some((pending, latest))
}

/// The L2 head: (number, hash).
async fn l2_head(l2: &DynProvider) -> (u64, B256) {
    let block: Value = rpc(l2, "eth_getBlockByNumber", json!(["latest", false])).await;
    let number = quantity_u64(&block["number"]);
    (number, block["hash"].as_str().unwrap().parse().unwrap())
}

/// What the transfer stream did.
#[derive(Debug, Default)]
struct Transfers {
    /// Hashes the node acknowledged (eth_sendRawTransaction answered with the hash).
    acked: Vec<B256>,
    /// Sends that failed (node down, killed mid-request).
    failed: usize,
}

/// Sends signed transfers from `from` to `to` every ~100 ms until `stop`; after a failed send
/// the nonce is re-read from the node's pending count (a transaction the node journaled but
/// could not acknowledge before it died is in that count).
async fn transfer_stream(
    l2_url: String,
    chain_id: u64,
    from: PrivateKeySigner,
    to: Address,
    stop: Arc<AtomicBool>,
) -> Transfers {
    let l2 = http_provider(&l2_url);
    let wallet = EthereumWallet::from(from.clone());
    let mut out = Transfers::default();
    let mut state: Option<(u64, u128)> = None; // (nonce, max fee)
    while !stop.load(Ordering::Relaxed) {
        let (nonce, max_fee) = match state {
            Some(s) => s,
            None => {
                let nonce = l2
                    .get_transaction_count(from.address())
                    .block_id(BlockNumberOrTag::Pending.into())
                    .await;
                let block = l2.get_block_by_number(BlockNumberOrTag::Latest).await;
                match (nonce, block) {
                    (Ok(nonce), Ok(Some(block))) => {
                        let base = u128::from(block.header.base_fee_per_gas.unwrap_or(1));
                        (nonce, base * 4 + TIP)
                    }
                    _ => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                }
            }
        };
        let request = TransactionRequest::default()
            .with_from(from.address())
            .with_to(to)
            .with_value(U256::from(1_000_000_000u64))
            .with_nonce(nonce)
            .with_chain_id(chain_id)
            .with_gas_limit(21_000)
            .with_max_fee_per_gas(max_fee)
            .with_max_priority_fee_per_gas(TIP);
        let envelope: TxEnvelope = request.build(&wallet).await.unwrap();
        let raw = Bytes::from(envelope.encoded_2718());
        match l2
            .raw_request::<_, B256>("eth_sendRawTransaction".into(), (raw,))
            .await
        {
            Ok(hash) => {
                assert_eq!(hash, *envelope.tx_hash());
                out.acked.push(hash);
                state = Some((nonce + 1, max_fee));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(_) => {
                out.failed += 1;
                state = None;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    out
}

/// One kill -9.
#[derive(Debug)]
struct Kill {
    /// Whether a batch transaction was pending in anvil's pool when the kill came.
    batch_pending: bool,
    /// Whether it was still pending right after the kill.
    still_pending_after: bool,
    /// The L2 head seen just before the kill.
    l2_head: u64,
    /// Rollup.nextBlock() just before the kill.
    next_block: u64,
    /// From the restart to /health 200.
    restart: Duration,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batcher_crash_restarts_without_gaps_or_double_posts() {
    let test_started = Instant::now();
    let mut rng = Rng::from_time();
    println!("seed {}", rng.0);

    // ---- a devnet initialised by the devnet binary, then stopped.
    let mut devnet = Devnet::options().name("batcher-crash").start();
    let (exit, _) = devnet.interrupt();
    assert!(exit.success(), "devnet exit {exit}\n{}", devnet.logs());
    let root = devnet.dir.path();
    let ports = devnet.ports;
    let info = devnet.info.clone();
    let dir = devnet.path("");
    let deployment = info.deployment.clone();
    let batcher = info.operators.batcher.address;
    let proposer = info.operators.proposer.address;

    // ---- anvil alone, resumed on the devnet's state; it runs until the end.
    let mut anvil = start_anvil(root, &dir, ports);
    let l1 = http_provider(&ports.l1_rpc());
    wait_for(
        || format!("anvil on {}\n{}", ports.l1_rpc(), anvil.tail(20)),
        Duration::from_secs(30),
        Duration::from_millis(100),
        || {
            let l1 = l1.clone();
            async move { l1.get_block_number().await.ok() }
        },
    )
    .await;
    let rollup = Rollup::new(deployment.contracts.rollup, l1.clone());
    let next_block = {
        let rollup = &rollup;
        move || async move { rollup.nextBlock().call().await.unwrap() }
    };

    let mut sequencer = start_sequencer(root, &dir, ports, &info, da(0));
    sequencer.wait_healthy(&ports.health(), Duration::from_secs(60));
    let l2 = http_provider(&ports.l2_rpc());

    // ---- L2 busy: a stream of transfers from dev account 3.
    let stop = Arc::new(AtomicBool::new(false));
    let stream = tokio::spawn(transfer_stream(
        ports.l2_rpc(),
        deployment.l2_chain_id,
        info.accounts[3].signer(),
        PrivateKeySigner::random().address(),
        stop.clone(),
    ));
    let batches_at_start = rollup.batchCount().call().await.unwrap();

    // ---- kill -9 the sequencer KILLS times, restarting it on the same datadir.
    let mut kills = Vec::new();
    for round in 0..KILLS {
        tokio::time::sleep(rng.millis(1_000, 3_000)).await;
        sequencer.assert_running();
        let mut batch_pending = false;
        if round == RANDOM_ROUND {
            tokio::time::sleep(rng.millis(0, 1_500)).await;
        } else {
            let watching = Instant::now();
            while watching.elapsed() < CATCH_TIMEOUT {
                if let Some((pending, latest)) = nonces(&l1, batcher).await
                    && pending > latest
                {
                    batch_pending = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        let head = l2_head(&l2).await;
        let next = next_block().await;
        sequencer.kill9();
        let still_pending_after = nonces(&l1, batcher)
            .await
            .is_some_and(|(pending, latest)| pending > latest);

        tokio::time::sleep(rng.millis(0, 500)).await;
        sequencer = start_sequencer(root, &dir, ports, &info, da(round + 1));
        let restart = sequencer.wait_healthy(&ports.health(), Duration::from_secs(60));
        // nothing the node had published is lost or replaced
        let after = l2_head(&l2).await;
        assert!(
            after.0 >= head.0,
            "L2 head went back from {} to {} across kill -9 #{round}",
            head.0,
            after.0
        );
        let block: Value = rpc(
            &l2,
            "eth_getBlockByNumber",
            json!([format!("{:#x}", head.0), false]),
        )
        .await;
        assert_eq!(
            block["hash"].as_str().unwrap().parse::<B256>().unwrap(),
            head.1,
            "L2 block {} changed across kill -9 #{round}",
            head.0
        );
        println!(
            "kill -9 #{round} (of a run batching with --batcher.da={}): batch tx pending {batch_pending} (still pending after: \
             {still_pending_after}), L2 head {}, Rollup.nextBlock {next}, healthy again in {restart:?}",
            da(round),
            head.0
        );
        kills.push(Kill {
            batch_pending,
            still_pending_after,
            l2_head: head.0,
            next_block: next,
            restart,
        });
    }

    // ---- let the last run settle, stop the stream, everything acknowledged must be mined.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let transfers = stream.await.unwrap();
    assert!(!transfers.acked.is_empty(), "no transfer was acknowledged");
    let mut last_tx_block = 0;
    for hash in &transfers.acked {
        let receipt = wait_receipt(&l2, *hash, Duration::from_secs(60), || {
            format!("(an acknowledged transfer)\n{}", sequencer.tail(40))
        })
        .await;
        last_tx_block = last_tx_block.max(quantity_u64(&receipt["blockNumber"]));
    }

    // ---- wait until L1 covers the L2 head seen now, then judge from L1 alone.
    let (final_head, _) = l2_head(&l2).await;
    assert!(final_head >= last_tx_block);
    let batched = wait_for(
        || {
            format!(
                "Rollup.nextBlock() - 1 >= {final_head}\n{}",
                sequencer.tail(40)
            )
        },
        Duration::from_secs(90),
        Duration::from_millis(250),
        move || async move {
            let next = next_block().await;
            (next > final_head).then_some(next - 1)
        },
    )
    .await;
    let at = l1.get_block_number().await.unwrap();
    let at_id = BlockId::number(at);

    // indices, contiguity from block 1 and the hash chain: checked by l1_batches
    let (logs, chain) = l1_batches(&l1, &deployment, at).await;
    let n = rollup.nextBlock().call().block(at_id).await.unwrap() - 1;
    assert!(n >= batched);
    let mut covered = vec![0u32; n as usize + 1];
    let mut batch_tx_hashes = Vec::new();
    let mut blob_batches = 0usize;
    for L1Batch { log, event } in &logs {
        blob_batches += usize::from(!event.blobHashes.is_empty());
        for block in event.firstBlock..=event.lastBlock {
            covered[block as usize] += 1;
        }
        batch_tx_hashes.push(log.transaction_hash.unwrap());
    }
    let expected_first = logs.last().map_or(1, |b| b.event.lastBlock + 1);
    assert_eq!(expected_first, n + 1, "the batches end at nextBlock - 1");
    assert!(
        covered[1..].iter().all(|&c| c == 1),
        "every L2 block 1..={n} in exactly one batch"
    );
    assert_eq!(
        rollup.batchChainHash().call().block(at_id).await.unwrap(),
        chain,
        "Rollup.batchChainHash() vs the chain recomputed from the events"
    );
    assert_eq!(
        rollup.batchCount().call().block(at_id).await.unwrap(),
        U256::from(logs.len())
    );

    // ---- every L1 transaction of the batcher (and the proposer) succeeded: no reverted
    // double post, and each batcher transaction is one of the batches above.
    let mut batcher_txs = Vec::new();
    let mut proposer_txs = 0usize;
    let mut failed = Vec::new();
    for number in 0..=at {
        let receipts: Vec<Value> =
            rpc(&l1, "eth_getBlockReceipts", json!([format!("{number:#x}")])).await;
        for receipt in receipts {
            let from: Address = receipt["from"].as_str().unwrap().parse().unwrap();
            if from != batcher && from != proposer {
                continue;
            }
            let hash: B256 = receipt["transactionHash"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            if receipt["status"] != "0x1" {
                failed.push(format!(
                    "{} tx {hash} in L1 block {number} reverted",
                    if from == batcher {
                        "batcher"
                    } else {
                        "proposer"
                    }
                ));
            }
            if from == batcher {
                batcher_txs.push(hash);
            } else {
                proposer_txs += 1;
            }
        }
    }
    assert!(
        failed.is_empty(),
        "failed operator transactions on L1:\n{}\n{}",
        failed.join("\n"),
        sequencer.tail(60)
    );
    assert_eq!(
        batcher_txs, batch_tx_hashes,
        "the batcher's L1 transactions are exactly the batches, in order"
    );
    let batcher_nonce = l1
        .get_transaction_count(batcher)
        .block_id(at_id)
        .await
        .unwrap();
    assert_eq!(
        batcher_nonce,
        logs.len() as u64,
        "batcher nonce vs batch count"
    );

    // ---- what the batcher logged about failed rounds (simulated reverts cost nothing on L1,
    // but they show a stale post was attempted).
    let log = sequencer.log();
    let failed_rounds: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("batch round failed") || l.contains("proposal round failed"))
        .collect();
    for line in log.lines().filter(|l| {
        l.contains("===== test")
            || l.contains("batch posted")
            || l.contains("bumping fees")
            || l.contains("send failed")
            || l.contains("round failed")
    }) {
        println!("  {}", line.chars().take(220).collect::<String>());
    }

    // ---- clean stop.
    let (exit, _) = sequencer.interrupt();
    assert!(
        exit.success(),
        "sequencer exit {exit}\n{}",
        sequencer.tail(40)
    );
    let (exit, _) = anvil.interrupt();
    assert!(exit.success(), "anvil exit {exit}");

    let caught = kills.iter().filter(|k| k.batch_pending).count();
    let still = kills.iter().filter(|k| k.still_pending_after).count();
    let max_restart = kills.iter().map(|k| k.restart).max().unwrap();
    println!(
        "batcher_crash: {} kills ({caught} with a batch tx pending in anvil's pool, {still} still \
         pending right after the kill), L2 heads at the kills {:?}, nextBlock at the kills {:?}; \
         {} batches in all ({} during the crash phase; {blob_batches} in blobs), {} L2 blocks batched, {} batcher txs and \
         {proposer_txs} proposer txs on L1 all successful; {} transfers acknowledged (all mined), \
         {} sends failed while the node was down; {} failed batch/proposal rounds logged; \
         slowest restart {max_restart:?}; total {:?}",
        kills.len(),
        kills.iter().map(|k| k.l2_head).collect::<Vec<_>>(),
        kills.iter().map(|k| k.next_block).collect::<Vec<_>>(),
        logs.len(),
        U256::from(logs.len()) - batches_at_start,
        n,
        batcher_txs.len(),
        transfers.acked.len(),
        transfers.failed,
        failed_rounds.len(),
        test_started.elapsed()
    );
}
