//! `tributary_syncStatus`: the unsafe, safe and finalized heads and the L1 blocks behind them
//! (OP's `optimism_syncStatus`, in Tributary's words).

use alloy_primitives::B256;
use serde::Serialize;

use crate::{RpcError, eth::EthApi};

/// A block by number and hash.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct NumHash {
    number: u64,
    hash: B256,
}

/// The answer of `tributary_syncStatus`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SyncStatusResponse {
    /// Whether the node follows an L1 (false in `--dev`).
    l1_enabled: bool,
    /// Whether the L1 follower is caught up and saw no reorg deeper than its confirmation depth.
    l1_synced: bool,
    /// The latest L1 block number seen.
    head_l1: u64,
    /// The newest L1 block at the confirmation depth.
    confirmed_l1: u64,
    /// The latest L2 block (sequenced, maybe not posted).
    unsafe_l2: NumHash,
    /// The latest L2 block covered by a batch in a confirmed L1 block.
    safe_l2: NumHash,
    /// The latest L2 block covered by a finalized output root.
    finalized_l2: NumHash,
}

impl EthApi {
    pub(crate) async fn sync_status(&self) -> Result<SyncStatusResponse, RpcError> {
        let status = self.node.sync_status();
        let head = self.node.head();
        let at = |number: u64| async move {
            let hash = self
                .node
                .store()
                .block_hash(number)
                .await?
                .unwrap_or_default();
            Ok::<_, RpcError>(NumHash { number, hash })
        };
        Ok(SyncStatusResponse {
            l1_enabled: status.l1_enabled,
            l1_synced: status.l1_synced,
            head_l1: status.l1_head,
            confirmed_l1: status.l1_confirmed,
            unsafe_l2: NumHash {
                number: head.number,
                hash: head.hash(),
            },
            safe_l2: at(self.node.safe_number()).await?,
            finalized_l2: at(self.node.finalized_number()).await?,
        })
    }
}
