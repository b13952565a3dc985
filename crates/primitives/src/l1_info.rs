//! The L1-info system deposit: the attributes of an L2 block's L1 origin, their Ecotone calldata
//! for the L1Block predeploy, and the source hashes of deposit transactions.
//!
//! ```text
//! L1 origin header + RollupConfig scalars + sequence number
//!   └─► L1Info ──encode_ecotone()──► 164 bytes of calldata
//!         └─► deposit tx from DEPOSITOR_ACCOUNT to predeploys::L1_BLOCK, source hash
//!             l1_info_source_hash(origin hash, sequence number)    (built in tributary-genesis)
//!               └─► L1Block.setL1BlockValuesEcotone() stores them in OP's slots
//!                     └─► op-revm reads slots 1, 3, 7 to charge the L1 data fee
//! ```
//!
//! Everything here is OP Stack's, byte for byte (specs.optimism.io, "L1 Attributes Deposited
//! Transaction", Ecotone): the packed calldata layout, the depositor account and the deposit
//! source-hash domains. `contracts/src/L2/L1Block.sol` is the other implementation of the layout.

use alloy_primitives::{Address, B256, U256, address, keccak256};

use crate::error::L1InfoError;

/// The sender of the L1-info deposit (OP Stack's depositor account); the only account allowed to
/// call `L1Block.setL1BlockValuesEcotone()`.
pub const DEPOSITOR_ACCOUNT: Address = address!("0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001");

/// Selector of `setL1BlockValuesEcotone()`: `keccak256("setL1BlockValuesEcotone()")[..4]`.
pub const SET_L1_BLOCK_VALUES_ECOTONE_SELECTOR: [u8; 4] = [0x44, 0x0a, 0x5e, 0x20];

/// Length of the Ecotone L1-info calldata: selector + 4 + 4 + 8 + 8 + 8 + 32 + 32 + 32 + 32.
pub const L1_INFO_ECOTONE_LEN: usize = 164;

/// Gas limit of the L1-info deposit (OP Stack's, post-Regolith).
pub const L1_INFO_DEPOSIT_GAS: u64 = 1_000_000;

/// Source-hash domain of user deposits (from the Portal's `TransactionDeposited` logs).
pub const USER_DEPOSIT_DOMAIN: u64 = 0;

/// Source-hash domain of the L1-info deposit.
pub const L1_INFO_DEPOSIT_DOMAIN: u64 = 1;

/// The attributes of an L2 block's L1 origin, as the L1-info deposit writes them into L1Block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct L1Info {
    /// The origin's block number.
    pub number: u64,
    /// The origin's timestamp.
    pub timestamp: u64,
    /// The origin's base fee.
    pub base_fee: U256,
    /// The origin's blob base fee (1 when the L1 has no blobs: EIP-4844's minimum).
    pub blob_base_fee: U256,
    /// The origin's block hash.
    pub hash: B256,
    /// L2 blocks since the origin changed (0 for the first L2 block of an origin).
    pub sequence_number: u64,
    /// The batcher's address, left-padded to 32 bytes (OP's "versioned hash" version 0).
    pub batcher_hash: B256,
    /// Scalar of the L1 base fee in the L1 data fee (Ecotone).
    pub base_fee_scalar: u32,
    /// Scalar of the L1 blob base fee in the L1 data fee (Ecotone).
    pub blob_base_fee_scalar: u32,
}

impl L1Info {
    /// The calldata of `setL1BlockValuesEcotone()`: the selector, then the fields packed in OP's
    /// order (base fee scalar, blob base fee scalar, sequence number, timestamp, number, base fee,
    /// blob base fee, hash, batcher hash), all big-endian.
    pub fn encode_ecotone(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(L1_INFO_ECOTONE_LEN);
        out.extend_from_slice(&SET_L1_BLOCK_VALUES_ECOTONE_SELECTOR);
        out.extend_from_slice(&self.base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.blob_base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.sequence_number.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.number.to_be_bytes());
        out.extend_from_slice(&self.base_fee.to_be_bytes::<32>());
        out.extend_from_slice(&self.blob_base_fee.to_be_bytes::<32>());
        out.extend_from_slice(self.hash.as_slice());
        out.extend_from_slice(self.batcher_hash.as_slice());
        out
    }

    /// Decodes [`L1Info::encode_ecotone`]'s output; rejects a wrong length or selector.
    pub fn decode_ecotone(data: &[u8]) -> Result<Self, L1InfoError> {
        if data.len() != L1_INFO_ECOTONE_LEN {
            return Err(L1InfoError::Length {
                len: data.len(),
                expected: L1_INFO_ECOTONE_LEN,
            });
        }
        if data[..4] != SET_L1_BLOCK_VALUES_ECOTONE_SELECTOR {
            return Err(L1InfoError::Selector {
                selector: [data[0], data[1], data[2], data[3]],
            });
        }
        let u32_at =
            |i: usize| u32::from_be_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
        let u64_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&data[i..i + 8]);
            u64::from_be_bytes(b)
        };
        Ok(Self {
            base_fee_scalar: u32_at(4),
            blob_base_fee_scalar: u32_at(8),
            sequence_number: u64_at(12),
            timestamp: u64_at(20),
            number: u64_at(28),
            base_fee: U256::from_be_slice(&data[36..68]),
            blob_base_fee: U256::from_be_slice(&data[68..100]),
            hash: B256::from_slice(&data[100..132]),
            batcher_hash: B256::from_slice(&data[132..164]),
        })
    }

    /// The source hash of this block's L1-info deposit.
    pub fn source_hash(&self) -> B256 {
        l1_info_source_hash(self.hash, self.sequence_number)
    }
}

/// The batcher hash of a batcher address: the address left-padded to 32 bytes (version 0).
pub fn batcher_hash(batcher: Address) -> B256 {
    batcher.into_word()
}

/// `keccak256(bytes32(domain) ‖ keccak256(l1BlockHash ‖ bytes32(index)))`: OP's deposit source hash.
fn source_hash(domain: u64, l1_block_hash: B256, index: u64) -> B256 {
    let mut input = [0u8; 64];
    input[..32].copy_from_slice(l1_block_hash.as_slice());
    input[56..].copy_from_slice(&index.to_be_bytes());
    let id = keccak256(input);
    let mut outer = [0u8; 64];
    outer[24..32].copy_from_slice(&domain.to_be_bytes());
    outer[32..].copy_from_slice(id.as_slice());
    keccak256(outer)
}

/// Source hash of the L1-info deposit of the L2 block with this origin hash and sequence number
/// (domain 1).
pub fn l1_info_source_hash(l1_block_hash: B256, sequence_number: u64) -> B256 {
    source_hash(L1_INFO_DEPOSIT_DOMAIN, l1_block_hash, sequence_number)
}

/// Source hash of the user deposit emitted in L1 block `l1_block_hash` at log index `log_index`
/// (domain 0; the log index is the index within the whole L1 block's receipts).
pub fn user_deposit_source_hash(l1_block_hash: B256, log_index: u64) -> B256 {
    source_hash(USER_DEPOSIT_DOMAIN, l1_block_hash, log_index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;
    use proptest::prelude::*;

    fn sample() -> L1Info {
        L1Info {
            number: 19_000_000,
            timestamp: 1_700_000_012,
            base_fee: U256::from(20_000_000_000u64),
            blob_base_fee: U256::from(3_000_000_000u64),
            hash: keccak256("l1 block"),
            sequence_number: 3,
            batcher_hash: batcher_hash(address!("0x00000000000000000000000000000000000ba7c4")),
            base_fee_scalar: 1_368,
            blob_base_fee_scalar: 810_949,
        }
    }

    #[test]
    fn selector_is_keccak_of_the_signature() {
        assert_eq!(
            keccak256("setL1BlockValuesEcotone()")[..4],
            SET_L1_BLOCK_VALUES_ECOTONE_SELECTOR
        );
    }

    #[test]
    fn ecotone_layout_is_ops() {
        let info = sample();
        let data = info.encode_ecotone();
        assert_eq!(data.len(), L1_INFO_ECOTONE_LEN);
        assert_eq!(&data[..4], &hex!("440a5e20"));
        assert_eq!(&data[4..8], &1_368u32.to_be_bytes());
        assert_eq!(&data[8..12], &810_949u32.to_be_bytes());
        assert_eq!(&data[12..20], &3u64.to_be_bytes());
        assert_eq!(&data[20..28], &1_700_000_012u64.to_be_bytes());
        assert_eq!(&data[28..36], &19_000_000u64.to_be_bytes());
        assert_eq!(U256::from_be_slice(&data[36..68]), info.base_fee);
        assert_eq!(U256::from_be_slice(&data[68..100]), info.blob_base_fee);
        assert_eq!(&data[100..132], info.hash.as_slice());
        assert_eq!(
            &data[144..164],
            &hex!("00000000000000000000000000000000000ba7c4")
        );
        assert_eq!(L1Info::decode_ecotone(&data).unwrap(), info);
    }

    #[test]
    fn malformed_calldata_is_a_typed_error() {
        let data = sample().encode_ecotone();
        assert_eq!(
            L1Info::decode_ecotone(&data[..163]),
            Err(L1InfoError::Length {
                len: 163,
                expected: 164
            })
        );
        let mut wrong = data.clone();
        wrong[0] = 0x01;
        assert_eq!(
            L1Info::decode_ecotone(&wrong),
            Err(L1InfoError::Selector {
                selector: [0x01, 0x0a, 0x5e, 0x20]
            })
        );
    }

    #[test]
    fn source_hashes_follow_op_domains() {
        // By hand: keccak256(bytes32(domain) ‖ keccak256(hash ‖ bytes32(index))).
        let h = keccak256("origin");
        let inner = keccak256([h.as_slice(), &U256::from(7).to_be_bytes::<32>()].concat());
        let l1 = keccak256([&U256::from(1).to_be_bytes::<32>()[..], inner.as_slice()].concat());
        let user = keccak256([&U256::ZERO.to_be_bytes::<32>()[..], inner.as_slice()].concat());
        assert_eq!(l1_info_source_hash(h, 7), l1);
        assert_eq!(user_deposit_source_hash(h, 7), user);
        assert_ne!(l1, user);
        // Domain 1 of block hash 0 / sequence number 0 (the inner hash is keccak of 64 zero bytes).
        assert_eq!(
            l1_info_source_hash(B256::ZERO, 0),
            keccak256(
                [
                    &U256::from(1).to_be_bytes::<32>()[..],
                    keccak256([0u8; 64]).as_slice()
                ]
                .concat()
            )
        );
        assert_eq!(
            sample().source_hash(),
            l1_info_source_hash(sample().hash, 3)
        );
    }

    proptest! {
        #[test]
        fn ecotone_round_trips(
            number in any::<u64>(), timestamp in any::<u64>(), base_fee in any::<[u8; 32]>(),
            blob_base_fee in any::<[u8; 32]>(), hash in any::<[u8; 32]>(), seq in any::<u64>(),
            batcher in any::<[u8; 32]>(), s1 in any::<u32>(), s2 in any::<u32>(),
        ) {
            let info = L1Info {
                number, timestamp, base_fee: U256::from_be_bytes(base_fee),
                blob_base_fee: U256::from_be_bytes(blob_base_fee), hash: hash.into(),
                sequence_number: seq, batcher_hash: batcher.into(), base_fee_scalar: s1,
                blob_base_fee_scalar: s2,
            };
            let data = info.encode_ecotone();
            prop_assert_eq!(data.len(), L1_INFO_ECOTONE_LEN);
            prop_assert_eq!(L1Info::decode_ecotone(&data).unwrap(), info);
        }

        #[test]
        fn decode_never_panics(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = L1Info::decode_ecotone(&raw);
        }
    }
}
