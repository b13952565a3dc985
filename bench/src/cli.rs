//! Command-line options of `bench`.

use std::{path::PathBuf, time::Duration};

use clap::{Parser, ValueEnum};
use serde::Serialize;

use crate::node::NodeKind;

/// End-to-end benchmark of `sequencer --dev` against anvil (see the crate docs).
#[derive(Debug, Clone, Parser, Serialize)]
#[command(name = "bench", version, about)]
pub(crate) struct Args {
    /// Path of the anvil binary.
    #[arg(long, default_value = "node_modules/.bin/anvil")]
    pub(crate) anvil: PathBuf,
    /// Path of the sequencer binary.
    #[arg(long, default_value = "target/release/sequencer")]
    pub(crate) sequencer: PathBuf,
    /// Run against one node only (default: both, alternating).
    #[arg(long, value_enum)]
    pub(crate) only: Option<NodeKind>,
    /// Workloads to run, comma-separated, in this order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "transfers,erc20,settle,latency"
    )]
    pub(crate) workloads: Vec<Workload>,
    /// Rounds per node and workload (each round starts fresh node processes).
    #[arg(long, default_value_t = 2)]
    pub(crate) rounds: usize,
    /// Transactions per throughput round (transfers, erc20, settle).
    #[arg(long, default_value_t = 20_000)]
    pub(crate) txs: usize,
    /// eth_sendRawTransaction calls per JSON-RPC batch.
    #[arg(long, default_value_t = 500)]
    pub(crate) batch_size: usize,
    /// Concurrent HTTP connections sending batches (the ten senders are split among them).
    /// Four keep both nodes' ingestion busy on two cores; anvil is no faster with fewer.
    #[arg(long, default_value_t = 4)]
    pub(crate) connections: usize,
    /// Send rate of the latency workload, tx/s (one request per transaction).
    #[arg(long, default_value_t = 1_000)]
    pub(crate) rate: u64,
    /// Duration of the latency workload's sending phase, seconds.
    #[arg(long, default_value_t = 10)]
    pub(crate) latency_secs: u64,
    /// Poll interval for inclusion (nonces) and new blocks, milliseconds.
    #[arg(long, default_value_t = 5)]
    pub(crate) poll_ms: u64,
    /// Give up on a round when its transactions are not all included after this many seconds.
    #[arg(long, default_value_t = 180)]
    pub(crate) timeout_secs: u64,
    /// Max fee per gas of every transaction, gwei (headroom for a base fee rising over many full
    /// blocks; only the base fee plus the 1 gwei tip is charged).
    #[arg(long, default_value_t = 1_000)]
    pub(crate) max_fee_gwei: u64,
    /// Anvil's `--block-time` (seconds) for every workload.
    #[arg(long, default_value = "0.25")]
    pub(crate) anvil_block_time: String,
    /// Anvil's `--gas-limit`.
    #[arg(long, default_value_t = 10_000_000_000)]
    pub(crate) anvil_gas_limit: u64,
    /// Extra argument for anvil (repeatable), e.g. `--anvil-arg=--order=fifo`.
    #[arg(long = "anvil-arg", allow_hyphen_values = true)]
    pub(crate) anvil_args: Vec<String>,
    /// Extra argument for the sequencer (repeatable), e.g. `--sequencer-arg=--block-time=100`.
    #[arg(long = "sequencer-arg", allow_hyphen_values = true)]
    pub(crate) sequencer_args: Vec<String>,
    /// Also write every round and the summary as JSON to this path.
    #[arg(long)]
    pub(crate) json: Option<PathBuf>,
}

impl Args {
    /// The nodes of one round, in the order they run (anvil first).
    pub(crate) fn nodes(&self) -> Vec<NodeKind> {
        match self.only {
            Some(kind) => vec![kind],
            None => vec![NodeKind::Anvil, NodeKind::Sequencer],
        }
    }

    /// The poll interval.
    pub(crate) fn poll(&self) -> Duration {
        Duration::from_millis(self.poll_ms.max(1))
    }

    /// The inclusion timeout of a round.
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// Max fee per gas, wei.
    pub(crate) fn max_fee(&self) -> u128 {
        u128::from(self.max_fee_gwei) * 1_000_000_000
    }
}

/// A benchmark workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Workload {
    /// Batched EIP-1559 value transfers to fresh recipients; throughput.
    Transfers,
    /// Batched ERC-20 `transfer` calls (half to fresh recipients); throughput.
    Erc20,
    /// Batched `AttributionSettlement.settle` calls with 8 contributions each; throughput and gas.
    Settle,
    /// Paced single transfers at a steady rate; send-to-inclusion latency.
    Latency,
}

impl Workload {
    /// The name used in the report.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Transfers => "transfers",
            Self::Erc20 => "erc20",
            Self::Settle => "settle",
            Self::Latency => "latency",
        }
    }
}
