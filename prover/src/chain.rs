//! The prover's own copy of the L2 chain: the genesis checked against L1, a node store in the
//! datadir (never the sequencer's), and the checkpoint that makes a run resumable.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicBool, Ordering},
};

use eyre::{WrapErr, eyre};
use tracing::{info, warn};
use tributary_genesis::L2Genesis;
use tributary_l1::{DeriveStep, L1Client, NodeDeriver};
use tributary_node::{Node, NodeConfig};
use tributary_primitives::Deployment;

use crate::{L1Args, checkpoint::Checkpoint};

/// L1 blocks derived per call between checks of the stop flag.
const DERIVE_CHUNK: u64 = 64;

/// An opened chain: L1 client, the prover's node (not producing) and its checkpoint.
pub(crate) struct Chain {
    pub(crate) client: L1Client,
    pub(crate) node: Node,
    pub(crate) checkpoint: Checkpoint,
    checkpoint_path: PathBuf,
    confirmations: u64,
}

impl Chain {
    /// Loads the deployment and genesis, checks the genesis against what the Rollup records on
    /// L1, and opens (or creates) the prover's store in the datadir.
    pub(crate) async fn open(args: &L1Args) -> eyre::Result<Self> {
        let deployment = Deployment::load(&args.deployment)
            .wrap_err_with(|| format!("reading {}", args.deployment.display()))?;
        let genesis_path = args.genesis_path();
        let genesis = L2Genesis::read_json(&genesis_path)
            .wrap_err_with(|| format!("reading {}", genesis_path.display()))?;
        let client = L1Client::new(args.l1_rpc.clone(), args.l1_beacon.clone(), deployment);
        client
            .check_genesis(genesis.hash, genesis.config.chain_id)
            .await
            .wrap_err_with(|| format!("checking {} against L1", genesis_path.display()))?;

        std::fs::create_dir_all(&args.datadir)
            .wrap_err_with(|| format!("creating {}", args.datadir.display()))?;
        let chain_dir = args.datadir.join("chain");
        let checkpoint_path = args.datadir.join("checkpoint.json");
        let mut checkpoint = Checkpoint::load(&checkpoint_path)?;
        let mut node = open_node(&chain_dir, &genesis).await?;
        if !checkpoint.matches(&node.head()) {
            // The store moved past the last checkpoint (the process died in the middle of an
            // L1 block, perhaps in the middle of a batch): derivation cannot resume exactly
            // from there, so start again from genesis.
            warn!(
                target: "prover",
                store_head = node.head().number,
                checkpoint = ?checkpoint.l2_head,
                "the store does not match the checkpoint: verifying again from genesis"
            );
            node.store().close().await;
            std::fs::remove_dir_all(&chain_dir)
                .wrap_err_with(|| format!("removing {}", chain_dir.display()))?;
            checkpoint = Checkpoint::default();
            checkpoint.save(&checkpoint_path)?;
            node = open_node(&chain_dir, &genesis).await?;
        }
        Ok(Self {
            client,
            node,
            checkpoint,
            checkpoint_path,
            confirmations: args.confirmations,
        })
    }

    /// A deriver standing at the store's head, resumed exactly from the checkpoint.
    pub(crate) async fn deriver(&self) -> eyre::Result<NodeDeriver> {
        NodeDeriver::open(&self.client, &self.node, self.checkpoint.l1_processed)
            .await
            .wrap_err("resuming derivation")
    }

    /// The newest L1 block the prover treats as settled: the head minus the confirmation depth.
    pub(crate) async fn confirmed_l1(&self) -> eyre::Result<u64> {
        let head = self
            .client
            .head_number()
            .await
            .wrap_err("reading the L1 head")?;
        Ok(head.saturating_sub(self.confirmations))
    }

    /// Derives up to L1 block `until`, saving the checkpoint after every L1 block and calling
    /// `on_block` for each; stops early (returning `false`) once `stop` is set, between L1
    /// blocks so the checkpoint stays exact.
    pub(crate) async fn derive_to(
        &mut self,
        deriver: &mut NodeDeriver,
        until: u64,
        stop: &AtomicBool,
        mut on_block: impl FnMut(&DeriveStep),
    ) -> eyre::Result<bool> {
        while deriver.next_l1_block() <= until {
            if stop.load(Ordering::SeqCst) {
                return Ok(false);
            }
            // a few blocks per call: cheap to stop between, few log lines while catching up
            let to = until.min(deriver.next_l1_block() + DERIVE_CHUNK - 1);
            let mut saved = Ok(());
            deriver
                .advance(&self.client, to, |step| {
                    self.checkpoint.record(step);
                    if saved.is_ok() {
                        saved = self.checkpoint.save(&self.checkpoint_path);
                    }
                    on_block(step);
                })
                .await
                .wrap_err("deriving from L1")?;
            saved?;
        }
        Ok(true)
    }

    /// Closes the store.
    pub(crate) async fn close(self) {
        self.node.store().close().await;
    }
}

async fn open_node(dir: &std::path::Path, genesis: &L2Genesis) -> eyre::Result<Node> {
    std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
    let node = Node::open(NodeConfig::with_genesis(dir, genesis.config.clone()))
        .await
        .map_err(|e| eyre!("opening the prover's store in {}: {e}", dir.display()))?;
    info!(target: "prover", dir = %dir.display(), head = node.head().number, "store opened");
    Ok(node)
}
