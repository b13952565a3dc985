//! Synchronous access for the block builder: the trie's [`NodeStore`] and revm's
//! [`DatabaseRef`] over the store.
//!
//! Both traits are synchronous, sqlx is async. A read that misses the cache runs the query on
//! the store's tokio runtime with [`Handle::block_on`]: the calling thread parks until one of the
//! read-pool connections (each a worker thread of sqlx-sqlite) answers. That is correct only on a
//! thread that is **not** an async worker: run the block builder (and any proof building) inside
//! `tokio::task::spawn_blocking` or on a plain `std::thread`. Called from within an async task,
//! tokio panics ("Cannot start a runtime from within a runtime") instead of silently stalling a
//! worker.
//!
//! Cost: a miss is one round trip to a sqlx connection thread (≈ 100 µs measured, the same as
//! the async path; see the crate docs); hits are a mutex-guarded LRU lookup (≈ 0.3 µs).
//!
//! [`Handle::block_on`]: tokio::runtime::Handle::block_on

use crate::{Result, Store, StoreError, store};
use alloy_primitives::{Address, B256, Bytes, U256};
use revm::{
    bytecode::Bytecode,
    database_interface::DatabaseRef,
    primitives::{StorageKey, StorageValue},
    state::AccountInfo as RevmAccountInfo,
};
use std::{borrow::BorrowMut, cell::RefCell, sync::PoisonError};
use tributary_trie::{KECCAK_EMPTY, NodeStore, StateTrie, TrieAccount};

/// The trie's node store over SQLite, with the store's shared LRU cache of nodes.
///
/// Nodes are immutable (addressed by hash), so the cache never needs invalidating; commits add
/// their new nodes to it. Misses read the `trie_nodes` table synchronously (see the module docs:
/// call only from blocking threads).
#[derive(Debug, Clone)]
pub struct SqliteNodeStore {
    store: Store,
}

impl Store {
    /// The trie node store over this database (shares the node cache with all clones).
    pub fn node_store(&self) -> SqliteNodeStore {
        SqliteNodeStore {
            store: self.clone(),
        }
    }

    /// A synchronous reader of the latest flat state for the EVM (see [`StateReader`]).
    pub fn state_reader(&self) -> StateReader {
        StateReader {
            store: self.clone(),
        }
    }

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }
}

impl SqliteNodeStore {
    /// Number of nodes currently cached.
    pub fn cached(&self) -> usize {
        self.store
            .nodes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Empties the node cache (to measure or test cold reads).
    pub fn clear_cache(&self) {
        self.store
            .nodes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl NodeStore for SqliteNodeStore {
    type Error = StoreError;

    fn get(&self, hash: &B256) -> Result<Option<Bytes>> {
        let cached = self
            .store
            .nodes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(hash)
            .cloned();
        if cached.is_some() {
            return Ok(cached);
        }
        let node = self
            .store
            .block_on(store::trie_node(self.store.reader(), *hash))?;
        if let Some(rlp) = &node {
            self.store
                .nodes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .put(*hash, rlp.clone());
        }
        Ok(node)
    }
}

/// The latest flat state (accounts, storage, code) and block hashes, read synchronously: a
/// [`revm::DatabaseRef`] for the block builder.
///
/// It reads the state as of the last committed block, so build on the head only. It does not
/// cache: wrap it in revm's `State`/`CacheDB` (the executor does), which caches per block.
/// Call only from blocking threads (module docs).
#[derive(Debug, Clone)]
pub struct StateReader {
    store: Store,
}

impl StateReader {
    /// The account's latest state.
    pub fn account(&self, address: Address) -> Result<Option<crate::AccountInfo>> {
        self.store
            .block_on(store::account(self.store.reader(), address))
    }

    /// A slot's latest value.
    pub fn storage(&self, address: Address, slot: B256) -> Result<U256> {
        self.store
            .block_on(store::storage(self.store.reader(), address, slot))
    }

    /// Code by hash.
    pub fn code(&self, hash: B256) -> Result<Option<Bytes>> {
        self.store.block_on(store::code(self.store.reader(), hash))
    }
}

impl DatabaseRef for StateReader {
    type Error = StoreError;

    fn basic_ref(&self, address: Address) -> Result<Option<RevmAccountInfo>> {
        Ok(self
            .account(address)?
            .map(|a| revm_account(a.nonce, a.balance, a.code_hash)))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode> {
        self.store.bytecode(code_hash)
    }

    fn storage_ref(&self, address: Address, index: StorageKey) -> Result<StorageValue> {
        self.storage(address, B256::from(index))
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256> {
        self.store.block_hash_sync(number)
    }
}

impl Store {
    /// Code by hash for the EVM; a hash without stored code means the database is inconsistent.
    fn bytecode(&self, code_hash: B256) -> Result<Bytecode> {
        if code_hash == KECCAK_EMPTY {
            return Ok(Bytecode::default());
        }
        let code = self
            .block_on(store::code(self.reader(), code_hash))?
            .ok_or_else(|| {
                StoreError::corrupt("code", format!("no code stored for hash {code_hash}"))
            })?;
        Bytecode::new_raw_checked(code).map_err(|e| StoreError::corrupt("code", e))
    }

    fn block_hash_sync(&self, number: u64) -> Result<B256> {
        self.block_on(store::block_hash(self.reader(), number))?
            .ok_or(StoreError::MissingBlock { number })
    }

    /// The state at any stored state root, read through the trie (see [`TrieStateReader`]).
    pub fn state_at(&self, state_root: B256) -> TrieStateReader<StateTrie> {
        self.trie_state(StateTrie::new(state_root))
    }

    /// A [`TrieStateReader`] over a trie the caller keeps (the block builder's, whose loaded
    /// nodes stay cached across blocks).
    pub fn trie_state<T: BorrowMut<StateTrie>>(&self, trie: T) -> TrieStateReader<T> {
        self.trie_state_over(trie, self.node_store())
    }

    /// A [`TrieStateReader`] whose trie reads its nodes through `nodes` (a
    /// `RecordingStore` around [`Store::node_store`], to record an execution witness); code and
    /// block hashes still come from this store.
    pub fn trie_state_over<T, N>(&self, trie: T, nodes: N) -> TrieStateReader<T, N>
    where
        T: BorrowMut<StateTrie>,
        N: NodeStore<Error = StoreError>,
    {
        TrieStateReader {
            trie: RefCell::new(trie),
            nodes,
            store: self.clone(),
        }
    }
}

/// The state at one state root, read through the Merkle-Patricia trie: a [`revm::DatabaseRef`]
/// for historical blocks and for a consistent view of the latest one.
///
/// Unlike [`StateReader`] (flat tables, always the *latest* committed state, one query per
/// read), this reads exactly the state the root commits to, whatever was committed since —
/// `eth_call` at block `n`, proofs and replays see one snapshot. Reads walk the trie from
/// the root; nodes come from the trie's own memory, then the shared LRU, then SQLite
/// (≈ 100 µs per miss), so a hot path costs a few µs per account.
///
/// Not `Sync` (the trie loads nodes lazily behind a `RefCell`): use one per thread. Call only
/// from blocking threads (module docs).
///
/// `N` is the node store the trie reads through: the SQLite one, or a wrapper around it
/// ([`Store::trie_state_over`]).
#[derive(Debug)]
pub struct TrieStateReader<T = StateTrie, N = SqliteNodeStore> {
    trie: RefCell<T>,
    nodes: N,
    store: Store,
}

impl<T: BorrowMut<StateTrie>, N: NodeStore<Error = StoreError>> TrieStateReader<T, N> {
    /// The state root read.
    pub fn state_root(&self) -> B256 {
        self.with_trie(|trie, _| trie.state_root())
    }

    /// Runs `f` on the trie and the node store (reads load nodes into the trie, hence `mut`).
    pub fn with_trie<R>(&self, f: impl FnOnce(&mut StateTrie, &N) -> R) -> R {
        let mut guard = self.trie.borrow_mut();
        f(BorrowMut::<StateTrie>::borrow_mut(&mut *guard), &self.nodes)
    }

    /// The underlying trie (e.g. to apply a block's changes after executing it).
    pub fn into_trie(self) -> T {
        self.trie.into_inner()
    }

    /// An account as the trie stores it (with its storage root).
    pub fn trie_account(&self, address: Address) -> Result<Option<TrieAccount>> {
        self.with_trie(|trie, nodes| trie.account(nodes, &address))
            .map_err(StoreError::from_trie)
    }
}

impl<T: BorrowMut<StateTrie>, N: NodeStore<Error = StoreError>> DatabaseRef
    for TrieStateReader<T, N>
{
    type Error = StoreError;

    fn basic_ref(&self, address: Address) -> Result<Option<RevmAccountInfo>> {
        Ok(self
            .trie_account(address)?
            .map(|a| revm_account(a.nonce, a.balance, a.code_hash)))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode> {
        self.store.bytecode(code_hash)
    }

    fn storage_ref(&self, address: Address, index: StorageKey) -> Result<StorageValue> {
        self.with_trie(|trie, nodes| trie.storage(nodes, &address, &B256::from(index)))
            .map_err(StoreError::from_trie)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256> {
        self.store.block_hash_sync(number)
    }
}

/// An account as revm reads it; code is loaded lazily through `code_by_hash_ref`.
fn revm_account(nonce: u64, balance: U256, code_hash: B256) -> RevmAccountInfo {
    RevmAccountInfo {
        balance,
        nonce,
        code_hash,
        account_id: None,
        code: (code_hash == KECCAK_EMPTY).then(Bytecode::default),
    }
}
