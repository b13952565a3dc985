//! `eth_createAccessList`'s list handling.
//!
//! geth runs the call with the access-list tracer, feeds the list it found back in as the call's
//! access list, and repeats until the list no longer changes (warm accounts can change the gas
//! left and so the path taken). Lists are compared in a canonical form: sorted by address, keys
//! sorted and deduplicated, without the addresses the tracer excludes (sender, recipient or
//! created contract, precompiles, EIP-7702 authorities), which are warm anyway.

use std::collections::{BTreeMap, BTreeSet};

use alloy::eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{Address, B256, map::HashSet};

/// Rounds after which the search stops even if the list still grows. Each round only adds
/// entries, so a list stops changing after a few rounds for any real contract; the bound keeps a
/// contract whose accesses depend on the list itself from running the RPC in circles.
pub(crate) const MAX_ROUNDS: usize = 10;

/// The canonical form of `list` without `excluded` addresses.
pub(crate) fn normalize(list: AccessList, excluded: &HashSet<Address>) -> AccessList {
    let mut merged: BTreeMap<Address, BTreeSet<B256>> = BTreeMap::new();
    for item in list.0 {
        if !excluded.contains(&item.address) {
            merged
                .entry(item.address)
                .or_default()
                .extend(item.storage_keys);
        }
    }
    AccessList(
        merged
            .into_iter()
            .map(|(address, keys)| AccessListItem {
                address,
                storage_keys: keys.into_iter().collect(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn normal_form_is_sorted_merged_and_filtered() {
        let a = address!("0x00000000000000000000000000000000000000aa");
        let b = address!("0x00000000000000000000000000000000000000bb");
        let sender = address!("0x0000000000000000000000000000000000000001");
        let k = |n: u8| B256::with_last_byte(n);
        let list = AccessList(vec![
            AccessListItem {
                address: b,
                storage_keys: vec![k(2), k(1)],
            },
            AccessListItem {
                address: sender,
                storage_keys: vec![],
            },
            AccessListItem {
                address: a,
                storage_keys: vec![],
            },
            AccessListItem {
                address: b,
                storage_keys: vec![k(1), k(3)],
            },
        ]);
        let excluded = [sender].into_iter().collect();
        let normal = normalize(list, &excluded);
        assert_eq!(
            normal.0,
            vec![
                AccessListItem {
                    address: a,
                    storage_keys: vec![],
                },
                AccessListItem {
                    address: b,
                    storage_keys: vec![k(1), k(2), k(3)],
                },
            ]
        );
    }
}
