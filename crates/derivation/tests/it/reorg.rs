//! L1 that does not extend what was pushed is refused and changes nothing; execution errors halt;
//! a batch built on an L1 block a deep reorg removed is filled with empty blocks.

use alloy_primitives::{B256, keccak256};
use tributary_derivation::{DeriveError, DeriveEvent, Deriver, InvalidBatch, L1BlockData};

use crate::utils::*;

const CHAIN: u64 = tributary_primitives::chain::L2_DEVNET_CHAIN_ID;

fn batch_12() -> tributary_derivation::BatchData {
    batch_data(
        0,
        &Sequencer::at(&genesis()).batch(vec![
            block(l1(11).timestamp, 11, vec![tx(0, 0, CHAIN)]),
            block(l1(12).timestamp, 12, vec![]),
        ]),
    )
}

/// What a deriver that never saw the refused blocks derives from L1 12 on.
fn reference() -> Vec<tributary_derivation::BlockInput> {
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    push(&mut d, &mut exec, l1_data(11, vec![], vec![]));
    push(
        &mut d,
        &mut exec,
        l1_data(12, vec![deposit_log(0, 1, 1)], vec![batch_12()]),
    );
    exec.inputs
}

#[test]
fn a_gap_or_a_repeat_is_refused_and_changes_nothing() {
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    push(&mut d, &mut exec, l1_data(11, vec![], vec![]));
    let (head, l1_head) = (*d.head(), d.l1_head());
    for number in [13, 11, 10, 0] {
        let err = d
            .push(l1_data(number, vec![], vec![batch_12()]), &mut exec)
            .unwrap_err();
        assert!(err.is_l1());
        assert!(
            matches!(err, DeriveError::NotContiguous { expected: 12, got } if got == number),
            "{err}"
        );
        assert_eq!((*d.head(), d.l1_head()), (head, l1_head));
    }
    assert!(exec.inputs.is_empty());
    push(
        &mut d,
        &mut exec,
        l1_data(12, vec![deposit_log(0, 1, 1)], vec![batch_12()]),
    );
    assert_eq!(exec.inputs, reference());
}

#[test]
fn a_block_on_another_parent_is_a_reorg_and_changes_nothing() {
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    push(&mut d, &mut exec, l1_data(11, vec![], vec![]));
    let (head, l1_head) = (*d.head(), d.l1_head());
    let mut forked = l1_data(12, vec![deposit_log(0, 2, 9)], vec![batch_12()]);
    forked.info.parent_hash = keccak256("another 11");
    forked.info.hash = keccak256("another 12");
    let err = d.push(forked.clone(), &mut exec).unwrap_err();
    assert!(matches!(
        err,
        DeriveError::L1Reorg { number: 12, expected, parent_hash }
            if expected == l1_hash(11) && parent_hash == keccak256("another 11")
    ));
    assert!(err.is_l1());
    assert_eq!((*d.head(), d.l1_head()), (head, l1_head));
    assert!(d.push_processed(&forked).unwrap_err().is_l1());
    assert!(exec.inputs.is_empty());
    push(
        &mut d,
        &mut exec,
        l1_data(12, vec![deposit_log(0, 1, 1)], vec![batch_12()]),
    );
    assert_eq!(exec.inputs, reference());
}

#[test]
fn the_origin_must_be_the_heads() {
    let err = Deriver::new(config(), genesis(), l1(11)).unwrap_err();
    assert!(matches!(
        err,
        DeriveError::HeadOriginMismatch {
            head_number: 10,
            number: 11,
            ..
        }
    ));
    let mut other = l1(10);
    other.hash = B256::repeat_byte(1);
    assert!(Deriver::new(config(), genesis(), other).is_err());
}

#[test]
fn the_heads_origin_may_be_pushed_again_first_only() {
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    assert!(push(&mut d, &mut exec, L1BlockData::empty(l1(10))).is_empty());
    assert_eq!(d.l1_head(), l1(10).block_ref());
    let err = d.push(L1BlockData::empty(l1(10)), &mut exec).unwrap_err();
    assert!(matches!(
        err,
        DeriveError::NotContiguous {
            expected: 11,
            got: 10
        }
    ));
    push(&mut d, &mut exec, l1_data(11, vec![], vec![]));
    push(
        &mut d,
        &mut exec,
        l1_data(12, vec![deposit_log(0, 1, 1)], vec![batch_12()]),
    );
    assert_eq!(exec.inputs, reference());
}

#[test]
fn an_execution_error_halts_at_the_last_executed_block() {
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    exec.fail_at = Some(2);
    push(&mut d, &mut exec, l1_data(11, vec![], vec![]));
    let err = d
        .push(l1_data(12, vec![], vec![batch_12()]), &mut exec)
        .unwrap_err();
    assert!(matches!(
        err,
        DeriveError::Execute {
            number: 2,
            source: ExecFailed(2)
        }
    ));
    assert!(!err.is_l1());
    assert_eq!(d.head().number, 1);
    assert_eq!(d.head().hash, exec.parent);
    let err = d.push(l1_data(13, vec![], vec![]), &mut exec).unwrap_err();
    assert!(matches!(err, DeriveError::Halted));
    assert_eq!(
        err.to_string(),
        "derivation halted after an execution error"
    );
}

#[test]
fn a_batch_built_on_a_reorged_out_origin_is_filled_and_the_chain_goes_on() {
    // blocks 1 (origin 11) and 2 (origin 12), batched in L1 12
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    let mut seq = Sequencer::at(&genesis());
    let a = batch_data(
        0,
        &seq.batch(vec![
            block(l1(11).timestamp, 11, vec![tx(0, 0, CHAIN)]),
            block(l1(12).timestamp, 12, vec![]),
        ]),
    );
    push(&mut d, &mut exec, l1_data(11, vec![], vec![]));
    assert_eq!(
        push(&mut d, &mut exec, l1_data(12, vec![], vec![a.clone()])),
        [accepted(&a)]
    );
    let after_a = *d.head();

    // the sequencer built blocks 3 and 4 on an L1 block 13 that a deep reorg removed; the batch,
    // still in the mempool, lands on the new branch (the Rollup only checks its range)
    let lost_13 = keccak256("reorged-out L1 13");
    let mut lost = seq.batch(vec![
        block(l1(13).timestamp + 1, 13, vec![tx(0, 1, CHAIN)]),
        block(l1(13).timestamp + 2, 13, vec![]),
    ]);
    lost.last_origin_hash = lost_13;
    let b = batch_data(1, &lost);
    push(
        &mut d,
        &mut exec,
        l1_data(13, vec![deposit_log(0, 1, 5)], vec![]),
    );
    assert_eq!(
        push(&mut d, &mut exec, l1_data(14, vec![], vec![b])),
        [
            DeriveEvent::BatchSkipped {
                batch_index: 1,
                reason: InvalidBatch::LastOriginHashMismatch {
                    expected: l1_hash(13),
                    got: lost_13,
                },
            },
            DeriveEvent::EmptyBlocks {
                first_block: 3,
                last_block: 4
            },
        ]
    );
    // its range is consumed by empty blocks on the last good block: origin 12, no deposits yet
    assert_eq!(exec.inputs.len(), 4);
    assert_filled(&exec.inputs[2..], &after_a);
    assert_eq!(d.head().number, 4);

    // the restarted sequencer continues after the filled range, as the Rollup's nextBlock (5)
    // says: block 5 takes origin 13 with its deposit
    let mut seq = Sequencer::at(&after_a);
    seq.fill(2);
    assert_eq!(seq.hash, d.head().hash);
    let c = batch_data(
        2,
        &seq.batch(vec![block(l1(13).timestamp + 3, 13, vec![tx(0, 1, CHAIN)])]),
    );
    assert_eq!(
        push(&mut d, &mut exec, l1_data(15, vec![], vec![c.clone()])),
        [accepted(&c)]
    );
    let five = &exec.inputs[4];
    assert_eq!((five.number, five.origin.number), (5, 13));
    assert_eq!(five.sequence_number(), 0);
    assert_eq!(five.deposits.len(), 1);
    assert_eq!(five.transactions[0].signer(), signer(0).address());
    assert!(!five.filled);
    assert_eq!((d.head().number, d.head().hash), (5, seq.hash));
}
