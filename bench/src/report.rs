//! Results: one record per round, the per-node summary (medians, pooled latency percentiles, gas
//! per transaction, peak RSS), the ratio, the final table and the JSON file.

use std::{fmt::Write as _, path::Path, time::Duration};

use eyre::{Result, WrapErr};
use serde::Serialize;

use crate::{cli::Workload, node::NodeKind};

/// The result of one round (one fresh node, one workload).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RoundResult {
    /// Workload.
    pub(crate) workload: Workload,
    /// Node.
    pub(crate) node: NodeKind,
    /// Round number, from 1.
    pub(crate) round: usize,
    /// The node's chain id (what was signed for).
    pub(crate) chain_id: Option<u64>,
    /// Measured transactions.
    pub(crate) txs: usize,
    /// No rejections, no timeout, every receipt present with status 1, no error.
    pub(crate) valid: bool,
    /// Why the round is invalid.
    pub(crate) problems: Vec<String>,
    /// Throughput, transactions per second (throughput workloads).
    pub(crate) tx_per_s: Option<f64>,
    /// First send → last inclusion, seconds.
    pub(crate) elapsed_s: Option<f64>,
    /// First send → last answer (throughput) or last send (latency), seconds.
    pub(crate) submit_s: Option<f64>,
    /// Transactions rejected by the node.
    pub(crate) rejected: usize,
    /// Measured transactions without a receipt afterwards.
    pub(crate) missing_receipts: usize,
    /// Receipts with status 0.
    pub(crate) reverted: usize,
    /// Blocks spanned by the measured transactions.
    pub(crate) blocks: u64,
    /// Gas used by the measured transactions.
    pub(crate) gas_used: u64,
    /// Gas per measured transaction (from the receipts found).
    pub(crate) gas: Option<GasStats>,
    /// Gas of every measured transaction in execution order (pooled into the summary; not written
    /// to JSON).
    #[serde(skip)]
    pub(crate) gas_samples: Vec<u64>,
    /// Peak RSS of the node process (VmHWM) just before it was stopped, KiB.
    pub(crate) peak_rss_kib: Option<u64>,
    /// CPU seconds of the bench (signing excluded) during the measurement.
    pub(crate) bench_cpu_s: Option<f64>,
    /// CPU seconds of the node during the measurement.
    pub(crate) node_cpu_s: Option<f64>,
    /// Latency statistics (latency workload).
    pub(crate) latency: Option<LatencyStats>,
    /// Every latency sample, ms (pooled into the summary; not written to JSON).
    #[serde(skip)]
    pub(crate) latency_samples_ms: Vec<f64>,
}

impl RoundResult {
    /// An empty record.
    pub(crate) fn new(workload: Workload, node: NodeKind, round: usize, txs: usize) -> Self {
        Self {
            workload,
            node,
            round,
            chain_id: None,
            txs,
            valid: false,
            problems: Vec::new(),
            tx_per_s: None,
            elapsed_s: None,
            submit_s: None,
            rejected: 0,
            missing_receipts: 0,
            reverted: 0,
            blocks: 0,
            gas_used: 0,
            gas: None,
            gas_samples: Vec::new(),
            peak_rss_kib: None,
            bench_cpu_s: None,
            node_cpu_s: None,
            latency: None,
            latency_samples_ms: Vec::new(),
        }
    }

    /// One line for the progress log.
    pub(crate) fn line(&self) -> String {
        let mut line = format!(
            "{:<9} {:<9} round {}: ",
            self.workload.name(),
            self.node.name(),
            self.round
        );
        if let Some(tps) = self.tx_per_s {
            let _ = write!(
                line,
                "{tps:.0} tx/s ({} txs in {} blocks) ",
                self.txs, self.blocks
            );
        }
        if let (Some(_), Some(g)) = (self.tx_per_s, &self.gas) {
            let _ = write!(
                line,
                "gas/tx first {}, median {}, max {}; ",
                g.first, g.median, g.max
            );
        }
        if let Some(l) = &self.latency {
            let _ = write!(
                line,
                "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms at {:.0} tx/s ",
                l.p50_ms, l.p99_ms, l.max_ms, l.send_rate
            );
        }
        if let (Some(bench), Some(node)) = (self.bench_cpu_s, self.node_cpu_s) {
            let _ = write!(line, "cpu: node {node:.1} s, bench {bench:.1} s; ");
        }
        if let Some(kib) = self.peak_rss_kib {
            let _ = write!(line, "peak RSS {:.0} MiB ", kib as f64 / 1024.0);
        }
        if !self.valid {
            let _ = write!(line, "INVALID: {}", self.problems.join("; "));
        }
        line
    }
}

/// Latency percentiles of a set of samples.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LatencyStats {
    /// Samples.
    pub(crate) samples: usize,
    /// Median, ms.
    pub(crate) p50_ms: f64,
    /// 99th percentile, ms.
    pub(crate) p99_ms: f64,
    /// Maximum, ms.
    pub(crate) max_ms: f64,
    /// Mean, ms.
    pub(crate) mean_ms: f64,
    /// Achieved send rate, tx/s (median over rounds in the summary).
    pub(crate) send_rate: f64,
}

impl LatencyStats {
    /// Statistics of `samples_ms` (nearest-rank percentiles); `None` when empty.
    pub(crate) fn of(samples_ms: &[f64], send_rate: f64) -> Option<Self> {
        if samples_ms.is_empty() {
            return None;
        }
        let mut sorted = samples_ms.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Self {
            samples: sorted.len(),
            p50_ms: percentile(&sorted, 0.50),
            p99_ms: percentile(&sorted, 0.99),
            max_ms: sorted[sorted.len() - 1],
            mean_ms: sorted.iter().sum::<f64>() / sorted.len() as f64,
            send_rate,
        })
    }
}

/// Gas used per transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct GasStats {
    /// Transactions counted.
    pub(crate) samples: usize,
    /// The transaction executed first (it writes storage slots from zero that later ones find
    /// non-zero). In the summary: that of the first valid round.
    pub(crate) first: u64,
    /// Median (lower middle for an even count): the steady state.
    pub(crate) median: u64,
    /// Smallest.
    pub(crate) min: u64,
    /// Largest.
    pub(crate) max: u64,
}

impl GasStats {
    /// Statistics of `in_order` (gas per transaction in execution order); `None` when empty.
    pub(crate) fn of(in_order: &[u64]) -> Option<Self> {
        let first = *in_order.first()?;
        let mut sorted = in_order.to_vec();
        sorted.sort_unstable();
        Some(Self {
            samples: sorted.len(),
            first,
            median: sorted[(sorted.len() - 1) / 2],
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        })
    }
}

/// Nearest-rank percentile of sorted, non-empty samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Median of non-empty values (mean of the middle two for an even count).
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// Milliseconds of a duration.
pub(crate) fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// The summary of one node on one workload, over its valid rounds.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NodeSummary {
    /// Workload.
    pub(crate) workload: Workload,
    /// Node.
    pub(crate) node: NodeKind,
    /// Rounds run.
    pub(crate) rounds: usize,
    /// Valid rounds.
    pub(crate) valid_rounds: usize,
    /// Throughput of each round (`None`: invalid).
    pub(crate) tx_per_s_rounds: Vec<Option<f64>>,
    /// Median throughput of the valid rounds.
    pub(crate) median_tx_per_s: Option<f64>,
    /// Latency over the pooled samples of the valid rounds.
    pub(crate) latency: Option<LatencyStats>,
    /// Gas per measured transaction over the pooled samples of the valid rounds (throughput
    /// workloads); `first` is that of the first valid round.
    pub(crate) gas: Option<GasStats>,
    /// Highest peak RSS over the rounds, KiB.
    pub(crate) peak_rss_kib: Option<u64>,
}

/// The summary of one workload.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WorkloadSummary {
    /// Workload.
    pub(crate) workload: Workload,
    /// One entry per node.
    pub(crate) nodes: Vec<NodeSummary>,
    /// Sequencer median / anvil median throughput (both nodes valid, throughput workloads).
    pub(crate) ratio: Option<f64>,
}

/// Summarises the rounds of `workload`.
pub(crate) fn summarise(
    workload: Workload,
    nodes: &[NodeKind],
    rounds: &[RoundResult],
) -> WorkloadSummary {
    let nodes: Vec<NodeSummary> = nodes
        .iter()
        .map(|&node| {
            let mine: Vec<&RoundResult> = rounds
                .iter()
                .filter(|r| r.workload == workload && r.node == node)
                .collect();
            let valid: Vec<&RoundResult> = mine.iter().copied().filter(|r| r.valid).collect();
            let tps: Vec<f64> = valid.iter().filter_map(|r| r.tx_per_s).collect();
            let samples: Vec<f64> = valid
                .iter()
                .flat_map(|r| r.latency_samples_ms.iter().copied())
                .collect();
            let gas_samples: Vec<u64> = valid
                .iter()
                .flat_map(|r| r.gas_samples.iter().copied())
                .collect();
            let gas = GasStats::of(&gas_samples).map(|pooled| GasStats {
                first: valid
                    .iter()
                    .find_map(|r| r.gas.map(|g| g.first))
                    .unwrap_or(pooled.first),
                ..pooled
            });
            let rates: Vec<f64> = valid
                .iter()
                .filter_map(|r| r.latency.as_ref().map(|l| l.send_rate))
                .collect();
            NodeSummary {
                workload,
                node,
                rounds: mine.len(),
                valid_rounds: valid.len(),
                tx_per_s_rounds: mine
                    .iter()
                    .map(|r| r.tx_per_s.filter(|_| r.valid))
                    .collect(),
                median_tx_per_s: median(&tps),
                latency: LatencyStats::of(&samples, median(&rates).unwrap_or(0.0)),
                gas: gas.filter(|_| workload != Workload::Latency),
                peak_rss_kib: mine.iter().filter_map(|r| r.peak_rss_kib).max(),
            }
        })
        .collect();
    let median_of = |kind| {
        nodes
            .iter()
            .find(|n| n.node == kind)
            .and_then(|n| n.median_tx_per_s)
    };
    let ratio = match (median_of(NodeKind::Sequencer), median_of(NodeKind::Anvil)) {
        (Some(sequencer), Some(anvil)) if anvil > 0.0 => Some(sequencer / anvil),
        _ => None,
    };
    WorkloadSummary {
        workload,
        nodes,
        ratio,
    }
}

/// The final table.
pub(crate) fn table(summaries: &[WorkloadSummary], rounds: &[RoundResult]) -> String {
    let mut out = String::new();
    let mib = |kib: Option<u64>| kib.map_or("-".into(), |k| format!("{:.0}", k as f64 / 1024.0));
    let _ = writeln!(
        out,
        "{:<10} {:<10} {:>6}  {:<28} {:>12} {:>20} {:>13}",
        "workload",
        "node",
        "valid",
        "tx/s per round",
        "median tx/s",
        "gas/tx median (1st)",
        "peak RSS MiB"
    );
    for summary in summaries.iter().filter(|s| s.workload != Workload::Latency) {
        for n in &summary.nodes {
            let per_round: Vec<String> = n
                .tx_per_s_rounds
                .iter()
                .map(|t| t.map_or("invalid".into(), |t| format!("{t:.0}")))
                .collect();
            let _ = writeln!(
                out,
                "{:<10} {:<10} {:>6}  {:<28} {:>12} {:>20} {:>13}",
                summary.workload.name(),
                n.node.name(),
                format!("{}/{}", n.valid_rounds, n.rounds),
                per_round.join(", "),
                n.median_tx_per_s.map_or("-".into(), |t| format!("{t:.0}")),
                n.gas
                    .map_or("-".into(), |g| format!("{} ({})", g.median, g.first)),
                mib(n.peak_rss_kib),
            );
        }
        if let Some(ratio) = summary.ratio {
            let _ = writeln!(
                out,
                "{:<10} ratio sequencer/anvil (medians) = {ratio:.2}",
                summary.workload.name()
            );
        }
    }
    if let Some(summary) = summaries.iter().find(|s| s.workload == Workload::Latency) {
        let _ = writeln!(
            out,
            "\n{:<10} {:<10} {:>6}  {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>13}",
            "workload",
            "node",
            "valid",
            "p50 ms",
            "p99 ms",
            "max ms",
            "mean ms",
            "samples",
            "sent tx/s",
            "peak RSS MiB"
        );
        for n in &summary.nodes {
            let l = n.latency.as_ref();
            let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.1}"));
            let _ = writeln!(
                out,
                "{:<10} {:<10} {:>6}  {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>13}",
                "latency",
                n.node.name(),
                format!("{}/{}", n.valid_rounds, n.rounds),
                f(l.map(|l| l.p50_ms)),
                f(l.map(|l| l.p99_ms)),
                f(l.map(|l| l.max_ms)),
                f(l.map(|l| l.mean_ms)),
                l.map_or("-".into(), |l| l.samples.to_string()),
                f(l.map(|l| l.send_rate)),
                mib(n.peak_rss_kib),
            );
        }
    }
    let invalid: Vec<&RoundResult> = rounds.iter().filter(|r| !r.valid).collect();
    if !invalid.is_empty() {
        let _ = writeln!(out, "\nINVALID ROUNDS (not counted):");
        for r in invalid {
            let _ = writeln!(
                out,
                "  {} {} round {}: {}",
                r.workload.name(),
                r.node.name(),
                r.round,
                r.problems.join("; ")
            );
        }
    }
    out
}

/// Everything written to `--json`.
#[derive(Debug, Serialize)]
pub(crate) struct JsonReport<'a, A: Serialize> {
    /// The options of the run.
    pub(crate) args: &'a A,
    /// Every round.
    pub(crate) rounds: &'a [RoundResult],
    /// The summaries.
    pub(crate) summary: &'a [WorkloadSummary],
}

/// Writes `report` as pretty JSON to `path`.
pub(crate) fn write_json<A: Serialize>(path: &Path, report: &JsonReport<'_, A>) -> Result<()> {
    let text = serde_json::to_string_pretty(report).wrap_err("serialising the report")?;
    std::fs::write(path, text).wrap_err_with(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_percentiles() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let stats = LatencyStats::of(&samples, 1000.0).unwrap();
        assert_eq!(
            (stats.p50_ms, stats.p99_ms, stats.max_ms),
            (50.0, 99.0, 100.0)
        );
    }

    #[test]
    fn gas_stats_keep_the_first_executed() {
        let stats = GasStats::of(&[250, 200, 210, 200]).unwrap();
        assert_eq!(
            (
                stats.first,
                stats.median,
                stats.min,
                stats.max,
                stats.samples
            ),
            (250, 200, 200, 250, 4)
        );
        assert_eq!(GasStats::of(&[]), None);
    }

    #[test]
    fn ratio_uses_valid_rounds_only() {
        let mut rounds = Vec::new();
        for (node, round, tps, valid) in [
            (NodeKind::Anvil, 1, 100.0, true),
            (NodeKind::Sequencer, 1, 300.0, true),
            (NodeKind::Anvil, 2, 120.0, true),
            (NodeKind::Sequencer, 2, 1.0, false),
        ] {
            let mut r = RoundResult::new(Workload::Transfers, node, round, 10);
            r.tx_per_s = Some(tps);
            r.valid = valid;
            rounds.push(r);
        }
        let s = summarise(
            Workload::Transfers,
            &[NodeKind::Anvil, NodeKind::Sequencer],
            &rounds,
        );
        assert_eq!(s.nodes[0].median_tx_per_s, Some(110.0));
        assert_eq!(s.nodes[1].tx_per_s_rounds, vec![Some(300.0), None]);
        let ratio = s.ratio.unwrap();
        assert!((ratio - 300.0 / 110.0).abs() < 1e-9);
        assert!(table(&[s], &rounds).contains("INVALID"));
    }
}
