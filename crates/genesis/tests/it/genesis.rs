//! The genesis state, header and JSON.

use alloy::{
    consensus::EMPTY_OMMER_ROOT_HASH, eips::eip7685::EMPTY_REQUESTS_HASH,
    signers::local::MnemonicBuilder,
};
use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_trie::{EMPTY_ROOT_HASH, TrieAccount, root};
use tributary_genesis::{
    DEV_ACCOUNTS, DEV_FUNDING, DEV_MNEMONIC, FEE_VAULTS, GenesisConfig, GenesisError, L2Genesis,
    build, predeploy_has_code,
};
use tributary_primitives::{
    BlockRef,
    predeploys::{self, Origin, PREDEPLOYS},
};
use tributary_trie::{MemoryNodeStore, StateTrie};

#[test]
fn dev_accounts_are_the_mnemonic_accounts() {
    for (i, expected) in DEV_ACCOUNTS.iter().enumerate() {
        let signer = MnemonicBuilder::try_from_phrase_nth(DEV_MNEMONIC, i as u32).unwrap();
        assert_eq!(signer.address(), *expected, "account {i}");
    }
    assert_eq!(
        DEV_FUNDING,
        U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18))
    );
}

#[test]
fn genesis_hash_is_deterministic_and_depends_on_the_config() {
    let a = build(&GenesisConfig::dev()).unwrap();
    let b = build(&GenesisConfig::dev()).unwrap();
    assert_eq!(a.hash, b.hash);
    assert_eq!(a.hash, a.header.hash_slow());
    assert_eq!(a.state_root(), b.state_root());
    println!("dev genesis hash {} state root {}", a.hash, a.state_root());

    let other_chain = GenesisConfig {
        chain_id: 1,
        ..GenesisConfig::dev()
    };
    // The chain id is not in the header, but it is in the state: AttributionSettlement caches its
    // EIP-712 domain (chain id included) in immutables at genesis.
    assert_ne!(build(&other_chain).unwrap().hash, a.hash);
    let funded = GenesisConfig::dev().with_prefund(Address::repeat_byte(7), U256::from(1));
    assert_ne!(build(&funded).unwrap().state_root(), a.state_root());
    let later = GenesisConfig {
        timestamp: 1,
        ..GenesisConfig::dev()
    };
    assert_ne!(build(&later).unwrap().hash, a.hash);
    assert_ne!(
        build(&GenesisConfig::dev().with_base_fee(7)).unwrap().hash,
        a.hash
    );
}

#[test]
fn every_code_predeploy_has_code_and_vaults_are_plain() {
    let g = build(&GenesisConfig::dev()).unwrap();
    let with_code: Vec<_> = PREDEPLOYS
        .iter()
        .filter(|p| predeploy_has_code(p.address))
        .map(|p| p.name)
        .collect();
    assert_eq!(
        with_code,
        [
            "L1Block",
            "L2ToL1MessagePasser",
            "Multicall3",
            "Create2Deployer",
            "HistoryStorage",
            "BeaconRoots",
            "DataNetRegistry",
            "ModelRegistry",
            "AttributionSettlement"
        ]
    );
    for p in PREDEPLOYS {
        let account = g.alloc.get(&p.address);
        if predeploy_has_code(p.address) {
            let account = account.unwrap_or_else(|| panic!("{} missing", p.name));
            assert!(!account.code.is_empty(), "{}", p.name);
            assert_eq!(account.nonce, 1, "{}", p.name);
        } else if FEE_VAULTS.contains(&p.address) {
            let account = account.unwrap();
            assert!(account.code.is_empty() && account.balance.is_zero());
            assert_eq!(account.nonce, 1, "{}: non-empty under EIP-161", p.name);
        } else {
            panic!("{} has neither code nor a vault account", p.name);
        }
    }
    assert_eq!(
        g.alloc[&predeploys::L1_BLOCK].code,
        tributary_contracts::L1Block::DEPLOYED_BYTECODE
    );
    for a in DEV_ACCOUNTS {
        assert_eq!(g.alloc[&a].balance, DEV_FUNDING);
    }
    // 9 contracts + 3 vaults + 10 dev accounts
    assert_eq!(g.alloc.len(), 22);
    assert!(
        PREDEPLOYS
            .iter()
            .filter(|p| p.origin == Origin::Tributary)
            .all(|p| predeploy_has_code(p.address)),
        "every Tributary slot is built"
    );
}

#[test]
fn state_root_matches_alloy_trie_from_scratch() {
    let config = GenesisConfig::dev().with_prefund(Address::repeat_byte(9), U256::from(5));
    let g = build(&config).unwrap();
    let expected = root::state_root_unhashed(g.alloc.iter().map(|(address, a)| {
        let storage_root = root::storage_root_unhashed(a.storage.iter().map(|(k, v)| (*k, *v)));
        (
            *address,
            TrieAccount {
                nonce: a.nonce,
                balance: a.balance,
                storage_root,
                code_hash: a.code_hash(),
            },
        )
    }));
    assert_eq!(g.state_root(), expected);

    // The returned nodes are the whole state: every account reads back from them alone.
    let mut store = MemoryNodeStore::new();
    store.extend(g.nodes.clone());
    let mut trie = StateTrie::new(g.state_root());
    for (address, a) in &g.alloc {
        let account = trie.account(&store, address).unwrap().unwrap();
        assert_eq!(account.balance, a.balance);
        assert_eq!(account.code_hash, a.code_hash());
        if !a.code.is_empty() {
            assert_eq!(account.code_hash, keccak256(&a.code));
        }
        let expected = root::storage_root_unhashed(a.storage.iter().map(|(k, v)| (*k, *v)));
        assert_eq!(account.storage_root, expected);
        assert_eq!(
            expected == EMPTY_ROOT_HASH,
            a.storage.is_empty(),
            "{address}"
        );
        for (slot, value) in &a.storage {
            assert_eq!(trie.storage(&store, address, slot).unwrap(), *value);
        }
    }
}

#[test]
fn header_is_prague_shaped() {
    let g = build(&GenesisConfig::dev()).unwrap();
    let h = &g.header;
    assert_eq!(h.number, 0);
    assert_eq!(h.parent_hash, B256::ZERO);
    assert_eq!(h.beneficiary, predeploys::SEQUENCER_FEE_VAULT);
    assert_eq!(h.base_fee_per_gas, Some(1_000_000_000));
    assert_eq!(h.gas_limit, 30_000_000);
    assert_eq!(h.ommers_hash, EMPTY_OMMER_ROOT_HASH);
    assert_eq!(h.transactions_root, EMPTY_ROOT_HASH);
    assert_eq!(h.receipts_root, EMPTY_ROOT_HASH);
    assert_eq!(h.withdrawals_root, Some(EMPTY_ROOT_HASH));
    assert_eq!((h.blob_gas_used, h.excess_blob_gas), (Some(0), Some(0)));
    assert_eq!(h.parent_beacon_block_root, Some(B256::ZERO));
    assert_eq!(h.requests_hash, Some(EMPTY_REQUESTS_HASH));
    assert!(h.extra_data.is_empty());
}

#[test]
fn json_round_trips_and_rejects_tampering() {
    let config = GenesisConfig::new(
        77,
        1_234,
        BlockRef {
            number: 42,
            hash: keccak256("l1"),
        },
    )
    .with_prefund(Address::repeat_byte(3), U256::from(99));
    let g = build(&config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("genesis.json");
    g.write_json(&path).unwrap();
    let read = L2Genesis::read_json(&path).unwrap();
    assert_eq!(read.hash, g.hash);
    assert_eq!(read.header, g.header);
    assert_eq!(read.alloc, g.alloc);
    assert_eq!(read.config, config);

    // A changed balance no longer matches the recorded hash.
    let mut json = g.to_json();
    json.alloc
        .get_mut(&Address::repeat_byte(3))
        .unwrap()
        .balance = U256::from(100);
    let err = L2Genesis::from_json(&json).unwrap_err();
    assert!(
        matches!(err, GenesisError::Invalid { .. }) && err.is_bad_content(),
        "{err}"
    );

    std::fs::write(&path, "{not json").unwrap();
    assert!(matches!(
        L2Genesis::read_json(&path),
        Err(GenesisError::Json { .. })
    ));
    assert!(matches!(
        L2Genesis::read_json(&dir.path().join("missing.json")),
        Err(GenesisError::Io { .. })
    ));
}

#[test]
fn prefunding_a_predeploy_is_rejected() {
    let config = GenesisConfig::dev().with_prefund(predeploys::L1_BLOCK, U256::from(1));
    assert!(matches!(build(&config), Err(GenesisError::Invalid { .. })));
}
