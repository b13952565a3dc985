//! `gateway`: Tributary's paid-inference gateway (docs/gateway.md).
//!
//! ```text
//! export TRIBUTARY_GATEWAY_KEY=0x…            # the provider key: sends the settlements
//! gateway [serve] [--listen 127.0.0.1:8550] [--l2-rpc URL] [--data-dir .gateway]
//!                 [--backend-url http://127.0.0.1:8080 --backend-model NAME]   # else extractive answers
//! gateway index                               # catch up the index and the pending contributions, exit
//! ```
//!
//! Every flag also reads `TRIBUTARY_GATEWAY_*` from the environment or a TOML file
//! (`--config gateway.toml`, keys as the flags: `listen = "…"`, `l2-rpc = "…"`, `top-k = 4`...);
//! command line, then environment, then the file, then the defaults. The L2 endpoint defaults
//! to the devnet file's `l2_rpc` (`.devnet/devnet.json`) when there is one.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use alloy::{signers::local::PrivateKeySigner, transports::http::reqwest::Url};
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use eyre::eyre;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use tracing::info;
use tracing_subscriber::EnvFilter;
use tributary_cli::{DeploymentFile, Layer};
use tributary_gateway::{
    Backend, Gateway, GatewayConfig, Responder,
    config::{
        DEFAULT_LISTEN, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_SENTENCES,
        DEFAULT_REQUEST_TIMEOUT_SECS, DEFAULT_SYNC_INTERVAL_MS, DEFAULT_TOP_K,
    },
};

/// Serve paid, attributed chat completions for models registered on Tributary.
#[derive(Debug, Parser)]
#[command(name = "gateway", version)]
struct Args {
    /// TOML file with the same settings (keys as the long flags).
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_CONFIG")]
    config: Option<PathBuf>,
    /// Listen address.
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// L2 JSON-RPC [default: the devnet file's `l2_rpc`, else http://127.0.0.1:8545].
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_L2_RPC")]
    l2_rpc: Option<Url>,
    /// Devnet file to take the L2 endpoint from [default: .devnet/devnet.json if present].
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_DEPLOYMENT")]
    deployment: Option<PathBuf>,
    /// Engine, pending contributions and evidence.
    #[arg(
        long,
        global = true,
        env = "TRIBUTARY_GATEWAY_DATA_DIR",
        default_value = ".gateway"
    )]
    data_dir: PathBuf,
    /// The provider key (hex). Set TRIBUTARY_GATEWAY_KEY: a flag shows it to every process
    /// listing.
    #[arg(
        long,
        global = true,
        env = "TRIBUTARY_GATEWAY_KEY",
        hide_env_values = true
    )]
    key: Option<PrivateKeySigner>,
    /// OpenAI-compatible backend (llama.cpp server, vLLM, Ollama); without one, answers quote
    /// the retrieved contributions (the extractive responder).
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_BACKEND_URL")]
    backend_url: Option<Url>,
    /// The backend's model name.
    #[arg(
        long,
        global = true,
        env = "TRIBUTARY_GATEWAY_BACKEND_MODEL",
        default_value = "default"
    )]
    backend_model: String,
    /// Bearer token for the backend.
    #[arg(
        long,
        global = true,
        env = "TRIBUTARY_GATEWAY_BACKEND_API_KEY",
        hide_env_values = true
    )]
    backend_api_key: Option<String>,
    /// Chunks retrieved per request.
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_TOP_K", default_value_t = DEFAULT_TOP_K)]
    top_k: usize,
    /// Sentences per extractive answer.
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_MAX_SENTENCES", default_value_t = DEFAULT_MAX_SENTENCES)]
    max_sentences: usize,
    /// Interval of the pending-contribution sync, milliseconds.
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_SYNC_INTERVAL_MS", default_value_t = DEFAULT_SYNC_INTERVAL_MS)]
    sync_interval_ms: u64,
    /// Largest request body, bytes.
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Limit of one request, seconds.
    #[arg(long, global = true, env = "TRIBUTARY_GATEWAY_REQUEST_TIMEOUT_SECS", default_value_t = DEFAULT_REQUEST_TIMEOUT_SECS)]
    request_timeout_secs: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Clone, Copy, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Bring the index up to date (stored but unindexed contributions, pending ones accepted on
    /// chain since) and exit.
    Index,
}

/// The `--config` file: every key optional, unknown keys refused (a typo must not be ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    listen: Option<SocketAddr>,
    l2_rpc: Option<Url>,
    deployment: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    backend_url: Option<Url>,
    backend_model: Option<String>,
    top_k: Option<usize>,
    max_sentences: Option<usize>,
    sync_interval_ms: Option<u64>,
    max_body_bytes: Option<usize>,
    request_timeout_secs: Option<u64>,
}

impl FileConfig {
    /// Fills in `args` where neither the command line nor the environment set a value. Keys are
    /// not secrets' place: the provider key and the backend token come from the environment.
    fn apply(self, args: &mut Args, matches: &ArgMatches) {
        tributary_config::fill!(args, matches;
            self.listen => listen,
            self.l2_rpc.map(Some) => l2_rpc,
            self.deployment.map(Some) => deployment,
            self.data_dir => data_dir,
            self.backend_url.map(Some) => backend_url,
            self.backend_model => backend_model,
            self.top_k => top_k,
            self.max_sentences => max_sentences,
            self.sync_interval_ms => sync_interval_ms,
            self.max_body_bytes => max_body_bytes,
            self.request_timeout_secs => request_timeout_secs,
        );
    }
}

impl Args {
    fn into_config(self) -> eyre::Result<GatewayConfig> {
        let key = self
            .key
            .ok_or_else(|| eyre!("no provider key: set TRIBUTARY_GATEWAY_KEY"))?;
        let l2_rpc = match self.l2_rpc {
            Some(url) => url,
            None => {
                // The devnet file when there is one (explicit or default), else the default port.
                let file = match DeploymentFile::load(self.deployment.clone()) {
                    Ok(file) => Some(file),
                    Err(e) if self.deployment.is_some() => return Err(e.into()),
                    Err(_) => None,
                };
                match file {
                    Some(file) => file.resolve_endpoint(Layer::L2, None, None)?.0,
                    None => tributary_cli::client::DEFAULT_L2_RPC.parse()?,
                }
            }
        };
        let timeout = Duration::from_secs(self.request_timeout_secs);
        let responder = match self.backend_url {
            Some(url) => Responder::Backend(Backend {
                url,
                model: self.backend_model,
                api_key: self.backend_api_key,
                timeout,
            }),
            None => Responder::Extractive {
                max_sentences: self.max_sentences,
            },
        };
        let mut config = GatewayConfig::new(l2_rpc, key, self.data_dir)
            .with_listen(self.listen)
            .with_responder(responder)
            .with_top_k(self.top_k)
            .with_sync_interval(Duration::from_millis(self.sync_interval_ms));
        config.max_body_bytes = self.max_body_bytes;
        config.request_timeout = timeout;
        Ok(config)
    }
}

/// A progress bar for `total` items of `what` (hidden when stderr is not a terminal).
fn bar(what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>24} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what);
    bar
}

/// Catches up the index and syncs the pending contributions, with progress bars.
async fn bring_up_to_date(gateway: &Gateway) -> eyre::Result<()> {
    let progress = bar("indexing stored");
    let p = progress.clone();
    let added = gateway
        .catch_up(move |done, total| {
            p.set_length(total);
            p.set_position(done);
        })
        .await?;
    progress.finish_and_clear();
    let progress = bar("checking pending");
    let p = progress.clone();
    let synced = gateway
        .sync(move |done, total| {
            p.set_length(total);
            p.set_position(done);
        })
        .await?;
    progress.finish_and_clear();
    info!(target: "gateway", caught_up = added.added, words = added.tokens, newly_accepted = synced.indexed, dropped = synced.dropped, pending = synced.pending, "index up to date");
    Ok(())
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let matches = Args::command().get_matches();
    let mut args = Args::from_arg_matches(&matches)?;
    if let Some(path) = args.config.clone() {
        tributary_config::read::<FileConfig>(&path)?.apply(&mut args, &matches);
    }
    let command = args.command.unwrap_or(Command::Serve);
    let gateway = Gateway::open(args.into_config()?).await?;
    bring_up_to_date(&gateway).await?;
    if let Command::Index = command {
        return Ok(());
    }
    let provider = gateway.provider();
    let handle = gateway.serve().await?;
    println!(
        "gateway listening on http://{} (provider {provider})",
        handle.addr()
    );
    shutdown_signal().await?;
    info!(target: "gateway", "stopping");
    handle.stop().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() -> eyre::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = terminate.recv() => {}
    }
    Ok(())
}
