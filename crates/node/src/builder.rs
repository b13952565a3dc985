//! Builds one block: L1-info deposit, deposits, pool transactions → execution → state root →
//! header → the [`BlockWrite`] the store commits.
//!
//! Synchronous and CPU-bound (revm, keccak): the producer runs it on a blocking thread. The
//! builder keeps one [`StateTrie`] across blocks, so the nodes a block loaded stay in memory
//! for the next one and the root is rehashed only along the touched paths. The EVM reads state
//! through that same trie ([`TrieStateReader`]): a lookup of a fresh recipient is a walk over
//! in-memory nodes instead of a database round trip.

use std::collections::HashSet;

use alloy::{
    consensus::{
        EMPTY_OMMER_ROOT_HASH, Header, Sealable, Sealed, Transaction, TxEnvelope,
        transaction::Recovered,
    },
    eips::{eip2718::Encodable2718, eip7685::EMPTY_REQUESTS_HASH},
};
use alloy_primitives::{Address, B256, Bytes, map::B256Map};
use revm::{
    DatabaseRef,
    bytecode::Bytecode,
    primitives::{StorageKey, StorageValue},
    state::AccountInfo as RevmAccountInfo,
};
use tracing::debug;
/// The base fee of the child of a block (moved to `tributary-execution`, shared with verifiers).
pub(crate) use tributary_execution::next_base_fee;
use tributary_execution::{BlockContext, BlockExecutor, BlockOutput, BlockTx};
use tributary_genesis::l1_info_deposit;
use tributary_primitives::{RollupConfig, predeploys::SEQUENCER_FEE_VAULT};
use tributary_storage::{BlockWrite, Store, StoreError, StoredLog, TrieStateReader, TxWrite};
use tributary_trie::{EMPTY_ROOT_HASH, StateTrie};
use tributary_txpool::MinedTx;

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
    /// Pool transactions the block made stale (mined, or superseded by a mined nonce): they
    /// leave the journal only once the block is durable.
    pub(crate) released: Vec<B256>,
}

/// A block's logs as `eth_getLogs` and subscriptions serve them.
pub(crate) fn block_logs(header: &Sealed<Header>, write: &BlockWrite) -> Vec<StoredLog> {
    let mut log_index = 0;
    let mut logs = Vec::new();
    for (tx_index, tx) in write.transactions.iter().enumerate() {
        for log in &tx.logs {
            logs.push(StoredLog {
                block_number: header.number,
                block_hash: header.hash(),
                block_timestamp: header.timestamp,
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

/// What the last built block added that may not be durable yet while the next one builds: its
/// new code and its hash (for `BLOCKHASH`).
#[derive(Debug, Default)]
struct Unsettled {
    number: u64,
    hash: B256,
    code: B256Map<Bytes>,
}

/// The builder's state view: the trie (which holds the last block's state in memory) plus
/// [`Unsettled`] for what the store may not have yet.
struct BuildState<'a> {
    trie: TrieStateReader<&'a mut StateTrie>,
    unsettled: &'a Unsettled,
}

impl DatabaseRef for BuildState<'_> {
    type Error = StoreError;

    fn basic_ref(&self, address: Address) -> Result<Option<RevmAccountInfo>, StoreError> {
        self.trie.basic_ref(address)
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, StoreError> {
        match self.unsettled.code.get(&code_hash) {
            Some(code) => Ok(Bytecode::new_raw(code.clone())),
            None => self.trie.code_by_hash_ref(code_hash),
        }
    }

    fn storage_ref(&self, address: Address, index: StorageKey) -> Result<StorageValue, StoreError> {
        self.trie.storage_ref(address, index)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, StoreError> {
        if number == self.unsettled.number && !self.unsettled.hash.is_zero() {
            return Ok(self.unsettled.hash);
        }
        self.trie.block_hash_ref(number)
    }
}

/// Executes blocks on top of the node's state and prepares them for the store.
#[derive(Debug)]
pub(crate) struct BlockBuilder {
    executor: BlockExecutor,
    rollup: RollupConfig,
    store: Store,
    trie: StateTrie,
    unsettled: Unsettled,
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
            unsettled: Unsettled::default(),
        }
    }

    /// Forgets uncommitted changes: the next block builds on `state_root` (after a failed build
    /// or commit).
    pub(crate) fn reset(&mut self, state_root: B256) {
        self.trie = StateTrie::new(state_root);
        self.unsettled = Unsettled::default();
    }

    /// Builds the child of `parent` at `timestamp` from `origin` and the signed transactions
    /// `sequenced` (the pool's best, or a derived batch's), in order. Transactions that cannot
    /// execute are left out (and reported in [`BuiltBlock::dropped`]).
    pub(crate) fn build(
        &mut self,
        parent: &Sealed<Header>,
        timestamp: u64,
        origin: BlockOrigin,
        sequenced: Vec<Recovered<TxEnvelope>>,
    ) -> Result<BuiltBlock> {
        let result = self.try_build(parent, timestamp, origin, sequenced);
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
        sequenced: Vec<Recovered<TxEnvelope>>,
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

        let mut txs = Vec::with_capacity(1 + origin.deposits.len() + sequenced.len());
        txs.push(BlockTx::Deposit(l1_info_deposit(&origin.info)));
        txs.extend(origin.deposits.into_iter().map(BlockTx::Deposit));
        txs.extend(sequenced.into_iter().map(BlockTx::Signed));

        let output = {
            let state = BuildState {
                trie: self.store.trie_state(&mut self.trie),
                unsettled: &self.unsettled,
            };
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
        let sealed = header.clone().seal_slow();
        self.unsettled = Unsettled {
            number: sealed.number,
            hash: sealed.hash(),
            code: output
                .changes
                .code
                .iter()
                .map(|(h, c)| (*h, c.clone()))
                .collect(),
        };
        let write = BlockWrite {
            transactions: tx_writes(&output, &txs, base_fee),
            state: output.changes.accounts.into_iter().collect(),
            code: output.changes.code.into_iter().collect(),
            trie_nodes: update.new_nodes,
            header: header.clone(),
        };
        Ok(BuiltBlock {
            sealed,
            write,
            mined,
            dropped,
            released: Vec::new(),
        })
    }
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use alloy::{
        consensus::{SignableTransaction, TxEip1559, TxEnvelope},
        eips::eip2718::Encodable2718,
        signers::{SignerSync, local::MnemonicBuilder},
    };
    use alloy_primitives::{Bytes, TxKind, U256, bytes};
    use revm::DatabaseRef;
    use tributary_execution::BlockExecutor;
    use tributary_genesis::{DEV_ACCOUNTS, DEV_MNEMONIC, GenesisConfig};
    use tributary_primitives::RollupConfig;
    use tributary_storage::{Store, StoreConfig};
    use tributary_txpool::{PoolConfig, validate_stateless};

    use super::BlockBuilder;
    use crate::{FixedOrigin, OriginSource};

    /// Runtime code: `sstore(0, blockhash(number - 1))`.
    const RUNTIME: Bytes = bytes!("600143034060005500");
    /// Init code returning [`RUNTIME`].
    const INIT: Bytes = bytes!("6009600c60003960096000f3600143034060005500");

    fn signed(
        nonce: u64,
        to: TxKind,
        input: Bytes,
        config: &PoolConfig,
    ) -> Arc<tributary_txpool::PoolTransaction> {
        let tx = TxEip1559 {
            chain_id: config.chain_id,
            nonce,
            gas_limit: 200_000,
            max_fee_per_gas: 10_000_000_000,
            max_priority_fee_per_gas: 1,
            to,
            value: U256::ZERO,
            access_list: Default::default(),
            input,
        };
        let signer = MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, 0);
        let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
        let raw = TxEnvelope::from(tx.into_signed(sig)).encoded_2718();
        Arc::new(validate_stateless(raw.into(), config).unwrap())
    }

    /// The next block builds while the previous one is not committed: code it deployed and its
    /// hash come from the builder, not the store.
    #[tokio::test(flavor = "multi_thread")]
    async fn builds_on_a_block_that_is_not_committed_yet() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(StoreConfig::test(dir.path())).await.unwrap();
        let genesis_config = GenesisConfig::dev();
        let genesis = tributary_genesis::build(&genesis_config).unwrap();
        crate::genesis::init(&store, &genesis).await.unwrap();
        let head = crate::genesis::head_header(&store).await.unwrap();
        let rollup = RollupConfig::devnet();
        let pool = PoolConfig::new(genesis_config.chain_id);
        let mut origin = FixedOrigin::new(
            genesis_config.l1_origin,
            genesis_config.timestamp,
            U256::from(1),
            &rollup,
        );
        let contract = DEV_ACCOUNTS[0].create(0);
        let deploy = signed(0, TxKind::Create, INIT, &pool);
        let call = signed(1, TxKind::Call(contract), Bytes::new(), &pool);

        let (builder_store, ts) = (store.clone(), head.timestamp + 1);
        let (n, n1) = tokio::task::spawn_blocking(move || {
            let mut builder = BlockBuilder::new(
                BlockExecutor::new(genesis_config.chain_id),
                rollup,
                builder_store,
                head.state_root,
            );
            let o = origin.next(&head, ts).unwrap();
            let n = builder
                .build(&head, ts, o, vec![deploy.recovered().clone()])
                .unwrap();
            let o = origin.next(&n.sealed, ts).unwrap();
            let n1 = builder
                .build(&n.sealed, ts, o, vec![call.recovered().clone()])
                .unwrap();
            (n, n1)
        })
        .await
        .unwrap();
        assert!(n1.dropped.is_empty() && n1.mined.len() == 1);
        store.commit_block(&n.write).await.unwrap();
        store.commit_block(&n1.write).await.unwrap();

        let (code, slot) = tokio::task::spawn_blocking(move || {
            let state = store.state_at(n1.sealed.state_root);
            let account = state.basic_ref(contract).unwrap().unwrap();
            (
                state
                    .code_by_hash_ref(account.code_hash)
                    .unwrap()
                    .original_bytes(),
                state.storage_ref(contract, U256::ZERO).unwrap(),
            )
        })
        .await
        .unwrap();
        assert_eq!(code, RUNTIME);
        assert_eq!(
            slot,
            U256::from_be_bytes(n.sealed.hash().0),
            "BLOCKHASH of the unsettled block"
        );
    }
}
