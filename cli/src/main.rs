//! `tributary`: deposit OPEN to Tributary and withdraw it back to L1.
//!
//! ```text
//! export TRIBUTARY_PRIVATE_KEY=0x…
//! tributary deposit --amount 1.5 --wait
//! tributary withdraw initiate --amount 1 [--to 0x…]     # prints the L2 tx hash
//! tributary withdraw prove    --tx 0x… [--wait]         # once an output covers the L2 block
//! tributary withdraw finalize --tx 0x… [--wait]         # once the challenge window has passed
//! tributary withdraw status   --tx 0x…
//! ```
//!
//! Results go to stdout (`--json` for scripts), progress and errors to stderr. Exit codes: 0 done,
//! 1 failed, 2 bad usage, 3 not yet (no output covers the block, window still open, timeout):
//! the same command can succeed later.
//!
//! Endpoints: `--l1-rpc`/`--l2-rpc`, else `TRIBUTARY_L1_RPC`/`TRIBUTARY_L2_RPC`, else the
//! `l1_rpc`/`l2_rpc` of the devnet file when the deployment is one (`.devnet/devnet.json` by
//! default), else 127.0.0.1:8546 / 127.0.0.1:8545. See docs/withdrawals.md.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use alloy::{
    primitives::{Address, TxHash, U256},
    signers::local::PrivateKeySigner,
    transports::http::reqwest::Url,
};
use clap::{
    ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, parser::ValueSource,
};
use serde::Serialize;
use tracing::debug;
use tracing_subscriber::EnvFilter;
use tributary_cli::{
    CliError, Client, ClientConfig, DeploymentFile, Layer, Result, client::DEFAULT_WAIT_TIMEOUT,
    parse_open,
};

/// Deposit OPEN to Tributary (L2) and withdraw it back to Ethereum (L1).
#[derive(Debug, Parser)]
#[command(name = "tributary", version)]
struct Cli {
    /// L1 JSON-RPC endpoint [default: the devnet file's `l1_rpc`, else http://127.0.0.1:8546,
    /// the devnet's anvil].
    #[arg(long, global = true, env = "TRIBUTARY_L1_RPC")]
    l1_rpc: Option<Url>,
    /// L2 JSON-RPC endpoint [default: the devnet file's `l2_rpc`, else http://127.0.0.1:8545,
    /// a local Tributary node].
    #[arg(long, global = true, env = "TRIBUTARY_L2_RPC")]
    l2_rpc: Option<Url>,
    /// Deployment JSON: a bare deployment or a file embedding one under `deployment`
    /// [default: .devnet/devnet.json, else .devnet/deployment.json].
    #[arg(long, global = true, env = "TRIBUTARY_DEPLOYMENT")]
    deployment: Option<PathBuf>,
    /// Private key (hex) that signs on both chains. Set TRIBUTARY_PRIVATE_KEY instead: the flag
    /// shows the key to every process listing, so it is for throwaway dev keys only.
    #[arg(
        long,
        global = true,
        env = "TRIBUTARY_PRIVATE_KEY",
        hide_env_values = true
    )]
    private_key: Option<PrivateKeySigner>,
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lock OPEN in the Portal on L1 and receive it as native OPEN on L2.
    Deposit {
        /// OPEN to deposit, in decimal (1.5).
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// L2 recipient [default: the key's address].
        #[arg(long)]
        to: Option<Address>,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Withdraw native OPEN from L2 to OPEN on L1.
    #[command(subcommand)]
    Withdraw(Withdraw),
}

#[derive(Debug, Subcommand)]
enum Withdraw {
    /// Start a withdrawal on L2 (burns the OPEN there); prints the L2 transaction hash.
    Initiate {
        /// OPEN to withdraw, in decimal (1.5).
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// L1 recipient [default: the key's address].
        #[arg(long)]
        to: Option<Address>,
    },
    /// Prove the withdrawal on L1 against the first output covering its L2 block.
    Prove {
        /// The L2 transaction that initiated the withdrawal.
        #[arg(long)]
        tx: TxHash,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Release the OPEN on L1 once the proven output's challenge window has passed.
    Finalize {
        /// The L2 transaction that initiated the withdrawal.
        #[arg(long)]
        tx: TxHash,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Where a withdrawal stands: waiting for output, ready to prove, proven, finalizable,
    /// finalized.
    Status {
        /// The L2 transaction that initiated the withdrawal.
        #[arg(long)]
        tx: TxHash,
    },
}

#[derive(Debug, Args)]
struct WaitArgs {
    /// Wait until it can be done (or is done) instead of failing.
    #[arg(long)]
    wait: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, default_value_t = DEFAULT_WAIT_TIMEOUT.as_secs(), requires = "wait")]
    timeout: u64,
}

impl WaitArgs {
    fn timeout(&self) -> Option<Duration> {
        self.wait.then(|| Duration::from_secs(self.timeout))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,tributary=info")),
        )
        .without_time()
        .with_target(false)
        .with_level(false)
        .with_writer(std::io::stderr)
        .init();
    let matches = Cli::command().get_matches();
    let given = GivenEndpoints::from_matches(&matches);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match run(cli, given).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if e.is_retryable() {
                ExitCode::from(3)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// An endpoint as clap found it: from the flag or from the environment variable.
#[derive(Debug, Default, PartialEq, Eq)]
struct Given {
    flag: Option<Url>,
    env: Option<Url>,
}

/// `--l1-rpc` and `--l2-rpc`, split by where clap took them from (flag or environment), for
/// [`DeploymentFile::resolve_endpoint`].
#[derive(Debug, Default, PartialEq, Eq)]
struct GivenEndpoints {
    l1: Given,
    l2: Given,
}

impl GivenEndpoints {
    fn from_matches(matches: &ArgMatches) -> Self {
        let given = |id: &str| {
            let value = matches.get_one::<Url>(id).cloned();
            if matches.value_source(id) == Some(ValueSource::EnvVariable) {
                Given {
                    flag: None,
                    env: value,
                }
            } else {
                Given {
                    flag: value,
                    env: None,
                }
            }
        };
        Self {
            l1: given("l1_rpc"),
            l2: given("l2_rpc"),
        }
    }
}

async fn run(cli: Cli, given: GivenEndpoints) -> Result<()> {
    // Amounts are checked before anything is read or sent.
    let amount = match &cli.command {
        Command::Deposit { amount, .. } | Command::Withdraw(Withdraw::Initiate { amount, .. }) => {
            parse_open(amount)?
        }
        _ => U256::ZERO,
    };
    let sends = !matches!(cli.command, Command::Withdraw(Withdraw::Status { .. }));
    if sends && cli.private_key.is_none() {
        return Err(CliError::MissingKey);
    }
    let file = DeploymentFile::load(cli.deployment)?;
    let (l1_rpc, l1_source) = file.resolve_endpoint(Layer::L1, given.l1.flag, given.l1.env)?;
    let (l2_rpc, l2_source) = file.resolve_endpoint(Layer::L2, given.l2.flag, given.l2.env)?;
    debug!(target: "tributary", "deployment {}; l1 rpc {l1_rpc} ({l1_source}); l2 rpc {l2_rpc} ({l2_source})", file.path.display());
    let mut config = ClientConfig::new(l1_rpc, l2_rpc, file.deployment);
    if let Some(signer) = cli.private_key {
        config = config.with_signer(signer);
    }
    let client = Client::connect(config).await?;
    let json = cli.json;
    match cli.command {
        Command::Deposit { to, wait, .. } => {
            print(json, &client.deposit(amount, to, wait.timeout()).await?)
        }
        Command::Withdraw(Withdraw::Initiate { to, .. }) => {
            print(json, &client.initiate_withdrawal(amount, to).await?)
        }
        Command::Withdraw(Withdraw::Prove { tx, wait }) => {
            print(json, &client.prove(tx, wait.timeout()).await?)
        }
        Command::Withdraw(Withdraw::Finalize { tx, wait }) => {
            print(json, &client.finalize(tx, wait.timeout()).await?)
        }
        Command::Withdraw(Withdraw::Status { tx }) => print(json, &client.status(tx).await?),
    }
    Ok(())
}

fn print<T: Serialize + std::fmt::Display>(json: bool, value: &T) {
    if json {
        // Plain structs of numbers, strings and hashes always serialize.
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    } else {
        println!("{value}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flags count as flags wherever they stand (they are global: after the subcommand too).
    #[test]
    fn flags_are_told_from_the_environment() {
        let tx = format!("0x{}", "11".repeat(32));
        for args in [
            vec![
                "tributary",
                "--l1-rpc",
                "http://l1.test:1",
                "withdraw",
                "status",
                "--tx",
                &tx,
            ],
            vec![
                "tributary",
                "withdraw",
                "status",
                "--tx",
                &tx,
                "--l1-rpc",
                "http://l1.test:1",
            ],
        ] {
            let matches = Cli::command().try_get_matches_from(args).unwrap();
            let given = GivenEndpoints::from_matches(&matches);
            assert_eq!(
                given.l1,
                Given {
                    flag: Some("http://l1.test:1".parse().unwrap()),
                    env: None
                }
            );
        }
    }
}
