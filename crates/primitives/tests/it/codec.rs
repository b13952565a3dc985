//! The batch codecs on batches of real signed transactions: every codec round-trips them, and
//! an `#[ignore]`d measurement prints L1 bytes per transaction and the time to encode/decode,
//! for choosing the codec (issue 4). Run it with
//! `cargo test --release -p tributary-primitives --test it -- --ignored --nocapture codec`.

use std::time::Instant;

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    signers::{SignerSync, local::MnemonicBuilder},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use tributary_primitives::{BatchBlock, BatchPayload, Codec};

const MNEMONIC: &str = "test test test test test test test test test test test junk";

/// `n` transactions from the ten dev accounts: transfers to fresh recipients, or ERC-20
/// `transfer(to, amount)` calls (half to fresh recipients), like the bench's workloads.
fn txs(n: usize, erc20: bool) -> Vec<Bytes> {
    let signers: Vec<_> = (0..10)
        .map(|i| MnemonicBuilder::from_phrase_nth(MNEMONIC, i))
        .collect();
    let token = Address::repeat_byte(0x70);
    (0..n)
        .map(|i| {
            let fresh = Address::from_slice(&keccak256((i as u64).to_be_bytes())[12..]);
            let (to, input, value, gas) = if erc20 {
                let holder = if i % 2 == 0 {
                    fresh
                } else {
                    signers[(i + 1) % 10].address()
                };
                let mut data = vec![0xa9, 0x05, 0x9c, 0xbb];
                data.extend(B256::left_padding_from(holder.as_slice()).0);
                data.extend(U256::from(1_000 + i).to_be_bytes::<32>());
                (token, Bytes::from(data), U256::ZERO, 60_000)
            } else {
                (fresh, Bytes::new(), U256::from(1), 21_000)
            };
            let tx = TxEip1559 {
                chain_id: 424_242,
                nonce: (i / 10) as u64,
                gas_limit: gas,
                max_fee_per_gas: 2_000_000_000,
                max_priority_fee_per_gas: 1_000_000,
                to: TxKind::Call(to),
                value,
                access_list: Default::default(),
                input,
            };
            let sig = signers[i % 10]
                .sign_hash_sync(&tx.signature_hash())
                .unwrap();
            TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
        })
        .collect()
}

/// A batch of `txs` in blocks of `per_block`.
fn batch(txs: Vec<Bytes>, per_block: usize) -> BatchPayload {
    BatchPayload {
        first_block: 1,
        parent_hash: B256::repeat_byte(0xaa),
        last_origin_hash: B256::repeat_byte(0xbb),
        blocks: txs
            .chunks(per_block)
            .enumerate()
            .map(|(i, chunk)| BatchBlock {
                timestamp: 1_700_000_000 + i as u64,
                origin_number: 100 + i as u64 / 10,
                txs: chunk.to_vec(),
            })
            .collect(),
    }
}

#[test]
fn real_batches_round_trip_through_every_codec() {
    let p = batch(txs(200, true), 50);
    for codec in Codec::ALL {
        assert_eq!(BatchPayload::decode(&p.encode(codec)).unwrap(), p);
    }
}

#[test]
#[ignore = "measurement: prints, asserts nothing about speed"]
fn measure_codecs() {
    println!("workload   txs   raw B/tx  codec   B/tx   ratio  encode ms  decode ms");
    for (name, erc20) in [("transfers", false), ("erc20", true)] {
        for n in [100, 1_000, 5_000] {
            let p = batch(txs(n, erc20), 250);
            let raw: usize = p.blocks.iter().flat_map(|b| &b.txs).map(|t| t.len()).sum();
            for codec in Codec::ALL {
                let t = Instant::now();
                let bytes = p.encode(codec);
                let encode = t.elapsed();
                let t = Instant::now();
                let back = BatchPayload::decode(&bytes).unwrap();
                let decode = t.elapsed();
                assert_eq!(back.tx_count(), n);
                println!(
                    "{name:<10} {n:>5} {:>9.1}  {:<7} {:>5.1}  {:>5.3}  {:>9.2}  {:>9.2}",
                    raw as f64 / n as f64,
                    codec.name(),
                    bytes.len() as f64 / n as f64,
                    bytes.len() as f64 / raw as f64,
                    encode.as_secs_f64() * 1e3,
                    decode.as_secs_f64() * 1e3,
                );
            }
        }
    }
}
