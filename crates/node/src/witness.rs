//! Execution witnesses: everything a stored block reads of its parent's state, so that anyone
//! can re-execute it without the node's database (`debug_executionWitness`, the prover).
//!
//! ```text
//!   Store: header N, header N-1 (state root), transactions of N (raw + stored sender)
//!     │
//!     ▼  on a blocking thread
//!   StateTrie at N-1's state root ── nodes via RecordingStore(SqliteNodeStore) ──► trie nodes read
//!     │  BlockExecutor::execute(BlockContext::from_header(N), txs)
//!     │    over Recorder(TrieStateReader) ──────────────────────► codes, keys, BLOCKHASH numbers
//!     │  StateTrie::apply(changes) on the same recording store ──► + siblings of collapsed branches
//!     │  state root == header N's?  (else WitnessError::StateRootMismatch)
//!     │  + the L2ToL1MessagePasser account's path (for the output root)
//!     ▼
//!   ExecutionWitness { state, codes, keys, headers: RLP of lowest BLOCKHASH'd block ..= N-1 }
//! ```
//!
//! The same executor, block context and trie code as the block builder run here, over a trie
//! opened fresh at the parent's root, so every node the block needs is read (and recorded) once.
//! Trie nodes, code and headers are never deleted (DESIGN.md, "State history"), so witnesses
//! exist for every block. Verify one with `tributary-stateless`.

use std::{
    cell::{Cell, RefCell},
    collections::{BTreeMap, BTreeSet},
    convert::Infallible,
};

use alloy::consensus::{Header, Sealed};
use alloy_primitives::{Address, B256, Bytes, map::B256Map};
pub use alloy_rpc_types_debug::ExecutionWitness;
use revm::{
    DatabaseRef,
    bytecode::Bytecode,
    primitives::{StorageKey, StorageValue},
    state::AccountInfo as RevmAccountInfo,
};
use tracing::debug;
use tributary_execution::{
    BlockContext, BlockExecutor, BlockTx, BlockTxError, ChangeSet, ExecutionError, RejectReason,
};
use tributary_primitives::predeploys::L2_TO_L1_MESSAGE_PASSER;
use tributary_storage::{SqliteNodeStore, Store, StoreError, TrieStateReader};
use tributary_trie::{KECCAK_EMPTY, RecordingStore, StateTrie};

use crate::Node;

/// Why no witness could be produced for a block.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// The block is not stored (beyond the head).
    #[error("block {number} not found")]
    UnknownBlock {
        /// The requested block number.
        number: u64,
    },
    /// Block 0 is not executed: it has no parent state to start from.
    #[error("the genesis block has no parent state to re-execute from")]
    Genesis,
    /// The store failed or holds inconsistent data (e.g. a missing trie node).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The block could not be executed at all.
    #[error(transparent)]
    Execution(#[from] ExecutionError),
    /// A stored transaction does not decode as a block transaction (a corrupt store).
    #[error("block {number} transaction {index}: {source}")]
    Transaction {
        /// The block number.
        number: u64,
        /// Position in the block.
        index: usize,
        /// Why it does not decode.
        #[source]
        source: BlockTxError<Infallible>,
    },
    /// Re-execution left out a transaction the stored block includes.
    #[error("re-executing block {number} rejects its transaction {hash}: {reason}")]
    Rejected {
        /// The block number.
        number: u64,
        /// The rejected transaction.
        hash: B256,
        /// Why the executor rejected it.
        reason: RejectReason,
    },
    /// Re-execution reached another state root than the stored header's.
    #[error("re-executing block {number} gives state root {actual}, its header has {expected}")]
    StateRootMismatch {
        /// The block number.
        number: u64,
        /// The header's state root.
        expected: B256,
        /// The recomputed one.
        actual: B256,
    },
    /// The blocking task was cancelled or panicked.
    #[error("blocking task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl WitnessError {
    /// Whether the request named a block that has no witness (unknown or genesis): an answer
    /// for the caller rather than a fault of the node.
    pub const fn is_not_found(&self) -> bool {
        matches!(self, Self::UnknownBlock { .. } | Self::Genesis)
    }
}

impl Node {
    /// The execution witness of block `number` (see [`execution_witness`]).
    pub async fn execution_witness(&self, number: u64) -> Result<ExecutionWitness, WitnessError> {
        execution_witness(self.store(), self.executor(), number).await
    }
}

/// The execution witness of the stored block `number`: re-executes it with `executor` on its
/// parent's state and records what it reads.
///
/// * `state`: every trie node (account trie and storage tries) read while executing the block
///   and applying its changes, including the siblings a deletion collapses into; sorted by hash.
/// * `codes`: the bytecode of every contract the block loaded; sorted by hash.
/// * `keys`: the preimages of the touched trie keys: each account address (20 bytes) followed by
///   its touched storage slots (32 bytes), accounts in address order.
/// * `headers`: RLP headers from the oldest block whose hash `BLOCKHASH` read up to the parent,
///   oldest first (at least the parent), as reth serves them.
///
/// Beyond what execution reads, `state` also holds the path of the `L2ToL1MessagePasser`
/// account in the post-state, so a verifier can compute the block's output root.
///
/// Works for any stored block: nodes, code and headers are never deleted. Runs the execution on
/// a blocking thread; callable from any async context, with any store (a node's, or the prover's
/// own datadir opened with [`Store::open`]).
///
/// # Errors
///
/// [`WitnessError::UnknownBlock`] and [`WitnessError::Genesis`] for blocks without a witness
/// ([`WitnessError::is_not_found`]); otherwise the store failed, or re-execution disagrees with
/// the stored block ([`WitnessError::Rejected`], [`WitnessError::StateRootMismatch`]): a corrupt
/// store or a bug.
pub async fn execution_witness(
    store: &Store,
    executor: BlockExecutor,
    number: u64,
) -> Result<ExecutionWitness, WitnessError> {
    if number == 0 {
        return Err(WitnessError::Genesis);
    }
    let header = store
        .header_by_number(number)
        .await?
        .ok_or(WitnessError::UnknownBlock { number })?;
    let parent = stored_header(store, number - 1).await?;
    let txs = store
        .block_transactions(number)
        .await?
        .iter()
        .enumerate()
        .map(|(index, tx)| {
            BlockTx::decode_2718(&tx.raw, |_| Ok::<_, Infallible>(tx.sender)).map_err(|source| {
                WitnessError::Transaction {
                    number,
                    index,
                    source,
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let store_owned = store.clone();
    let parent_root = parent.state_root;
    let recorded = tokio::task::spawn_blocking(move || {
        record(&store_owned, executor, &header, parent_root, &txs)
    })
    .await??;

    let oldest = recorded
        .lowest_block_hash
        .map_or(number - 1, |n| n.min(number - 1));
    let mut headers = Vec::with_capacity(usize::try_from(number - oldest).unwrap_or_default());
    for n in oldest..number - 1 {
        headers.push(alloy_rlp::encode(stored_header(store, n).await?.inner()).into());
    }
    headers.push(alloy_rlp::encode(parent.inner()).into());

    let witness = ExecutionWitness {
        state: recorded.nodes,
        codes: recorded.codes,
        keys: recorded.keys,
        headers,
    };
    debug!(
        target: "node::witness",
        number,
        nodes = witness.state.len(),
        codes = witness.codes.len(),
        headers = witness.headers.len(),
        "execution witness"
    );
    Ok(witness)
}

/// A header the chain must have (below a stored block).
async fn stored_header(store: &Store, number: u64) -> Result<Sealed<Header>, WitnessError> {
    Ok(store
        .header_by_number(number)
        .await?
        .ok_or(StoreError::MissingBlock { number })?)
}

/// What re-executing a block read.
#[derive(Debug)]
struct Recorded {
    nodes: Vec<Bytes>,
    codes: Vec<Bytes>,
    keys: Vec<Bytes>,
    lowest_block_hash: Option<u64>,
}

/// Re-executes the block `header` over its parent's state (root `parent_root`), applies its
/// changes and records every trie node, code, key and block hash it used. Blocking.
fn record(
    store: &Store,
    executor: BlockExecutor,
    header: &Sealed<Header>,
    parent_root: B256,
    txs: &[BlockTx],
) -> Result<Recorded, WitnessError> {
    let nodes = RecordingStore::new(store.node_store());
    let mut trie = StateTrie::new(parent_root);
    let ctx = BlockContext::from_header(header);
    let (output, mut reads) = {
        let recorder = Recorder {
            state: store.trie_state_over(&mut trie, &nodes),
            codes: RefCell::default(),
            keys: RefCell::default(),
            lowest_block_hash: Cell::new(None),
        };
        let output = executor.execute(&recorder, &ctx, txs)?;
        (output, recorder.into_reads())
    };
    if let Some(rejected) = output.rejected.first() {
        return Err(WitnessError::Rejected {
            number: header.number,
            hash: rejected.hash,
            reason: rejected.reason.clone(),
        });
    }
    let update = trie
        .apply(
            &nodes,
            output.changes.accounts.iter().map(|(a, c)| (*a, c.clone())),
        )
        .map_err(StoreError::from_trie)?;
    if update.root != header.state_root {
        return Err(WitnessError::StateRootMismatch {
            number: header.number,
            expected: header.state_root,
            actual: update.root,
        });
    }
    // The output root commits to the message passer's storage root after the block: read its
    // account in the post-state so that its path is in the witness even when the block did
    // not touch it.
    trie.account(&nodes, &L2_TO_L1_MESSAGE_PASSER)
        .map_err(StoreError::from_trie)?;
    reads.keys.entry(L2_TO_L1_MESSAGE_PASSER).or_default();
    let nodes: BTreeMap<B256, Bytes> = nodes.take_witness().into_iter().collect();
    let codes = core::mem::take(&mut reads.codes).into_values().collect();
    let lowest_block_hash = reads.lowest_block_hash;
    Ok(Recorded {
        nodes: nodes.into_values().collect(),
        codes,
        keys: reads.keys_with(&output.changes),
        lowest_block_hash,
    })
}

/// The EVM's view of the parent state during re-execution: reads through the trie (whose node
/// store records) and notes the code, keys and block hashes it served.
struct Recorder<'a> {
    state: TrieStateReader<&'a mut StateTrie, &'a RecordingStore<SqliteNodeStore>>,
    codes: RefCell<B256Map<Bytes>>,
    keys: RefCell<BTreeMap<Address, BTreeSet<B256>>>,
    lowest_block_hash: Cell<Option<u64>>,
}

/// The non-trie reads of one re-execution.
struct Reads {
    codes: BTreeMap<B256, Bytes>,
    keys: BTreeMap<Address, BTreeSet<B256>>,
    lowest_block_hash: Option<u64>,
}

impl Recorder<'_> {
    fn into_reads(self) -> Reads {
        Reads {
            codes: self.codes.into_inner().into_iter().collect(),
            keys: self.keys.into_inner(),
            lowest_block_hash: self.lowest_block_hash.get(),
        }
    }
}

impl Reads {
    /// The key preimages: each read or changed account, then its read or changed slots.
    fn keys_with(mut self, changes: &ChangeSet) -> Vec<Bytes> {
        for (address, change) in &changes.accounts {
            self.keys
                .entry(*address)
                .or_default()
                .extend(change.storage.iter().map(|(slot, _)| *slot));
        }
        let mut keys = Vec::new();
        for (address, slots) in self.keys {
            keys.push(Bytes::copy_from_slice(address.as_slice()));
            keys.extend(
                slots
                    .into_iter()
                    .map(|s| Bytes::copy_from_slice(s.as_slice())),
            );
        }
        keys
    }
}

impl DatabaseRef for Recorder<'_> {
    type Error = StoreError;

    fn basic_ref(&self, address: Address) -> Result<Option<RevmAccountInfo>, StoreError> {
        self.keys.borrow_mut().entry(address).or_default();
        self.state.basic_ref(address)
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, StoreError> {
        let code = self.state.code_by_hash_ref(code_hash)?;
        if code_hash != KECCAK_EMPTY {
            self.codes
                .borrow_mut()
                .insert(code_hash, code.original_bytes());
        }
        Ok(code)
    }

    fn storage_ref(&self, address: Address, index: StorageKey) -> Result<StorageValue, StoreError> {
        self.keys
            .borrow_mut()
            .entry(address)
            .or_default()
            .insert(B256::from(index));
        self.state.storage_ref(address, index)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, StoreError> {
        let lowest = self
            .lowest_block_hash
            .get()
            .map_or(number, |n| n.min(number));
        self.lowest_block_hash.set(Some(lowest));
        self.state.block_hash_ref(number)
    }
}
