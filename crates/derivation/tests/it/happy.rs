//! The happy path: batches over several L1 blocks, origins advancing, deposits landing in the
//! first block of their origin.

use alloy_primitives::{Address, Bytes, TxKind, U256};
use tributary_derivation::{DeriveEvent, InvalidBatch, l1_info};
use tributary_primitives::{BlockRef, l1_info::user_deposit_source_hash};

use crate::utils::*;

#[test]
fn batches_over_several_l1_blocks_derive_origins_deposits_and_sequence_numbers() {
    let config = config();
    let chain = config.l2_chain_id;
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    let mut seq = Sequencer::at(&genesis());
    let g = genesis();

    // L1 11: two deposits, no batch
    let deposits_11 = vec![deposit_log(3, 1, 100), deposit_log(7, 2, 200)];
    assert_eq!(
        push(&mut d, &mut exec, l1_data(11, deposits_11, vec![])),
        vec![]
    );

    // L1 12: one deposit and batch 0 (blocks 1..=4, origins 10, 11, 11, 12)
    let a = batch_data(
        0,
        &seq.batch(vec![
            block(g.timestamp + 2, 10, vec![tx(0, 0, chain)]),
            block(l1(11).timestamp, 11, vec![tx(1, 0, chain), tx(0, 1, chain)]),
            // equal timestamps are allowed (sub-second blocks); an EIP-155 legacy tx is fine
            block(l1(11).timestamp, 11, vec![legacy_tx(Some(chain))]),
            block(l1(12).timestamp + 1, 12, vec![tx(2, 0, chain)]),
        ]),
    );
    let events = push(
        &mut d,
        &mut exec,
        l1_data(12, vec![deposit_log(0, 3, 5)], vec![a.clone()]),
    );
    assert_eq!(events, vec![accepted(&a)]);

    // L1 13: batch 1 (blocks 5..=6, origins 12, 13); L1 13 has no deposits
    let b = batch_data(
        1,
        &seq.batch(vec![
            block(l1(12).timestamp + 3, 12, vec![]),
            block(l1(13).timestamp, 13, vec![tx(0, 2, chain)]),
        ]),
    );
    assert_eq!(
        push(&mut d, &mut exec, l1_data(13, vec![], vec![b.clone()])),
        vec![accepted(&b)]
    );

    let inputs = &exec.inputs;
    assert_eq!(
        inputs.iter().map(|i| i.number).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        inputs
            .iter()
            .map(|i| (i.origin.number, i.sequence_number()))
            .collect::<Vec<_>>(),
        [(10, 1), (11, 0), (11, 1), (12, 0), (12, 1), (13, 0)]
    );
    assert!(inputs.iter().all(|i| !i.forced));
    for i in inputs {
        assert_eq!(i.origin, l1(i.origin.number));
        assert_eq!(i.l1_info, l1_info(&i.origin, i.sequence_number(), &config));
    }
    // deposits only in the first block of their origin
    let counts: Vec<_> = inputs.iter().map(|i| i.deposits.len()).collect();
    assert_eq!(counts, [0, 2, 0, 1, 0, 0]);
    let d2 = &inputs[1].deposits;
    assert_eq!(d2[0].source_hash, user_deposit_source_hash(l1_hash(11), 3));
    assert_eq!(d2[1].source_hash, user_deposit_source_hash(l1_hash(11), 7));
    assert_eq!(
        (d2[0].from, d2[1].from),
        (signer(1).address(), signer(2).address())
    );
    assert_eq!((d2[0].mint, d2[0].value), (100, U256::from(50)));
    assert_eq!((d2[1].mint, d2[1].value), (200, U256::from(100)));
    assert_eq!(d2[0].to, TxKind::Call(Address::repeat_byte(0x77)));
    assert_eq!(
        (d2[0].gas_limit, &d2[0].input),
        (100_000, &Bytes::from_static(b"hi"))
    );
    assert!(!d2[0].is_system_transaction);
    assert_eq!(
        inputs[3].deposits[0].source_hash,
        user_deposit_source_hash(l1_hash(12), 0)
    );

    // the L1-info fields of one block, spelled out
    let info = inputs[3].l1_info;
    assert_eq!(
        (info.number, info.hash, info.timestamp),
        (12, l1_hash(12), l1(12).timestamp)
    );
    assert_eq!(info.base_fee, U256::from(1_000_000_012u64));
    assert_eq!(info.blob_base_fee, l1(12).blob_base_fee);
    assert_eq!(info.batcher_hash, alloy_primitives::B256::ZERO);
    assert_eq!(
        (info.base_fee_scalar, info.blob_base_fee_scalar),
        (config.base_fee_scalar, config.blob_base_fee_scalar)
    );

    // senders recovered, transactions in batch order
    let senders: Vec<Vec<_>> = inputs
        .iter()
        .map(|i| i.transactions.iter().map(|t| t.signer()).collect())
        .collect();
    let s = |i| signer(i).address();
    assert_eq!(
        senders,
        vec![
            vec![s(0)],
            vec![s(1), s(0)],
            vec![s(0)],
            vec![s(2)],
            vec![],
            vec![s(0)]
        ]
    );

    assert_eq!(
        *d.head(),
        tributary_derivation::L2Head {
            number: 6,
            hash: seq.hash,
            timestamp: l1(13).timestamp,
            origin: BlockRef {
                number: 13,
                hash: l1_hash(13)
            },
            sequence_number: 0,
        }
    );
    assert_eq!(d.l1_head(), l1(13).block_ref());
}

#[test]
fn batches_of_one_l1_block_are_derived_in_log_order() {
    let chain = config().l2_chain_id;
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    let mut seq = Sequencer::at(&genesis());
    let a = batch_data(
        0,
        &seq.batch(vec![block(l1(11).timestamp, 11, vec![tx(0, 0, chain)])]),
    );
    let b = batch_data(
        1,
        &seq.batch(vec![block(l1(11).timestamp + 1, 11, vec![tx(0, 1, chain)])]),
    );
    let c = batch_data(2, &seq.batch(vec![block(l1(12).timestamp, 12, vec![])]));

    // b before a: b starts after the next block and is skipped; a is derived
    let events = push(
        &mut d,
        &mut exec,
        l1_data(11, vec![], vec![b.clone(), a.clone()]),
    );
    assert_eq!(
        events,
        vec![
            DeriveEvent::BatchSkipped {
                batch_index: 1,
                reason: InvalidBatch::FirstBlockMismatch {
                    expected: 1,
                    first_block: 2
                },
            },
            accepted(&a),
        ]
    );
    // posted again later, b is derived, then c in the same block
    let events = push(
        &mut d,
        &mut exec,
        l1_data(12, vec![], vec![b.clone(), c.clone()]),
    );
    assert_eq!(events, vec![accepted(&b), accepted(&c)]);
    assert_eq!(d.head().number, 3);
    assert_eq!(d.head().hash, seq.hash);
}

#[test]
fn blocks_may_keep_an_old_origin_within_the_drift() {
    let chain = config().l2_chain_id;
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    let mut seq = Sequencer::at(&genesis());
    let g = genesis();
    push_empty(&mut d, &mut exec, 11, 12);
    // every block keeps origin 10, up to the drift limit
    let a = batch_data(
        0,
        &seq.batch(vec![
            block(g.timestamp, 10, vec![tx(0, 0, chain)]),
            block(g.timestamp + 600, 10, vec![]),
        ]),
    );
    assert_eq!(
        push(&mut d, &mut exec, l1_data(13, vec![], vec![a.clone()])),
        vec![accepted(&a)]
    );
    assert_eq!(
        exec.inputs
            .iter()
            .map(|i| i.sequence_number())
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(exec.inputs.iter().all(|i| i.deposits.is_empty()));
}
