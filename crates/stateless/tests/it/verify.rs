//! Every block of the workload re-executes from its witness alone to its exact header.

use alloy::eips::eip2718::Decodable2718;
use std::collections::HashSet;

use alloy_primitives::{Address, B256, U256, keccak256};
use op_alloy_consensus::OpReceiptEnvelope;
use revm::DatabaseRef;
use tributary_node::WitnessError;
use tributary_primitives::{output_root, predeploys::L2_TO_L1_MESSAGE_PASSER};
use tributary_stateless::{StatelessBlock, VerifiedBlock};
use tributary_trie::state::account_proof;

use crate::workload::{BLOCKHASH_DEPTH, workload};

#[tokio::test(flavor = "multi_thread")]
async fn every_block_verifies_from_its_witness_to_the_stored_header() {
    let w = workload().await;
    let c = &w.chain;
    let head = c.node.head().number;
    assert_eq!(head, w.erc20);

    // historical blocks too: every witness is generated after the whole chain was built
    for number in 1..=head {
        let witness = c.witness(number).await;
        let block = c.stateless_block(number).await;
        let header = c
            .node
            .store()
            .header_by_number(number)
            .await
            .unwrap()
            .unwrap();
        let verified = c
            .verify(&witness, &block)
            .unwrap_or_else(|e| panic!("block {number}: {e}"));

        assert_eq!(verified.block_hash, header.hash());
        assert_eq!(verified.number, number);
        assert_eq!(verified.state_root, header.state_root);
        assert_eq!(verified.receipts_root, header.receipts_root);
        assert_eq!(verified.transactions_root, header.transactions_root);
        assert_eq!(verified.logs_bloom, header.logs_bloom);
        assert_eq!(verified.gas_used, header.gas_used);
        let parent = c
            .node
            .store()
            .header_by_number(number - 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(verified.parent_state_root, parent.state_root);
        assert_stored_receipts(c, number, &verified).await;

        // the output root is the one the node computes from its own state
        let passer = c
            .node
            .with_state(header.state_root, |s| {
                s.trie_account(L2_TO_L1_MESSAGE_PASSER)
                    .unwrap()
                    .unwrap()
                    .storage_root
            })
            .await
            .unwrap();
        assert_eq!(verified.message_passer_storage_root, passer);
        assert_eq!(
            verified.output_root(),
            output_root(header.state_root, passer, header.hash())
        );

        // headers: only the parent, except where BLOCKHASH reads further back
        let expected_headers = if number == w.rich { BLOCKHASH_DEPTH } else { 1 };
        assert_eq!(
            witness.headers.len() as u64,
            expected_headers,
            "block {number}"
        );
        assert!(!witness.state.is_empty());
    }
}

/// The verifier's receipts are the stored ones.
async fn assert_stored_receipts(c: &crate::utils::Chain, number: u64, verified: &VerifiedBlock) {
    let stored = c.node.store().block_receipts(number).await.unwrap();
    assert_eq!(stored.len(), verified.receipts.len());
    for (stored, receipt) in stored.iter().zip(&verified.receipts) {
        let decoded = OpReceiptEnvelope::decode_2718(&mut stored.encoded.as_ref()).unwrap();
        assert_eq!(&decoded, receipt);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rich_block_reads_history_reverts_self_destructs_and_deletes_storage() {
    let w = workload().await;
    let c = &w.chain;
    let witness = c.witness(w.rich).await;
    let verified = c
        .verify(&witness, &c.stateless_block(w.rich).await)
        .unwrap();

    // the reverting call is included with status 0, the rest succeed
    let failed: Vec<usize> = verified
        .receipts
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.status())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        failed,
        vec![2],
        "only the call of the reverting contract fails"
    );

    // BLOCKHASH(n - 5) was stored, and the witness carries headers n-5 ..= n-1
    let expected = c
        .node
        .store()
        .block_hash(w.rich - BLOCKHASH_DEPTH)
        .await
        .unwrap()
        .unwrap();
    let header = c
        .node
        .store()
        .header_by_number(w.rich)
        .await
        .unwrap()
        .unwrap();
    let (stored, slot0, slot28, destroyed) = {
        let (blockhash, store) = (w.blockhash, w.store);
        let destroyed = c.node.store().block_transactions(w.rich).await.unwrap()[3].sender;
        let destroyed = destroyed.create(0);
        c.node
            .with_state(header.state_root, move |s| {
                (
                    s.storage_ref(blockhash, U256::ZERO).unwrap(),
                    s.storage_ref(store, U256::ZERO).unwrap(),
                    s.storage_ref(store, U256::from(28)).unwrap(),
                    s.basic_ref(destroyed).unwrap(),
                )
            })
            .await
            .unwrap()
    };
    assert_eq!(B256::from(stored), expected);
    assert_eq!(slot0, U256::ZERO, "deleted");
    assert_eq!(slot28, U256::from(99));
    assert_eq!(destroyed, None, "created and destroyed in one transaction");
    let oldest: alloy::consensus::Header = alloy_rlp::decode_exact(&witness.headers[0]).unwrap();
    assert_eq!(oldest.number, w.rich - BLOCKHASH_DEPTH);

    // keys: the touched addresses (20 bytes) and slots (32 bytes) are listed
    assert!(
        witness
            .keys
            .iter()
            .any(|k| k.as_ref() == w.store.as_slice())
    );
    assert!(
        witness
            .keys
            .iter()
            .any(|k| k.as_ref() == B256::with_last_byte(27).as_slice())
    );
    // codes: the contracts executed, by hash
    for contract in [w.store, w.blockhash, w.revert] {
        let code = c
            .node
            .with_state(header.state_root, move |s| {
                s.basic_ref(contract).unwrap().unwrap().code_hash
            })
            .await
            .unwrap();
        assert!(
            witness
                .codes
                .iter()
                .any(|k| alloy_primitives::keccak256(k) == code)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn erc20_block_verifies_and_its_failed_transfer_is_included() {
    let w = workload().await;
    let c = &w.chain;
    let witness = c.witness(w.erc20).await;
    let verified = c
        .verify(&witness, &c.stateless_block(w.erc20).await)
        .unwrap();
    let statuses: Vec<bool> = verified.receipts.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| !**s).count(), 1);
    assert!(
        !statuses.last().unwrap(),
        "the transfer without balance reverts"
    );
    let token_code = c
        .node
        .with_state(c.node.head().state_root, move |s| {
            s.basic_ref(w.token).unwrap().unwrap().code_hash
        })
        .await
        .unwrap();
    assert!(
        witness
            .codes
            .iter()
            .any(|k| alloy_primitives::keccak256(k) == token_code)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn genesis_and_unknown_blocks_have_no_witness() {
    let w = workload().await;
    let c = &w.chain;
    let genesis = c.node.execution_witness(0).await.unwrap_err();
    assert!(matches!(genesis, WitnessError::Genesis) && genesis.is_not_found());
    let beyond = c.node.execution_witness(w.erc20 + 1).await.unwrap_err();
    assert!(matches!(beyond, WitnessError::UnknownBlock { number } if number == w.erc20 + 1));
    assert!(beyond.is_not_found());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_block_built_from_an_alloy_block_verifies() {
    let w = workload().await;
    let c = &w.chain;
    let stored = c.stateless_block(w.rich).await;
    let txs = stored
        .transactions
        .iter()
        .map(|raw| op_alloy_consensus::OpTxEnvelope::decode_2718(&mut raw.as_ref()).unwrap())
        .collect();
    let block = alloy::consensus::Block {
        header: stored.header.clone(),
        body: alloy::consensus::BlockBody {
            transactions: txs,
            ommers: Vec::new(),
            withdrawals: None,
        },
    };
    let from_alloy = StatelessBlock::from(block);
    assert_eq!(from_alloy, stored);
    c.verify(&c.witness(w.rich).await, &from_alloy).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn deletions_add_the_siblings_of_collapsed_branches_beyond_the_touched_paths() {
    let w = workload().await;
    assert!(
        off_path_nodes(&w.chain, w.rich).await > 0,
        "the 28 deletions collapse branches whose remaining child had to be loaded"
    );
    // a block of plain transfers (no deletion) reads nothing off its keys' paths
    assert_eq!(off_path_nodes(&w.chain, 3).await, 0);
    // (the removal test shows that each witnessed node is needed)
}

/// Number of witness nodes of block `number` that are not on the pre-state path of any key the
/// witness lists: the siblings loaded when a deletion collapses a branch.
async fn off_path_nodes(c: &crate::utils::Chain, number: u64) -> usize {
    let witness = c.witness(number).await;
    let parent_root = c
        .node
        .store()
        .header_by_number(number - 1)
        .await
        .unwrap()
        .unwrap()
        .state_root;
    // the keys in the witness: each address followed by its slots
    let mut touched: Vec<(Address, Vec<B256>)> = Vec::new();
    for key in &witness.keys {
        match key.len() {
            20 => touched.push((Address::from_slice(key), Vec::new())),
            32 => touched.last_mut().unwrap().1.push(B256::from_slice(key)),
            n => panic!("key of {n} bytes"),
        }
    }
    let on_paths: HashSet<B256> = c
        .node
        .with_state(parent_root, move |s| {
            s.with_trie(|_, nodes| {
                let mut on_paths = HashSet::new();
                for (address, slots) in &touched {
                    let proof = account_proof(nodes, parent_root, address, slots).unwrap();
                    let storage = proof.storage_proof.iter().flat_map(|p| p.proof.iter());
                    on_paths.extend(proof.account_proof.iter().chain(storage).map(keccak256));
                }
                on_paths
            })
        })
        .await
        .unwrap();
    let witnessed: HashSet<B256> = witness.state.iter().map(keccak256).collect();
    witnessed.difference(&on_paths).count()
}
