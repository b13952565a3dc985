//! Forced inclusion: an L1 block that leaves the sequencing window without becoming an origin
//! gets a deposit-only block; later batches may re-cover forced blocks only with their content.

use alloy_primitives::B256;
use tributary_derivation::{DeriveEvent, InvalidBatch, L1BlockData, l1_info};
use tributary_primitives::{BatchPayload, l1_info::user_deposit_source_hash};

use crate::utils::*;

const CHAIN: u64 = tributary_primitives::chain::L2_DEVNET_CHAIN_ID;

/// Genesis origin 10, window 4, deposits in L1 11 and 12, no batch up to L1 17: blocks 1, 2, 3
/// are forced at L1 15, 16, 17 with origins 11, 12, 13.
fn forced_three() -> (tributary_derivation::Deriver, Recorder) {
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    let deposits_11 = vec![deposit_log(2, 1, 10), deposit_log(5, 2, 20)];
    assert!(push(&mut d, &mut exec, l1_data(11, deposits_11, vec![])).is_empty());
    assert!(
        push(
            &mut d,
            &mut exec,
            l1_data(12, vec![deposit_log(0, 3, 30)], vec![])
        )
        .is_empty()
    );
    // 10 + 4 < 14 is false: nothing yet
    assert!(push_empty(&mut d, &mut exec, 13, 14).is_empty());
    for (l1_number, l2_number) in [(15, 1), (16, 2), (17, 3)] {
        assert_eq!(
            push_empty(&mut d, &mut exec, l1_number, l1_number),
            vec![DeriveEvent::ForcedBlocks {
                first_block: l2_number,
                last_block: l2_number
            }]
        );
    }
    (d, exec)
}

#[test]
fn an_origin_leaving_the_window_is_forced_with_its_deposits() {
    let (d, exec) = forced_three();
    let config = config();
    let g = genesis();
    let inputs = &exec.inputs;
    assert_eq!(inputs.len(), 3);
    for (i, input) in inputs.iter().enumerate() {
        let origin = 11 + i as u64;
        assert_eq!(input.number, 1 + i as u64);
        assert!(input.forced && input.transactions.is_empty());
        assert_eq!(input.origin, l1(origin));
        assert_eq!(input.timestamp, g.timestamp.max(l1(origin).timestamp));
        assert_eq!(input.l1_info, l1_info(&l1(origin), 0, &config));
    }
    assert_eq!(
        inputs[0]
            .deposits
            .iter()
            .map(|t| t.source_hash)
            .collect::<Vec<_>>(),
        [
            user_deposit_source_hash(l1_hash(11), 2),
            user_deposit_source_hash(l1_hash(11), 5)
        ]
    );
    assert_eq!(inputs[1].deposits.len(), 1);
    assert_eq!(inputs[1].deposits[0].mint, 30);
    assert!(inputs[2].deposits.is_empty());
    let mut seq = Sequencer::at(&g);
    (0..3).for_each(|_| drop(seq.force()));
    assert_eq!(
        (d.head().number, d.head().hash, d.head().origin.number),
        (3, seq.hash, 13)
    );
    assert_eq!(d.head().sequence_number, 0);
}

#[test]
fn a_batch_re_covering_forced_blocks_with_their_content_is_accepted() {
    let (mut d, mut exec) = forced_three();
    let g = genesis();
    let mut seq = Sequencer::at(&g);
    let forced: Vec<_> = (0..3).map(|_| seq.force()).collect();
    let hash_1 = {
        let mut s = Sequencer::at(&g);
        s.force();
        s.hash
    };
    let new = vec![
        block(l1(14).timestamp, 14, vec![tx(0, 0, CHAIN)]),
        block(l1(14).timestamp + 1, 14, vec![]),
    ];
    let recover = |first: usize, parent_hash: B256, blocks: Vec<_>| BatchPayload {
        first_block: 1 + first as u64,
        parent_hash,
        last_origin_hash: l1_hash(14),
        blocks: forced[first..].iter().cloned().chain(blocks).collect(),
    };

    // contradicting: another timestamp, a transaction, a wrong parent
    let mut other_time = recover(0, g.hash, new.clone());
    other_time.blocks[0].timestamp += 1;
    let mut with_tx = recover(0, g.hash, new.clone());
    with_tx.blocks[1].txs.push(tx(1, 0, CHAIN));
    let mut other_origin = recover(0, g.hash, new.clone());
    other_origin.blocks[2].origin_number = 12;
    let wrong_parent = recover(1, g.hash, new.clone());
    // all forced: nothing new
    let only_forced = BatchPayload {
        last_origin_hash: l1_hash(13),
        ..recover(0, g.hash, vec![])
    };
    // valid: from block 2 (inside the forced run) on, then the new blocks
    let good = recover(1, hash_1, new.clone());

    let batches: Vec<_> = [
        other_time,
        with_tx,
        other_origin,
        wrong_parent,
        only_forced,
        good,
    ]
    .iter()
    .enumerate()
    .map(|(i, p)| batch_data(i as u64, p))
    .collect();
    let events = push(
        &mut d,
        &mut exec,
        L1BlockData {
            batches: batches.clone(),
            ..l1_data(18, vec![], vec![])
        },
    );
    let skip = |batch_index, reason| DeriveEvent::BatchSkipped {
        batch_index,
        reason,
    };
    assert_eq!(
        events,
        vec![
            skip(0, InvalidBatch::ContradictsForcedBlock { number: 1 }),
            skip(1, InvalidBatch::ContradictsForcedBlock { number: 2 }),
            skip(2, InvalidBatch::ContradictsForcedBlock { number: 3 }),
            skip(
                3,
                InvalidBatch::ParentHashMismatch {
                    expected: hash_1,
                    got: g.hash
                }
            ),
            skip(
                4,
                InvalidBatch::Stale {
                    first_block: 1,
                    last_block: 3,
                    head: 3
                }
            ),
            accepted(&batches[5]),
        ]
    );
    // only the new blocks are executed, on top of the forced ones
    assert_eq!(exec.inputs.len(), 5);
    assert_eq!(exec.inputs[3].number, 4);
    assert!(!exec.inputs[3].forced);
    assert_eq!(exec.inputs[3].transactions[0].signer(), signer(0).address());
    assert_eq!(exec.inputs[3].sequence_number(), 0);
    assert_eq!(exec.inputs[4].sequence_number(), 1);
    new.iter().for_each(|b| seq.append(b));
    assert_eq!(d.head().hash, seq.hash);

    // once a batch moved the head, the forced blocks can no longer be re-covered
    let t = l1(14).timestamp;
    let late = batch_data(
        9,
        &recover(
            0,
            g.hash,
            vec![
                block(t, 14, vec![]),
                block(t, 14, vec![]),
                block(t, 14, vec![]),
            ],
        ),
    );
    let events = push(&mut d, &mut exec, l1_data(19, vec![], vec![late]));
    assert_eq!(
        events,
        vec![
            skip(
                9,
                InvalidBatch::OverlapsDerived {
                    first_block: 1,
                    head: 5
                }
            ),
            DeriveEvent::ForcedBlocks {
                first_block: 6,
                last_block: 6
            },
        ]
    );
}

#[test]
fn a_batch_may_continue_after_forced_blocks() {
    let (mut d, mut exec) = forced_three();
    let mut seq = Sequencer::at(&genesis());
    (0..3).for_each(|_| drop(seq.force()));
    let next = batch_data(
        0,
        &seq.batch(vec![block(l1(13).timestamp + 1, 13, vec![tx(0, 0, CHAIN)])]),
    );
    assert_eq!(
        push(&mut d, &mut exec, l1_data(18, vec![], vec![next.clone()])),
        vec![
            accepted(&next),
            // the head's origin is still 13 and 13 + 4 < 18: block 14 is forced after the batch
            DeriveEvent::ForcedBlocks {
                first_block: 5,
                last_block: 5
            },
        ]
    );
    assert_eq!(exec.inputs[3].sequence_number(), 1);
    assert_eq!(exec.inputs[4].origin.number, 14);
    assert!(exec.inputs[4].forced);
}

#[test]
fn a_lagging_head_is_forced_block_by_block_in_one_push() {
    // a deriver that resumes with L1 blocks already processed (no forcing), then a new one
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    for n in 11..=16 {
        d.push_processed(&l1_data(n, vec![deposit_log(n, 0, n)], vec![]))
            .unwrap();
    }
    assert!(exec.inputs.is_empty());
    let events = push_empty(&mut d, &mut exec, 17, 17);
    // origins 11, 12, 13 left the window (o + 4 < 17)
    assert_eq!(
        events,
        vec![DeriveEvent::ForcedBlocks {
            first_block: 1,
            last_block: 3
        }]
    );
    assert_eq!(
        exec.inputs
            .iter()
            .map(|i| i.origin.number)
            .collect::<Vec<_>>(),
        [11, 12, 13]
    );
    assert_eq!(
        exec.inputs
            .iter()
            .map(|i| i.deposits[0].source_hash)
            .collect::<Vec<_>>(),
        [11, 12, 13].map(|n| user_deposit_source_hash(l1_hash(n), n))
    );
}

#[test]
fn an_invalid_batch_after_forced_blocks_is_filled_and_makes_them_final() {
    let (mut d, mut exec) = forced_three();
    let after_forced = *d.head();
    // starts at the next block (4) but does not decode: blocks 4 and 5 are filled
    let garbage = tributary_derivation::BatchData {
        batch_index: 0,
        first_block: 4,
        last_block: 5,
        data: vec![0, 0, 0xde, 0xad].into(),
    };
    // an invalid batch over the forced blocks (a wrong parent) is skipped without filling: its
    // range is not where the derived chain stands
    let mut seq = Sequencer::at(&genesis());
    let forced: Vec<_> = (0..3).map(|_| seq.force()).collect();
    let over = BatchPayload {
        first_block: 1,
        parent_hash: B256::repeat_byte(7),
        last_origin_hash: l1_hash(13),
        blocks: forced.clone(),
    };
    let mut over_and_new = over.clone();
    over_and_new
        .blocks
        .push(block(l1(13).timestamp, 13, vec![]));
    let over_and_new = batch_data(1, &over_and_new);
    let events = push(
        &mut d,
        &mut exec,
        l1_data(18, vec![], vec![over_and_new, garbage]),
    );
    let [
        DeriveEvent::BatchSkipped {
            batch_index: 1,
            reason: InvalidBatch::ParentHashMismatch { .. },
        },
        DeriveEvent::BatchSkipped {
            batch_index: 0,
            reason: InvalidBatch::Decode(_),
        },
        DeriveEvent::EmptyBlocks {
            first_block: 4,
            last_block: 5,
        },
        // origin 13 + 4 < 18: the next origin is still forced after the filled blocks
        DeriveEvent::ForcedBlocks {
            first_block: 6,
            last_block: 6,
        },
    ] = &events[..]
    else {
        panic!("unexpected events {events:?}");
    };
    assert_filled(&exec.inputs[3..5], &after_forced);
    assert!(exec.inputs[5].forced && !exec.inputs[5].filled);
    // the filled blocks made the forced blocks 1..=3 final: re-covering them is refused
    let mut late = BatchPayload {
        parent_hash: genesis().hash,
        ..over
    };
    late.blocks.extend([
        block(l1(13).timestamp, 13, vec![]),
        block(l1(13).timestamp, 13, vec![]),
        block(l1(14).timestamp, 14, vec![]),
        block(l1(14).timestamp, 14, vec![]),
    ]);
    late.last_origin_hash = l1_hash(14);
    let events = push(
        &mut d,
        &mut exec,
        l1_data(19, vec![], vec![batch_data(2, &late)]),
    );
    assert_eq!(
        events,
        [
            DeriveEvent::BatchSkipped {
                batch_index: 2,
                reason: InvalidBatch::OverlapsDerived {
                    first_block: 1,
                    head: 6
                },
            },
            // skipped without filling; origin 14 + 4 < 19: one more forced block
            DeriveEvent::ForcedBlocks {
                first_block: 7,
                last_block: 7
            },
        ]
    );
    assert_eq!(exec.inputs.len(), 7);
}
