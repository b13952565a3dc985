//! The block's state changes as a plain, storage-agnostic change set.
//!
//! revm's `State` accumulates every transaction's changes into a `BundleState` (original and
//! present values per account and slot). [`ChangeSet::from_bundle`] keeps only what differs from
//! the pre-block state, in the shape a trie/state layer applies: for each touched account its new
//! fields (or its deletion), its new code, whether its old storage is wiped, and the new value of
//! each changed slot. Everything is sorted (`BTreeMap`), so applying it is deterministic.

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256};
use revm::database::BundleState;

/// The fields of an account that live in the account trie leaf (besides the storage root, which
/// the state layer derives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountState {
    /// Balance in wei of the native token (OPEN).
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// `keccak256` of the code; `KECCAK256_EMPTY` for accounts without code.
    pub code_hash: B256,
}

impl AccountState {
    /// Whether the account has code (a contract, or an EIP-7702 delegated EOA).
    pub fn has_code(&self) -> bool {
        self.code_hash != KECCAK256_EMPTY
    }
}

/// What happened to one account in the block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountChange {
    /// The account after the block; `None` when it no longer exists (self-destructed in the
    /// transaction that created it, or touched while empty: EIP-161).
    pub account: Option<AccountState>,
    /// The new code when the account's code hash changed in this block (contract creation,
    /// EIP-7702 delegation), keyed by `account.code_hash`.
    pub code: Option<Bytes>,
    /// The account was destroyed during the block: its pre-block storage is cleared before
    /// `storage` is applied.
    pub storage_wiped: bool,
    /// New values of changed storage slots (a zero value deletes the slot).
    pub storage: BTreeMap<U256, U256>,
}

/// All state changes of a block, per account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeSet {
    /// Changed accounts, sorted by address.
    pub accounts: BTreeMap<Address, AccountChange>,
}

impl ChangeSet {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The change of one account, if it changed.
    pub fn account(&self, address: &Address) -> Option<&AccountChange> {
        self.accounts.get(address)
    }

    /// Builds the change set from the merged bundle of a block.
    pub(crate) fn from_bundle(bundle: &BundleState) -> Self {
        let mut accounts = BTreeMap::new();
        for (address, acc) in &bundle.state {
            let destroyed = acc.was_destroyed();
            let storage: BTreeMap<U256, U256> = acc
                .storage
                .iter()
                .filter(|(_, slot)| {
                    // after a wipe every non-zero slot is new; otherwise only changed slots count
                    if destroyed {
                        !slot.present_value.is_zero()
                    } else {
                        slot.is_changed()
                    }
                })
                .map(|(key, slot)| (*key, slot.present_value))
                .collect();
            if !destroyed && !acc.is_info_changed() && storage.is_empty() {
                continue;
            }
            let account = acc.info.as_ref().map(|info| AccountState {
                balance: info.balance,
                nonce: info.nonce,
                code_hash: info.code_hash,
            });
            let code = match &acc.info {
                Some(info) if acc.is_contract_changed() && info.code_hash != KECCAK256_EMPTY => {
                    info.code.as_ref().map(|c| c.original_bytes()).or_else(|| {
                        bundle
                            .contracts
                            .get(&info.code_hash)
                            .map(|c| c.original_bytes())
                    })
                }
                _ => None,
            };
            accounts.insert(
                *address,
                AccountChange {
                    account,
                    code,
                    storage_wiped: destroyed,
                    storage,
                },
            );
        }
        Self { accounts }
    }
}
