//! Batch commitments: the data-hash rule and the batch hash chain the Rollup contract keeps.
//!
//! ```text
//! batcher ── submitBatch(first, last, data)             dataHash = keccak256(data)
//!         └─ submitBlobBatch(first, last, blobCount)    dataHash = keccak256(versionedHash0 ‖ … ‖ versionedHashN)
//!                       │
//!                       ▼
//! chainHash' = keccak256(abi.encode(chainHash, uint64 first, uint64 last, dataHash)),  chainHash₀ = 0
//! ```
//!
//! L2 block 0 is genesis and is never batched; batches cover blocks `1, 2, 3, …` contiguously. The
//! versioned batch codec (the bytes inside `data`/blobs) is a separate concern of this crate.

use alloy_primitives::{B256, keccak256};
use alloy_sol_types::SolValue;

use crate::error::BatchError;

/// The first L2 block a batch may cover (block 0 is genesis).
pub const FIRST_BATCHED_BLOCK: u64 = 1;

/// Data hash of a calldata batch: `keccak256(data)`.
pub fn calldata_data_hash(data: &[u8]) -> B256 {
    keccak256(data)
}

/// Data hash of a blob batch: keccak256 of the packed versioned hashes, in blob order.
///
/// Errors as the contract reverts: no blobs, or a zero hash (a missing blob).
pub fn blob_data_hash(versioned_hashes: &[B256]) -> Result<B256, BatchError> {
    if versioned_hashes.is_empty() {
        return Err(BatchError::NoBlobs);
    }
    if let Some(index) = versioned_hashes.iter().position(|h| h.is_zero()) {
        return Err(BatchError::MissingBlob { index });
    }
    Ok(keccak256(versioned_hashes.concat()))
}

/// The most L2 blocks one batch may cover: the Rollup contract's `MAX_BLOCKS_PER_BATCH` (an hour
/// of 1 s blocks). It bounds the empty blocks derivation fills an invalid batch's range with.
pub const MAX_BLOCKS_PER_BATCH: u64 = 3_600;

/// One step of the hash chain: `keccak256(abi.encode(prev, first, last, dataHash))`.
pub fn chain_hash_step(prev: B256, first_block: u64, last_block: u64, data_hash: B256) -> B256 {
    keccak256((prev, first_block, last_block, data_hash).abi_encode())
}

/// The batch chain as the Rollup contract tracks it: the chain hash and the next block to batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchChain {
    /// `batchChainHash()`.
    pub chain_hash: B256,
    /// `nextBlock()`.
    pub next_block: u64,
    /// `batchCount()`.
    pub count: u64,
}

impl Default for BatchChain {
    fn default() -> Self {
        Self {
            chain_hash: B256::ZERO,
            next_block: FIRST_BATCHED_BLOCK,
            count: 0,
        }
    }
}

impl BatchChain {
    /// Appends a batch with the contract's rules (`first == nextBlock`, `first <= last < u64::MAX`,
    /// at most [`MAX_BLOCKS_PER_BATCH`] blocks), returning the new chain hash.
    ///
    /// On error the chain is unchanged.
    pub fn push(
        &mut self,
        first_block: u64,
        last_block: u64,
        data_hash: B256,
    ) -> Result<B256, BatchError> {
        if first_block != self.next_block {
            return Err(BatchError::NotContiguous {
                first: first_block,
                expected: self.next_block,
            });
        }
        if last_block < first_block
            || last_block == u64::MAX
            || last_block - first_block >= MAX_BLOCKS_PER_BATCH
        {
            return Err(BatchError::InvalidRange {
                first: first_block,
                last: last_block,
            });
        }
        self.chain_hash = chain_hash_step(self.chain_hash, first_block, last_block, data_hash);
        self.next_block = last_block + 1;
        self.count += 1;
        Ok(self.chain_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_longer_than_the_bound_are_refused() {
        let mut chain = BatchChain::default();
        assert_eq!(
            chain.push(1, MAX_BLOCKS_PER_BATCH + 1, B256::ZERO),
            Err(BatchError::InvalidRange {
                first: 1,
                last: MAX_BLOCKS_PER_BATCH + 1
            })
        );
        assert_eq!(chain, BatchChain::default());
        chain.push(1, MAX_BLOCKS_PER_BATCH, B256::ZERO).unwrap();
        assert_eq!(chain.next_block, MAX_BLOCKS_PER_BATCH + 1);
    }

    #[test]
    fn chain_step_is_four_abi_words() {
        let (p, d) = (keccak256("p"), keccak256("d"));
        let mut enc = Vec::new();
        enc.extend_from_slice(p.as_slice());
        enc.extend_from_slice(&B256::left_padding_from(&3u64.to_be_bytes())[..]);
        enc.extend_from_slice(&B256::left_padding_from(&9u64.to_be_bytes())[..]);
        enc.extend_from_slice(d.as_slice());
        assert_eq!(chain_hash_step(p, 3, 9, d), keccak256(enc));
    }

    #[test]
    fn blob_hash_rules() {
        let (a, b) = (keccak256("a"), keccak256("b"));
        let mut packed = a.to_vec();
        packed.extend_from_slice(b.as_slice());
        assert_eq!(blob_data_hash(&[a, b]), Ok(keccak256(packed)));
        assert_eq!(blob_data_hash(&[]), Err(BatchError::NoBlobs));
        assert_eq!(
            blob_data_hash(&[a, B256::ZERO]),
            Err(BatchError::MissingBlob { index: 1 })
        );
    }

    #[test]
    fn chain_enforces_contiguity() {
        let mut chain = BatchChain::default();
        let d = calldata_data_hash(b"batch");
        assert_eq!(
            chain.push(2, 3, d),
            Err(BatchError::NotContiguous {
                first: 2,
                expected: 1
            })
        );
        let h1 = chain.push(1, 3, d).unwrap();
        assert_eq!(h1, chain_hash_step(B256::ZERO, 1, 3, d));
        assert_eq!(
            chain.push(4, 3, d),
            Err(BatchError::InvalidRange { first: 4, last: 3 })
        );
        assert_eq!(
            chain.chain_hash, h1,
            "failed push leaves the chain unchanged"
        );
        assert_eq!(
            chain.push(4, u64::MAX, d),
            Err(BatchError::InvalidRange {
                first: 4,
                last: u64::MAX
            })
        );
        chain.push(4, 4, d).unwrap();
        assert_eq!(
            chain,
            BatchChain {
                chain_hash: chain_hash_step(h1, 4, 4, d),
                next_block: 5,
                count: 2
            }
        );
    }
}
