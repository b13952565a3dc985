//! Test helpers (feature `test-utils`).

use std::{collections::HashMap, sync::RwLock};

use alloy_primitives::{Address, U256};

use crate::{AccountState, StateError, StateProvider};

/// An in-memory [`StateProvider`].
#[derive(Debug, Default)]
pub struct MemoryState {
    accounts: RwLock<HashMap<Address, AccountState>>,
}

impl MemoryState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the balance of `address`.
    pub fn set_balance(&self, address: Address, balance: U256) {
        self.accounts
            .write()
            .unwrap()
            .entry(address)
            .or_default()
            .balance = balance;
    }

    /// Sets the nonce of `address`.
    pub fn set_nonce(&self, address: Address, nonce: u64) {
        self.accounts
            .write()
            .unwrap()
            .entry(address)
            .or_default()
            .nonce = nonce;
    }
}

impl StateProvider for MemoryState {
    fn account(&self, address: Address) -> Result<AccountState, StateError> {
        Ok(self
            .accounts
            .read()
            .unwrap()
            .get(&address)
            .copied()
            .unwrap_or_default())
    }
}
