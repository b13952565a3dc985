//! The state layer against alloy-trie's `state_root` / `storage_root`, and `eth_getProof`-shaped
//! proofs verified with `verify_proof`.

use crate::utils::persist;
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_trie::{
    KECCAK_EMPTY, Nibbles, TrieAccount,
    proof::verify_proof,
    root::{state_root_unhashed, storage_root_unhashed},
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use tributary_trie::{
    AccountChange, AccountInfo, EMPTY_ROOT_HASH, MemoryNodeStore, StateTrie, state::account_proof,
};

/// Expected world state: address → (info, storage).
type World = BTreeMap<Address, (AccountInfo, BTreeMap<B256, U256>)>;

fn expected_root(world: &World) -> B256 {
    state_root_unhashed(world.iter().map(|(address, (info, storage))| {
        let storage_root = storage_root_unhashed(storage.iter().map(|(s, v)| (*s, *v)));
        (
            *address,
            TrieAccount::new(info.nonce, info.balance, storage_root, info.code_hash),
        )
    }))
}

fn apply_world(world: &mut World, changes: &[(Address, AccountChange)]) {
    for (address, change) in changes {
        let Some(info) = change.info else {
            world.remove(address);
            continue;
        };
        let entry = world
            .entry(*address)
            .or_insert_with(|| (info, BTreeMap::new()));
        entry.0 = info;
        if change.wipe_storage {
            entry.1.clear();
        }
        for (slot, value) in &change.storage {
            if value.is_zero() {
                entry.1.remove(slot);
            } else {
                entry.1.insert(*slot, *value);
            }
        }
    }
}

/// Checks `eth_getProof` answers for every account of `world` (and an absent one) at `root`.
fn check_proofs(store: &MemoryNodeStore, root: B256, world: &World) {
    let absent_slot = B256::repeat_byte(0xee);
    for (address, (info, storage)) in world {
        let mut slots: Vec<B256> = storage.keys().copied().collect();
        slots.push(absent_slot);
        let p = account_proof(store, root, address, &slots).unwrap();
        assert_eq!(
            (p.nonce, p.balance, p.code_hash),
            (info.nonce, info.balance, info.code_hash)
        );
        let account = TrieAccount::new(p.nonce, p.balance, p.storage_hash, p.code_hash);
        verify_proof(
            root,
            Nibbles::unpack(keccak256(address)),
            Some(alloy_rlp::encode(account)),
            &p.account_proof,
        )
        .unwrap();
        for sp in &p.storage_proof {
            let expected = storage.get(&sp.key).copied().unwrap_or_default();
            assert_eq!(sp.value, expected);
            let value = (!expected.is_zero()).then(|| alloy_rlp::encode(expected));
            verify_proof(
                p.storage_hash,
                Nibbles::unpack(keccak256(sp.key)),
                value,
                &sp.proof,
            )
            .unwrap();
        }
    }
    let nobody = Address::repeat_byte(0xab);
    if !world.contains_key(&nobody) {
        let p = account_proof(store, root, &nobody, &[absent_slot]).unwrap();
        assert_eq!(
            (p.nonce, p.balance, p.code_hash, p.storage_hash),
            (0, U256::ZERO, B256::ZERO, B256::ZERO)
        );
        assert!(p.storage_proof[0].proof.is_empty() && p.storage_proof[0].value.is_zero());
        verify_proof(
            root,
            Nibbles::unpack(keccak256(nobody)),
            None,
            &p.account_proof,
        )
        .unwrap();
    }
}

fn info(nonce: u64, balance: u64) -> AccountInfo {
    AccountInfo {
        nonce,
        balance: U256::from(balance),
        code_hash: KECCAK_EMPTY,
    }
}

#[test]
fn blocks_update_delete_wipe_and_history() {
    let mut store = MemoryNodeStore::new();
    let mut state = StateTrie::new(EMPTY_ROOT_HASH);
    let mut world = World::new();
    let (a, b, c) = (
        Address::repeat_byte(1),
        Address::repeat_byte(2),
        Address::repeat_byte(3),
    );
    let slot = |i: u8| B256::with_last_byte(i);
    let code = keccak256(b"code");

    let blocks: Vec<Vec<(Address, AccountChange)>> = vec![
        vec![
            (
                a,
                AccountChange {
                    info: Some(info(0, 100)),
                    ..Default::default()
                },
            ),
            (
                b,
                AccountChange {
                    info: Some(AccountInfo {
                        code_hash: code,
                        ..info(1, 0)
                    }),
                    storage: vec![(slot(0), U256::from(1)), (slot(1), U256::MAX)],
                    ..Default::default()
                },
            ),
        ],
        vec![
            (
                a,
                AccountChange {
                    info: Some(info(1, 90)),
                    ..Default::default()
                },
            ),
            (
                b,
                AccountChange {
                    info: Some(AccountInfo {
                        code_hash: code,
                        ..info(1, 0)
                    }),
                    storage: vec![(slot(0), U256::ZERO), (slot(2), U256::from(7))],
                    ..Default::default()
                },
            ),
            (
                c,
                AccountChange {
                    info: Some(info(0, 5)),
                    storage: vec![(slot(9), U256::from(9))],
                    ..Default::default()
                },
            ),
        ],
        // Delete b, destroy-and-recreate c with fresh storage.
        vec![
            (
                b,
                AccountChange {
                    info: None,
                    ..Default::default()
                },
            ),
            (
                c,
                AccountChange {
                    info: Some(info(0, 6)),
                    wipe_storage: true,
                    storage: vec![(slot(3), U256::from(3))],
                },
            ),
        ],
        // Re-create b: its old storage must not come back.
        vec![(
            b,
            AccountChange {
                info: Some(info(0, 1)),
                ..Default::default()
            },
        )],
    ];

    let mut history = vec![];
    for changes in &blocks {
        apply_world(&mut world, changes);
        let update = state.apply(&store, changes.clone()).unwrap();
        assert_eq!(update.root, expected_root(&world));
        assert_eq!(state.state_root(), update.root);
        persist(&mut store, &update);
        check_proofs(&store, update.root, &world);
        history.push((update.root, world.clone()));
    }
    assert_eq!(state.storage(&store, &b, &slot(1)).unwrap(), U256::ZERO);
    assert_eq!(state.storage(&store, &c, &slot(3)).unwrap(), U256::from(3));
    assert_eq!(state.storage(&store, &c, &slot(9)).unwrap(), U256::ZERO);
    assert_eq!(
        state.account(&store, &a).unwrap().unwrap().balance,
        U256::from(90)
    );

    // Historical roots: proofs and reads at every earlier block.
    for (root, old) in &history {
        check_proofs(&store, *root, old);
        let mut reopened = StateTrie::new(*root);
        for (address, (info, storage)) in old {
            assert_eq!(
                reopened.account(&store, address).unwrap().unwrap().nonce,
                info.nonce
            );
            for (s, v) in storage {
                assert_eq!(reopened.storage(&store, address, s).unwrap(), *v);
            }
        }
    }
}

fn change() -> impl Strategy<Value = (Address, AccountChange)> {
    let address = (0u8..6).prop_map(Address::repeat_byte);
    let slot = (0u8..12).prop_map(B256::with_last_byte);
    let value = prop_oneof![
        Just(U256::ZERO),
        any::<u64>().prop_map(U256::from),
        Just(U256::MAX)
    ];
    let info = prop::option::weighted(
        0.85,
        (any::<u64>(), any::<u64>()).prop_map(|(n, b)| info(n, b)),
    );
    (
        address,
        info,
        prop::bool::weighted(0.1),
        prop::collection::vec((slot, value), 0..6),
    )
        .prop_map(|(address, info, wipe_storage, storage)| {
            (
                address,
                AccountChange {
                    info,
                    wipe_storage,
                    storage,
                },
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn state_matches_alloy_state_root(
        blocks in prop::collection::vec(prop::collection::vec(change(), 0..8), 1..6),
        reopen in any::<bool>(),
    ) {
        let mut store = MemoryNodeStore::new();
        let mut state = StateTrie::default();
        let mut world = World::new();
        for changes in blocks {
            apply_world(&mut world, &changes);
            let update = state.apply(&store, changes).unwrap();
            prop_assert_eq!(update.root, expected_root(&world));
            persist(&mut store, &update);
            check_proofs(&store, update.root, &world);
            if reopen {
                state = StateTrie::new(update.root);
            }
        }
    }
}

#[test]
fn storage_values_are_rlp_words() {
    assert_eq!(
        tributary_trie::key::encode_storage_value(U256::from(1)),
        Bytes::from_static(&[1])
    );
    assert_eq!(
        tributary_trie::key::encode_storage_value(U256::from(0x100)),
        Bytes::from_static(&[0x82, 1, 0])
    );
}
