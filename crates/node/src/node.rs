//! The node handle: what the RPC and the binaries hold.

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use alloy::{
    consensus::{Header, Sealed},
    eips::eip2718::Decodable2718,
};
use alloy_primitives::{Address, B256, Bytes};
use op_alloy_consensus::OpTxEnvelope;
use tokio::{
    sync::{broadcast, watch},
    task::JoinHandle,
};
use tracing::{error, info};
use tributary_execution::{BlockContext, BlockExecutor};
use tributary_primitives::L1Info;
use tributary_storage::{PoolTx, Store, StoredLog, TrieStateReader};
use tributary_txpool::{PoolError, PoolResult, TxPool};

use crate::{
    AccountCache, FixedOrigin, NodeConfig, NodeError, OriginSource, Result, SyncStatus,
    builder::BlockBuilder, genesis, producer,
};

/// The transaction pool of the node.
pub type Pool = TxPool<Arc<AccountCache>>;

/// Capacity of the new-block broadcast; a subscriber further behind misses blocks (and is told
/// so by `RecvError::Lagged`).
const BLOCK_CHANNEL_CAPACITY: usize = 256;

/// A committed block, as subscribers see it.
#[derive(Debug, Clone)]
pub struct NewBlock {
    /// The header and its hash.
    pub header: Sealed<Header>,
    /// Hashes of the block's transactions, in order.
    pub transactions: Vec<B256>,
    /// The block's logs with their positions.
    pub logs: Vec<StoredLog>,
}

/// A running node: store, pool, head and block events. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Node {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    config: NodeConfig,
    store: Store,
    pool: Arc<Pool>,
    pub(crate) accounts: Arc<AccountCache>,
    pub(crate) executor: BlockExecutor,
    pub(crate) head: watch::Sender<Sealed<Header>>,
    pub(crate) blocks: broadcast::Sender<Arc<NewBlock>>,
    pub(crate) shutdown: watch::Sender<bool>,
    sync: watch::Sender<SyncStatus>,
    genesis_hash: B256,
}

/// Owns the block producer; stopping it stops block production and closes the store.
#[derive(Debug)]
pub struct NodeHandle {
    node: Node,
    producer: JoinHandle<Result<()>>,
}

impl NodeHandle {
    /// The node.
    pub const fn node(&self) -> &Node {
        &self.node
    }

    /// Resolves when block production ends by itself: only on a fatal error.
    pub async fn wait(&mut self) -> Result<()> {
        (&mut self.producer).await?
    }

    /// Finishes the block in progress, stops producing and closes the store.
    pub async fn stop(self) -> Result<()> {
        self.node.inner.shutdown.send_replace(true);
        let result = self.producer.await;
        self.node.store().close().await;
        result?
    }
}

impl Node {
    /// Opens (or initialises) the datadir and starts producing blocks on a chain without L1:
    /// every block keeps the genesis' L1 origin (`--dev`).
    pub async fn launch(config: NodeConfig) -> Result<NodeHandle> {
        let origin = FixedOrigin::new(
            config.genesis.l1_origin,
            config.genesis.timestamp,
            config.l1_base_fee,
            &config.rollup,
        );
        Self::launch_with_origin(config, Box::new(origin)).await
    }

    /// Opens (or initialises) the datadir, restores the pool journal and starts producing blocks
    /// with L1 origins from `origin`.
    pub async fn launch_with_origin(
        config: NodeConfig,
        origin: Box<dyn OriginSource>,
    ) -> Result<NodeHandle> {
        Ok(Self::open(config).await?.start(origin))
    }

    /// Opens (or initialises) the datadir and restores the pool journal, without producing
    /// blocks yet: the caller can read the head (e.g. its L1 origin) before [`Node::start`].
    pub async fn open(config: NodeConfig) -> Result<Self> {
        let genesis = tributary_genesis::build(&config.genesis)
            .map_err(|e| NodeError::Genesis(e.to_string()))?;
        let store = Store::open(config.store_config()).await?;
        genesis::init(&store, &genesis).await?;
        let head = genesis::head_header(&store).await?;

        let accounts = Arc::new(AccountCache::new(&store));
        let pool = Arc::new(Pool::new(config.pool_config(), accounts.clone()));
        let executor = BlockExecutor::new(config.genesis.chain_id);
        let (blocks, _) = broadcast::channel(BLOCK_CHANNEL_CAPACITY);
        let node = Self {
            inner: Arc::new(Inner {
                accounts,
                pool,
                executor,
                head: watch::Sender::new(head.clone()),
                blocks,
                shutdown: watch::Sender::new(false),
                sync: watch::Sender::new(SyncStatus::default()),
                genesis_hash: genesis.hash,
                store,
                config,
            }),
        };
        node.restore_pool().await?;
        info!(
            target: "node",
            chain_id = node.chain_id(),
            head = head.number,
            hash = %head.hash(),
            state_root = %head.state_root,
            pending = node.pool().len(),
            "node started"
        );
        Ok(node)
    }

    /// Starts producing blocks with L1 origins from `origin`.
    pub fn start(self, origin: Box<dyn OriginSource>) -> NodeHandle {
        let builder = self.new_builder(self.head().state_root);
        let producer = tokio::spawn(producer::run(self.clone(), builder, origin));
        NodeHandle {
            node: self,
            producer,
        }
    }

    /// Watches the shutdown flag (turns true when [`NodeHandle::stop`] is called), for tasks
    /// that live beside the producer.
    pub fn subscribe_shutdown(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Re-admits the journaled pool transactions; those no longer valid leave the journal.
    async fn restore_pool(&self) -> Result<()> {
        let journal = self.store().pool_load().await?;
        if journal.is_empty() {
            return Ok(());
        }
        let raws = journal.iter().map(|t| t.raw.clone()).collect();
        let pool = self.pool().clone();
        let results = tokio::task::spawn_blocking(move || pool.restore(raws)).await?;
        let mut gone: Vec<B256> = Vec::new();
        for (entry, result) in journal.iter().zip(results) {
            match result {
                Ok(added) => gone.extend(added.removed()),
                Err(_) => gone.push(entry.hash),
            }
        }
        self.store().pool_remove(&gone).await?;
        Ok(())
    }

    pub(crate) fn new_builder(&self, state_root: B256) -> BlockBuilder {
        BlockBuilder::new(
            self.inner.executor,
            self.config().rollup.clone(),
            self.store().clone(),
            state_root,
        )
    }

    /// The configuration the node runs with.
    pub fn config(&self) -> &NodeConfig {
        &self.inner.config
    }

    /// The L2 chain id.
    pub fn chain_id(&self) -> u64 {
        self.inner.config.genesis.chain_id
    }

    /// Hash of block 0.
    pub fn genesis_hash(&self) -> B256 {
        self.inner.genesis_hash
    }

    /// The store (blocks, receipts, logs, state).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The transaction pool.
    pub fn pool(&self) -> &Arc<Pool> {
        &self.inner.pool
    }

    /// The executor (chain id and EVM rules), for calls and traces.
    pub fn executor(&self) -> BlockExecutor {
        self.inner.executor
    }

    /// The latest durable block's header.
    pub fn head(&self) -> Sealed<Header> {
        self.inner.head.borrow().clone()
    }

    /// Watches the head (changes after each commit).
    pub fn subscribe_head(&self) -> watch::Receiver<Sealed<Header>> {
        self.inner.head.subscribe()
    }

    /// Every committed block, in order.
    pub fn subscribe_blocks(&self) -> broadcast::Receiver<Arc<NewBlock>> {
        self.inner.blocks.subscribe()
    }

    /// Where the chain stands against L1.
    pub fn sync_status(&self) -> SyncStatus {
        *self.inner.sync.borrow()
    }

    /// Watches [`Node::sync_status`].
    pub fn subscribe_sync_status(&self) -> watch::Receiver<SyncStatus> {
        self.inner.sync.subscribe()
    }

    /// Updates the L1 view (the settlement layer calls this as batches and outputs land).
    pub fn update_sync_status(&self, f: impl FnOnce(&mut SyncStatus)) {
        self.inner.sync.send_if_modified(|status| {
            let before = *status;
            f(status);
            before != *status
        });
    }

    /// The `safe` head's number: the head itself without an L1, else never past the head.
    pub fn safe_number(&self) -> u64 {
        let status = self.sync_status();
        let head = self.head().number;
        if status.l1_enabled {
            status.safe.min(head)
        } else {
            head
        }
    }

    /// The `finalized` head's number: the head itself without an L1, else never past the head.
    pub fn finalized_number(&self) -> u64 {
        let status = self.sync_status();
        let head = self.head().number;
        if status.l1_enabled {
            status.finalized.min(head)
        } else {
            head
        }
    }

    /// The base fee of the next block.
    pub fn next_base_fee(&self) -> u64 {
        self.base_fee_after(&self.head())
    }

    /// The base fee of the child of `parent` (EIP-1559 with the rollup's parameters).
    pub fn base_fee_after(&self, parent: &Header) -> u64 {
        tributary_execution::next_base_fee(&self.config().rollup, parent)
    }

    /// Admits raw transactions (`eth_sendRawTransaction`, one call for a whole batch): senders
    /// are recovered in parallel, accepted transactions are journaled in one database
    /// transaction, and only then is the answer given — an acknowledged hash survives kill -9.
    ///
    /// The outer error is a store failure; per-transaction rejections are in the vector, in
    /// input order.
    pub async fn send_raw_transactions(&self, raws: Vec<Bytes>) -> Result<Vec<PoolResult<B256>>> {
        let pool = self.pool().clone();
        let results = tokio::task::spawn_blocking(move || pool.add_raw_batch(raws)).await?;
        let inserted_at = unix_millis();
        let mut journal = Vec::new();
        let mut gone = Vec::new();
        for added in results.iter().flatten() {
            let entry = added.journal_entry();
            journal.push(PoolTx {
                hash: entry.hash,
                sender: entry.sender,
                nonce: entry.nonce,
                inserted_at,
                raw: entry.raw,
            });
            gone.extend(added.removed());
        }
        let stored = async {
            self.store().pool_insert_many(&journal).await?;
            if !gone.is_empty() {
                self.store().pool_remove(&gone).await?;
            }
            Ok::<_, NodeError>(())
        }
        .await;
        if let Err(e) = stored {
            // Not journaled means not acknowledged: take them back out of the pool.
            error!(target: "node", error = %e, "pool journal write failed");
            for tx in &journal {
                self.pool().mark_invalid(tx.hash);
            }
            return Err(e);
        }
        Ok(results
            .into_iter()
            .map(|r| r.map(|added| added.hash()))
            .collect())
    }

    /// The next nonce of `address` counting its executable pool transactions
    /// (`eth_getTransactionCount(.., "pending")`).
    pub async fn pending_nonce(&self, address: Address) -> Result<Result<u64, PoolError>> {
        let pool = self.pool().clone();
        Ok(tokio::task::spawn_blocking(move || pool.pending_nonce(address)).await?)
    }

    /// Runs `f` on a blocking thread over the state at `state_root` (any committed block's).
    pub async fn with_state<R, F>(&self, state_root: B256, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&TrieStateReader) -> R + Send + 'static,
    {
        let store = self.store().clone();
        Ok(tokio::task::spawn_blocking(move || f(&store.state_at(state_root))).await?)
    }

    /// The L1-info deposit's fields of block `number` (its L1 origin and sequence number), or
    /// `None` for genesis and blocks not stored. Genesis' origin is
    /// `config().genesis.l1_origin`.
    pub async fn l1_info(&self, number: u64) -> Result<Option<L1Info>> {
        let Some(tx) = self.store().transaction_at(number, 0).await? else {
            return Ok(None);
        };
        let envelope = OpTxEnvelope::decode_2718(&mut tx.raw.as_ref())
            .map_err(|e| NodeError::Corrupt(format!("block {number} transaction 0: {e}")))?;
        let OpTxEnvelope::Deposit(deposit) = envelope else {
            return Err(NodeError::Corrupt(format!(
                "block {number} does not start with the L1-info deposit"
            )));
        };
        L1Info::decode_ecotone(&deposit.inner().input)
            .map(Some)
            .map_err(|e| NodeError::Corrupt(format!("block {number} L1-info deposit: {e}")))
    }

    /// The EVM environment of the block `header` (what `eth_call` at that block runs in).
    pub fn block_context(&self, header: &Header) -> BlockContext {
        BlockContext::from_header(header)
    }
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
