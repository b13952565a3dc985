//! `prover verify`: one pass from where the datadir stands to the confirmed L1 head, then the
//! verdict on every posted output.

use std::{
    process::ExitCode,
    sync::{Arc, atomic::AtomicBool},
    time::Duration,
};

use alloy::{
    providers::{DynProvider, Provider, ProviderBuilder},
    transports::http::reqwest::Url,
};
use alloy_primitives::B256;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::{
    EXIT_INTERRUPTED, EXIT_MISMATCH, L1Args,
    chain::Chain,
    checkpoint::Anomaly,
    outputs::{OutputCheck, Status, check_outputs},
};

/// `prover verify` flags.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub(crate) l1: L1Args,
    /// Stop at this L1 block instead of the confirmed head.
    #[arg(long = "l1-block")]
    pub(crate) l1_block: Option<u64>,
    /// Print one JSON report on stdout instead of text (no progress bar).
    #[arg(long)]
    pub(crate) json: bool,
    /// An L2 JSON-RPC endpoint, only to narrow down where a wrong output diverges (which block,
    /// which header fields). Never trusted: verdicts come from L1 alone.
    #[arg(long = "l2-rpc", env = "TRIBUTARY_L2_RPC")]
    pub(crate) l2_rpc: Option<Url>,
}

/// The machine-readable report (`--json`).
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// The last L1 block derived.
    pub(crate) l1_block: u64,
    /// The derived L2 head.
    pub(crate) l2_head: u64,
    pub(crate) l2_head_hash: B256,
    /// The L2 head the run started from (0 for a new datadir).
    pub(crate) resumed_from: u64,
    /// Stopped by SIGINT before reaching `l1_block`'s target: run again to resume.
    pub(crate) interrupted: bool,
    /// Invalid batches and forced blocks seen since genesis.
    pub(crate) anomalies: Vec<Anomaly>,
    pub(crate) outputs: Vec<OutputCheck>,
    /// True when no output mismatches.
    pub(crate) ok: bool,
}

pub(crate) async fn run(args: VerifyArgs, stop: Arc<AtomicBool>) -> eyre::Result<ExitCode> {
    let mut chain = Chain::open(&args.l1).await?;
    let until = match args.l1_block {
        Some(n) => n,
        None => chain.confirmed_l1().await?,
    };
    let mut deriver = chain.deriver().await?;
    let resumed_from = deriver.head().number;
    let first = deriver.next_l1_block();

    let progress = ProgressBar::new(until.saturating_add(1).saturating_sub(first));
    if args.json {
        progress.set_draw_target(ProgressDrawTarget::hidden());
    }
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} L1 {pos}/{len} blocks [{bar:30}] {per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    progress.enable_steady_tick(Duration::from_millis(250));
    let finished = chain
        .derive_to(&mut deriver, until, &stop, |step| {
            progress.inc(1);
            progress.set_message(format!("L2 head {}", step.head.number));
        })
        .await?;
    progress.finish_and_clear();

    let head = *deriver.head();
    let outputs = if finished {
        let l2_rpc = args.l2_rpc.as_ref().map(|url| -> DynProvider {
            ProviderBuilder::new().connect_http(url.clone()).erased()
        });
        check_outputs(
            &chain.client,
            &chain.node,
            &chain.checkpoint,
            until,
            l2_rpc.as_ref(),
        )
        .await?
    } else {
        Vec::new()
    };
    let report = Report {
        l1_block: deriver.next_l1_block().saturating_sub(1),
        l2_head: head.number,
        l2_head_hash: head.hash,
        resumed_from,
        interrupted: !finished,
        anomalies: chain.checkpoint.anomalies.clone(),
        ok: outputs.iter().all(|o| o.status != Status::Mismatch),
        outputs,
    };
    chain.close().await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(if report.interrupted {
        ExitCode::from(EXIT_INTERRUPTED)
    } else if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_MISMATCH)
    })
}

fn print_report(report: &Report) {
    println!(
        "derived L1 blocks up to {}: L2 head {} ({}), resumed from L2 block {}",
        report.l1_block, report.l2_head, report.l2_head_hash, report.resumed_from
    );
    if report.interrupted {
        println!("interrupted: run again to resume from here");
        return;
    }
    for anomaly in &report.anomalies {
        println!("anomaly: {}", anomaly.describe());
    }
    for output in &report.outputs {
        print_output(output);
    }
    let count = |status| report.outputs.iter().filter(|o| o.status == status).count();
    println!(
        "{} outputs: {} OK, {} MISMATCH, {} PENDING",
        report.outputs.len(),
        count(Status::Ok),
        count(Status::Mismatch),
        count(Status::Pending)
    );
}

/// One output as a line (plus the divergence for a mismatch).
pub(crate) fn print_output(output: &OutputCheck) {
    let status = match output.status {
        Status::Ok => "OK",
        Status::Mismatch => "MISMATCH",
        Status::Pending => "PENDING",
    };
    let challenge = match (output.challenger, output.challenge_resolved) {
        (Some(c), false) => format!(" (challenged by {c})"),
        (Some(_), true) => " (challenge resolved: valid)".to_string(),
        (None, _) => String::new(),
    };
    println!(
        "output #{:<4} L2 block {:<8} {status:<8} posted {}{challenge}",
        output.index, output.l2_block, output.posted_root
    );
    if let (Some(derived), Some(divergence)) = (&output.derived, &output.divergence) {
        println!(
            "    derived {} (state root {}, message passer storage root {}, block hash {})",
            derived.output_root,
            derived.state_root,
            derived.message_passer_storage_root,
            derived.block_hash
        );
        println!(
            "    first divergent L2 block {} [{}]: {}",
            divergence.first_block,
            divergence.fields.join(", "),
            divergence.cause
        );
    }
}
