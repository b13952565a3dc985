//! The state view the pool validates against.

use alloy_primitives::{Address, U256};

/// Error of a [`StateProvider`] read.
pub type StateError = Box<dyn std::error::Error + Send + Sync>;

/// Nonce and balance of an account at the latest committed block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountState {
    /// Next nonce of the account.
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
}

/// Read access to the latest committed state, implemented by the caller (the storage reader in
/// the node, [`MemoryState`](crate::test_utils::MemoryState) in tests).
///
/// Called under the pool's lock, once per inserted transaction: keep it fast (cached).
pub trait StateProvider: Send + Sync {
    /// The account at `address`; a missing account is `AccountState::default()`.
    fn account(&self, address: Address) -> Result<AccountState, StateError>;
}

impl<T: StateProvider + ?Sized> StateProvider for std::sync::Arc<T> {
    fn account(&self, address: Address) -> Result<AccountState, StateError> {
        (**self).account(address)
    }
}

impl<T: StateProvider + ?Sized> StateProvider for &T {
    fn account(&self, address: Address) -> Result<AccountState, StateError> {
        (**self).account(address)
    }
}
