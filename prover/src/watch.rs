//! `prover watch`: follows L1, checks every output as soon as its block is derived, challenges a
//! wrong one while its window is open, and reports until the guardian resolves it.
//!
//! Each event is logged and, with `--json`, printed as one JSON line on stdout:
//! `{"event":"ok"|"mismatch"|"challenged"|"challenge_failed"|"window_closed"|"resolved", ...}`.
//! The evidence of every mismatch (posted root, recomputed root and preimage, first divergent
//! block and cause) is also written to `<datadir>/evidence/output-<index>.json`.

use std::{
    collections::HashMap,
    process::ExitCode,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use alloy::{
    eips::BlockNumberOrTag, network::TransactionBuilder, providers::Provider,
    rpc::types::TransactionRequest, signers::local::PrivateKeySigner, sol_types::SolCall,
};
use alloy_primitives::{B256, U256};
use clap::Args;
use eyre::WrapErr;
use serde_json::{Value, json};
use tracing::{error, info, warn};
use tributary_contracts::Rollup;
use tributary_l1::TxSender;

use crate::{
    L1Args,
    chain::Chain,
    outputs::{OutputCheck, Status, check_outputs},
};

/// `prover watch` flags.
#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    #[command(flatten)]
    pub(crate) l1: L1Args,
    /// Milliseconds between polls of L1.
    #[arg(
        long = "poll-ms",
        env = "TRIBUTARY_PROVER_POLL_MS",
        default_value_t = 1000
    )]
    pub(crate) poll_ms: u64,
    /// Print events as JSON lines on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// The key that challenges (pays the challenger bond in ETH). Environment only; without it
    /// the watcher reports mismatches but cannot challenge.
    #[arg(long, env = "TRIBUTARY_CHALLENGER_KEY", hide_env_values = true)]
    pub(crate) challenger_key: Option<PrivateKeySigner>,
}

/// What the watcher knows of one output (keyed by index and root: after a deletion the index
/// may come back with another root).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Ok,
    Mismatch,
    Challenged,
    WindowClosed,
    Resolved,
}

pub(crate) async fn run(args: WatchArgs, stop: Arc<AtomicBool>) -> eyre::Result<ExitCode> {
    let mut chain = Chain::open(&args.l1).await?;
    let mut deriver = chain.deriver().await?;
    let sender = args
        .challenger_key
        .clone()
        .map(|key| TxSender::new(args.l1.l1_rpc.clone(), key, "challenger"));
    if sender.is_none() {
        warn!(target: "prover::watch", "no TRIBUTARY_CHALLENGER_KEY: wrong outputs are reported, not challenged");
    }
    let evidence_dir = args.l1.datadir.join("evidence");
    let window = chain.client.deployment().challenge_window_secs;
    let bond = chain.client.deployment().challenger_bond;
    let emit = |event: &str, body: Value| {
        if args.json {
            let mut line = json!({ "event": event });
            if let (Some(line), Value::Object(body)) = (line.as_object_mut(), body) {
                line.extend(body);
            }
            println!("{line}");
        }
    };
    let mut seen: HashMap<(u64, B256), Seen> = HashMap::new();
    info!(target: "prover::watch", head = deriver.head().number, "watching");
    while !stop.load(Ordering::SeqCst) {
        let round = async {
            let until = chain.confirmed_l1().await?;
            chain.derive_to(&mut deriver, until, &stop, |_| {}).await?;
            // outputs are read at the L1 head (the newest proposals), checked against what is
            // derived from confirmed blocks; younger ones stay pending until derived
            let latest = chain
                .client
                .provider()
                .get_block_by_number(BlockNumberOrTag::Latest)
                .await?
                .ok_or_else(|| eyre::eyre!("L1 has no latest block"))?
                .header;
            let checks = check_outputs(
                &chain.client,
                &chain.node,
                &chain.checkpoint,
                latest.number,
                None,
            )
            .await?;
            Ok::<_, eyre::Report>((checks, latest.timestamp))
        };
        let (checks, now) = match round.await {
            Ok(found) => found,
            Err(e) => {
                warn!(target: "prover::watch", "round failed (retrying): {e:#}");
                tokio::time::sleep(Duration::from_millis(args.poll_ms)).await;
                continue;
            }
        };
        // a challenged output that is gone (or has another root at its index) was deleted:
        // the guardian upheld the challenge
        for ((index, root), state) in seen.iter_mut() {
            if *state == Seen::Challenged
                && !checks
                    .iter()
                    .any(|c| c.index == *index && c.posted_root == *root)
            {
                *state = Seen::Resolved;
                info!(target: "prover::watch", index, %root, "challenge upheld: the output was deleted");
                emit(
                    "resolved",
                    json!({ "index": index, "posted_root": root, "outcome": "deleted" }),
                );
            }
        }
        for check in &checks {
            let key = (check.index, check.posted_root);
            let state = seen.get(&key).copied();
            match (check.status, state) {
                (Status::Pending, _) => {}
                (Status::Ok, None) => {
                    seen.insert(key, Seen::Ok);
                    info!(target: "prover::watch", index = check.index, l2_block = check.l2_block, "output OK");
                    emit(
                        "ok",
                        json!({ "index": check.index, "l2_block": check.l2_block }),
                    );
                }
                (Status::Ok, _) => {}
                (Status::Mismatch, None) => {
                    seen.insert(key, Seen::Mismatch);
                    record_evidence(&evidence_dir, check);
                    error!(
                        target: "prover::watch",
                        index = check.index,
                        l2_block = check.l2_block,
                        posted = %check.posted_root,
                        derived = ?check.derived.map(|d| d.output_root),
                        divergence = ?check.divergence,
                        "WRONG OUTPUT"
                    );
                    emit("mismatch", serde_json::to_value(check)?);
                }
                _ => {}
            }
            if check.status != Status::Mismatch {
                continue;
            }
            let state = seen.get(&key).copied();
            if state == Some(Seen::Mismatch) {
                let deadline = check.proposed_at + window;
                if check.challenger.is_some() {
                    // someone else challenged it already: wait for the resolution with them
                    seen.insert(key, Seen::Challenged);
                    emit(
                        "challenged",
                        json!({ "index": check.index, "by": check.challenger }),
                    );
                } else if now >= deadline {
                    seen.insert(key, Seen::WindowClosed);
                    error!(target: "prover::watch", index = check.index, deadline, "the challenge window of a wrong output closed before it could be challenged");
                    emit(
                        "window_closed",
                        json!({ "index": check.index, "deadline": deadline }),
                    );
                } else if let Some(sender) = &sender {
                    match challenge(sender, &chain, check.index, bond).await {
                        Ok(tx) => {
                            seen.insert(key, Seen::Challenged);
                            info!(target: "prover::watch", index = check.index, %tx, "challenged");
                            emit(
                                "challenged",
                                json!({ "index": check.index, "tx": tx, "bond": bond }),
                            );
                        }
                        Err(e) => {
                            warn!(target: "prover::watch", index = check.index, "challenge failed (retrying): {e:#}");
                            emit(
                                "challenge_failed",
                                json!({ "index": check.index, "error": format!("{e:#}") }),
                            );
                        }
                    }
                }
            } else if state == Some(Seen::Challenged) && check.challenge_resolved {
                seen.insert(key, Seen::Resolved);
                error!(target: "prover::watch", index = check.index, "the guardian resolved the challenge of a wrong output as valid");
                emit(
                    "resolved",
                    json!({ "index": check.index, "outcome": "valid" }),
                );
            }
        }
        tokio::time::sleep(Duration::from_millis(args.poll_ms)).await;
    }
    info!(target: "prover::watch", head = deriver.head().number, "stopped");
    chain.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Sends `challenge(index)` with the bond; returns the transaction hash.
async fn challenge(sender: &TxSender, chain: &Chain, index: u64, bond: U256) -> eyre::Result<B256> {
    let call = Rollup::challengeCall {
        outputIndex: U256::from(index),
    };
    let request = TransactionRequest::default()
        .with_to(chain.client.deployment().contracts.rollup)
        .with_input(call.abi_encode())
        .with_value(bond);
    let receipt = sender
        .send(request, None)
        .await
        .wrap_err("sending challenge")?;
    Ok(receipt.transaction_hash)
}

/// Writes a mismatch's evidence to `<dir>/output-<index>.json` (best effort: the log has it too).
fn record_evidence(dir: &std::path::Path, check: &OutputCheck) {
    let path = dir.join(format!("output-{}.json", check.index));
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&path, serde_json::to_vec_pretty(check).unwrap_or_default()));
    if let Err(e) = written {
        warn!(target: "prover::watch", path = %path.display(), "writing evidence: {e}");
    }
}
