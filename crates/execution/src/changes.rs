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

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;
    use revm::{
        bytecode::Bytecode,
        database::{AccountStatus, BundleAccount, states::StorageSlot},
        state::AccountInfo,
    };

    fn info(balance: u64, nonce: u64) -> AccountInfo {
        AccountInfo {
            balance: U256::from(balance),
            nonce,
            ..Default::default()
        }
    }

    fn slot(original: u64, present: u64) -> StorageSlot {
        StorageSlot::new_changed(U256::from(original), U256::from(present))
    }

    fn bundle(accounts: Vec<(Address, BundleAccount)>) -> BundleState {
        BundleState {
            state: accounts.into_iter().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn unchanged_accounts_and_slots_are_left_out() {
        let a = address!("0x000000000000000000000000000000000000000a");
        let b = address!("0x000000000000000000000000000000000000000b");
        let storage = [(U256::from(1), slot(4, 4)), (U256::from(2), slot(4, 5))]
            .into_iter()
            .collect();
        let changed = BundleAccount::new(
            Some(info(1, 0)),
            Some(info(1, 0)),
            storage,
            AccountStatus::Changed,
        );
        let untouched = BundleAccount::new(
            Some(info(9, 9)),
            Some(info(9, 9)),
            Default::default(),
            AccountStatus::Loaded,
        );
        let set = ChangeSet::from_bundle(&bundle(vec![(a, changed), (b, untouched)]));
        assert_eq!(set.accounts.len(), 1);
        let change = &set.accounts[&a];
        assert_eq!(
            change.storage.iter().collect::<Vec<_>>(),
            vec![(&U256::from(2), &U256::from(5))]
        );
        assert!(change.code.is_none());
        assert!(!change.storage_wiped);
    }

    #[test]
    fn destroyed_account_wipes_storage_and_keeps_only_non_zero_new_slots() {
        let a = address!("0x000000000000000000000000000000000000000a");
        let storage = [(U256::from(1), slot(4, 0)), (U256::from(2), slot(0, 6))]
            .into_iter()
            .collect();
        let acc = BundleAccount::new(
            Some(info(1, 1)),
            Some(info(0, 1)),
            storage,
            AccountStatus::DestroyedChanged,
        );
        let set = ChangeSet::from_bundle(&bundle(vec![(a, acc)]));
        let change = &set.accounts[&a];
        assert!(change.storage_wiped);
        assert_eq!(
            change.storage.iter().collect::<Vec<_>>(),
            vec![(&U256::from(2), &U256::from(6))]
        );

        let gone = BundleAccount::new(
            Some(info(1, 1)),
            None,
            Default::default(),
            AccountStatus::Destroyed,
        );
        let set = ChangeSet::from_bundle(&bundle(vec![(a, gone)]));
        assert_eq!(set.accounts[&a].account, None);
        assert!(set.accounts[&a].storage_wiped);
    }

    #[test]
    fn new_code_is_reported_with_its_hash() {
        let a = address!("0x000000000000000000000000000000000000000a");
        let code = Bytecode::new_raw(Bytes::from_static(&[0x60, 0x00, 0x00]));
        let mut new = info(0, 1);
        new.code_hash = code.hash_slow();
        new.code = Some(code);
        let acc = BundleAccount::new(
            None,
            Some(new),
            Default::default(),
            AccountStatus::InMemoryChange,
        );
        let set = ChangeSet::from_bundle(&bundle(vec![(a, acc)]));
        let change = &set.accounts[&a];
        assert_eq!(
            change.code.as_ref().map(|c| c.as_ref()),
            Some(&[0x60u8, 0x00, 0x00][..])
        );
        assert!(change.account.unwrap().has_code());
    }
}
