//! Every batch rule: a batch breaking it is skipped whole with that reason; when its event range
//! starts at the next block, the range is filled with empty blocks (docs/derivation.md,
//! "Derivation rules" 1), and the valid batch after it (same L1 block) starts after the filled
//! range.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEip4844, TxEnvelope},
    eips::eip2718::Encodable2718,
    signers::SignerSync,
};
use alloy_primitives::{B256, Bytes, Signature, TxKind, U256};
use op_alloy_consensus::TxDeposit;
use tributary_derivation::{BatchData, DeriveEvent, InvalidBatch, MAX_BLOCKS_PER_BATCH};
use tributary_primitives::{
    BatchCodecError, BatchPayload, Codec, batch_codec::MAX_BATCH_DECOMPRESSED,
};

use crate::utils::*;

const CHAIN: u64 = tributary_primitives::chain::L2_DEVNET_CHAIN_ID;

/// The blocks of the valid batch posted in L1 12: origin 11, then origin 12.
fn good_blocks() -> Vec<tributary_primitives::BatchBlock> {
    vec![
        block(l1(11).timestamp, 11, vec![tx(0, 0, CHAIN)]),
        block(
            l1(12).timestamp + 1,
            12,
            vec![tx(1, 0, CHAIN), tx(0, 1, CHAIN)],
        ),
    ]
}

/// The valid batch on top of genesis: blocks 1 (origin 11) and 2 (origin 12).
fn good() -> BatchPayload {
    Sequencer::at(&genesis()).batch(good_blocks())
}

/// Pushes L1 11 (empty) and L1 12 carrying `[bad, next]`; checks `bad` is skipped with a reason
/// `check` accepts, its range is filled with empty blocks when it starts at block 1 (the next
/// block; every range here is far below [`MAX_BLOCKS_PER_BATCH`] unless said otherwise), and
/// `next` (the good blocks, after the filled range) is derived exactly.
fn skipped_with(bad: BatchData, check: impl Fn(&InvalidBatch) -> bool) {
    let filled = if bad.first_block == 1 && bad.last_block - bad.first_block < MAX_BLOCKS_PER_BATCH
    {
        bad.last_block
    } else {
        0
    };
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    let mut seq = Sequencer::at(&genesis());
    seq.fill(filled);
    let next = batch_data(1, &seq.batch(good_blocks()));
    push(&mut d, &mut exec, l1_data(11, vec![], vec![]));
    let events = push(
        &mut d,
        &mut exec,
        l1_data(12, vec![], vec![bad, next.clone()]),
    );
    let (reason, rest) = match &events[..] {
        [
            DeriveEvent::BatchSkipped {
                batch_index: 0,
                reason,
            },
            rest @ ..,
        ] => (reason, rest),
        _ => panic!("unexpected events {events:?}"),
    };
    assert!(check(reason), "unexpected reason: {reason}");
    assert!(reason.fills_range() || filled == 0);
    let empty = DeriveEvent::EmptyBlocks {
        first_block: 1,
        last_block: filled,
    };
    if filled > 0 {
        assert_eq!(rest, [empty, accepted(&next)]);
    } else {
        assert_eq!(rest, [accepted(&next)]);
    }
    assert_eq!(exec.inputs.len() as u64, filled + 2);
    assert_filled(&exec.inputs[..filled as usize], &genesis());
    assert!(exec.inputs[filled as usize..].iter().all(|i| !i.filled));
    assert_eq!(exec.inputs[filled as usize].number, filled + 1);
    assert_eq!((d.head().number, d.head().hash), (filled + 2, seq.hash));
}

fn skipped(bad: BatchData, want: InvalidBatch) {
    skipped_with(bad, |r| *r == want);
}

/// `good()` changed by `f`, posted with the event range of its own blocks.
fn mutated(f: impl FnOnce(&mut BatchPayload)) -> BatchData {
    let mut p = good();
    f(&mut p);
    batch_data(0, &p)
}

/// `good()` with the transactions of block `block` replaced.
fn with_txs(block: usize, txs: Vec<Bytes>) -> BatchData {
    mutated(|p| p.blocks[block].txs = txs)
}

fn raw(data: Vec<u8>) -> BatchData {
    BatchData {
        batch_index: 0,
        first_block: 1,
        last_block: 2,
        data: data.into(),
    }
}

#[test]
fn garbage_truncated_and_unknown_formats_are_skipped() {
    let encoded = good().encode(Codec::DEFAULT);
    skipped(
        raw(vec![]),
        InvalidBatch::Decode(BatchCodecError::Truncated { len: 0 }),
    );
    skipped(
        raw(vec![0]),
        InvalidBatch::Decode(BatchCodecError::Truncated { len: 1 }),
    );
    skipped(
        raw(vec![1, 3, 0xde, 0xad]),
        InvalidBatch::Decode(BatchCodecError::UnknownVersion(1)),
    );
    skipped(
        raw(vec![0, 9, 0xde, 0xad]),
        InvalidBatch::Decode(BatchCodecError::UnknownCodec(9)),
    );
    skipped_with(raw(encoded[..encoded.len() / 2].to_vec()), |r| {
        matches!(r, InvalidBatch::Decode(_))
    });
    for codec in Codec::ALL {
        let mut garbage = vec![0, codec as u8];
        garbage.extend([0x55; 200]);
        skipped_with(raw(garbage), |r| matches!(r, InvalidBatch::Decode(_)));
        // every codec's stream, cut short
        let mut cut = good().encode(codec);
        cut.truncate(cut.len() - 1);
        skipped_with(raw(cut), |r| matches!(r, InvalidBatch::Decode(_)));
    }
}

fn good_payload_with_no_blocks() -> BatchPayload {
    BatchPayload {
        blocks: vec![],
        ..good()
    }
}

#[test]
fn a_zip_bomb_is_skipped() {
    // one "transaction" of more zero bytes than the cap: compresses to a few KiB
    let bomb = BatchPayload {
        blocks: vec![block(
            l1(11).timestamp,
            11,
            vec![vec![0u8; MAX_BATCH_DECOMPRESSED + 1].into()],
        )],
        ..good()
    }
    .encode(Codec::DEFAULT);
    assert!(bomb.len() < 1024 * 1024);
    skipped(
        BatchData {
            batch_index: 0,
            first_block: 1,
            last_block: 1,
            data: bomb.into(),
        },
        InvalidBatch::Decode(BatchCodecError::TooLarge {
            limit: MAX_BATCH_DECOMPRESSED,
        }),
    );
}

#[test]
fn an_empty_batch_is_skipped() {
    skipped(
        BatchData {
            batch_index: 0,
            first_block: 1,
            last_block: 1,
            data: good_payload_with_no_blocks().encode(Codec::DEFAULT).into(),
        },
        InvalidBatch::Empty,
    );
}

#[test]
fn a_range_other_than_the_events_is_skipped() {
    let data: Bytes = good().encode(Codec::DEFAULT).into();
    skipped(
        BatchData {
            batch_index: 0,
            first_block: 1,
            last_block: 3,
            data: data.clone(),
        },
        InvalidBatch::RangeMismatch {
            event_first: 1,
            event_last: 3,
            payload_first: 1,
            payload_blocks: 2,
        },
    );
    skipped(
        BatchData {
            batch_index: 0,
            first_block: 1,
            last_block: 1,
            data,
        },
        InvalidBatch::RangeMismatch {
            event_first: 1,
            event_last: 1,
            payload_first: 1,
            payload_blocks: 2,
        },
    );
    let mut p = good();
    p.first_block = 2;
    skipped(
        BatchData {
            batch_index: 0,
            first_block: 1,
            last_block: 2,
            data: p.encode(Codec::DEFAULT).into(),
        },
        InvalidBatch::RangeMismatch {
            event_first: 1,
            event_last: 2,
            payload_first: 2,
            payload_blocks: 2,
        },
    );
}

#[test]
fn a_range_longer_than_the_bound_is_skipped_without_filling() {
    let data: Bytes = good().encode(Codec::DEFAULT).into();
    // the longest range: filled (3,600 empty blocks), the good batch after it
    skipped(
        BatchData {
            batch_index: 0,
            first_block: 1,
            last_block: MAX_BLOCKS_PER_BATCH,
            data: data.clone(),
        },
        InvalidBatch::RangeMismatch {
            event_first: 1,
            event_last: MAX_BLOCKS_PER_BATCH,
            payload_first: 1,
            payload_blocks: 2,
        },
    );
    // one more (the Rollup reverts it): not filled, whatever the data
    for last_block in [MAX_BLOCKS_PER_BATCH + 1, u64::MAX] {
        let reason = InvalidBatch::RangeTooLong {
            first_block: 1,
            last_block,
        };
        assert!(!reason.fills_range());
        skipped(
            BatchData {
                batch_index: 0,
                first_block: 1,
                last_block,
                data: data.clone(),
            },
            reason,
        );
    }
}

#[test]
fn a_batch_after_the_next_block_is_skipped() {
    skipped(
        mutated(|p| p.first_block = 2),
        InvalidBatch::FirstBlockMismatch {
            expected: 1,
            first_block: 2,
        },
    );
}

#[test]
fn a_wrong_parent_hash_is_skipped() {
    skipped(
        mutated(|p| p.parent_hash = B256::repeat_byte(1)),
        InvalidBatch::ParentHashMismatch {
            expected: genesis().hash,
            got: B256::repeat_byte(1),
        },
    );
}

#[test]
fn origins_must_advance_by_at_most_one() {
    skipped(
        mutated(|p| {
            p.blocks[0].origin_number = 12;
            p.blocks[0].timestamp = l1(12).timestamp;
        }),
        InvalidBatch::OriginNotContiguous {
            number: 1,
            origin: 12,
            parent_origin: 10,
        },
    );
    skipped(
        mutated(|p| p.blocks[1].origin_number = 10),
        InvalidBatch::OriginNotContiguous {
            number: 2,
            origin: 10,
            parent_origin: 11,
        },
    );
}

#[test]
fn an_origin_after_the_inclusion_block_is_skipped() {
    skipped(
        mutated(|p| {
            p.blocks.push(block(l1(13).timestamp, 13, vec![]));
            p.last_origin_hash = l1_hash(13);
        }),
        InvalidBatch::OriginAfterInclusion {
            number: 3,
            origin: 13,
            inclusion: 12,
        },
    );
}

#[test]
fn timestamps_follow_the_parent_and_the_origin() {
    let t11 = l1(11).timestamp;
    let t12 = l1(12).timestamp;
    skipped(
        mutated(|p| p.blocks[0].timestamp = t11 - 1),
        InvalidBatch::TimestampBeforeOrigin {
            number: 1,
            timestamp: t11 - 1,
            origin_timestamp: t11,
        },
    );
    skipped(
        mutated(|p| {
            p.blocks[0].timestamp = t12 + 5;
            p.blocks[1].timestamp = t12;
        }),
        InvalidBatch::TimestampBeforeParent {
            number: 2,
            timestamp: t12,
            parent_timestamp: t12 + 5,
        },
    );
    skipped(
        mutated(|p| p.blocks[1].timestamp = t12 + 601),
        InvalidBatch::TimestampDrift {
            number: 2,
            timestamp: t12 + 601,
            max: t12 + 600,
        },
    );
}

#[test]
fn a_batch_built_on_another_l1_origin_is_skipped() {
    // the sequencer saw another L1 block 12 (reorged out): the last origin hash gives it away
    let other = B256::repeat_byte(0x12);
    skipped(
        mutated(|p| p.last_origin_hash = other),
        InvalidBatch::LastOriginHashMismatch {
            expected: l1_hash(12),
            got: other,
        },
    );
}

#[test]
fn undecodable_transactions_are_skipped() {
    let mut trailing = tx(0, 0, CHAIN).to_vec();
    trailing.push(0);
    for bad in [
        vec![],
        vec![0x02, 0xc0],
        vec![0x05, 0xc0],
        trailing,
        vec![0xc0],
    ] {
        skipped_with(with_txs(0, vec![bad.into()]), |r| {
            matches!(
                r,
                InvalidBatch::TxDecode {
                    number: 1,
                    index: 0,
                    ..
                }
            )
        });
    }
    // the first bad transaction decides, even after good ones
    skipped_with(
        with_txs(1, vec![tx(1, 0, CHAIN), Bytes::from_static(&[0x02])]),
        |r| {
            matches!(
                r,
                InvalidBatch::TxDecode {
                    number: 2,
                    index: 1,
                    ..
                }
            )
        },
    );
}

#[test]
fn deposits_in_a_batch_are_skipped() {
    let deposit = TxDeposit {
        source_hash: B256::repeat_byte(9),
        from: signer(0).address(),
        to: TxKind::Call(signer(1).address()),
        mint: 1,
        value: U256::ZERO,
        gas_limit: 21_000,
        is_system_transaction: false,
        input: Bytes::new(),
    };
    skipped(
        with_txs(0, vec![deposit.encoded_2718().into()]),
        InvalidBatch::DepositTx {
            number: 1,
            index: 0,
        },
    );
}

#[test]
fn blob_transactions_are_skipped() {
    let blob = TxEip4844 {
        chain_id: CHAIN,
        gas_limit: 21_000,
        max_fee_per_gas: 2_000_000_000,
        max_fee_per_blob_gas: 1,
        blob_versioned_hashes: vec![B256::with_last_byte(1)],
        ..Default::default()
    };
    let sig = signer(0).sign_hash_sync(&blob.signature_hash()).unwrap();
    let raw = TxEnvelope::from(blob.into_signed(sig)).encoded_2718();
    skipped(
        with_txs(0, vec![raw.into()]),
        InvalidBatch::BlobTx {
            number: 1,
            index: 0,
        },
    );
}

#[test]
fn chain_ids_must_be_the_l2s() {
    skipped(
        with_txs(0, vec![legacy_tx(None)]),
        InvalidBatch::UnprotectedTx {
            number: 1,
            index: 0,
        },
    );
    skipped(
        with_txs(1, vec![tx(1, 0, CHAIN), tx(0, 1, 1)]),
        InvalidBatch::WrongChainId {
            number: 2,
            index: 1,
            chain_id: 1,
            expected: CHAIN,
        },
    );
    skipped(
        with_txs(0, vec![legacy_tx(Some(31337))]),
        InvalidBatch::WrongChainId {
            number: 1,
            index: 0,
            chain_id: 31337,
            expected: CHAIN,
        },
    );
}

#[test]
fn bad_signatures_are_skipped() {
    let unsigned = TxEip1559 {
        chain_id: CHAIN,
        gas_limit: 21_000,
        max_fee_per_gas: 2_000_000_000,
        to: TxKind::Call(signer(1).address()),
        ..Default::default()
    };
    let good_sig = signer(0)
        .sign_hash_sync(&unsigned.signature_hash())
        .unwrap();
    // secp256k1 group order: the high-s twin of a valid signature is refused (EIP-2)
    let n = U256::from_str_radix(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )
    .unwrap();
    let high_s = Signature::new(good_sig.r(), n - good_sig.s(), !good_sig.v());
    let zero_r = Signature::new(U256::ZERO, good_sig.s(), good_sig.v());
    for sig in [high_s, zero_r] {
        let raw = TxEnvelope::from(unsigned.clone().into_signed(sig)).encoded_2718();
        skipped(
            with_txs(0, vec![raw.into()]),
            InvalidBatch::BadSignature {
                number: 1,
                index: 0,
            },
        );
    }
}

#[test]
fn stale_and_overlapping_batches_are_skipped() {
    let mut d = deriver();
    let mut exec = Recorder::new(&genesis());
    let mut seq = Sequencer::at(&genesis());
    let a = batch_data(0, &seq.batch(good().blocks));
    push(&mut d, &mut exec, l1_data(11, vec![], vec![]));
    push(&mut d, &mut exec, l1_data(12, vec![], vec![a.clone()]));
    // the same batch again (a duplicate, or a re-fed L1 block)
    let mut again = a.clone();
    again.batch_index = 1;
    // a batch starting inside the derived blocks, over blocks that were not forced
    let mut tail = Sequencer::at(&genesis());
    tail.append(&good().blocks[0]);
    let overlap = batch_data(
        2,
        &tail.batch(vec![
            good().blocks[1].clone(),
            block(l1(13).timestamp, 13, vec![]),
        ]),
    );
    let next = batch_data(
        3,
        &seq.batch(vec![block(l1(13).timestamp, 13, vec![tx(0, 2, CHAIN)])]),
    );
    let events = push(
        &mut d,
        &mut exec,
        l1_data(13, vec![], vec![again, overlap, next.clone()]),
    );
    assert_eq!(
        events,
        vec![
            DeriveEvent::BatchSkipped {
                batch_index: 1,
                reason: InvalidBatch::Stale {
                    first_block: 1,
                    last_block: 2,
                    head: 2
                },
            },
            DeriveEvent::BatchSkipped {
                batch_index: 2,
                reason: InvalidBatch::OverlapsDerived {
                    first_block: 2,
                    head: 2
                },
            },
            accepted(&next),
        ]
    );
    assert!(matches!(&events[0], DeriveEvent::BatchSkipped { reason, .. } if reason.is_stale()));
    assert_eq!(exec.inputs.len(), 3);
    assert_eq!(d.head().hash, seq.hash);
}
