//! The block production loop: waits for work, builds on a blocking thread, commits, then tells
//! the pool and the subscribers.
//!
//! ```text
//!  pending tx / heartbeat ─► wait ≥ block_time since the last block
//!     │
//!     ▼  pool.best_transactions(base fee), up to the block's gas
//!  spawn_blocking: BlockBuilder::build(N) ─► BlockWrite            ┐ overlaps with the commit
//!     │  AccountCache::on_commit, pool.on_block_committed (N)       │ of N-1, still in flight
//!     ▼                                                             ┘
//!  await commit(N-1) ─► publish N-1: journal cleanup, head, NewBlock broadcast
//!     │
//!     └─► spawn commit(N): Store::commit_block (one SQLite transaction, durable on return)
//! ```
//!
//! **Pipelining.** Block N+1 is built while block N commits: the builder's trie already holds
//! N's state in memory and the builder serves N's new code and hash itself, so building never
//! reads what is not yet durable. The pool and the account cache learn about N before its
//! commit returns (so N+1 does not pick N's transactions again); nothing is *published* — head,
//! receipts, subscriptions — before the commit returned. At most one commit is in flight. A
//! failed commit stops the node: the pool already moved past that block, and a restart resumes
//! from the last durable block and the journal.

use std::{
    collections::HashSet,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use alloy::consensus::{Header, Sealed};
use tokio::{
    sync::broadcast::error::{RecvError, TryRecvError},
    task::JoinHandle,
    time::{Instant, sleep_until, timeout},
};
use tracing::{error, info, warn};
use tributary_primitives::l1_info::L1_INFO_DEPOSIT_GAS;
use tributary_storage::BlockWrite;
use tributary_txpool::PoolTransaction;

use crate::{
    NewBlock, Node, OriginSource, Result,
    builder::{BlockBuilder, BuiltBlock, block_logs, next_base_fee},
};

/// A built block whose commit is running.
struct InFlight {
    built: BuiltBlock,
    commit: JoinHandle<(
        BlockWrite,
        tributary_storage::Result<tributary_storage::Head>,
    )>,
    build_time: Duration,
    commit_started: Instant,
}

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
    let mut tip = node.head();
    let mut in_flight: Option<InFlight> = None;
    let result = loop {
        if *shutdown.borrow() {
            break Ok(());
        }
        // Wait for an executable transaction or the heartbeat, whichever comes first,
        // publishing the block in flight as soon as it is durable. The channel may hold many
        // announcements of transactions already mined: drain it and look at the pool itself,
        // or every stale announcement would seal an empty block.
        // an origin behind L1 advances one L1 block per L2 block: catch up at the block time
        let idle = if origin.catching_up() {
            config.block_time
        } else {
            config.heartbeat
        };
        let deadline = last_block + idle;
        let mut stop = false;
        while node.pool().status().pending == 0 {
            tokio::select! {
                r = settle_when_done(&node, &mut in_flight), if in_flight.is_some() => r?,
                r = pending.recv() => match r {
                    Err(RecvError::Closed) => { stop = true; break }
                    Ok(_) | Err(RecvError::Lagged(_)) => {
                        while !matches!(pending.try_recv(), Err(TryRecvError::Empty | TryRecvError::Closed)) {}
                    }
                },
                () = sleep_until(deadline) => break,
                _ = shutdown.changed() => { stop = true; break }
            }
        }
        if stop {
            break Ok(());
        }
        // Let transactions accumulate for at least `block_time` since the previous block.
        let wake = last_block + config.block_time;
        loop {
            tokio::select! {
                r = settle_when_done(&node, &mut in_flight), if in_flight.is_some() => r?,
                () = sleep_until(wake) => break,
                _ = shutdown.changed() => { stop = true; break }
            }
        }
        if stop {
            break Ok(());
        }
        last_block = Instant::now();
        let (returned, result) = build(&node, builder, origin.as_mut(), &tip).await;
        builder = returned;
        match result {
            Ok((mut built, build_time)) => {
                admit(&node, &mut built).await?;
                settle(&node, &mut in_flight).await?;
                tip = built.sealed.clone();
                let store = node.store().clone();
                let write = std::mem::take(&mut built.write);
                in_flight = Some(InFlight {
                    built,
                    commit: tokio::spawn(async move {
                        let head = store.commit_block(&write).await;
                        (write, head)
                    }),
                    build_time,
                    commit_started: Instant::now(),
                });
            }
            Err(e) if e.is_fatal() => {
                error!(target: "node::producer", error = %e, "block production failed; stopping");
                break Err(e);
            }
            Err(e) => {
                warn!(target: "node::producer", error = %e, "block production failed; retrying");
                // the trie must reopen at a durable root
                settle(&node, &mut in_flight).await?;
                builder.reset(tip.state_root);
                // do not spin on a persistent failure
                let _ = timeout(Duration::from_secs(1), shutdown.changed()).await;
            }
        }
    };
    // whatever happens, the block in flight becomes durable (or fails) before we return
    settle(&node, &mut in_flight).await?;
    result
}

/// Builds the child of `parent`. The builder moves to a blocking thread and back; it is
/// returned whatever happens.
async fn build(
    node: &Node,
    mut builder: BlockBuilder,
    origin: &mut dyn OriginSource,
    parent: &Sealed<Header>,
) -> (BlockBuilder, Result<(BuiltBlock, Duration)>) {
    let origin = match origin.next(parent, unix_now()) {
        Ok(origin) => origin,
        Err(e) => return (builder, Err(e)),
    };
    let deposit_gas = origin.deposits.iter().fold(L1_INFO_DEPOSIT_GAS, |gas, d| {
        gas.saturating_add(d.gas_limit)
    });
    let candidates: Vec<_> = select(node, parent, deposit_gas)
        .iter()
        .map(|tx| tx.recovered().clone())
        .collect();

    let parent_owned = parent.clone();
    let timestamp = origin.timestamp;
    let started = Instant::now();
    match tokio::task::spawn_blocking(move || {
        let built = builder.build(&parent_owned, timestamp, origin, candidates);
        (builder, built)
    })
    .await
    {
        Ok((builder, built)) => (builder, built.map(|b| (b, started.elapsed()))),
        // the builder panicked (a bug): the error is fatal, the fresh builder only fills the slot
        Err(e) => (node.new_builder(parent.state_root), Err(e.into())),
    }
}

/// How many times the block's gas (by limit) the candidates' gas limits may add up to.
/// Transactions use less than their limits (wallets add margins; a settlement uses about 45%
/// of the 500k it is usually given), and the executor packs by gas *used*: it includes a
/// transaction while its limit fits the gas the block has left, and rejects the rest as
/// retryable, so they stay in the pool for the next block. Selecting by limits alone left
/// blocks of such transactions less than half full.
const GAS_OVERSUBSCRIPTION: u64 = 2;

/// Best pool transactions for the next block: each fits the block beside `reserved` gas of
/// deposits, and together they oversubscribe it [`GAS_OVERSUBSCRIPTION`] times.
fn select(node: &Node, parent: &Header, reserved: u64) -> Vec<Arc<PoolTransaction>> {
    let base_fee = next_base_fee(&node.config().rollup, parent);
    let gas_left = parent.gas_limit.saturating_sub(reserved);
    let mut budget = gas_left.saturating_mul(GAS_OVERSUBSCRIPTION);
    let mut picked = Vec::new();
    for tx in node.pool().best_transactions(base_fee) {
        if tx.gas_limit() > budget {
            // nothing smaller is worth a second pass: transfers dominate, blocks come often
            break;
        }
        budget -= tx.gas_limit();
        picked.push(tx);
    }
    picked
}

/// Tells the account cache and the pool about a built block (before it is durable, so the next
/// block does not pick its transactions again; nothing is published yet).
async fn admit(node: &Node, built: &mut BuiltBlock) -> Result<()> {
    node.inner.accounts.on_commit(&built.write.state);
    let next_fee = next_base_fee(&node.config().rollup, &built.sealed);
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
    if !built.dropped.is_empty() {
        warn!(target: "node::producer", count = built.dropped.len(), "dropped pool transactions the block rejected");
    }
    // What the pool let go of (mined here, or superseded) stays journaled until the block is
    // durable: a kill -9 before that must find them again, or acknowledged transactions of a
    // lost block would be lost with it.
    built.released = outcome.removed;
    Ok(())
}

/// Waits for the block in flight to be durable and publishes it.
async fn settle(node: &Node, in_flight: &mut Option<InFlight>) -> Result<()> {
    if in_flight.is_some() {
        settle_when_done(node, in_flight).await?;
    }
    Ok(())
}

/// [`settle`] for a block known to be in flight (a `select!` branch).
async fn settle_when_done(node: &Node, in_flight: &mut Option<InFlight>) -> Result<()> {
    let Some(flight) = in_flight.as_mut() else {
        return Ok(());
    };
    // awaited in place: a `select!` may drop this future, and the block must stay in flight
    let joined = (&mut flight.commit).await;
    let Some(InFlight {
        built,
        build_time,
        commit_started,
        ..
    }) = in_flight.take()
    else {
        return Ok(());
    };
    let (write, committed) = joined?;
    if let Err(e) = committed {
        // the pool already moved past this block: only a restart from the durable head and
        // the journal is consistent again
        error!(target: "node::producer", number = built.sealed.number, error = %e, "block commit failed; stopping");
        return Err(e.into());
    }
    publish(node, built, write, build_time, commit_started.elapsed()).await
}

/// Publishes a durable block: journal cleanup, head, subscribers.
pub(crate) async fn publish(
    node: &Node,
    built: BuiltBlock,
    write: BlockWrite,
    build_time: Duration,
    commit_time: Duration,
) -> Result<()> {
    let header = built.sealed.clone();
    // Mined and dropped transactions leave the journal now that the block is durable (a crash
    // before this line leaves entries the restore rejects as mined).
    let gone: HashSet<_> = built
        .mined
        .iter()
        .map(|m| m.hash)
        .chain(built.dropped.iter().copied())
        .chain(built.released.iter().copied())
        .collect();
    if !gone.is_empty() {
        node.store()
            .pool_remove(&gone.into_iter().collect::<Vec<_>>())
            .await?;
    }
    info!(
        target: "node::producer",
        number = header.number,
        hash = %header.hash(),
        txs = write.transactions.len(),
        gas = header.gas_used,
        build_us = build_time.as_micros() as u64,
        commit_us = commit_time.as_micros() as u64,
        "sealed block"
    );
    let event = Arc::new(NewBlock {
        logs: block_logs(&header, &write),
        transactions: write.transactions.iter().map(|t| t.hash).collect(),
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
