//! The pool's view of account nonces and balances: an LRU over the flat state, kept current by
//! the producer after every commit.
//!
//! The pool checks every incoming transaction's nonce and balance under its lock, so a database
//! round trip per transaction (≈ 100 µs) would serialise admission. Senders repeat, so a small
//! cache absorbs nearly all reads; the producer writes each committed block's account changes
//! into it ([`AccountCache::on_commit`]) and it never serves a value older than the head.

use std::{
    num::NonZeroUsize,
    sync::{Mutex, PoisonError},
};

use alloy_primitives::Address;
use lru::LruCache;
use tributary_storage::{StateReader, Store};
use tributary_trie::{AccountChange, AccountInfo};
use tributary_txpool::{AccountState, StateError, StateProvider};

/// Accounts cached for the pool.
const CAPACITY: NonZeroUsize = NonZeroUsize::new(65_536).expect("non-zero");

/// Latest nonces and balances for the pool (see the module docs).
#[derive(Debug)]
pub struct AccountCache {
    reader: StateReader,
    cache: Mutex<LruCache<Address, AccountState>>,
}

impl AccountCache {
    /// An empty cache over `store`'s flat state.
    pub fn new(store: &Store) -> Self {
        Self {
            reader: store.state_reader(),
            cache: Mutex::new(LruCache::new(CAPACITY)),
        }
    }

    /// Records a committed block's account changes (call after the commit returned, before the
    /// pool is told about the block).
    pub fn on_commit<'a>(&self, changes: impl IntoIterator<Item = &'a (Address, AccountChange)>) {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        for (address, change) in changes {
            let state = pool_view(change.info);
            cache.put(*address, state);
        }
    }
}

impl StateProvider for AccountCache {
    /// Reads through to the flat state on a miss. Blocks on the store: call from blocking
    /// threads only. The cache stays locked during the read so a commit's update cannot be
    /// overwritten by a value read before it.
    fn account(&self, address: Address) -> Result<AccountState, StateError> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(state) = cache.get(&address) {
            return Ok(*state);
        }
        let state = pool_view(self.reader.account(address)?);
        cache.put(address, state);
        Ok(state)
    }
}

/// What the pool needs of an account (a missing account has nonce 0 and no balance).
fn pool_view(info: Option<AccountInfo>) -> AccountState {
    info.map_or_else(AccountState::default, |info| AccountState {
        nonce: info.nonce,
        balance: info.balance,
    })
}
