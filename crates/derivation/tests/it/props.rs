//! Properties: arbitrary bytes and arbitrary mutations of a valid batch never panic, a batch
//! yields its blocks exactly when an independent check of the rules says it is valid, and an
//! invalid batch whose event range starts at the next block yields empty blocks for that range.

use alloy::{
    consensus::{Transaction, TxEnvelope, transaction::SignerRecoverable},
    eips::eip2718::Decodable2718,
};
use alloy_primitives::{B256, Bytes};
use proptest::prelude::*;
use tributary_derivation::{BatchData, DeriveEvent, L2Head, MAX_BLOCKS_PER_BATCH};
use tributary_primitives::{BatchPayload, Codec};

use crate::utils::*;

const CHAIN: u64 = tributary_primitives::chain::L2_DEVNET_CHAIN_ID;
/// The L1 block carrying the batch.
const INCLUSION: u64 = 12;

/// What derivation must do with a batch on top of `head` (no forced blocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Valid: its blocks are derived.
    Accepted,
    /// Invalid, its event range starting at the next block: empty blocks for that range.
    Filled { first_block: u64, last_block: u64 },
    /// Stale, invalid elsewhere, or too long: nothing.
    Skipped,
}

/// The rules of docs/derivation.md for a batch on top of `head` (no forced blocks), written
/// independently of the crate.
fn oracle(head: &L2Head, batch: &BatchData) -> Outcome {
    if valid(head, batch) {
        return Outcome::Accepted;
    }
    let next = head.number + 1;
    let len = batch
        .last_block
        .checked_sub(batch.first_block)
        .map(|n| n as u128 + 1);
    if batch.first_block == next && len.is_some_and(|n| n <= MAX_BLOCKS_PER_BATCH.into()) {
        Outcome::Filled {
            first_block: batch.first_block,
            last_block: batch.last_block,
        }
    } else {
        Outcome::Skipped
    }
}

/// Whether a batch on top of `head` is valid.
fn valid(head: &L2Head, batch: &BatchData) -> bool {
    let Ok(p) = BatchPayload::decode(&batch.data) else {
        return false;
    };
    let Some(last) = (p.blocks.len() as u64)
        .checked_sub(1)
        .and_then(|n| p.first_block.checked_add(n))
    else {
        return false;
    };
    if p.first_block != head.number + 1
        || p.first_block != batch.first_block
        || last != batch.last_block
    {
        return false;
    }
    if p.parent_hash != head.hash {
        return false;
    }
    let (mut ts, mut origin) = (head.timestamp, head.origin.number);
    for b in &p.blocks {
        if b.origin_number != origin && b.origin_number != origin + 1 || b.origin_number > INCLUSION
        {
            return false;
        }
        let o = l1(b.origin_number);
        if b.timestamp < ts
            || b.timestamp < o.timestamp
            || b.timestamp > o.timestamp + config().max_sequencer_drift
        {
            return false;
        }
        for raw in &b.txs {
            let Ok(tx) = TxEnvelope::decode_2718_exact(raw) else {
                return false;
            };
            if tx.is_eip4844() || tx.chain_id() != Some(CHAIN) || tx.recover_signer().is_err() {
                return false;
            }
        }
        (ts, origin) = (b.timestamp, b.origin_number);
    }
    p.last_origin_hash == l1_hash(origin)
}

fn good() -> BatchPayload {
    Sequencer::at(&genesis()).batch(vec![
        block(l1(11).timestamp, 11, vec![tx(0, 0, CHAIN)]),
        block(l1(11).timestamp + 2, 11, vec![]),
        block(l1(12).timestamp, 12, vec![tx(1, 0, CHAIN), tx(2, 0, CHAIN)]),
    ])
}

/// Derives `batch` in L1 12 after an empty L1 11; checks the outcome against the oracle.
fn check(batch: BatchData) -> Result<(), TestCaseError> {
    let head = genesis();
    let outcome = oracle(&head, &batch);
    let mut d = deriver();
    let mut exec = Recorder::new(&head);
    push(&mut d, &mut exec, l1_data(11, vec![], vec![]));
    let events = push(
        &mut d,
        &mut exec,
        l1_data(INCLUSION, vec![], vec![batch.clone()]),
    );
    match outcome {
        Outcome::Accepted => {
            prop_assert!(
                matches!(events[..], [DeriveEvent::BatchAccepted { .. }]),
                "events {:?}",
                events
            );
            let p = BatchPayload::decode(&batch.data).unwrap();
            prop_assert_eq!(exec.inputs.len(), p.blocks.len());
            for (input, b) in exec.inputs.iter().zip(&p.blocks) {
                prop_assert_eq!(
                    (input.timestamp, input.origin.number),
                    (b.timestamp, b.origin_number)
                );
                prop_assert!(!input.filled && !input.forced);
                let raw: Vec<Bytes> = input
                    .transactions
                    .iter()
                    .map(|t| alloy::eips::eip2718::Encodable2718::encoded_2718(t.inner()).into())
                    .collect();
                prop_assert_eq!(&raw, &b.txs);
            }
        }
        Outcome::Filled {
            first_block,
            last_block,
        } => {
            prop_assert!(
                matches!(
                    &events[..],
                    [DeriveEvent::BatchSkipped { reason, .. }, DeriveEvent::EmptyBlocks { first_block: f, last_block: l }]
                        if reason.fills_range() && (*f, *l) == (first_block, last_block)
                ),
                "events {:?}",
                events
            );
            prop_assert_eq!(exec.inputs.len() as u64, last_block - first_block + 1);
            for (i, input) in (1..).zip(&exec.inputs) {
                prop_assert_eq!(input.number, head.number + i);
                prop_assert_eq!(input.origin.block_ref(), head.origin);
                prop_assert_eq!(input.timestamp, head.timestamp);
                prop_assert_eq!(input.sequence_number(), head.sequence_number + i);
                prop_assert!(input.transactions.is_empty() && input.deposits.is_empty());
                prop_assert!(input.filled && !input.forced);
            }
            prop_assert_eq!(d.head().number, last_block);
        }
        Outcome::Skipped => {
            prop_assert!(
                matches!(&events[..], [DeriveEvent::BatchSkipped { reason, .. }] if batch.first_block != head.number + 1 || !reason.fills_range()),
                "events {:?}",
                events
            );
            prop_assert!(exec.inputs.is_empty());
            prop_assert_eq!(*d.head(), head);
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    // on the encoded bytes
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, u8),
    // on the payload
    FirstBlock(i8),
    ParentHash(u8),
    LastOrigin(u64),
    Timestamp(usize, i16),
    Origin(usize, i8),
    DropBlock(usize),
    DupBlock(usize),
    FlipTx(usize, usize, u8),
    DropTx(usize),
    AddTx(usize, u32, u64),
    // on the event
    EventLast(i8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..).prop_map(|(i, m)| Mutation::Flip(i, m)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (-2i8..=2).prop_map(Mutation::FirstBlock),
        any::<u8>().prop_map(Mutation::ParentHash),
        (9u64..14).prop_map(Mutation::LastOrigin),
        (0usize..3, -20i16..=20).prop_map(|(b, d)| Mutation::Timestamp(b, d)),
        (0usize..3, -2i8..=2).prop_map(|(b, d)| Mutation::Origin(b, d)),
        (0usize..3).prop_map(Mutation::DropBlock),
        (0usize..3).prop_map(Mutation::DupBlock),
        (0usize..3, any::<usize>(), 1u8..).prop_map(|(b, i, m)| Mutation::FlipTx(b, i, m)),
        (0usize..3).prop_map(Mutation::DropTx),
        (0usize..3, 0u32..3, 0u64..2).prop_map(|(b, s, c)| Mutation::AddTx(b, s, c)),
        (-2i8..=2).prop_map(Mutation::EventLast),
    ]
}

fn apply(mutations: &[Mutation]) -> BatchData {
    let mut p = good();
    let mut event_last_delta = 0i64;
    let mut byte_mutations = Vec::new();
    for m in mutations {
        let n = p.blocks.len();
        match *m {
            Mutation::FirstBlock(d) => {
                p.first_block = p.first_block.saturating_add_signed(d.into())
            }
            Mutation::ParentHash(b) => p.parent_hash = B256::repeat_byte(b),
            Mutation::LastOrigin(o) => p.last_origin_hash = l1_hash(o),
            Mutation::Timestamp(b, d) if b < n => {
                p.blocks[b].timestamp = p.blocks[b].timestamp.saturating_add_signed(d.into())
            }
            Mutation::Origin(b, d) if b < n => {
                p.blocks[b].origin_number =
                    p.blocks[b].origin_number.saturating_add_signed(d.into())
            }
            Mutation::DropBlock(b) if b < n => drop(p.blocks.remove(b)),
            Mutation::DupBlock(b) if b < n => p.blocks.insert(b, p.blocks[b].clone()),
            Mutation::FlipTx(b, i, mask) if b < n && !p.blocks[b].txs.is_empty() => {
                let mut raw = p.blocks[b].txs[0].to_vec();
                let i = i % raw.len();
                raw[i] ^= mask;
                p.blocks[b].txs[0] = raw.into();
            }
            Mutation::DropTx(b) if b < n => drop(p.blocks[b].txs.pop()),
            Mutation::AddTx(b, s, c) if b < n => {
                p.blocks[b]
                    .txs
                    .push(tx(s, 7, if c == 0 { CHAIN } else { 1 }))
            }
            Mutation::EventLast(d) => event_last_delta += i64::from(d),
            Mutation::Flip(..) | Mutation::Truncate(_) | Mutation::Insert(..) => {
                byte_mutations.push(m.clone())
            }
            _ => {}
        }
    }
    let mut batch = batch_data(0, &p);
    batch.last_block = batch.last_block.saturating_add_signed(event_last_delta);
    let mut data = batch.data.to_vec();
    for m in byte_mutations {
        match m {
            Mutation::Flip(i, mask) if !data.is_empty() => {
                let i = i % data.len();
                data[i] ^= mask;
            }
            Mutation::Truncate(len) => data.truncate(len % (data.len() + 1)),
            Mutation::Insert(i, b) => {
                let i = i % (data.len() + 1);
                data.insert(i, b);
            }
            _ => {}
        }
    }
    batch.data = data.into();
    batch
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_yield_blocks(
        header in prop_oneof![Just(vec![]), (0u8..4).prop_map(|c| vec![0, c])],
        body in proptest::collection::vec(any::<u8>(), 0..400),
        first in prop_oneof![3 => Just(1u64), 1 => 0u64..3],
        span in prop_oneof![4 => 0u64..3, 1 => MAX_BLOCKS_PER_BATCH - 2..MAX_BLOCKS_PER_BATCH + 1],
    ) {
        let data: Vec<u8> = header.into_iter().chain(body).collect();
        check(BatchData { batch_index: 0, first_block: first, last_block: first + span, data: data.into() })?;
    }

    #[test]
    fn mutated_batches_yield_blocks_exactly_when_valid(
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        check(apply(&mutations))?;
    }
}

#[test]
fn the_unmutated_batch_is_valid_and_every_codec_is_accepted() {
    assert_eq!(oracle(&genesis(), &apply(&[])), Outcome::Accepted);
    check(apply(&[])).unwrap();
    for codec in Codec::ALL {
        let p = good();
        let batch = BatchData {
            data: p.encode(codec).into(),
            ..batch_data(0, &p)
        };
        check(batch).unwrap();
    }
}
