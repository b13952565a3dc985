//! The run: for each workload, rounds alternating anvil, sequencer, anvil, sequencer…, each on
//! fresh node processes; signing (cached per workload, node and chain id) and setup happen before
//! the clock starts.

use std::{collections::HashMap, sync::Arc};

use eyre::{Result, WrapErr, ensure};

use crate::{
    chain::{Inclusion, ReceiptCheck, check_code, run_setup},
    cli::{Args, Workload},
    latency,
    node::{Node, NodeKind},
    plan::Plan,
    report::{GasStats, LatencyStats, RoundResult, WorkloadSummary, ms, summarise},
    throughput,
    tx::{DevAccounts, SignedTx, sign_all},
};

/// Signed setup stages and measured transactions of one plan for one chain id.
#[derive(Debug)]
struct Signed {
    setup: Vec<Vec<SignedTx>>,
    timed: Vec<SignedTx>,
}

/// Signed plans, per workload, node and chain id.
type Cache = HashMap<(Workload, NodeKind, u64), Arc<Signed>>;

/// Everything the run produced.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Every round, in the order run.
    pub(crate) rounds: Vec<RoundResult>,
    /// One summary per workload.
    pub(crate) summaries: Vec<WorkloadSummary>,
}

/// Runs every workload and round.
pub(crate) async fn run(args: &Args) -> Result<Outcome> {
    for kind in args.nodes() {
        let path = match kind {
            NodeKind::Anvil => &args.anvil,
            NodeKind::Sequencer => &args.sequencer,
        };
        ensure!(
            path.is_file(),
            "{} binary not found at {} (see --{0}; `--only` runs one node)",
            kind.name(),
            path.display()
        );
    }
    ensure!(
        args.rounds > 0 && args.txs > 0,
        "--rounds and --txs must be positive"
    );
    let accounts = DevAccounts::derive()?;
    let mut cache = Cache::new();
    let mut rounds = Vec::new();
    let mut summaries = Vec::new();
    for &workload in &args.workloads {
        let count = match workload {
            Workload::Latency => usize::try_from(args.rate * args.latency_secs)?,
            Workload::Transfers | Workload::Erc20 | Workload::Settle => args.txs,
        };
        let plans: HashMap<NodeKind, Plan> = args
            .nodes()
            .into_iter()
            .map(|kind| (kind, Plan::new(workload, kind, &accounts, count)))
            .collect();
        for round in 1..=args.rounds {
            for kind in args.nodes() {
                let plan = &plans[&kind];
                eprintln!(
                    "[{}] {} round {round}: starting",
                    workload.name(),
                    kind.name()
                );
                let result =
                    run_round(args, &accounts, plan, workload, kind, round, &mut cache).await;
                println!("{}", result.line());
                rounds.push(result);
            }
        }
        summaries.push(summarise(workload, &args.nodes(), &rounds));
    }
    Ok(Outcome { rounds, summaries })
}

/// One round on a fresh node. Errors end up in the record (the round is invalid), not in `Err`.
async fn run_round(
    args: &Args,
    accounts: &DevAccounts,
    plan: &Plan,
    workload: Workload,
    kind: NodeKind,
    round: usize,
    cache: &mut Cache,
) -> RoundResult {
    let mut result = RoundResult::new(workload, kind, round, plan.timed.len());
    // Spawned from this (main) thread: see `Node::start`.
    let node = match Node::start(kind, args).await {
        Ok(node) => node,
        Err(error) => {
            result.problems.push(format!("start: {error:#}"));
            return result;
        }
    };
    result.chain_id = Some(node.chain_id());
    if let Err(error) = measure(args, accounts, plan, &node, cache, &mut result).await {
        result.problems.push(format!("{error:#}"));
        eprintln!("{} log tail:\n{}", node.kind().name(), node.log_tail(20));
    }
    match node.peak_rss_kib() {
        Ok(kib) => result.peak_rss_kib = Some(kib),
        Err(error) => result.problems.push(format!("peak RSS: {error:#}")),
    }
    if let Err(error) = node.stop().await {
        eprintln!("warning: stopping {}: {error:#}", kind.name());
    }
    result.valid = result.problems.is_empty();
    result
}

/// Signs (or reuses), runs the setup, then the measured phase, and fills `result`.
async fn measure(
    args: &Args,
    accounts: &DevAccounts,
    plan: &Plan,
    node: &Node,
    cache: &mut Cache,
    result: &mut RoundResult,
) -> Result<()> {
    let key = (result.workload, node.kind(), node.chain_id());
    let signed = match cache.get(&key) {
        Some(signed) => Arc::clone(signed),
        None => {
            eprintln!(
                "  signing {} transactions for chain {}",
                plan.setup.iter().map(Vec::len).sum::<usize>() + plan.timed.len(),
                node.chain_id()
            );
            // On a blocking thread, so that Ctrl-C is handled at once even while signing.
            let (accounts, plan) = (accounts.clone(), plan.clone());
            let (chain_id, max_fee) = (node.chain_id(), args.max_fee());
            let signed = tokio::task::spawn_blocking(move || -> Result<Signed> {
                Ok(Signed {
                    setup: plan
                        .setup
                        .iter()
                        .map(|stage| sign_all(&accounts, chain_id, max_fee, stage))
                        .collect::<Result<_>>()?,
                    timed: sign_all(&accounts, chain_id, max_fee, &plan.timed)?,
                })
            })
            .await
            .wrap_err("signing task")??;
            let signed = Arc::new(signed);
            cache.insert(key, Arc::clone(&signed));
            signed
        }
    };
    // The contracts must have code once the first stage (their deployment, if any) is confirmed.
    for (i, stage) in signed.setup.iter().enumerate() {
        run_setup(
            node.rpc(),
            accounts,
            i + 1,
            stage,
            args.poll(),
            args.timeout(),
        )
        .await?;
        if i == 0 {
            check_code(node.rpc(), &plan.contracts).await?;
        }
    }
    if signed.setup.is_empty() {
        check_code(node.rpc(), &plan.contracts).await?;
    }

    if result.workload == Workload::Latency {
        let outcome = latency::run(node.rpc(), node.pid(), &signed.timed, args).await?;
        record_latency(result, &outcome);
    } else {
        let outcome =
            throughput::run(node.rpc(), node.pid(), accounts, &signed.timed, args).await?;
        record_throughput(result, &outcome, args);
    }
    Ok(())
}

/// Fills `result` from a latency measurement.
fn record_latency(result: &mut RoundResult, outcome: &latency::Outcome) {
    result.rejected = outcome.rejected;
    result.submit_s = Some(outcome.send_span.as_secs_f64());
    result.latency_samples_ms = outcome.latencies.iter().copied().map(ms).collect();
    let rate = if outcome.send_span.is_zero() {
        0.0
    } else {
        outcome.sent.saturating_sub(1) as f64 / outcome.send_span.as_secs_f64()
    };
    result.latency = LatencyStats::of(&result.latency_samples_ms, rate);
    (result.bench_cpu_s, result.node_cpu_s) = (Some(outcome.cpu.0), Some(outcome.cpu.1));
    record_rejections(result, outcome.rejected, &outcome.messages);
    record_receipts(result, &outcome.receipts);
    if outcome.unseen > 0 {
        result.problems.push(format!(
            "{} accepted transactions never seen in a block",
            outcome.unseen
        ));
    }
    eprintln!(
        "  sent {} in {:.2} s, largest lag behind schedule {:.1} ms",
        outcome.sent,
        outcome.send_span.as_secs_f64(),
        ms(outcome.max_send_lag)
    );
}

/// Fills `result` from a throughput measurement.
fn record_throughput(result: &mut RoundResult, outcome: &throughput::Outcome, args: &Args) {
    result.rejected = outcome.rejected;
    result.submit_s = Some(outcome.submit.as_secs_f64());
    (result.bench_cpu_s, result.node_cpu_s) = (Some(outcome.cpu.0), Some(outcome.cpu.1));
    if let Some(elapsed) = outcome.elapsed {
        result.elapsed_s = Some(elapsed.as_secs_f64());
        result.tx_per_s = Some(result.txs as f64 / elapsed.as_secs_f64());
    }
    record_rejections(result, outcome.rejected, &outcome.messages);
    record_receipts(result, &outcome.receipts);
    if outcome.inclusion == Inclusion::TimedOut {
        result
            .problems
            .push(format!("not all included within {} s", args.timeout_secs));
    }
    eprintln!("  submitted in {:.2} s", outcome.submit.as_secs_f64());
}

/// Adds a problem when transactions were rejected.
fn record_rejections(result: &mut RoundResult, rejected: usize, messages: &[String]) {
    if rejected > 0 {
        result
            .problems
            .push(format!("{rejected} rejected: {}", messages.join(" | ")));
    }
}

/// Copies the receipt check into `result`, adding problems for missing or reverted receipts.
fn record_receipts(result: &mut RoundResult, receipts: &ReceiptCheck) {
    result.missing_receipts = receipts.missing;
    result.reverted = receipts.failed;
    result.blocks = receipts.block_count();
    result.gas_used = receipts.gas_used;
    result.gas_samples = receipts.gas_in_execution_order();
    result.gas = GasStats::of(&result.gas_samples);
    if receipts.missing > 0 {
        result
            .problems
            .push(format!("{} receipts missing", receipts.missing));
    }
    if receipts.failed > 0 {
        result
            .problems
            .push(format!("{} receipts with status 0", receipts.failed));
    }
}
