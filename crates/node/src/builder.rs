//! Builds one block: L1-info deposit, deposits, pool transactions → execution → state root →
//! header → the [`BlockWrite`] the store commits.
//!
//! Synchronous and CPU-bound (revm, keccak): the producer runs it on a blocking thread. The
//! builder keeps one [`StateTrie`] across blocks, so the nodes a block loaded stay in memory
//! for the next one and the root is rehashed only along the touched paths. The EVM reads state
//! through that same trie ([`TrieStateReader`]): a lookup of a fresh recipient is a walk over
//! in-memory nodes instead of a database round trip.

use std::{collections::HashSet, sync::Arc};

use alloy::{
    consensus::{EMPTY_OMMER_ROOT_HASH, Header, Sealable, Sealed, Transaction},
    eips::{eip2718::Encodable2718, eip7685::EMPTY_REQUESTS_HASH},
};
use alloy_primitives::{B256, Bytes};
use tracing::debug;
use tributary_execution::{BlockContext, BlockExecutor, BlockOutput, BlockTx};
use tributary_genesis::l1_info_deposit;
use tributary_primitives::{RollupConfig, predeploys::SEQUENCER_FEE_VAULT};
use tributary_storage::{BlockWrite, Store, StoreError, StoredLog, TxWrite};
use tributary_trie::{EMPTY_ROOT_HASH, StateTrie};
use tributary_txpool::{MinedTx, PoolTransaction};

use crate::{BlockOrigin, Result};

/// A built, not yet committed block.
#[derive(Debug)]
pub(crate) struct BuiltBlock {
    /// What the store commits.
    pub(crate) write: BlockWrite,
    /// The header with its hash.
    pub(crate) sealed: Sealed<Header>,
    /// The included pool transactions, for the pool's bookkeeping.
    pub(crate) mined: Vec<MinedTx>,
    /// Pool transactions the executor rejected for good (they would fail in any block).
    pub(crate) dropped: Vec<B256>,
}

impl BuiltBlock {
    /// The block's logs as `eth_getLogs` and subscriptions serve them.
    pub(crate) fn logs(&self) -> Vec<StoredLog> {
        let mut log_index = 0;
        let mut logs = Vec::new();
        for (tx_index, tx) in self.write.transactions.iter().enumerate() {
            for log in &tx.logs {
                logs.push(StoredLog {
                    block_number: self.sealed.number,
                    block_hash: self.sealed.hash(),
                    block_timestamp: self.sealed.timestamp,
                    log_index,
                    tx_index: tx_index as u64,
                    tx_hash: tx.hash,
                    log: log.clone(),
                });
                log_index += 1;
            }
        }
        logs
    }
}

/// Executes blocks on top of the node's state and prepares them for the store.
#[derive(Debug)]
pub(crate) struct BlockBuilder {
    executor: BlockExecutor,
    rollup: RollupConfig,
    store: Store,
    trie: StateTrie,
}

impl BlockBuilder {
    /// A builder continuing from the state root `head_state_root`.
    pub(crate) fn new(
        executor: BlockExecutor,
        rollup: RollupConfig,
        store: Store,
        head_state_root: B256,
    ) -> Self {
        Self {
            executor,
            rollup,
            store,
            trie: StateTrie::new(head_state_root),
        }
    }

    /// Forgets uncommitted changes: the next block builds on `state_root` (after a failed build
    /// or commit).
    pub(crate) fn reset(&mut self, state_root: B256) {
        self.trie = StateTrie::new(state_root);
    }

    /// Builds the child of `parent` at `timestamp` from `origin` and the pool's `candidates`
    /// (best first; their gas limits must fit the block beside the deposits).
    pub(crate) fn build(
        &mut self,
        parent: &Sealed<Header>,
        timestamp: u64,
        origin: BlockOrigin,
        candidates: &[Arc<PoolTransaction>],
    ) -> Result<BuiltBlock> {
        let result = self.try_build(parent, timestamp, origin, candidates);
        if result.is_err() {
            // the trie may hold half-applied changes
            self.reset(parent.state_root);
        }
        result
    }

    fn try_build(
        &mut self,
        parent: &Sealed<Header>,
        timestamp: u64,
        origin: BlockOrigin,
        candidates: &[Arc<PoolTransaction>],
    ) -> Result<BuiltBlock> {
        let base_fee = next_base_fee(&self.rollup, parent);
        let ctx = BlockContext {
            number: parent.number + 1,
            timestamp,
            beneficiary: SEQUENCER_FEE_VAULT,
            prevrandao: origin.prevrandao,
            gas_limit: parent.gas_limit,
            base_fee,
            parent_hash: parent.hash(),
            parent_beacon_block_root: origin.parent_beacon_block_root,
        };

        let mut txs = Vec::with_capacity(1 + origin.deposits.len() + candidates.len());
        txs.push(BlockTx::Deposit(l1_info_deposit(&origin.info)));
        txs.extend(origin.deposits.into_iter().map(BlockTx::Deposit));
        txs.extend(
            candidates
                .iter()
                .map(|tx| BlockTx::signed(tx.envelope().clone(), tx.sender())),
        );

        let output = {
            let state = self.store.trie_state(&mut self.trie);
            self.executor.execute(&state, &ctx, &txs)?
        };
        let nodes = self.store.node_store();
        let update = self
            .trie
            .apply(
                &nodes,
                output.changes.accounts.iter().map(|(a, c)| (*a, c.clone())),
            )
            .map_err(StoreError::from_trie)?;

        let header = Header {
            parent_hash: ctx.parent_hash,
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: ctx.beneficiary,
            state_root: update.root,
            transactions_root: output.transactions_root,
            receipts_root: output.receipts_root,
            logs_bloom: output.logs_bloom,
            difficulty: Default::default(),
            number: ctx.number,
            gas_limit: ctx.gas_limit,
            gas_used: output.gas_used,
            timestamp,
            extra_data: Bytes::new(),
            mix_hash: ctx.prevrandao,
            nonce: Default::default(),
            base_fee_per_gas: Some(base_fee),
            withdrawals_root: Some(EMPTY_ROOT_HASH),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(ctx.parent_beacon_block_root),
            requests_hash: Some(EMPTY_REQUESTS_HASH),
            ..Default::default()
        };

        let (mined, dropped) = pool_outcome(&output, &txs);
        debug!(
            target: "node::builder",
            number = ctx.number,
            txs = output.transactions.len(),
            rejected = output.rejected.len(),
            gas = output.gas_used,
            "built block"
        );
        let write = BlockWrite {
            transactions: tx_writes(&output, &txs, base_fee),
            state: output.changes.accounts.into_iter().collect(),
            code: output.changes.code.into_iter().collect(),
            trie_nodes: update.new_nodes,
            header: header.clone(),
        };
        Ok(BuiltBlock {
            sealed: header.seal_slow(),
            write,
            mined,
            dropped,
        })
    }
}

/// The base fee of the child of `parent` (EIP-1559 with the rollup's parameters).
pub(crate) fn next_base_fee(rollup: &RollupConfig, parent: &Header) -> u64 {
    rollup.next_base_fee(
        parent.gas_used,
        parent.gas_limit,
        parent.base_fee_per_gas.unwrap_or_default(),
    )
}

/// Included pool transactions, and rejected ones that can never become valid.
fn pool_outcome(output: &BlockOutput, txs: &[BlockTx]) -> (Vec<MinedTx>, Vec<B256>) {
    let mined = output
        .transactions
        .iter()
        .filter_map(|t| match &txs[t.index] {
            BlockTx::Signed(tx) => Some(MinedTx {
                hash: t.hash,
                sender: tx.signer(),
                nonce: tx.nonce(),
            }),
            BlockTx::Deposit(_) => None,
        })
        .collect();
    let dropped = output
        .rejected
        .iter()
        .filter(|r| !r.reason.is_retryable())
        .map(|r| r.hash)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    (mined, dropped)
}

/// The store rows of the included transactions.
fn tx_writes(output: &BlockOutput, txs: &[BlockTx], base_fee: u64) -> Vec<TxWrite> {
    output
        .transactions
        .iter()
        .map(|t| {
            let effective_gas_price = match &txs[t.index] {
                BlockTx::Signed(tx) => tx.effective_gas_price(Some(base_fee)),
                BlockTx::Deposit(_) => 0,
            };
            TxWrite {
                hash: t.hash,
                raw: t.encoded.clone(),
                sender: t.sender,
                receipt: t.receipt.encoded_2718().into(),
                gas_used: t.gas_used,
                effective_gas_price,
                contract_address: t.contract_address,
                l1_fee: (!t.is_deposit).then_some(t.l1_fee),
                extra: None,
                logs: t.receipt.logs().to_vec(),
            }
        })
        .collect()
}
