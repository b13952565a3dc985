//! `tributary`: deposit OPEN to Tributary and withdraw it back to L1.
//!
//! ```text
//! export TRIBUTARY_PRIVATE_KEY=0x…
//! tributary deposit --amount 1.5 --wait
//! tributary withdraw initiate --amount 1 [--to 0x…]     # prints the L2 tx hash
//! tributary withdraw prove    --tx 0x… [--wait]         # once an output covers the L2 block
//! tributary withdraw finalize --tx 0x… [--wait]         # once the challenge window has passed
//! tributary withdraw status   --tx 0x…
//!
//! tributary datanet create --name rust-docs --deposit 0.5 --quorum-bps 5000   # prints the DataNet id
//! tributary datanet stake --datanet 1 --amount 10                            # as a validator
//! tributary contribute notes.txt --datanet 1        # submit keccak256(file) with the deposit, upload to the gateway
//! tributary vote 3 accept                           # validators
//! tributary model register --datanets 1 --fee 0.01 --artifact weights.gguf
//! tributary model provider add --model 1 --provider 0x…
//! tributary prepay --amount 1
//! tributary query "How do lifetimes work?" --model 1   # signed request → gateway → answer + attribution
//! tributary earnings [--account 0x…]
//! tributary claim
//! ```
//!
//! Results go to stdout (`--json` for scripts), progress and errors to stderr. Exit codes: 0 done,
//! 1 failed, 2 bad usage, 3 not yet (no output covers the block, window still open, timeout):
//! the same command can succeed later.
//!
//! Endpoints: `--l1-rpc`/`--l2-rpc`, else `TRIBUTARY_L1_RPC`/`TRIBUTARY_L2_RPC`, else the
//! `l1_rpc`/`l2_rpc` of the devnet file when the deployment is one (`.devnet/devnet.json` by
//! default), else 127.0.0.1:8546 / 127.0.0.1:8545. See docs/withdrawals.md. The attribution
//! commands use only L2; the gateway is `--gateway`, else `TRIBUTARY_GATEWAY_URL`, else the
//! devnet file's `gateway`, else http://127.0.0.1:8550 (docs/gateway.md).

use std::{path::PathBuf, process::ExitCode, time::Duration};

use alloy::{
    primitives::{Address, B256, TxHash, U256, keccak256},
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
    CliError, Client, ClientConfig, DeploymentFile, Layer, Result, attribution::QueryTerms,
    client::DEFAULT_WAIT_TIMEOUT, parse_open, parse_open_or_zero,
};

/// Tributary from the command line: OPEN deposits and withdrawals, DataNets, contributions,
/// votes, models, paid queries through the gateway, earnings and claims.
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
    /// The paid-inference gateway [default: the devnet file's `gateway`, else
    /// http://127.0.0.1:8550].
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_URL")]
    gateway: Option<Url>,
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
    /// Create DataNets and stake in them as a validator.
    #[command(subcommand)]
    Datanet(Datanet),
    /// Submit a file as a contribution to a DataNet (its keccak256, with the DataNet's deposit)
    /// and upload its bytes to the gateway.
    Contribute {
        /// The file.
        file: PathBuf,
        /// The DataNet.
        #[arg(long)]
        datanet: u64,
        /// Where the content can be fetched [default: keccak256:<hash>].
        #[arg(long)]
        uri: Option<String>,
        /// License identifier (SPDX).
        #[arg(long, default_value = "CC-BY-4.0")]
        license: String,
        /// Only submit on chain; do not upload to the gateway.
        #[arg(long)]
        no_upload: bool,
    },
    /// Vote on a pending contribution with your stake in its DataNet (validators).
    Vote {
        /// The contribution id.
        contribution: u64,
        /// accept or reject.
        decision: Decision,
    },
    /// Register models and authorise their providers.
    #[command(subcommand)]
    Model(Model),
    /// Add OPEN to your prepaid balance, which signed queries spend.
    Prepay {
        /// OPEN, in decimal (1.5).
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
    },
    /// Ask a model through the gateway: signs an EIP-712 request charging your prepaid balance,
    /// prints the answer and its attribution.
    Query {
        /// The question.
        question: String,
        /// The model id.
        #[arg(long)]
        model: u64,
        /// Highest fee you accept, OPEN [default: the model's current fee].
        #[arg(long, allow_hyphen_values = true)]
        max_fee: Option<String>,
        /// Request nonce [default: from the clock]; each nonce pays for one request.
        #[arg(long)]
        nonce: Option<U256>,
        /// Seconds the signed request stays valid.
        #[arg(long, default_value_t = 300)]
        valid_for: u64,
    },
    /// What an account is owed: inference credits, DataNet credits, pending validator rewards.
    Earnings {
        /// The account [default: the key's address].
        #[arg(long)]
        account: Option<Address>,
    },
    /// Claim everything you are owed as native OPEN.
    Claim,
}

#[derive(Debug, Subcommand)]
enum Datanet {
    /// Create a DataNet; prints its id.
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// Metadata URI (description, schema, license policy).
        #[arg(long, default_value = "")]
        metadata_uri: String,
        /// Deposit each contribution carries, OPEN (returned when accepted, split among the
        /// reject voters when rejected).
        #[arg(long, default_value = "0")]
        deposit: String,
        /// Share of the active stake either side needs to decide, basis points (1..10000).
        #[arg(long, default_value_t = 5_000)]
        quorum_bps: u64,
    },
    /// Stake OPEN in a DataNet as a validator.
    Stake {
        /// The DataNet.
        #[arg(long)]
        datanet: u64,
        /// OPEN, in decimal.
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Decision {
    Accept,
    Reject,
}

#[derive(Debug, Subcommand)]
enum Model {
    /// Register a model (or a LoRA adapter of one); prints its id.
    Register {
        /// Linked DataNets, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        datanets: Vec<u64>,
        /// Fee per inference, OPEN.
        #[arg(long, allow_hyphen_values = true)]
        fee: String,
        /// The weights (or adapter) file: its keccak256 is the artifact hash.
        #[arg(long, group = "artifact_id")]
        artifact: Option<PathBuf>,
        /// The artifact hash itself.
        #[arg(long, group = "artifact_id")]
        artifact_hash: Option<B256>,
        /// The model this adapter extends (0: a base model).
        #[arg(long, default_value_t = 0)]
        parent: u64,
        /// Metadata URI (model card).
        #[arg(long, default_value = "")]
        metadata_uri: String,
    },
    /// Authorise or deauthorise inference providers (gateways) of your model.
    #[command(subcommand)]
    Provider(Provider),
}

#[derive(Debug, Subcommand)]
enum Provider {
    /// Authorise a provider.
    Add {
        /// The model.
        #[arg(long)]
        model: u64,
        /// The provider's address (the gateway's key).
        #[arg(long)]
        provider: Address,
    },
    /// Deauthorise a provider.
    Remove {
        /// The model.
        #[arg(long)]
        model: u64,
        /// The provider's address.
        #[arg(long)]
        provider: Address,
    },
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
        Command::Deposit { amount, .. }
        | Command::Withdraw(Withdraw::Initiate { amount, .. })
        | Command::Datanet(Datanet::Stake { amount, .. })
        | Command::Prepay { amount } => parse_open(amount)?,
        Command::Datanet(Datanet::Create {
            deposit: amount, ..
        })
        | Command::Model(Model::Register { fee: amount, .. }) => parse_open_or_zero(amount)?,
        Command::Query {
            max_fee: Some(fee), ..
        } => parse_open_or_zero(fee)?,
        _ => U256::ZERO,
    };
    let sends = !matches!(
        cli.command,
        Command::Withdraw(Withdraw::Status { .. }) | Command::Earnings { account: Some(_) }
    );
    if sends && cli.private_key.is_none() {
        return Err(CliError::MissingKey);
    }
    let file = DeploymentFile::load(cli.deployment)?;
    let (l1_rpc, l1_source) = file.resolve_endpoint(Layer::L1, given.l1.flag, given.l1.env)?;
    let (l2_rpc, l2_source) = file.resolve_endpoint(Layer::L2, given.l2.flag, given.l2.env)?;
    let gateway = file.resolve_gateway(cli.gateway)?;
    debug!(target: "tributary", "deployment {}; l1 rpc {l1_rpc} ({l1_source}); l2 rpc {l2_rpc} ({l2_source}); gateway {gateway}", file.path.display());
    let mut config = ClientConfig::new(l1_rpc, l2_rpc, file.deployment);
    let signer = cli.private_key;
    if let Some(signer) = signer.clone() {
        config = config.with_signer(signer);
    }
    let l1_needed = matches!(cli.command, Command::Deposit { .. } | Command::Withdraw(_));
    let client = if l1_needed {
        Client::connect(config).await?
    } else {
        Client::connect_l2(config).await?
    };
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
        Command::Datanet(Datanet::Create {
            name,
            metadata_uri,
            quorum_bps,
            ..
        }) => print(
            json,
            &client
                .create_datanet(&name, &metadata_uri, amount, quorum_bps)
                .await?,
        ),
        Command::Datanet(Datanet::Stake { datanet, .. }) => {
            print(json, &client.stake(datanet, amount).await?)
        }
        Command::Contribute {
            file,
            datanet,
            uri,
            license,
            no_upload,
        } => {
            let gateway = (!no_upload).then_some(&gateway);
            print(
                json,
                &client
                    .contribute(&file, datanet, uri, &license, gateway)
                    .await?,
            )
        }
        Command::Vote {
            contribution,
            decision,
        } => print(
            json,
            &client
                .vote(contribution, matches!(decision, Decision::Accept))
                .await?,
        ),
        Command::Model(Model::Register {
            datanets,
            artifact,
            artifact_hash,
            parent,
            metadata_uri,
            ..
        }) => {
            let artifact_hash = match (artifact, artifact_hash) {
                (_, Some(hash)) => hash,
                (Some(path), None) => {
                    let bytes = std::fs::read(&path)
                        .map_err(|source| CliError::ReadFile { path, source })?;
                    keccak256(bytes)
                }
                (None, None) => return Err(CliError::MissingArtifact),
            };
            print(
                json,
                &client
                    .register_model(artifact_hash, parent, &datanets, amount, &metadata_uri)
                    .await?,
            )
        }
        Command::Model(Model::Provider(Provider::Add { model, provider })) => {
            print(json, &client.set_provider(model, provider, true).await?)
        }
        Command::Model(Model::Provider(Provider::Remove { model, provider })) => {
            print(json, &client.set_provider(model, provider, false).await?)
        }
        Command::Prepay { .. } => print(json, &client.prepay(amount).await?),
        Command::Query {
            question,
            model,
            max_fee,
            nonce,
            valid_for,
        } => {
            let signer = signer.ok_or(CliError::MissingKey)?;
            let terms = QueryTerms {
                max_fee: max_fee.map(|_| amount),
                nonce,
                valid_for: Duration::from_secs(valid_for),
            };
            let answer = client
                .query(&signer, &gateway, &question, model, terms)
                .await?;
            print(json, &answer)
        }
        Command::Earnings { account } => {
            let account = match account {
                Some(account) => account,
                None => client.account()?,
            };
            print(json, &client.earnings(account).await?)
        }
        Command::Claim => print(json, &client.claim().await?),
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
