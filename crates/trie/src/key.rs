//! Secure-trie keys and storage value encoding.
//!
//! Ethereum's state and storage tries are "secure": the trie key is `keccak256` of the address or
//! of the 32-byte storage slot, which keeps paths uniformly random (depth ≈ log16(n)) whatever
//! addresses or slots a contract uses. Every trie key in this crate is such a 32-byte hash.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};

/// The trie key of arbitrary bytes: `keccak256(bytes)`.
pub fn hashed_key(bytes: impl AsRef<[u8]>) -> B256 {
    keccak256(bytes)
}

/// The account trie key of `address`: `keccak256(address)`.
pub fn account_key(address: &Address) -> B256 {
    keccak256(address)
}

/// The storage trie key of `slot`: `keccak256(slot)` over the slot's 32 big-endian bytes.
pub fn storage_key(slot: &B256) -> B256 {
    keccak256(slot)
}

/// The storage trie leaf value of a non-zero word: its RLP (big-endian, leading zeros stripped).
/// Zero words are not stored; writing zero removes the slot.
pub fn encode_storage_value(value: U256) -> Bytes {
    alloy_rlp::encode(value).into()
}
