//! Block numbers, tags and hashes → stored headers.
//!
//! `latest` and `pending` are the head (the sequencer has no separate pending block: pooled
//! transactions are in the next block within a block time). `safe` and `finalized` are the
//! node's [`tributary_node::SyncStatus`] heads: behind the head once an L1 is followed, the head
//! itself without one (`--dev`: nothing is ever posted, as anvil does).

use alloy::{
    consensus::{Header, Sealed},
    eips::{BlockId, BlockNumberOrTag},
};

use crate::{RpcError, eth::EthApi};

impl EthApi {
    /// Whether block `number` is served yet. A block is durable a moment before it becomes the
    /// head (its commit overlaps the next block's build): until then its header, transactions
    /// and receipts are not served, so a client that sees a receipt finds its block, and the
    /// state after it, at `latest` (a call right after a receipt must not run on the old state).
    pub(crate) fn is_published(&self, number: u64) -> bool {
        number <= self.node.head().number
    }

    /// The block number a number or tag means (`None`: beyond the head).
    pub(crate) fn number_of(&self, tag: BlockNumberOrTag) -> Option<u64> {
        let head = self.node.head().number;
        match tag {
            BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => Some(head),
            BlockNumberOrTag::Safe => Some(self.node.safe_number()),
            BlockNumberOrTag::Finalized => Some(self.node.finalized_number()),
            BlockNumberOrTag::Earliest => Some(0),
            BlockNumberOrTag::Number(n) => (n <= head).then_some(n),
        }
    }

    /// The header a number or tag names, if stored.
    pub(crate) async fn header_by_tag(
        &self,
        tag: BlockNumberOrTag,
    ) -> Result<Option<Sealed<Header>>, RpcError> {
        if matches!(tag, BlockNumberOrTag::Latest | BlockNumberOrTag::Pending) {
            return Ok(Some(self.node.head()));
        }
        let Some(number) = self.number_of(tag) else {
            return Ok(None);
        };
        Ok(self.node.store().header_by_number(number).await?)
    }

    /// The header a block id names, if stored.
    pub(crate) async fn header_by_id(
        &self,
        id: BlockId,
    ) -> Result<Option<Sealed<Header>>, RpcError> {
        match id {
            BlockId::Number(tag) => self.header_by_tag(tag).await,
            BlockId::Hash(h) => Ok(self
                .node
                .store()
                .header_by_hash(h.block_hash)
                .await?
                .filter(|header| self.is_published(header.number))),
        }
    }

    /// The header a state query runs at (default `latest`); geth's "header not found" when the
    /// block does not exist.
    pub(crate) async fn state_header(
        &self,
        id: Option<BlockId>,
    ) -> Result<Sealed<Header>, RpcError> {
        self.header_by_id(id.unwrap_or_default())
            .await?
            .ok_or_else(|| RpcError::server("header not found"))
    }
}
