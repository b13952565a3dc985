//! `prover`: Tributary's auditor. It trusts L1 and nothing else: it rebuilds the L2 chain from the
//! batches and deposits on L1 and checks every output root the proposer posted.
//!
//! ```text
//!  L1 (anvil / Ethereum) ──► L1Client: headers, Portal deposits, Rollup batches (calldata, blobs)
//!                              └─► NodeDeriver (tributary-derivation rules) ──► the prover's own
//!                                   store (genesis checked against Rollup.l2GenesisHash)
//!  Rollup outputs ──► outputs::check_outputs: posted root == keccak(0 ‖ stateRoot ‖
//!                     messagePasserStorageRoot ‖ blockHash) of the derived block?
//!                        OK / MISMATCH (+ the first divergent block and why) / PENDING
//!  watch: the same, following L1; a MISMATCH inside its window is challenged with the bond
//! ```
//!
//! Commands: `verify` (one pass, exit status 1 on any mismatch, `--json`, resumable from its
//! datadir), `watch` (follow and challenge), `witness` and `check-block` (one block, checked
//! statelessly from its execution witness; exit status 1 when it does not check). Every flag also reads `TRIBUTARY_*` from the
//! environment; the challenger key only comes from the environment. docs/auditing.md is the
//! user's guide.

mod chain;
mod checkpoint;
mod outputs;
mod verify;
mod watch;
mod witness;

use std::{
    path::PathBuf,
    process::ExitCode,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use alloy::transports::http::reqwest::Url;
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// Exit status of a run that found a wrong output.
const EXIT_MISMATCH: u8 = 1;
/// Exit status of a run that could not finish (bad input, L1 unreachable, ...).
const EXIT_ERROR: u8 = 2;
/// Exit status of a run stopped by SIGINT before it finished (resumable).
const EXIT_INTERRUPTED: u8 = 130;

/// Verifies a Tributary rollup from L1 alone.
#[derive(Debug, Parser)]
#[command(name = "prover", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Derive the L2 chain from L1 up to the confirmed L1 head and check every posted output.
    Verify(verify::VerifyArgs),
    /// Follow L1, check each new output, and challenge a wrong one inside its window.
    Watch(watch::WatchArgs),
    /// Write a block with its execution witness (from the prover's datadir or an L2 node).
    Witness(witness::WitnessArgs),
    /// Re-execute a block from a witness file alone and check its roots.
    CheckBlock(witness::CheckBlockArgs),
}

/// Where the rollup lives and where the prover keeps its chain.
#[derive(Debug, Clone, Args)]
pub(crate) struct L1Args {
    /// L1 JSON-RPC endpoint.
    #[arg(long = "l1-rpc", env = "TRIBUTARY_L1_RPC")]
    pub(crate) l1_rpc: Url,
    /// Beacon API serving blob contents (default: the L1 RPC URL, as anvil serves both).
    #[arg(long = "l1-beacon", env = "TRIBUTARY_L1_BEACON")]
    pub(crate) l1_beacon: Option<Url>,
    /// The deployment file (contracts, roles, genesis hash) written by `deploy`.
    #[arg(long, env = "TRIBUTARY_DEPLOYMENT")]
    pub(crate) deployment: PathBuf,
    /// The L2 genesis file (default: genesis.json next to the deployment file). Its hash must
    /// be the one the Rollup records.
    #[arg(long, env = "TRIBUTARY_GENESIS")]
    pub(crate) genesis: Option<PathBuf>,
    /// The prover's own chain store and checkpoint (a run resumes from it).
    #[arg(long, env = "TRIBUTARY_PROVER_DATADIR", default_value = "prover-data")]
    pub(crate) datadir: PathBuf,
    /// L1 blocks this deep are treated as settled (reorgs above are waited out).
    #[arg(
        long = "l1-confirmations",
        env = "TRIBUTARY_L1_CONFIRMATIONS",
        default_value_t = 2
    )]
    pub(crate) confirmations: u64,
}

impl L1Args {
    fn genesis_path(&self) -> PathBuf {
        self.genesis.clone().unwrap_or_else(|| {
            self.deployment
                .parent()
                .unwrap_or_else(|| std::path::Path::new("."))
                .join("genesis.json")
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let result = runtime.block_on(async {
        let stop = stop_on_sigint();
        if matches!(cli.command, Command::Verify(_) | Command::Watch(_)) {
            // seconds of setup, loaded while the first L1 blocks (rarely blob batches) are read
            tokio::spawn(tributary_l1::load_kzg_settings());
        }
        match cli.command {
            Command::Verify(args) => verify::run(args, stop).await,
            Command::Watch(args) => watch::run(args, stop).await,
            Command::Witness(args) => witness::witness(args).await,
            Command::CheckBlock(args) => witness::check_block(args),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// A flag SIGINT (Ctrl-C) sets; long loops check it between L1 blocks so the checkpoint stays
/// exact.
fn stop_on_sigint() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            flag.store(true, Ordering::SeqCst);
        }
    });
    stop
}
