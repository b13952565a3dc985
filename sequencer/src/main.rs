//! `sequencer`: the Tributary L2 node.
//!
//! ```text
//!  sequencer --dev [--datadir DIR] [--http.addr 127.0.0.1] [--http.port 8545]
//!     │
//!     ├─ tributary-node: genesis (ten funded dev accounts), pool, block producer, SQLite store
//!     └─ tributary-rpc:  JSON-RPC over HTTP + WebSocket on one port (eth_, net_, web3_, txpool_)
//! ```
//!
//! `--dev` runs a standalone chain without an L1 (settlement plugs in later): like anvil, it
//! prints the funded accounts and their keys and the RPC URL. Without `--datadir` the chain lives
//! in a temporary directory removed at exit; with it, the chain survives restarts (and kill -9:
//! nothing acknowledged is lost). Every flag can also come from the environment
//! (`TRIBUTARY_*`) or an optional TOML file (`--config`, see [`config`]).

mod config;
mod ops;
mod settlement;

use std::{net::IpAddr, path::PathBuf, time::Duration};

use alloy::signers::local::MnemonicBuilder;
use clap::{CommandFactory, FromArgMatches, Parser};
use eyre::{WrapErr, bail};
use settlement::Settlement;
use tracing::info;
use tracing_subscriber::EnvFilter;
use tributary_genesis::{DEV_ACCOUNTS, DEV_FUNDING, DEV_MNEMONIC};
use tributary_node::{Node, NodeConfig};
use tributary_rpc::{CorsConfig, EthApi, EthConfig, ServerConfig, eth_module};

/// The Tributary L2 node.
#[derive(Debug, Parser)]
#[command(name = "sequencer", version, about)]
struct Args {
    /// A TOML file with any of these settings (flags and environment take precedence).
    #[arg(long, env = "TRIBUTARY_CONFIG")]
    config: Option<PathBuf>,
    /// Run a standalone development chain with the ten funded test accounts.
    #[arg(long, env = "TRIBUTARY_DEV")]
    dev: bool,
    /// Directory of the chain database (default with --dev: a temporary directory, removed at
    /// exit).
    #[arg(long, env = "TRIBUTARY_DATADIR")]
    datadir: Option<PathBuf>,
    /// Address the JSON-RPC server (HTTP and WebSocket) listens on.
    #[arg(
        long = "http.addr",
        env = "TRIBUTARY_HTTP_ADDR",
        default_value = "127.0.0.1"
    )]
    http_addr: IpAddr,
    /// Port of the JSON-RPC server.
    #[arg(long = "http.port", env = "TRIBUTARY_HTTP_PORT", default_value_t = tributary_rpc::DEFAULT_PORT)]
    http_port: u16,
    /// Browser origins allowed to call the RPC (comma-separated, `*` for any). Default: any
    /// under --dev, none otherwise.
    #[arg(
        long = "http.corsdomain",
        env = "TRIBUTARY_HTTP_CORSDOMAIN",
        value_delimiter = ','
    )]
    cors: Option<Vec<String>>,
    /// Minimum interval between blocks, in milliseconds.
    #[arg(long = "block-time", env = "TRIBUTARY_BLOCK_TIME", default_value_t = tributary_node::DEFAULT_BLOCK_TIME.as_millis() as u64)]
    block_time_ms: u64,
    /// Block gas limit (of the genesis, hence of every block).
    #[arg(long = "gas-limit", env = "TRIBUTARY_GAS_LIMIT", default_value_t = tributary_node::DEV_GAS_LIMIT)]
    gas_limit: u64,
    /// Most pooled transactions per sender.
    #[arg(long = "txpool.accountslots", env = "TRIBUTARY_TXPOOL_ACCOUNTSLOTS", default_value_t = tributary_node::DEV_MAX_ACCOUNT_SLOTS)]
    account_slots: usize,
    /// Most pooled transactions in total.
    #[arg(long = "txpool.globalslots", env = "TRIBUTARY_TXPOOL_GLOBALSLOTS", default_value_t = tributary_node::DEV_MAX_POOL_SIZE)]
    global_slots: usize,
    /// Gas cap of eth_call and eth_estimateGas.
    #[arg(long = "rpc.gascap", env = "TRIBUTARY_RPC_GASCAP", default_value_t = EthConfig::default().gas_cap)]
    gas_cap: u64,
    /// Address of the operators' endpoints (/health, /metrics).
    #[arg(
        long = "metrics.addr",
        env = "TRIBUTARY_METRICS_ADDR",
        default_value = "127.0.0.1"
    )]
    metrics_addr: IpAddr,
    /// Port of the operators' endpoints (/health, /metrics); not served unless set (0: any
    /// free port).
    #[arg(long = "metrics.port", env = "TRIBUTARY_METRICS_PORT")]
    metrics_port: Option<u16>,
    /// Settlement on L1 (the devnet's mode).
    #[command(flatten)]
    l1: settlement::L1Args,
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let matches = Args::command().get_matches();
    let mut args = Args::from_arg_matches(&matches)?;
    if let Some(path) = args.config.clone() {
        tributary_config::read::<config::FileConfig>(&path)?.apply(&mut args, &matches)?;
    }
    let l1_mode = args.l1.deployment.clone();
    match (&l1_mode, args.dev) {
        (None, false) => bail!(
            "choose a chain: --dev (standalone, no L1) or --deployment FILE --genesis FILE (settled on L1)"
        ),
        (Some(_), true) => bail!("--dev and --deployment exclude each other"),
        _ => {}
    }
    if args.gas_limit < 1_100_000 {
        bail!("--gas-limit must leave room beside the 1,000,000-gas L1-info deposit");
    }

    // With no datadir the chain is ephemeral, like anvil's.
    let temp = match &args.datadir {
        Some(_) => None,
        None => Some(tempfile::tempdir().wrap_err("creating a temporary datadir")?),
    };
    let datadir = args
        .datadir
        .clone()
        .or_else(|| temp.as_ref().map(|t| t.path().to_path_buf()))
        .unwrap_or_default();
    std::fs::create_dir_all(&datadir)
        .wrap_err_with(|| format!("creating datadir {}", datadir.display()))?;

    let configure = |mut config: NodeConfig| {
        config.block_time = Duration::from_millis(args.block_time_ms);
        config.pool.max_account_slots = args.account_slots;
        config.pool.max_pool_size = args.global_slots;
        config
    };
    let (mut handle, settlement) = match &l1_mode {
        None => {
            let config = configure(NodeConfig::dev(&datadir).with_gas_limit(args.gas_limit));
            (
                Node::launch(config).await.wrap_err("starting the node")?,
                None,
            )
        }
        Some(deployment) => {
            let s = settlement::launch(&args.l1, deployment, datadir.clone(), configure).await?;
            let Settlement {
                handle,
                tasks,
                follower,
            } = s;
            (handle, Some((tasks, follower)))
        }
    };
    let node = handle.node().clone();
    if let Some(port) = args.metrics_port {
        ops::serve(
            (args.metrics_addr, port).into(),
            node.clone(),
            node.subscribe_shutdown(),
        )
        .await
        .wrap_err("starting the /health and /metrics server")?;
    }

    let cors = match args.cors {
        None => CorsConfig::Any,
        Some(origins) => CorsConfig::Origins(origins),
    };
    let server_config = ServerConfig::default()
        .with_listen_addr((args.http_addr, args.http_port).into())
        .with_cors(cors);
    let eth = EthConfig {
        gas_cap: args.gas_cap,
        ..EthConfig::default()
    };
    let methods = eth_module(EthApi::new(node.clone(), eth))?;
    let server = tributary_rpc::start(server_config, methods)
        .await
        .wrap_err("starting the JSON-RPC server")?;

    if settlement.is_none() {
        print_banner(
            &node,
            &datadir,
            temp.is_some(),
            &server.http_url(),
            &server.ws_url(),
        );
    } else {
        println!(
            "Tributary sequencer (chain {}, settled on L1)",
            node.chain_id()
        );
        println!("Genesis:   {}", node.genesis_hash());
        println!("Datadir:   {}", datadir.display());
        println!(
            "Listening on {} (WebSocket {})",
            server.http_url(),
            server.ws_url()
        );
    }

    let (tasks, mut follower) = match settlement {
        Some((tasks, follower)) => (tasks, Some(follower)),
        None => (Vec::new(), None),
    };
    let l1_failure = async {
        match follower.as_mut() {
            Some(f) => f.await,
            None => std::future::pending().await,
        }
    };
    let mut failure = None;
    tokio::select! {
        r = handle.wait() => {
            server.stop().await;
            r.wrap_err("block production stopped")?;
            return Ok(());
        }
        r = shutdown_signal() => r?,
        r = l1_failure => match r {
            Ok(Err(e)) => failure = Some(e.to_string()),
            Ok(Ok(())) => {}
            Err(e) => failure = Some(format!("L1 follower crashed: {e}")),
        },
    }
    info!(target: "sequencer", "shutting down");
    server.stop().await;
    handle.stop().await.wrap_err("stopping the node")?;
    for task in tasks {
        let _ = task.await;
    }
    if let Some(f) = follower
        && !f.is_finished()
    {
        let _ = f.await;
    }
    if let Some(reason) = failure {
        bail!(
            "{reason}: stopped; restart to re-derive the chain from L1 if it no longer stands on L1"
        );
    }
    drop(temp);
    Ok(())
}

fn print_banner(node: &Node, datadir: &std::path::Path, ephemeral: bool, http: &str, ws: &str) {
    let ether =
        DEV_FUNDING / alloy_primitives::U256::from(10u64).pow(alloy_primitives::U256::from(18));
    println!("Tributary sequencer (dev chain {})", node.chain_id());
    println!();
    println!("Available accounts ({ether} OPEN each)");
    println!("==================");
    for (i, a) in DEV_ACCOUNTS.iter().enumerate() {
        println!("({i}) {a}");
    }
    println!();
    println!("Private keys");
    println!("==================");
    for i in 0..DEV_ACCOUNTS.len() {
        // the mnemonic's keys are public knowledge; printing them is the point of --dev
        if let Ok(signer) = MnemonicBuilder::try_from_phrase_nth(DEV_MNEMONIC, i as u32) {
            println!(
                "({i}) 0x{}",
                alloy_primitives::hex::encode(signer.to_bytes())
            );
        }
    }
    println!();
    println!("Mnemonic:  {DEV_MNEMONIC}");
    println!("Chain id:  {}", node.chain_id());
    println!("Genesis:   {}", node.genesis_hash());
    println!(
        "Datadir:   {}{}",
        datadir.display(),
        if ephemeral { " (temporary)" } else { "" }
    );
    println!();
    println!("Listening on {http} (WebSocket {ws})");
}

async fn shutdown_signal() -> eyre::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}
