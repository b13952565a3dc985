//! Executes blocks whose contents are given instead of chosen from the pool: how a node rebuilds
//! its chain from L1 data (derivation, in `tributary-l1`) and how an auditor re-executes it.
//!
//! The importer runs the same [`BlockBuilder`] as the producer — same header rules, same
//! execution, same state root — so a block derived from a batch comes out byte-identical to the
//! block the sequencer built, or the difference is a real divergence.

use alloy::consensus::{Header, Sealed, TxEnvelope, transaction::Recovered};
use tokio::time::Instant;

use crate::{BlockOrigin, Node, Result, builder::BlockBuilder, producer};

/// Appends given blocks to a node that is not producing (opened with [`Node::open`] and never
/// started).
#[derive(Debug)]
pub struct Importer {
    node: Node,
    builder: Option<BlockBuilder>,
}

impl Node {
    /// An importer appending to this node's head. The node must not be producing blocks itself.
    pub fn importer(&self) -> Importer {
        Importer {
            node: self.clone(),
            builder: None,
        }
    }
}

impl Importer {
    /// Executes the child of the head with `origin` (its timestamp, L1-info deposit, deposits,
    /// prevrandao and beacon root) and the signed `transactions` in order, commits it and
    /// makes it the head. Transactions that cannot execute (nonce, balance, gas) are left out,
    /// as derivation's rules say.
    pub async fn import(
        &mut self,
        origin: BlockOrigin,
        transactions: Vec<Recovered<TxEnvelope>>,
    ) -> Result<Sealed<Header>> {
        let parent = self.node.head();
        let mut builder = match self.builder.take() {
            Some(builder) => builder,
            None => self.node.new_builder(parent.state_root),
        };
        let started = Instant::now();
        let parent_owned = parent.clone();
        let (builder, built) = tokio::task::spawn_blocking(move || {
            let built = builder.build(&parent_owned, origin.timestamp, origin, transactions);
            (builder, built)
        })
        .await?;
        let mut built = built?;
        let build_time = started.elapsed();
        let started = Instant::now();
        let write = std::mem::take(&mut built.write);
        if let Err(e) = self.node.store().commit_block(&write).await {
            // the builder's trie holds the uncommitted block: the next import starts afresh
            return Err(e.into());
        }
        self.builder = Some(builder);
        let header = built.sealed.clone();
        producer::publish(&self.node, built, write, build_time, started.elapsed()).await?;
        Ok(header)
    }
}
