//! The block production loop: waits for work, builds on a blocking thread, commits, then tells
//! the pool and the subscribers.
//!
//! ```text
//!  pending tx / heartbeat ─► wait ≥ block_time since the last block
//!     │
//!     ▼  pool.best_transactions(base fee), up to the block's gas
//!  spawn_blocking: BlockBuilder::build ─► BlockWrite
//!     │
//!     ▼  Store::commit_block (one SQLite transaction: durable when it returns)
//!  AccountCache::on_commit ─► pool.on_block_committed ─► head + NewBlock broadcast
//! ```
//!
//! Only after the commit does anyone learn about the block: a receipt or a head served by the
//! RPC is always durable. The loop stops on shutdown, or with an error when the store or the
//! executor fails in a way that retrying cannot fix.

use std::{
    collections::HashSet,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use alloy::consensus::{Header, Sealed};
use tokio::{
    sync::broadcast::error::{RecvError, TryRecvError},
    time::{Instant, sleep_until, timeout},
};
use tracing::{error, info, warn};
use tributary_primitives::l1_info::L1_INFO_DEPOSIT_GAS;
use tributary_txpool::PoolTransaction;

use crate::{
    NewBlock, Node, OriginSource, Result,
    builder::{BlockBuilder, BuiltBlock, next_base_fee},
};

/// Runs until shutdown; an `Err` means the node cannot go on.
pub(crate) async fn run(
    node: Node,
    mut builder: BlockBuilder,
    mut origin: Box<dyn OriginSource>,
) -> Result<()> {
    let config = node.config().clone();
    let mut shutdown = node.inner.shutdown.subscribe();
    let mut pending = node.pool().subscribe_pending();
    let mut last_block = Instant::now();
    loop {
        if *shutdown.borrow() {
            return Ok(());
        }
        // Wait for an executable transaction or the heartbeat, whichever comes first. The
        // channel may hold many announcements of transactions already mined: drain it and look
        // at the pool itself, or every stale announcement would seal an empty block.
        let deadline = last_block + config.heartbeat;
        while node.pool().status().pending == 0 {
            tokio::select! {
                r = pending.recv() => match r {
                    Err(RecvError::Closed) => return Ok(()),
                    Ok(_) | Err(RecvError::Lagged(_)) => {
                        while !matches!(pending.try_recv(), Err(TryRecvError::Empty | TryRecvError::Closed)) {}
                    }
                },
                () = sleep_until(deadline) => break,
                _ = shutdown.changed() => return Ok(()),
            }
        }
        // Let transactions accumulate for at least `block_time` since the previous block.
        tokio::select! {
            () = sleep_until(last_block + config.block_time) => {}
            _ = shutdown.changed() => return Ok(()),
        }
        last_block = Instant::now();
        let parent = node.head();
        let (returned, result) = produce(&node, builder, origin.as_mut(), &parent).await;
        builder = returned;
        match result {
            Ok(()) => {}
            Err(e) if e.is_fatal() => {
                error!(target: "node::producer", error = %e, "block production failed; stopping");
                return Err(e);
            }
            Err(e) => {
                warn!(target: "node::producer", error = %e, "block production failed; retrying");
                builder.reset(parent.state_root);
                // do not spin on a persistent failure
                let _ = timeout(Duration::from_secs(1), shutdown.changed()).await;
            }
        }
    }
}

/// Builds and commits one block. The builder moves to a blocking thread and back; it is
/// returned whatever happens.
async fn produce(
    node: &Node,
    mut builder: BlockBuilder,
    origin: &mut dyn OriginSource,
    parent: &Sealed<Header>,
) -> (BlockBuilder, Result<()>) {
    let timestamp = unix_now().max(parent.timestamp);
    let origin = match origin.next(parent, timestamp) {
        Ok(origin) => origin,
        Err(e) => return (builder, Err(e)),
    };
    let deposit_gas = origin.deposits.iter().fold(L1_INFO_DEPOSIT_GAS, |gas, d| {
        gas.saturating_add(d.gas_limit)
    });
    let candidates = select(node, parent, deposit_gas);

    let parent_owned = parent.clone();
    let started = Instant::now();
    let (mut builder, built) = match tokio::task::spawn_blocking(move || {
        let built = builder.build(&parent_owned, timestamp, origin, &candidates);
        (builder, built)
    })
    .await
    {
        Ok(pair) => pair,
        // the builder panicked (a bug): the error is fatal, the fresh builder only fills the slot
        Err(e) => return (node.new_builder(parent.state_root), Err(e.into())),
    };
    let built = match built {
        Ok(built) => built,
        Err(e) => return (builder, Err(e)),
    };
    let built_at = Instant::now();
    if let Err(e) = node.store().commit_block(&built.write).await {
        builder.reset(parent.state_root);
        return (builder, Err(e.into()));
    }
    let timing = Timing {
        build: built_at - started,
        commit: built_at.elapsed(),
    };
    (builder, after_commit(node, built, timing).await)
}

/// Best pool transactions whose gas limits fit the block beside `reserved` gas of deposits.
fn select(node: &Node, parent: &Header, reserved: u64) -> Vec<Arc<PoolTransaction>> {
    let base_fee = next_base_fee(&node.config().rollup, parent);
    let mut gas_left = parent.gas_limit.saturating_sub(reserved);
    let mut picked = Vec::new();
    for tx in node.pool().best_transactions(base_fee) {
        if tx.gas_limit() > gas_left {
            // nothing smaller is worth a second pass: transfers dominate, blocks come often
            break;
        }
        gas_left -= tx.gas_limit();
        picked.push(tx);
    }
    picked
}

/// Where a block's production time went (logged with the block).
#[derive(Debug, Clone, Copy)]
struct Timing {
    build: Duration,
    commit: Duration,
}

/// Publishes a committed block: account cache, pool, journal, head, subscribers.
async fn after_commit(node: &Node, built: BuiltBlock, timing: Timing) -> Result<()> {
    let header = built.sealed.clone();
    node.inner.accounts.on_commit(&built.write.state);
    let next_fee = next_base_fee(&node.config().rollup, &header);
    let pool = node.pool().clone();
    let mined = built.mined.clone();
    let dropped = built.dropped.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        for hash in &dropped {
            pool.mark_invalid(*hash);
        }
        pool.on_block_committed(&mined, next_fee)
    })
    .await?;
    // Mined, stale and dropped transactions leave the journal now that the block is durable
    // (a crash before this line leaves entries the restore rejects as mined).
    let gone: HashSet<_> = built
        .mined
        .iter()
        .map(|m| m.hash)
        .chain(outcome.removed.iter().copied())
        .chain(built.dropped.iter().copied())
        .collect();
    if !gone.is_empty() {
        node.store()
            .pool_remove(&gone.into_iter().collect::<Vec<_>>())
            .await?;
    }
    if !built.dropped.is_empty() {
        warn!(target: "node::producer", count = built.dropped.len(), "dropped pool transactions the block rejected");
    }
    info!(
        target: "node::producer",
        number = header.number,
        hash = %header.hash(),
        txs = built.write.transactions.len(),
        gas = header.gas_used,
        build_ms = timing.build.as_millis() as u64,
        commit_ms = timing.commit.as_millis() as u64,
        "sealed block"
    );
    let event = Arc::new(NewBlock {
        logs: built.logs(),
        transactions: built.write.transactions.iter().map(|t| t.hash).collect(),
        header: header.clone(),
    });
    node.inner.head.send_replace(header);
    // no subscriber is fine
    let _ = node.inner.blocks.send(event);
    Ok(())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
