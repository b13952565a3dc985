//! Withdrawals (L2 → L1): the hash the message passer stores and the Portal proves.
//!
//! ```text
//! L2: L2ToL1MessagePasser.initiateWithdrawal ─► sentMessages[withdrawalHash] = true   (storage slot 0 mapping)
//!                                                        │
//!     state root ◄── account 0x4200…0016 ◄── storage root (messagePasserStorageRoot)
//!                                                        │
//! L1: Portal.proveWithdrawal(wd, outputIndex, OutputRootProof, storageProof)
//!       checks keccak256(slot) ↦ rlp(1) against messagePasserStorageRoot
//! ```
//!
//! - `withdrawalHash = keccak256(abi.encode(nonce, sender, target, value, gasLimit, data))`;
//! - storage slot `= keccak256(abi.encode(withdrawalHash, uint256(0)))`, trie key `= keccak256(slot)`,
//!   value `= rlp(1) = 0x01`;
//! - nonces are OP's versioned nonces: version 1 in the top 16 bits, a counter below.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolValue;
use serde::{Deserialize, Serialize};

/// Storage slot of `mapping(bytes32 => bool) sentMessages` in the message passer.
pub const SENT_MESSAGES_SLOT: U256 = U256::ZERO;

/// Storage slot of the message passer's nonce counter (`uint240 msgNonce`).
pub const MESSAGE_NONCE_SLOT: U256 = U256::from_limbs([1, 0, 0, 0]);

/// The message passer's nonce version (OP's `MESSAGE_VERSION`).
pub const MESSAGE_VERSION: u16 = 1;

/// The RLP encoding of `true` stored in a `sentMessages` slot, the value a storage proof proves.
pub const SENT_MESSAGE_VALUE: [u8; 1] = [0x01];

/// A withdrawal, as Solidity's `WithdrawalTransaction`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawal {
    /// Versioned nonce (see [`versioned_nonce`]).
    pub nonce: U256,
    /// The L2 account that initiated the withdrawal.
    pub sender: Address,
    /// The L1 recipient of the OPEN and of the call.
    pub target: Address,
    /// OPEN (wei) released to `target` on L1.
    pub value: U256,
    /// Gas for the L1 call to `target`.
    pub gas_limit: U256,
    /// Calldata for `target` (no call when empty).
    pub data: Bytes,
}

impl Withdrawal {
    /// `keccak256(abi.encode(nonce, sender, target, value, gasLimit, data))`.
    pub fn hash(&self) -> B256 {
        keccak256(
            (
                self.nonce,
                self.sender,
                self.target,
                self.value,
                self.gas_limit,
                self.data.clone(),
            )
                .abi_encode_params(),
        )
    }

    /// The message passer storage slot that holds this withdrawal's flag.
    pub fn storage_slot(&self) -> B256 {
        storage_slot(self.hash())
    }

    /// The storage trie key of that slot.
    pub fn storage_trie_key(&self) -> B256 {
        keccak256(self.storage_slot())
    }
}

/// The storage slot of `sentMessages[withdrawal_hash]`: `keccak256(abi.encode(hash, uint256(0)))`.
pub fn storage_slot(withdrawal_hash: B256) -> B256 {
    keccak256((withdrawal_hash, SENT_MESSAGES_SLOT).abi_encode())
}

/// The storage trie key of `sentMessages[withdrawal_hash]`: `keccak256(slot)`.
pub fn storage_trie_key(withdrawal_hash: B256) -> B256 {
    keccak256(storage_slot(withdrawal_hash))
}

/// OP's versioned nonce: `(MESSAGE_VERSION << 240) | counter`.
pub fn versioned_nonce(counter: u64) -> U256 {
    (U256::from(MESSAGE_VERSION) << 240) | U256::from(counter)
}

/// Splits a versioned nonce into (version, counter).
pub fn decode_nonce(nonce: U256) -> (u16, U256) {
    let version: U256 = nonce >> 240usize;
    let version = version.to::<u16>();
    let counter = nonce & ((U256::from(1) << 240) - U256::from(1));
    (version, counter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    fn sample() -> Withdrawal {
        Withdrawal {
            nonce: versioned_nonce(7),
            sender: address!("0x00000000000000000000000000000000000000aa"),
            target: address!("0x00000000000000000000000000000000000000bb"),
            value: U256::from(5u64) * U256::from(10u64).pow(U256::from(18)),
            gas_limit: U256::from(100_000),
            data: Bytes::from_static(b"\xde\xad"),
        }
    }

    #[test]
    fn hash_is_abi_encode_of_the_six_fields() {
        let w = sample();
        // Hand-built encoding: six head words (data's is its offset 0xc0), then length and padded bytes.
        let mut enc = Vec::new();
        enc.extend_from_slice(&w.nonce.to_be_bytes::<32>());
        enc.extend_from_slice(w.sender.into_word().as_slice());
        enc.extend_from_slice(w.target.into_word().as_slice());
        enc.extend_from_slice(&w.value.to_be_bytes::<32>());
        enc.extend_from_slice(&w.gas_limit.to_be_bytes::<32>());
        enc.extend_from_slice(&U256::from(0xc0).to_be_bytes::<32>());
        enc.extend_from_slice(&U256::from(2).to_be_bytes::<32>());
        let mut word = [0u8; 32];
        word[..2].copy_from_slice(&w.data);
        enc.extend_from_slice(&word);
        assert_eq!(w.hash(), keccak256(enc));
    }

    #[test]
    fn slot_and_key() {
        let h = keccak256("w");
        let mut pre = [0u8; 64];
        pre[..32].copy_from_slice(h.as_slice());
        assert_eq!(storage_slot(h), keccak256(pre));
        assert_eq!(storage_trie_key(h), keccak256(keccak256(pre)));
        let w = sample();
        assert_eq!(w.storage_trie_key(), storage_trie_key(w.hash()));
    }

    #[test]
    fn nonce_versioning() {
        let n = versioned_nonce(42);
        assert_eq!(n >> 240, U256::from(1));
        assert_eq!(decode_nonce(n), (1, U256::from(42)));
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = sample();
        let h = base.hash();
        let mut w = base.clone();
        w.nonce += U256::from(1);
        assert_ne!(w.hash(), h);
        let mut w = base.clone();
        w.data = Bytes::new();
        assert_ne!(w.hash(), h);
        let mut w = base;
        w.gas_limit += U256::from(1);
        assert_ne!(w.hash(), h);
    }
}
