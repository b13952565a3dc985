//! The versioned batch codec: L2 blocks ⇄ the bytes posted to L1 (docs/derivation.md,
//! "Batches").
//!
//! ```text
//! batch   = version: u8 (0x00) ‖ codec: u8 ‖ compressed(rlp(payload))
//! payload = [first_block, parent_hash, last_origin_hash, [[timestamp, origin_number, [tx, …]], …]]
//! ```
//!
//! The batcher encodes; derivation (sequencer recovery, the prover) decodes, so decoding treats
//! its input as hostile: unknown versions and codecs, truncated or corrupt streams, trailing
//! bytes and decompression bombs (more than [`MAX_BATCH_DECOMPRESSED`] bytes) are typed errors,
//! never panics or unbounded allocations.
//!
//! Three codecs are supported so the choice can be measured on real batches (issue 4): zlib
//! (deflate, OP Stack's original channel compression), brotli (OP's Fjord choice) and zstd.
//!
//! # Measured (`tests/it/codec.rs`, `measure_codecs`, release, 2-core dev VM, one run)
//!
//! L1 bytes per transaction, batches of signed EIP-1559 transactions from ten senders (blocks
//! of 250), and the time to encode / decode a batch of 5,000:
//!
//! | workload (raw B/tx) | txs | zlib-9 | brotli-11 | zstd-19 | encode 5k: zlib / brotli / zstd | decode 5k |
//! |---|---|---|---|---|---|---|
//! | transfers to fresh addresses (111) | 100 / 1k / 5k | 90.5 / 89.8 / 89.7 | 88.4 / 87.4 / 87.4 | 88.5 / 87.5 / 87.6 | 52 / 654 / 100 ms | 2.1 / 4.2 / 0.6 ms |
//! | ERC-20 transfers, half to holders (180) | 100 / 1k / 5k | 85.7 / 83.8 / 83.7 | 82.0 / 80.0 / 79.7 | 82.2 / 80.4 / 80.6 | 76 / 1,645 / 335 ms | 1.9 / 4.1 / 0.6 ms |
//!
//! Signatures (65 random bytes per transaction) bound every codec. brotli and zstd are within
//! 1 % of each other and 2–5 % smaller than zlib; zstd encodes 5–6× faster than brotli and
//! decodes 6–7× faster (derivation and the prover decode every batch), hence [`Codec::DEFAULT`].

use std::io::{Read, Write};

use alloy_primitives::{B256, Bytes};
use alloy_rlp::{Decodable, Encodable, RlpDecodable, RlpEncodable};

/// The batch format version this code writes and reads.
pub const BATCH_VERSION: u8 = 0;

/// Most bytes a batch may decompress to (OP Stack's Fjord limit on a channel's RLP is 100 MB;
/// a batch here is bounded by what one L1 transaction carries, so 32 MiB is generous).
pub const MAX_BATCH_DECOMPRESSED: usize = 32 * 1024 * 1024;

/// The compression of a batch's payload (its second byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Codec {
    /// zlib (RFC 1950 deflate), level 9.
    Zlib = 1,
    /// brotli, quality 11, window 2^22.
    Brotli = 2,
    /// zstd, level 19.
    Zstd = 3,
}

impl Codec {
    /// The codec the batcher uses (see the measurements in the module docs).
    pub const DEFAULT: Self = Self::Zstd;

    /// Every codec, for measurements.
    pub const ALL: [Self; 3] = [Self::Zlib, Self::Brotli, Self::Zstd];

    /// The codec of a batch's codec byte.
    pub const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(Self::Zlib),
            2 => Some(Self::Brotli),
            3 => Some(Self::Zstd),
            _ => None,
        }
    }

    /// The codec's name (`zlib`, `brotli`, `zstd`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Zlib => "zlib",
            Self::Brotli => "brotli",
            Self::Zstd => "zstd",
        }
    }

    fn compress(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Zlib => {
                let mut e =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
                // writing to a Vec cannot fail
                let _ = e.write_all(data);
                e.finish().unwrap_or_default()
            }
            Self::Brotli => {
                let mut out = Vec::new();
                {
                    let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
                    let _ = w.write_all(data);
                }
                out
            }
            Self::Zstd => zstd::bulk::compress(data, 19).unwrap_or_default(),
        }
    }

    /// Decompresses at most `MAX_BATCH_DECOMPRESSED` bytes; one more means a bomb.
    fn decompress(self, data: &[u8]) -> Result<Vec<u8>, BatchCodecError> {
        let reader: Box<dyn Read + '_> = match self {
            Self::Zlib => Box::new(flate2::read::ZlibDecoder::new(data)),
            Self::Brotli => Box::new(brotli::Decompressor::new(data, 4096)),
            Self::Zstd => Box::new(
                zstd::stream::read::Decoder::with_buffer(data)
                    .map_err(|e| BatchCodecError::Decompress(e.to_string()))?,
            ),
        };
        let mut out = Vec::new();
        reader
            .take(MAX_BATCH_DECOMPRESSED as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| BatchCodecError::Decompress(e.to_string()))?;
        if out.len() > MAX_BATCH_DECOMPRESSED {
            return Err(BatchCodecError::TooLarge {
                limit: MAX_BATCH_DECOMPRESSED,
            });
        }
        Ok(out)
    }
}

/// The blocks of a batch.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct BatchPayload {
    /// Number of the first block.
    pub first_block: u64,
    /// Hash of the block before the first.
    pub parent_hash: B256,
    /// Hash of the last block's L1 origin.
    pub last_origin_hash: B256,
    /// The blocks, in order.
    pub blocks: Vec<BatchBlock>,
}

/// One block of a batch: what derivation cannot take from L1.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct BatchBlock {
    /// Block timestamp.
    pub timestamp: u64,
    /// L1 origin number.
    pub origin_number: u64,
    /// The sequenced (signed, non-deposit) transactions, EIP-2718 encoded.
    pub txs: Vec<Bytes>,
}

/// Why batch bytes do not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchCodecError {
    /// Fewer than the two header bytes.
    #[error("batch is {len} bytes, shorter than its 2-byte header")]
    Truncated {
        /// Length of the data.
        len: usize,
    },
    /// A version this code does not know.
    #[error("unknown batch version {0}")]
    UnknownVersion(u8),
    /// A codec byte this code does not know.
    #[error("unknown batch codec {0}")]
    UnknownCodec(u8),
    /// The compressed stream is corrupt or truncated.
    #[error("batch does not decompress: {0}")]
    Decompress(String),
    /// The payload decompresses to more than the cap.
    #[error("batch decompresses to more than {limit} bytes")]
    TooLarge {
        /// The cap.
        limit: usize,
    },
    /// The payload is not the RLP of a [`BatchPayload`].
    #[error("batch payload is not valid RLP: {0}")]
    Rlp(alloy_rlp::Error),
    /// Bytes follow the payload's RLP.
    #[error("{0} bytes after the batch payload")]
    TrailingBytes(usize),
}

impl BatchPayload {
    /// `version ‖ codec ‖ compressed(rlp(self))`.
    pub fn encode(&self, codec: Codec) -> Vec<u8> {
        let mut rlp = Vec::with_capacity(self.length());
        Encodable::encode(self, &mut rlp);
        let mut out = vec![BATCH_VERSION, codec as u8];
        out.extend(codec.compress(&rlp));
        out
    }

    /// Decodes batch bytes (see the module docs for what is refused).
    pub fn decode(data: &[u8]) -> Result<Self, BatchCodecError> {
        let [version, codec, body @ ..] = data else {
            return Err(BatchCodecError::Truncated { len: data.len() });
        };
        if *version != BATCH_VERSION {
            return Err(BatchCodecError::UnknownVersion(*version));
        }
        let codec = Codec::from_byte(*codec).ok_or(BatchCodecError::UnknownCodec(*codec))?;
        let rlp = codec.decompress(body)?;
        let mut buf = rlp.as_slice();
        let payload = Self::decode_rlp(&mut buf)?;
        if !buf.is_empty() {
            return Err(BatchCodecError::TrailingBytes(buf.len()));
        }
        Ok(payload)
    }

    fn decode_rlp(buf: &mut &[u8]) -> Result<Self, BatchCodecError> {
        <Self as Decodable>::decode(buf).map_err(BatchCodecError::Rlp)
    }

    /// Number of transactions in the batch.
    pub fn tx_count(&self) -> usize {
        self.blocks.iter().map(|b| b.txs.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> BatchPayload {
        BatchPayload {
            first_block: 7,
            parent_hash: B256::repeat_byte(1),
            last_origin_hash: B256::repeat_byte(2),
            blocks: (0..3)
                .map(|i| BatchBlock {
                    timestamp: 1_700_000_000 + i,
                    origin_number: 40 + i,
                    txs: (0..5)
                        .map(|t| Bytes::from(vec![0x02, t as u8, i as u8, 0xab, 0xcd]))
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn every_codec_round_trips() {
        let p = payload();
        for codec in Codec::ALL {
            let bytes = p.encode(codec);
            assert_eq!(bytes[..2], [BATCH_VERSION, codec as u8]);
            assert_eq!(BatchPayload::decode(&bytes).unwrap(), p, "{codec:?}");
        }
        assert_eq!(p.tx_count(), 15);
    }

    #[test]
    fn hostile_input_is_a_typed_error() {
        let good = payload().encode(Codec::Zstd);
        assert_eq!(
            BatchPayload::decode(&[]),
            Err(BatchCodecError::Truncated { len: 0 })
        );
        assert_eq!(
            BatchPayload::decode(&[0]),
            Err(BatchCodecError::Truncated { len: 1 })
        );
        let mut v = good.clone();
        v[0] = 1;
        assert_eq!(
            BatchPayload::decode(&v),
            Err(BatchCodecError::UnknownVersion(1))
        );
        v[0] = 0;
        v[1] = 9;
        assert_eq!(
            BatchPayload::decode(&v),
            Err(BatchCodecError::UnknownCodec(9))
        );
        for codec in Codec::ALL {
            let bytes = payload().encode(codec);
            // truncated stream
            assert!(
                BatchPayload::decode(&bytes[..bytes.len() / 2]).is_err(),
                "{codec:?}"
            );
            // garbage body
            let mut garbage = vec![BATCH_VERSION, codec as u8];
            garbage.extend([0x55; 64]);
            assert!(BatchPayload::decode(&garbage).is_err(), "{codec:?}");
        }
        // valid compression of something that is not a payload
        let mut not_rlp = vec![BATCH_VERSION, Codec::Zlib as u8];
        not_rlp.extend(Codec::Zlib.compress(b"\xff\xff\xff"));
        assert!(matches!(
            BatchPayload::decode(&not_rlp),
            Err(BatchCodecError::Rlp(_))
        ));
        // a payload followed by junk
        let mut rlp = Vec::new();
        Encodable::encode(&payload(), &mut rlp);
        rlp.extend([1, 2, 3]);
        let mut trailing = vec![BATCH_VERSION, Codec::Zstd as u8];
        trailing.extend(Codec::Zstd.compress(&rlp));
        assert_eq!(
            BatchPayload::decode(&trailing),
            Err(BatchCodecError::TrailingBytes(3))
        );
    }

    #[test]
    fn a_decompression_bomb_is_refused_without_expanding_it() {
        // 40 MiB of zeros compress to a few KiB; decoding must stop at the cap
        let zeros = vec![0u8; MAX_BATCH_DECOMPRESSED + 8 * 1024 * 1024];
        for codec in Codec::ALL {
            let mut bomb = vec![BATCH_VERSION, codec as u8];
            bomb.extend(codec.compress(&zeros));
            assert!(bomb.len() < 1024 * 1024, "{codec:?} bomb is small");
            assert_eq!(
                BatchPayload::decode(&bomb),
                Err(BatchCodecError::TooLarge {
                    limit: MAX_BATCH_DECOMPRESSED
                }),
                "{codec:?}"
            );
        }
    }
}
