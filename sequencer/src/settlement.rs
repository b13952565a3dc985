//! L1 mode: the node follows its L1 contracts (origins and deposits), and the batcher and the
//! proposer post to them (tributary-l1).
//!
//! ```text
//!  --deployment deployment.json --genesis genesis.json --l1.rpc URL
//!     check: genesis hash == Rollup.l2GenesisHash(), chain ids agree
//!     Node::open ─► the head's L1 origin (L1-info deposit, or the deploy block for genesis)
//!       ─► must still be canonical on L1 ─► follower + L1Origin ─► Node::start
//!     batcher (TRIBUTARY_BATCHER_KEY) and proposer (TRIBUTARY_PROPOSER_KEY), if keys are given
//! ```

use std::{path::PathBuf, sync::Arc, time::Duration};

use alloy::{signers::local::PrivateKeySigner, transports::http::reqwest::Url};
use eyre::{WrapErr, eyre};
use tokio::task::JoinHandle;
use tracing::{info, warn};
use tributary_genesis::L2Genesis;
use tributary_l1::{
    BatcherConfig, DataAvailability, FollowerConfig, L1Client, L1Error, L1Origin, L1View,
    ProposerConfig, TxSender, derive_into, derived_head, run_batcher, run_follower, run_proposer,
    wait_until_idle,
};
use tributary_node::{Node, NodeConfig, NodeHandle};
use tributary_primitives::Deployment;
use tributary_storage::{Store, StoreConfig};

/// L1 settings from the command line.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct L1Args {
    /// The deployment JSON of the L1 contracts (written by `deploy`); enables L1 mode.
    #[arg(long, env = "TRIBUTARY_DEPLOYMENT")]
    pub(crate) deployment: Option<PathBuf>,
    /// The L2 genesis JSON (written with the deployment); its hash must be the Rollup's.
    #[arg(long, env = "TRIBUTARY_GENESIS")]
    pub(crate) genesis: Option<PathBuf>,
    /// L1 JSON-RPC endpoint.
    #[arg(
        long = "l1.rpc",
        env = "TRIBUTARY_L1_RPC",
        default_value = "http://127.0.0.1:8546"
    )]
    pub(crate) l1_rpc: Url,
    /// Beacon API serving the L1's blobs (default: the L1 RPC URL, as anvil serves both).
    #[arg(long = "l1.beacon", env = "TRIBUTARY_L1_BEACON")]
    pub(crate) l1_beacon: Option<Url>,
    /// L1 blocks an L1 block must be buried under before its deposits are used.
    #[arg(
        long = "l1.confirmations",
        env = "TRIBUTARY_L1_CONFIRMATIONS",
        default_value_t = 2
    )]
    pub(crate) confirmations: u64,
    /// How often the L1 head is polled, in milliseconds.
    #[arg(
        long = "l1.poll-ms",
        env = "TRIBUTARY_L1_POLL_MS",
        default_value_t = 500
    )]
    pub(crate) poll_ms: u64,
    /// The batcher's private key (hex); without it no batches are posted.
    #[arg(
        long = "batcher.key",
        env = "TRIBUTARY_BATCHER_KEY",
        hide_env_values = true
    )]
    pub(crate) batcher_key: Option<PrivateKeySigner>,
    /// Where batches go: calldata, blobs, or auto (blobs when the L1 supports them).
    #[arg(
        long = "batcher.da",
        env = "TRIBUTARY_BATCHER_DA",
        default_value = "auto"
    )]
    pub(crate) batcher_da: DataAvailability,
    /// Most L2 blocks per batch.
    #[arg(
        long = "batcher.max-blocks",
        env = "TRIBUTARY_BATCHER_MAX_BLOCKS",
        default_value_t = 1_000
    )]
    pub(crate) batcher_max_blocks: u64,
    /// Post a batch that is not full once its oldest block is this many seconds old.
    #[arg(
        long = "batcher.max-delay-secs",
        env = "TRIBUTARY_BATCHER_MAX_DELAY_SECS",
        default_value_t = 4
    )]
    pub(crate) batcher_max_delay_secs: u64,
    /// The proposer's private key (hex); without it no outputs are proposed.
    #[arg(
        long = "proposer.key",
        env = "TRIBUTARY_PROPOSER_KEY",
        hide_env_values = true
    )]
    pub(crate) proposer_key: Option<PrivateKeySigner>,
    /// Propose once this many L2 blocks are batched past the last output...
    #[arg(
        long = "proposer.interval-blocks",
        env = "TRIBUTARY_PROPOSER_INTERVAL_BLOCKS",
        default_value_t = 100
    )]
    pub(crate) proposer_interval_blocks: u64,
    /// ...or after this many seconds with at least one new batched block.
    #[arg(
        long = "proposer.max-interval-secs",
        env = "TRIBUTARY_PROPOSER_MAX_INTERVAL_SECS",
        default_value_t = 10
    )]
    pub(crate) proposer_max_interval_secs: u64,
}

/// The running node and its settlement tasks (they stop with the node's shutdown flag).
pub(crate) struct Settlement {
    pub(crate) handle: NodeHandle,
    pub(crate) tasks: Vec<JoinHandle<()>>,
    /// Ends with an error on an L1 reorg deeper than the confirmation depth: the node must stop
    /// (the next start re-derives the chain from L1 if its blocks no longer stand on L1).
    pub(crate) follower: JoinHandle<tributary_l1::Result<()>>,
}

/// Opens the chain in `datadir` against its L1 contracts and starts everything.
pub(crate) async fn launch(
    args: &L1Args,
    deployment_path: &std::path::Path,
    datadir: PathBuf,
    configure: impl FnOnce(NodeConfig) -> NodeConfig,
) -> eyre::Result<Settlement> {
    let deployment = Deployment::load(deployment_path)
        .wrap_err_with(|| format!("reading {}", deployment_path.display()))?;
    let genesis_path = args
        .genesis
        .as_ref()
        .ok_or_else(|| eyre!("--genesis is required with --deployment"))?;
    let genesis = L2Genesis::read_json(genesis_path)
        .wrap_err_with(|| format!("reading {}", genesis_path.display()))?;
    let client = L1Client::new(
        args.l1_rpc.clone(),
        args.l1_beacon.clone(),
        deployment.clone(),
    );
    client
        .check_genesis(genesis.hash, genesis.config.chain_id)
        .await
        .wrap_err_with(|| format!("checking {} against L1", genesis_path.display()))?;

    let mut config = configure(NodeConfig::with_genesis(datadir, genesis.config.clone()));
    // blocks often enough that the origin keeps up with L1 even when no one transacts
    config.heartbeat = config.heartbeat.min(Duration::from_secs(1));
    let mut node = Node::open(config.clone())
        .await
        .wrap_err("opening the node")?;
    // not ready until the follower has caught up with L1
    node.update_sync_status(|s| s.l1_enabled = true);

    // where the chain stands on L1: the head's origin must still be canonical, or the chain is
    // re-derived from L1 (the unsafe blocks' transactions go back to the pool)
    let (origin, sequence) = match head_origin(&client, &node).await? {
        Some(found) => found,
        None => {
            node.store().close().await;
            node = recover(&client, &config).await?;
            node.update_sync_status(|s| s.l1_enabled = true);
            head_origin(&client, &node)
                .await?
                .ok_or_else(|| eyre!("the chain re-derived from L1 does not stand on L1"))?
        }
    };
    let head = node.head();
    let origin_ref = origin.block_ref();
    let view = Arc::new(L1View::default());
    let follower = FollowerConfig {
        confirmations: args.confirmations,
        poll_interval: Duration::from_millis(args.poll_ms),
    };
    let follower = tokio::spawn(run_follower(
        client.clone(),
        view.clone(),
        node.clone(),
        follower,
        origin.number,
        origin.hash,
        node.subscribe_shutdown(),
    ));
    let mut tasks = Vec::new();
    let rollup_config = node.config().rollup.clone();
    let handle = node.start(Box::new(L1Origin::new(
        view,
        rollup_config,
        head.number,
        origin,
        sequence,
    )));
    let node = handle.node().clone();

    if let Some(key) = args.batcher_key.clone() {
        let sender = TxSender::new(args.l1_rpc.clone(), key, "batcher");
        check_role("batcher", sender.address(), deployment.roles.batcher);
        let config = BatcherConfig {
            da: args.batcher_da,
            max_blocks: args.batcher_max_blocks.max(1),
            max_delay: Duration::from_secs(args.batcher_max_delay_secs),
            ..BatcherConfig::default()
        };
        tasks.push(tokio::spawn(run_batcher(
            client.clone(),
            sender,
            node.clone(),
            config,
            node.subscribe_shutdown(),
        )));
    } else {
        warn!(target: "sequencer", "no batcher key: blocks are not posted to L1");
    }
    if let Some(key) = args.proposer_key.clone() {
        let sender = TxSender::new(args.l1_rpc.clone(), key, "proposer");
        check_role("proposer", sender.address(), deployment.roles.proposer);
        let config = ProposerConfig {
            interval_blocks: args.proposer_interval_blocks.max(1),
            max_interval: Duration::from_secs(args.proposer_max_interval_secs),
            ..ProposerConfig::default()
        };
        tasks.push(tokio::spawn(run_proposer(
            client.clone(),
            sender,
            node.clone(),
            config,
            node.subscribe_shutdown(),
        )));
    } else {
        warn!(target: "sequencer", "no proposer key: no output roots are proposed");
    }
    info!(
        target: "sequencer",
        l1 = %args.l1_rpc,
        rollup = %deployment.contracts.rollup,
        portal = %deployment.contracts.portal,
        origin = origin_ref.number,
        "following L1"
    );
    Ok(Settlement {
        handle,
        tasks,
        follower,
    })
}

/// The L1 origin (with its header fields) and sequence number of `node`'s head, or `None` when
/// that L1 block is no longer canonical.
async fn head_origin(
    client: &L1Client,
    node: &Node,
) -> eyre::Result<Option<(tributary_derivation::L1BlockInfo, u64)>> {
    match derived_head(client, node).await {
        Ok((head, origin)) => Ok(Some((origin, head.sequence_number))),
        Err(L1Error::DeepReorg { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Re-derives the chain from L1 after a reorg deeper than the confirmation depth took blocks
/// it was built on: the datadir moves aside (kept for inspection), a fresh one is derived from
/// the confirmed L1 chain, the pool journal comes along, and the transactions of the old
/// chain's blocks past the derived head go back to the pool (nothing acknowledged is dropped
/// unless it became invalid).
async fn recover(client: &L1Client, config: &NodeConfig) -> eyre::Result<Node> {
    let datadir = &config.datadir;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let aside = datadir.with_file_name(format!(
        "{}.reorged-{stamp}",
        datadir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("datadir")
    ));
    warn!(
        target: "sequencer",
        moved_to = %aside.display(),
        "the L2 head's L1 origin is no longer canonical: re-deriving the chain from L1"
    );
    std::fs::rename(datadir, &aside)
        .wrap_err_with(|| format!("moving {} aside", datadir.display()))?;
    std::fs::create_dir_all(datadir)?;
    let old = StoreConfig::in_dir(&aside);
    let journal = old.journal_path();
    let new_journal = config.store_config().journal_path();
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", journal.display()));
        if from.exists() {
            std::fs::copy(&from, format!("{}{suffix}", new_journal.display()))?;
        }
    }

    let node = Node::open(config.clone())
        .await
        .wrap_err("opening the new datadir")?;
    // A batch the previous run sent may still be in flight and land on the new branch: wait
    // until the batcher key has nothing pending, then derive everything L1 has, so the chain
    // continues after every range the Rollup accepted (docs/derivation.md, invalid batches).
    let batcher = client.deployment().roles.batcher;
    wait_until_idle(client.provider(), batcher, Duration::from_secs(60), |_| {}).await?;
    let until = client.head_number().await?;
    let derived = derive_into(client, &node, until, |_| {}).await?;

    let old_store = Store::open(old).await?;
    let old_head = old_store.head().await?.map_or(0, |h| h.number);
    let mut raws = Vec::new();
    for number in derived.number + 1..=old_head {
        for tx in old_store.block_transactions(number).await? {
            if tx.raw.first() != Some(&op_alloy_consensus::DEPOSIT_TX_TYPE_ID) {
                raws.push(tx.raw);
            }
        }
    }
    old_store.close().await;
    let count = raws.len();
    let accepted = node
        .send_raw_transactions(raws)
        .await?
        .into_iter()
        .filter(Result::is_ok)
        .count();
    info!(
        target: "sequencer",
        derived_head = derived.number,
        old_head,
        reinjected = accepted,
        invalid = count - accepted,
        "chain re-derived from L1"
    );
    Ok(node)
}

/// Warns when a key is not the role holder the deployment names (its posts would revert).
fn check_role(
    role: &str,
    address: alloy::primitives::Address,
    expected: alloy::primitives::Address,
) {
    if address != expected {
        warn!(target: "sequencer", role, %address, %expected, "key is not the deployment's role holder; its transactions will revert");
    }
}
