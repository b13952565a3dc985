//! A store wrapper that records every node read, to build execution witnesses.

use super::NodeStore;
use alloy_primitives::{B256, Bytes, map::B256Map};
use std::sync::{Mutex, PoisonError};

/// Wraps a [`NodeStore`] and remembers every node it served.
///
/// Open a [`Trie`](crate::Trie) at the *pre-state* root with a fresh `RecordingStore`, run the
/// block's reads and updates, commit, then take [`RecordingStore::take_witness`]: the result is
/// every pre-state node the block touched, including the siblings loaded when a branch collapses
/// on delete. With those nodes a stateless verifier can open the same pre-state root, replay the
/// same operations and reach the same post-state root.
///
/// The trie caches nodes it has loaded, so nodes read *before* recording started (by the same
/// `Trie` value) are not seen again: record with a trie opened for this block only.
#[derive(Debug, Default)]
pub struct RecordingStore<S> {
    inner: S,
    seen: Mutex<B256Map<Bytes>>,
}

impl<S> RecordingStore<S> {
    /// Starts recording reads of `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            seen: Mutex::default(),
        }
    }

    /// Returns and clears the nodes read so far (hash → RLP).
    pub fn take_witness(&self) -> B256Map<Bytes> {
        core::mem::take(&mut *self.seen.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The wrapped store.
    pub const fn inner(&self) -> &S {
        &self.inner
    }

    /// Unwraps the store, dropping the record.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: NodeStore> NodeStore for RecordingStore<S> {
    type Error = S::Error;

    fn get(&self, hash: &B256) -> Result<Option<Bytes>, S::Error> {
        let node = self.inner.get(hash)?;
        if let Some(rlp) = &node {
            self.seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(*hash, rlp.clone());
        }
        Ok(node)
    }
}
