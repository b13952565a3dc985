//! `devnet`: a complete local Tributary in one command.
//!
//! ```text
//!  devnet [--dir .devnet]
//!    1. anvil (L1) on 127.0.0.1:8546, Prague, 1 s blocks, state in DIR/anvil-state.json
//!    2. first run only: L2 genesis (no prefunded account) → its hash → deploy OpenToken, Rollup
//!       (recording that hash), Portal → genesis' L1 origin = the deploy block
//!    3. sequencer --deployment --genesis (batcher and proposer keys in its environment),
//!       JSON-RPC on 8545, /health and /metrics on 9001; wait until /health is ready
//!    4. first run only: the ten dev accounts get OPEN on L1 (from the treasury) and deposit
//!       10,000 OPEN each through the Portal → native OPEN on L2 (real deposits: native OPEN
//!       on L2 always equals OPEN locked in the Portal)
//!       (and so does the gateway's provider key, which pays the gas of settlements)
//!    5. with --gateway: the paid-inference gateway on 127.0.0.1:8550, provider key 12 of the
//!       mnemonic, index and evidence in DIR/gateway
//!    6. DIR/devnet.json: RPC URLs, chain ids, contracts, funded accounts with keys
//!  Ctrl-C (SIGINT/SIGTERM): the sequencer stops, then anvil (which saves its state); running
//!  the command again resumes the same L1 and L2 chains.
//! ```
//!
//! A run that stopped before `devnet.json` was written starts over from scratch (its
//! directory is cleared), so a half-initialised devnet never resumes.

mod accounts;
mod process;
mod setup;

use std::{path::PathBuf, time::Duration};

use clap::Parser;
use eyre::{WrapErr, bail};
use tracing::info;
use tracing_subscriber::EnvFilter;

use crate::process::Child;

/// Run a local Tributary devnet: anvil as L1, the contracts, the sequencer with batcher and
/// proposer.
#[derive(Debug, Clone, Parser)]
#[command(name = "devnet", version, about)]
pub(crate) struct Args {
    /// Directory of the devnet's state (L1 state, L2 datadir, deployment, genesis, devnet.json).
    #[arg(long, env = "TRIBUTARY_DEVNET_DIR", default_value = ".devnet")]
    pub(crate) dir: PathBuf,
    /// Port of the L1 (anvil) JSON-RPC.
    #[arg(long, default_value_t = 8546)]
    pub(crate) l1_port: u16,
    /// Port of the L2 JSON-RPC (HTTP and WebSocket).
    #[arg(long, default_value_t = 8545)]
    pub(crate) l2_port: u16,
    /// Port of the sequencer's /health and /metrics.
    #[arg(long, default_value_t = 9001)]
    pub(crate) metrics_port: u16,
    /// L1 block time in seconds.
    #[arg(long, default_value_t = 1)]
    pub(crate) l1_block_time: u64,
    /// Challenge window of output roots, in seconds.
    #[arg(long, default_value_t = 12)]
    pub(crate) challenge_window: u64,
    /// OPEN each dev account deposits to L2 on the first run.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) deposit: u64,
    /// The anvil binary (default: node_modules/.bin/anvil above the current directory).
    #[arg(long, env = "TRIBUTARY_ANVIL")]
    pub(crate) anvil: Option<PathBuf>,
    /// The sequencer binary (default: `sequencer` next to this binary).
    #[arg(long, env = "TRIBUTARY_SEQUENCER")]
    pub(crate) sequencer: Option<PathBuf>,
    /// Also run the paid-inference gateway (docs/gateway.md) on the L2.
    #[arg(long)]
    pub(crate) gateway: bool,
    /// Port of the gateway (with `--gateway`).
    #[arg(long, default_value_t = 8550)]
    pub(crate) gateway_port: u16,
    /// The gateway binary (default: `gateway` next to this binary).
    #[arg(long, env = "TRIBUTARY_GATEWAY_BIN")]
    pub(crate) gateway_bin: Option<PathBuf>,
    /// Extra arguments for the sequencer (e.g. `--batcher.da=calldata`), one per flag.
    #[arg(long = "sequencer-arg", allow_hyphen_values = true)]
    pub(crate) sequencer_args: Vec<String>,
}

impl Args {
    pub(crate) fn l1_rpc(&self) -> String {
        format!("http://127.0.0.1:{}", self.l1_port)
    }
    pub(crate) fn l2_rpc(&self) -> String {
        format!("http://127.0.0.1:{}", self.l2_port)
    }
    pub(crate) fn health_url(&self) -> String {
        format!("http://127.0.0.1:{}/health", self.metrics_port)
    }
    pub(crate) fn gateway_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.gateway_port)
    }
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    // listening from the start: a signal during setup must stop the children too
    let mut signals = Signals::new()?;
    let devnet_json = args.file("devnet.json");
    let resume = devnet_json.exists() && args.file("anvil-state.json").exists();
    if !resume && args.dir.exists() {
        info!(target: "devnet", dir = %args.dir.display(), "no complete devnet here: starting over");
        std::fs::remove_dir_all(&args.dir)
            .wrap_err_with(|| format!("clearing {}", args.dir.display()))?;
    }
    std::fs::create_dir_all(&args.dir)?;

    let mut anvil = process::start_anvil(&args)?;
    let mut children = Vec::new();
    let setup = async {
        setup::wait_for_l1(&args.l1_rpc(), &mut anvil).await?;
        let (deployment, genesis) = if resume {
            info!(target: "devnet", "resuming the devnet in {}", args.dir.display());
            setup::load(&args)?
        } else {
            setup::initialise(&args).await?
        };
        let mut sequencer = process::start_sequencer(&args)?;
        setup::wait_healthy(&args.health_url(), &mut sequencer).await?;
        children.push(sequencer);
        let funded = if resume {
            accounts::load(&devnet_json)?
        } else {
            accounts::fund(&args, &deployment).await?
        };
        if args.gateway {
            let mut gateway = process::start_gateway(&args)?;
            let health = format!("{}/health", args.gateway_url());
            let ready = setup::wait_healthy(&health, &mut gateway).await;
            children.push(gateway);
            ready?;
        }
        setup::write_devnet_json(&args, &deployment, genesis, &funded, &devnet_json)?;
        println!();
        println!(
            "Tributary devnet is up ({})",
            if resume { "resumed" } else { "new" }
        );
        println!(
            "  L1 RPC:   {} (chain id {})",
            args.l1_rpc(),
            deployment.l1_chain_id
        );
        println!(
            "  L2 RPC:   {} (chain id {})",
            args.l2_rpc(),
            deployment.l2_chain_id
        );
        println!("  health:   {}", args.health_url());
        if args.gateway {
            println!(
                "  gateway:  {} (OpenAI-compatible, paid and attributed; docs/gateway.md)",
                args.gateway_url()
            );
        }
        println!("  details:  {}", devnet_json.display());
        println!(
            "  accounts: the ten anvil dev accounts (mnemonic \"test test ... junk\"), OPEN on L1 and L2"
        );
        println!("Ctrl-C stops the devnet; running it again resumes it.");
        Ok::<_, eyre::Report>(())
    };
    let result = tokio::select! {
        r = setup => r.map(|()| true),
        () = signals.recv() => Ok(false),
    };
    let outcome = match result {
        Ok(true) => wait_for_exit(&mut signals, &mut anvil, &mut children).await,
        Ok(false) => {
            info!(target: "devnet", "interrupted during setup");
            Ok(())
        }
        Err(e) => Err(e),
    };
    // the sequencer first (it follows anvil), then anvil, which saves its state on SIGINT
    for child in children.iter_mut().rev() {
        child.stop(Duration::from_secs(30)).await;
    }
    anvil.stop(Duration::from_secs(30)).await;
    info!(target: "devnet", "stopped");
    outcome
}

/// SIGINT and SIGTERM, listened to from the start.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> eyre::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Resolves on the first SIGINT or SIGTERM.
    async fn recv(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

/// Runs until SIGINT/SIGTERM (a clean stop) or until a process dies (an error).
async fn wait_for_exit(
    signals: &mut Signals,
    anvil: &mut Child,
    children: &mut [Child],
) -> eyre::Result<()> {
    let mut ticker = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            () = signals.recv() => return Ok(()),
            _ = ticker.tick() => {
                for child in std::iter::once(&mut *anvil).chain(children.iter_mut()) {
                    if let Some(status) = child.exited()? {
                        bail!("{} exited unexpectedly ({status}); see {}", child.name(), child.log().display());
                    }
                }
            }
        }
    }
}
