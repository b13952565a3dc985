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
pub use tributary_trie::state::{AccountChange, AccountInfo};

/// All state changes of a block: per account what the state trie applies (the trie crate's
/// [`AccountChange`], so the state layer and the store take it as is), plus the code it introduced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeSet {
    /// Changed accounts, sorted by address; each account's storage writes are sorted by slot.
    pub accounts: BTreeMap<Address, AccountChange>,
    /// Code created in this block (contract creation, EIP-7702 delegation), by code hash.
    pub code: BTreeMap<B256, Bytes>,
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

    /// The value this block wrote to `slot` of `account` (zero for a cleared slot), if it wrote one.
    pub fn storage(&self, account: &Address, slot: U256) -> Option<U256> {
        let storage = &self.account(account)?.storage;
        let key = B256::from(slot);
        storage
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| storage[i].1)
    }

    /// The code of `account` if this block introduced it.
    pub fn new_code(&self, account: &Address) -> Option<&Bytes> {
        let info = self.account(account)?.info.as_ref()?;
        self.code.get(&info.code_hash)
    }

    /// Builds the change set from the merged bundle of a block.
    pub(crate) fn from_bundle(bundle: &BundleState) -> Self {
        let mut set = Self::default();
        for (address, acc) in &bundle.state {
            let destroyed = acc.was_destroyed();
            let mut storage: Vec<(B256, U256)> = acc
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
                .map(|(key, slot)| (B256::from(*key), slot.present_value))
                .collect();
            if !destroyed && !acc.is_info_changed() && storage.is_empty() {
                continue;
            }
            storage.sort_unstable_by_key(|(slot, _)| *slot);
            let info = acc.info.as_ref().map(|info| AccountInfo {
                balance: info.balance,
                nonce: info.nonce,
                code_hash: info.code_hash,
            });
            if let Some(info) = &acc.info
                && acc.is_contract_changed()
                && info.code_hash != KECCAK256_EMPTY
            {
                let code = info.code.as_ref().map(|c| c.original_bytes()).or_else(|| {
                    bundle
                        .contracts
                        .get(&info.code_hash)
                        .map(|c| c.original_bytes())
                });
                if let Some(code) = code {
                    set.code.insert(info.code_hash, code);
                }
            }
            set.accounts.insert(
                *address,
                AccountChange {
                    info,
                    wipe_storage: destroyed,
                    storage,
                },
            );
        }
        set
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
            change.storage,
            vec![(B256::with_last_byte(2), U256::from(5))]
        );
        assert!(set.code.is_empty());
        assert!(!change.wipe_storage);
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
        assert!(change.wipe_storage);
        assert_eq!(
            change.storage,
            vec![(B256::with_last_byte(2), U256::from(6))]
        );

        let gone = BundleAccount::new(
            Some(info(1, 1)),
            None,
            Default::default(),
            AccountStatus::Destroyed,
        );
        let set = ChangeSet::from_bundle(&bundle(vec![(a, gone)]));
        assert_eq!(set.accounts[&a].info, None);
        assert!(set.accounts[&a].wipe_storage);
    }

    #[test]
    fn new_code_is_reported_with_its_hash() {
        let a = address!("0x000000000000000000000000000000000000000a");
        let code = Bytecode::new_raw(Bytes::from_static(&[0x60, 0x00, 0x00]));
        let mut new = info(0, 1);
        let code_hash = code.hash_slow();
        new.code_hash = code_hash;
        new.code = Some(code);
        let acc = BundleAccount::new(
            None,
            Some(new),
            Default::default(),
            AccountStatus::InMemoryChange,
        );
        let set = ChangeSet::from_bundle(&bundle(vec![(a, acc)]));
        assert_eq!(
            set.new_code(&a).map(|c| c.as_ref()),
            Some(&[0x60u8, 0x00, 0x00][..])
        );
        assert_eq!(set.accounts[&a].info.unwrap().code_hash, code_hash);
    }
}
