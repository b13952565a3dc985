//! Resuming: a new deriver built from a head saved mid-chain and fed the same L1 blocks derives
//! the same remaining blocks as the one that never stopped.

use tributary_derivation::{BlockInput, Deriver, L1BlockData, L2Head};

use crate::utils::*;

const CHAIN: u64 = tributary_primitives::chain::L2_DEVNET_CHAIN_ID;
const LAST: u64 = 26;

/// L1 11..=26: batches (two in one block), deposits, and gaps that force blocks at L1 21, 22
/// (before the last batch) and 25, 26 (after it).
fn scenario() -> Vec<L1BlockData> {
    let t = |n| l1(n).timestamp;
    let mut s = Sequencer::at(&genesis());
    let mut nonce = 0;
    let mut txs = |k: u64| -> Vec<_> {
        (0..k)
            .map(|_| {
                nonce += 1;
                tx((nonce % 3) as u32, nonce / 3, CHAIN)
            })
            .collect()
    };
    let b0 = batch_data(
        0,
        &s.batch(vec![
            block(t(11), 11, txs(2)),
            block(t(11) + 1, 11, vec![]),
            block(t(12), 12, txs(1)),
        ]),
    );
    let b1 = batch_data(
        1,
        &s.batch(vec![block(t(12) + 2, 12, txs(3)), block(t(13), 13, vec![])]),
    );
    let b2 = batch_data(
        2,
        &s.batch(vec![
            block(t(13), 13, txs(1)),
            block(t(14), 14, vec![]),
            block(t(15), 15, txs(1)),
        ]),
    );
    let b3 = batch_data(3, &s.batch(vec![block(t(16), 16, txs(1))]));
    let b4 = batch_data(
        4,
        &s.batch(vec![
            block(t(16) + 1, 16, vec![]),
            block(t(16) + 2, 16, txs(2)),
        ]),
    );
    // forced at L1 21 (origin 17) and 22 (origin 18, with deposits)
    s.force();
    s.force();
    let b5 = batch_data(
        5,
        &s.batch(vec![block(t(19), 19, txs(1)), block(t(20), 20, vec![])]),
    );
    (11..=LAST)
        .map(|n| {
            let deposits = match n {
                11 => vec![deposit_log(0, 1, 10)],
                13 => vec![deposit_log(2, 2, 20), deposit_log(3, 0, 5)],
                18 => vec![deposit_log(1, 1, 7)],
                _ => vec![],
            };
            let batches = match n {
                12 => vec![b0.clone()],
                13 => vec![b1.clone()],
                15 => vec![b2.clone()],
                16 => vec![b3.clone(), b4.clone()],
                23 => vec![b5.clone()],
                _ => vec![],
            };
            l1_data(n, deposits, batches)
        })
        .collect()
}

/// The uninterrupted run: every input, and (head, inputs so far) after each L1 block.
fn full_run(blocks: &[L1BlockData]) -> (Vec<BlockInput>, Vec<(u64, L2Head, usize)>) {
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    let mut saved = Vec::new();
    for b in blocks {
        push(&mut d, &mut exec, b.clone());
        saved.push((b.info.number, *d.head(), exec.inputs.len()));
    }
    (exec.inputs, saved)
}

#[test]
fn the_scenario_covers_batches_deposits_and_forcing() {
    let (inputs, saved) = full_run(&scenario());
    assert_eq!(inputs.len(), 17);
    assert_eq!(
        inputs
            .iter()
            .filter(|i| i.forced)
            .map(|i| i.number)
            .collect::<Vec<_>>(),
        [12, 13, 16, 17]
    );
    assert_eq!(inputs.iter().map(|i| i.deposits.len()).sum::<usize>(), 4);
    assert!(inputs.windows(2).all(|w| w[1].number == w[0].number + 1));
    assert_eq!(saved.last().unwrap().1.number, 17);
}

#[test]
fn resuming_from_any_saved_head_derives_the_same_remaining_blocks() {
    let blocks = scenario();
    let (inputs, saved) = full_run(&blocks);
    let block = |n: u64| blocks[(n - 11) as usize].clone();
    for &(m, head, done) in &saved {
        let origin = head.origin.number;
        // exactly: blocks after the origin up to m were processed already
        let mut d = Deriver::new(config(), head, l1(origin)).unwrap();
        let mut exec = Recorder::new(&head);
        for n in origin + 1..=m {
            d.push_processed(&block(n)).unwrap();
        }
        for n in m + 1..=LAST {
            push(&mut d, &mut exec, block(n));
        }
        assert_eq!(exec.inputs, inputs[done..], "exact resume after L1 {m}");
        assert_eq!(*d.head(), saved.last().unwrap().1);

        // simply: every block from the origin on again (the origin itself included, when the
        // scenario has it); already derived batches are skipped as stale
        let mut d = Deriver::new(config(), head, l1(origin)).unwrap();
        let mut exec = Recorder::new(&head);
        for n in origin.max(11)..=LAST {
            for e in push(&mut d, &mut exec, block(n)) {
                if let tributary_derivation::DeriveEvent::BatchSkipped { reason, .. } = e {
                    assert!(reason.is_stale(), "{reason}");
                }
            }
        }
        assert_eq!(exec.inputs, inputs[done..], "simple resume after L1 {m}");
        assert_eq!(*d.head(), saved.last().unwrap().1);
    }
}
