//! Transactions and receipts roots against an independently built ordered trie.

use alloy::{
    consensus::{EMPTY_ROOT_HASH, proofs::calculate_receipt_root},
    eips::eip2718::Encodable2718,
};
use alloy_primitives::{B256, Bytes, TxKind, address};
use alloy_rlp::Encodable;
use alloy_trie::{HashBuilder, Nibbles};
use revm::database::InMemoryDB;

use crate::utils::*;

/// Root of the trie `rlp(i) -> items[i]`, built by hand with alloy-trie's `HashBuilder`.
fn ordered_root(items: &[Vec<u8>]) -> B256 {
    let mut leaves: Vec<(Nibbles, &Vec<u8>)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut key = Vec::new();
            i.encode(&mut key);
            (Nibbles::unpack(&key), item)
        })
        .collect();
    leaves.sort_by_key(|(key, _)| *key);
    let mut hb = HashBuilder::default();
    for (key, value) in leaves {
        hb.add_leaf(key, value);
    }
    hb.root()
}

#[test]
fn roots_match_an_ordered_trie_of_the_encodings() {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    let to = address!("0x00000000000000000000000000000000000000d1");
    let depositor = address!("0x00000000000000000000000000000000000d0004");

    // 130 transactions: enough for the key rlp(i) to change length at 128 (0x7f -> 0x8180)
    let mut txs = vec![deposit(depositor, TxKind::Call(to), 1, 0, 50_000).into()];
    for n in 0..129 {
        txs.push(sign(
            DEV_KEY_0,
            eip1559(n, TxKind::Call(to), 1, 21_000, Bytes::new()),
        ));
    }
    let out = run(&db, txs.clone());
    assert!(out.rejected.is_empty());
    assert_eq!(out.transactions.len(), 130);

    let tx_encodings: Vec<Vec<u8>> = txs.iter().map(encoded).collect();
    assert_eq!(out.transactions_root, ordered_root(&tx_encodings));

    let receipts: Vec<_> = out.receipts().cloned().collect();
    let receipt_encodings: Vec<Vec<u8>> = receipts.iter().map(|r| r.encoded_2718()).collect();
    assert_eq!(out.receipts_root, ordered_root(&receipt_encodings));
    assert_eq!(out.receipts_root, calculate_receipt_root(&receipts));
    assert_eq!(
        out.receipts_root,
        tributary_execution::receipts_root(&receipts)
    );
    // a deposit receipt encodes with its type byte and deposit fields
    assert_eq!(receipt_encodings[0][0], 0x7e);
    assert_eq!(receipt_encodings[1][0], 0x02);
    // the hashes are keccak of the encodings
    for (executed, enc) in out.transactions.iter().zip(&tx_encodings) {
        assert_eq!(executed.hash, alloy_primitives::keccak256(enc));
        assert_eq!(executed.encoded.as_ref(), enc.as_slice());
    }
}

#[test]
fn empty_block_has_empty_roots() {
    let db = InMemoryDB::default();
    let out = run(&db, vec![]);
    assert_eq!(out.transactions_root, EMPTY_ROOT_HASH);
    assert_eq!(out.receipts_root, EMPTY_ROOT_HASH);
    assert_eq!(out.gas_used, 0);
    assert!(out.changes.is_empty());
}
