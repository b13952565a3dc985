//! `contracts/test/fixtures/withdrawal_proof.json`: a real storage proof of one withdrawal in a
//! multi-leaf message passer storage trie, and the output root it commits to.
//!
//! The test regenerates the fixture deterministically and asserts it equals the committed file; run it
//! with `UPDATE_FIXTURES=1` to rewrite the file.

use std::path::PathBuf;

use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_trie::{
    EMPTY_ROOT_HASH, HashBuilder, Nibbles, TrieAccount,
    proof::{ProofRetainer, verify_proof},
    root::{state_root_unhashed, storage_root_unhashed},
};
use serde::Serialize;
use tributary_primitives::{
    output_root, predeploys,
    withdrawal::{self, Withdrawal},
};

/// How many withdrawals the message passer holds.
const WITHDRAWALS: u64 = 64;
/// Which of them the fixture proves.
const PROVEN: u64 = 42;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fixture {
    withdrawal: Withdrawal,
    withdrawal_hash: B256,
    message_passer_storage_root: B256,
    state_root: B256,
    block_hash: B256,
    output_root: B256,
    storage_proof: Vec<Bytes>,
}

fn label(s: &str) -> B256 {
    keccak256(format!("tributary/fixtures/withdrawal_proof/{s}"))
}

fn label_address(s: &str) -> Address {
    Address::from_word(label(s))
}

fn withdrawal(n: u64) -> Withdrawal {
    let open = U256::from(10).pow(U256::from(18));
    if n == PROVEN {
        return Withdrawal {
            nonce: withdrawal::versioned_nonce(n),
            sender: address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
            target: address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
            value: U256::from(5) * open,
            gas_limit: U256::from(100_000),
            data: Bytes::new(),
        };
    }
    Withdrawal {
        nonce: withdrawal::versioned_nonce(n),
        sender: label_address(&format!("sender/{n}")),
        target: label_address(&format!("target/{n}")),
        value: U256::from(n + 1) * open,
        gas_limit: U256::from(21_000 + 1_000 * n),
        data: if n.is_multiple_of(3) {
            Bytes::from(n.to_be_bytes().to_vec())
        } else {
            Bytes::new()
        },
    }
}

/// (hashed key, rlp value) leaves of the message passer storage trie, sorted by key.
fn storage_leaves(withdrawals: &[Withdrawal]) -> Vec<(B256, Vec<u8>)> {
    let mut leaves: Vec<(B256, Vec<u8>)> = withdrawals
        .iter()
        .map(|w| {
            (
                w.storage_trie_key(),
                withdrawal::SENT_MESSAGE_VALUE.to_vec(),
            )
        })
        .collect();
    // The nonce counter at slot 1 holds the number of withdrawals sent.
    let nonce_slot = B256::from(withdrawal::MESSAGE_NONCE_SLOT);
    leaves.push((
        keccak256(nonce_slot),
        alloy_rlp::encode(U256::from(WITHDRAWALS)),
    ));
    leaves.sort_by_key(|(k, _)| *k);
    leaves
}

/// Builds a trie from sorted leaves, retaining the proof of `target`; returns (root, proof).
fn root_and_proof(leaves: &[(B256, Vec<u8>)], target: B256) -> (B256, Vec<Bytes>) {
    let target = Nibbles::unpack(target);
    let mut hb = HashBuilder::default().with_proof_retainer(ProofRetainer::new(vec![target]));
    for (key, value) in leaves {
        hb.add_leaf(Nibbles::unpack(key), value);
    }
    let root = hb.root();
    let proof = hb
        .take_proof_nodes()
        .matching_nodes_sorted(&target)
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    (root, proof)
}

fn generate() -> Fixture {
    let withdrawals: Vec<Withdrawal> = (0..WITHDRAWALS).map(withdrawal).collect();
    let proven = &withdrawals[PROVEN as usize];
    let leaves = storage_leaves(&withdrawals);
    let (storage_root, storage_proof) = root_and_proof(&leaves, proven.storage_trie_key());

    // Cross-check against alloy-trie's independent storage root from (slot, value) pairs.
    let mut slots: Vec<(B256, U256)> = withdrawals
        .iter()
        .map(|w| (w.storage_slot(), U256::from(1)))
        .collect();
    slots.push((
        B256::from(withdrawal::MESSAGE_NONCE_SLOT),
        U256::from(WITHDRAWALS),
    ));
    assert_eq!(storage_root, storage_root_unhashed(slots));
    assert!(
        storage_proof.len() >= 2,
        "a multi-leaf trie gives a multi-node proof"
    );

    verify_proof(
        storage_root,
        Nibbles::unpack(proven.storage_trie_key()),
        Some(withdrawal::SENT_MESSAGE_VALUE.to_vec()),
        &storage_proof,
    )
    .expect("storage proof verifies");

    // The state: the message passer (holding the withdrawn value until burn) among a few accounts.
    let passer = TrieAccount::new(
        0,
        withdrawals.iter().map(|w| w.value).sum(),
        storage_root,
        label("L2ToL1MessagePasser/code"),
    );
    let mut accounts: Vec<(Address, TrieAccount)> = (0..8u64)
        .map(|i| {
            let balance = U256::from(1_000 + i) * U256::from(10).pow(U256::from(18));
            (
                label_address(&format!("account/{i}")),
                TrieAccount::new(i, balance, EMPTY_ROOT_HASH, alloy_trie::KECCAK_EMPTY),
            )
        })
        .collect();
    accounts.push((predeploys::L2_TO_L1_MESSAGE_PASSER, passer));
    let state_root = state_root_unhashed(accounts.clone());

    // The account proof verifies too, so the state root really commits to the storage root.
    let mut account_leaves: Vec<(B256, Vec<u8>)> = accounts
        .iter()
        .map(|(a, acc)| (keccak256(a), alloy_rlp::encode(acc)))
        .collect();
    account_leaves.sort_by_key(|(k, _)| *k);
    let passer_key = keccak256(predeploys::L2_TO_L1_MESSAGE_PASSER);
    let (root, account_proof) = root_and_proof(&account_leaves, passer_key);
    assert_eq!(root, state_root);
    verify_proof(
        state_root,
        Nibbles::unpack(passer_key),
        Some(alloy_rlp::encode(passer)),
        &account_proof,
    )
    .expect("account proof verifies");

    let block_hash = label("block");
    Fixture {
        withdrawal: proven.clone(),
        withdrawal_hash: proven.hash(),
        message_passer_storage_root: storage_root,
        state_root,
        block_hash,
        output_root: output_root(state_root, storage_root, block_hash),
        storage_proof,
    }
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../contracts/test/fixtures/withdrawal_proof.json")
}

#[test]
fn withdrawal_proof_fixture_is_current() {
    let fixture = generate();
    let mut json = serde_json::to_string_pretty(&fixture).unwrap();
    json.push('\n');
    let path = fixture_path();
    if std::env::var_os("UPDATE_FIXTURES").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &json).unwrap();
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_FIXTURES=1", path.display()));
    assert_eq!(
        committed, json,
        "fixture is stale; run with UPDATE_FIXTURES=1"
    );
}

#[test]
fn tampered_proofs_fail() {
    let f = generate();
    let key = Nibbles::unpack(f.withdrawal.storage_trie_key());
    let value = Some(withdrawal::SENT_MESSAGE_VALUE.to_vec());
    // Wrong root, wrong key, wrong value and a truncated proof are all rejected.
    assert!(verify_proof(f.state_root, key, value.clone(), &f.storage_proof).is_err());
    let mut other = f.withdrawal.clone();
    other.value += U256::from(1);
    assert!(
        verify_proof(
            f.message_passer_storage_root,
            Nibbles::unpack(other.storage_trie_key()),
            value.clone(),
            &f.storage_proof
        )
        .is_err()
    );
    assert!(
        verify_proof(
            f.message_passer_storage_root,
            key,
            Some(vec![0x02]),
            &f.storage_proof
        )
        .is_err()
    );
    let short = &f.storage_proof[..f.storage_proof.len() - 1];
    assert!(verify_proof(f.message_passer_storage_root, key, value, short).is_err());
}
