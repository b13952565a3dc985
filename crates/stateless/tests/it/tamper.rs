//! A tampered witness or block fails with an error naming what is wrong, never a panic and
//! never a wrong "ok".

use alloy::{consensus::Header, eips::eip2718::Encodable2718};
use alloy_primitives::{B256, Bloom, Bytes, TxKind};
use tributary_primitives::RollupConfig;
use tributary_stateless::{
    ErrorKind, ExecutionWitness, HeaderField, MissingData, StatelessBlock, StatelessError,
};

use crate::{
    utils::{flipped, hash, recipient, sign, without},
    workload::{BLOCKHASH_DEPTH, Workload, workload},
};

/// The rich block with its witness, checked to verify untampered.
async fn rich() -> (Workload, ExecutionWitness, StatelessBlock) {
    let w = workload().await;
    let witness = w.chain.witness(w.rich).await;
    let block = w.chain.stateless_block(w.rich).await;
    w.chain.verify(&witness, &block).unwrap();
    (w, witness, block)
}

/// The block with its transaction root set to that of its (changed) transactions.
fn with_transactions(block: &StatelessBlock, transactions: Vec<Bytes>) -> StatelessBlock {
    let mut header = block.header.clone();
    header.transactions_root = alloy::consensus::proofs::ordered_trie_root_encoded(&transactions);
    StatelessBlock::new(header, transactions)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_witness_node_is_needed_and_its_removal_names_it() {
    let (w, witness, block) = rich().await;
    assert!(witness.state.len() > 20, "{} nodes", witness.state.len());
    for (i, node) in witness.state.iter().enumerate() {
        let mut tampered = witness.clone();
        tampered.state = without(&witness.state, i);
        let err = w.chain.verify(&tampered, &block).unwrap_err();
        assert!(
            matches!(err, StatelessError::MissingWitnessData(MissingData::TrieNode(h)) if h == hash(node)),
            "node {i}: {err}"
        );
        assert_eq!(err.kind(), ErrorKind::IncompleteWitness);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn altered_node_bytes_are_missing_nodes_and_extra_nodes_are_ignored() {
    let (w, witness, block) = rich().await;
    for (i, node) in witness.state.iter().enumerate() {
        let mut tampered = witness.clone();
        tampered.state[i] = flipped(node);
        let err = w.chain.verify(&tampered, &block).unwrap_err();
        assert!(
            matches!(err, StatelessError::MissingWitnessData(MissingData::TrieNode(h)) if h == hash(node)),
            "node {i}: {err}"
        );
    }
    // nodes nobody references change nothing
    let mut padded = witness.clone();
    padded
        .state
        .push(Bytes::from_static(b"\xc2\x80\x80 not a node"));
    padded.state.extend(witness.state.iter().map(flipped));
    w.chain.verify(&padded, &block).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn altered_or_removed_code_is_missing_code() {
    let (w, witness, block) = rich().await;
    assert!(witness.codes.len() >= 3, "{} codes", witness.codes.len());
    for (i, code) in witness.codes.iter().enumerate() {
        for tampered_codes in [without(&witness.codes, i), {
            let mut codes = witness.codes.clone();
            codes[i] = flipped(code);
            codes
        }] {
            let mut tampered = witness.clone();
            tampered.codes = tampered_codes;
            let err = w.chain.verify(&tampered, &block).unwrap_err();
            assert!(
                matches!(err, StatelessError::MissingWitnessData(MissingData::Code(h)) if h == hash(code)),
                "code {i}: {err}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn headers_must_chain_to_the_blocks_parent() {
    let (w, witness, block) = rich().await;
    let verify = |headers: Vec<Bytes>| {
        let mut tampered = witness.clone();
        tampered.headers = headers;
        w.chain.verify(&tampered, &block).unwrap_err()
    };
    let headers = &witness.headers;
    assert_eq!(headers.len() as u64, BLOCKHASH_DEPTH);

    assert!(matches!(
        verify(Vec::new()),
        StatelessError::MissingWitnessData(MissingData::ParentHeader)
    ));
    // without the oldest header, BLOCKHASH(n - 5) has nothing to read
    assert!(matches!(
        verify(headers[1..].to_vec()),
        StatelessError::MissingWitnessData(MissingData::BlockHash(n)) if n == w.rich - BLOCKHASH_DEPTH
    ));

    // a parent with another state root (the pre-state a cheating prover would like) does not
    // hash to the block's parent
    let mut parent: Header = alloy_rlp::decode_exact(headers.last().unwrap()).unwrap();
    parent.state_root = B256::repeat_byte(0x11);
    let mut forged = headers.clone();
    *forged.last_mut().unwrap() = alloy_rlp::encode(&parent).into();
    let err = verify(forged);
    assert!(
        matches!(err, StatelessError::ParentHashMismatch { expected, actual }
            if expected == block.header.parent_hash && actual == parent.hash_slow()),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::InvalidInput);

    // a gap or a wrong order breaks the chain
    assert!(matches!(
        verify(without(headers, 2)),
        StatelessError::BrokenHeaderChain { index: 2 }
    ));
    assert!(matches!(
        verify(headers.iter().rev().cloned().collect()),
        StatelessError::BrokenHeaderChain { index: 1 }
    ));
    let mut garbage = headers.clone();
    garbage[0] = Bytes::from_static(b"\xf9\x02");
    assert!(matches!(
        verify(garbage),
        StatelessError::HeaderDecode { index: 0, .. }
    ));
    // another block's witness
    let other = w.chain.witness(w.rich - 1).await;
    assert!(matches!(
        w.chain.verify(&other, &block).unwrap_err(),
        StatelessError::ParentHashMismatch { .. }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_transactions_are_caught() {
    let (w, witness, block) = rich().await;
    let chain_id = w.chain.rollup.l2_chain_id;
    let last = block.transactions.len() - 1;
    let verify = |b: &StatelessBlock| w.chain.verify(&witness, b).unwrap_err();

    // another transaction, or one left out: the header's transactions root does not match
    let mut swapped = block.clone();
    swapped.transactions[last] = sign(
        9,
        0,
        TxKind::Call(recipient(1)),
        5,
        Bytes::new(),
        21_000,
        chain_id,
    )
    .inner()
    .encoded_2718()
    .into();
    let err = verify(&swapped);
    assert!(
        matches!(
            err,
            StatelessError::RootMismatch {
                field: HeaderField::TransactionsRoot,
                ..
            }
        ),
        "{err}"
    );
    let mut dropped = block.clone();
    dropped.transactions.pop();
    assert!(matches!(
        verify(&dropped),
        StatelessError::RootMismatch {
            field: HeaderField::TransactionsRoot,
            ..
        }
    ));

    // a header committing to a changed transaction (same sender, nonce and recipient, another
    // value: receipts identical) still fails on the state root
    let mut txs = block.transactions.clone();
    txs[last] = sign(
        6,
        0,
        TxKind::Call(recipient(1)),
        6,
        Bytes::new(),
        21_000,
        chain_id,
    )
    .inner()
    .encoded_2718()
    .into();
    let err = verify(&with_transactions(&block, txs));
    assert!(
        matches!(err, StatelessError::RootMismatch { field: HeaderField::StateRoot, expected, .. }
            if expected == block.header.state_root),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::InvalidBlock);

    // a transaction the executor cannot include (nonce gap) is a rejection, not a skip
    let mut txs = block.transactions.clone();
    txs[last] = sign(
        6,
        5,
        TxKind::Call(recipient(1)),
        5,
        Bytes::new(),
        21_000,
        chain_id,
    )
    .inner()
    .encoded_2718()
    .into();
    let err = verify(&with_transactions(&block, txs));
    assert!(
        matches!(err, StatelessError::TransactionRejected { index, .. } if index == last),
        "{err}"
    );

    // bytes that are no transaction
    let mut txs = block.transactions.clone();
    txs[1] = Bytes::from_static(b"\x02\xc0garbage");
    let err = verify(&with_transactions(&block, txs));
    assert!(
        matches!(err, StatelessError::Transaction { index: 1, .. }),
        "{err}"
    );

    // the wrong chain: signed transactions are invalid there
    let other_chain = RollupConfig {
        l2_chain_id: chain_id + 1,
        ..w.chain.rollup.clone()
    };
    let err = tributary_stateless::verify_block(&witness, &block, &other_chain).unwrap_err();
    assert!(
        matches!(err, StatelessError::TransactionRejected { index: 1, .. }),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_recomputed_header_field_is_checked() {
    let (w, witness, block) = rich().await;
    let verify = |f: &dyn Fn(&mut Header)| {
        let mut tampered = block.clone();
        f(&mut tampered.header);
        w.chain.verify(&witness, &tampered).unwrap_err()
    };
    let h = &block.header;

    let err = verify(&|h| h.state_root = B256::repeat_byte(1));
    assert!(
        matches!(err, StatelessError::RootMismatch { field: HeaderField::StateRoot, expected, actual }
            if expected == B256::repeat_byte(1) && actual == h.state_root),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "state root mismatch: header has {}, recomputed {}",
            B256::repeat_byte(1),
            h.state_root
        )
    );
    assert!(matches!(
        verify(&|h| h.receipts_root = B256::repeat_byte(2)),
        StatelessError::RootMismatch { field: HeaderField::ReceiptsRoot, actual, .. } if actual == h.receipts_root
    ));
    assert!(matches!(
        verify(&|h| h.gas_used += 1),
        StatelessError::HeaderMismatch { field: HeaderField::GasUsed, actual, .. } if actual == h.gas_used
    ));
    assert!(matches!(
        verify(&|h| h.logs_bloom = Bloom::repeat_byte(0xff)),
        StatelessError::LogsBloomMismatch { .. }
    ));
    assert!(matches!(
        verify(&|h| h.base_fee_per_gas = h.base_fee_per_gas.map(|f| f + 1)),
        StatelessError::HeaderMismatch { field: HeaderField::BaseFee, actual, .. } if Some(actual) == h.base_fee_per_gas
    ));
    assert!(matches!(
        verify(&|h| h.number += 1),
        StatelessError::HeaderMismatch {
            field: HeaderField::Number,
            ..
        }
    ));
    assert!(matches!(
        verify(&|h| h.parent_hash = B256::repeat_byte(3)),
        StatelessError::ParentHashMismatch { .. }
    ));
}
