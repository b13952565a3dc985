//! Deposits (L1 → L2): address aliasing and the `TransactionDeposited` payload.
//!
//! ```text
//! L1 Portal.depositTransaction(to, mint, value, gasLimit, isCreation, data)
//!   └─► event TransactionDeposited(from, to, version = 0, opaqueData)
//!         opaqueData = abi.encodePacked(uint256 mint, uint256 value, uint64 gasLimit, bool isCreation, bytes data)
//!   └─► derivation decodes it with [`DepositPayload::decode`] into an L2 deposit transaction
//! ```
//!
//! When the depositor is a contract, `from` is aliased by adding
//! [`L1_TO_L2_ALIAS_OFFSET`] (mod 2^160), so an L1 contract cannot impersonate the L2 account with the
//! same address.

use alloy_primitives::{Address, Bytes, U160, U256, address};

use crate::error::DepositError;

/// OP Stack's alias offset `0x1111000000000000000000000000000000001111`.
pub const L1_TO_L2_ALIAS_OFFSET: Address = address!("0x1111000000000000000000000000000000001111");

/// The only deposit event version.
pub const DEPOSIT_VERSION_0: U256 = U256::ZERO;

/// Length of the fixed head of the opaque data: mint (32) + value (32) + gasLimit (8) + isCreation (1).
pub const OPAQUE_HEAD_LEN: usize = 73;

/// The L2 address an L1 contract acts as: `l1 + offset` (mod 2^160).
pub fn apply_l1_to_l2_alias(l1: Address) -> Address {
    let sum =
        U160::from_be_bytes(l1.0.0).wrapping_add(U160::from_be_bytes(L1_TO_L2_ALIAS_OFFSET.0.0));
    Address::from(sum.to_be_bytes::<20>())
}

/// Inverse of [`apply_l1_to_l2_alias`].
pub fn undo_l1_to_l2_alias(l2: Address) -> Address {
    let diff =
        U160::from_be_bytes(l2.0.0).wrapping_sub(U160::from_be_bytes(L1_TO_L2_ALIAS_OFFSET.0.0));
    Address::from(diff.to_be_bytes::<20>())
}

/// The decoded `opaqueData` of a version 0 `TransactionDeposited` event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DepositPayload {
    /// OPEN (wei) minted to `from` on L2.
    pub mint: U256,
    /// Value sent from `from` to `to` on L2.
    pub value: U256,
    /// L2 gas limit of the deposit transaction.
    pub gas_limit: u64,
    /// Whether the deposit creates a contract (`to` is then zero).
    pub is_creation: bool,
    /// Calldata or init code.
    pub data: Bytes,
}

impl DepositPayload {
    /// Decodes `abi.encodePacked(mint, value, gasLimit, isCreation, data)`.
    pub fn decode(opaque: &[u8]) -> Result<Self, DepositError> {
        if opaque.len() < OPAQUE_HEAD_LEN {
            return Err(DepositError::TooShort {
                len: opaque.len(),
                min: OPAQUE_HEAD_LEN,
            });
        }
        let mint = U256::from_be_slice(&opaque[0..32]);
        let value = U256::from_be_slice(&opaque[32..64]);
        let mut gas = [0u8; 8];
        gas.copy_from_slice(&opaque[64..72]);
        let is_creation = match opaque[72] {
            0 => false,
            1 => true,
            byte => return Err(DepositError::InvalidBool { byte }),
        };
        Ok(Self {
            mint,
            value,
            gas_limit: u64::from_be_bytes(gas),
            is_creation,
            data: Bytes::copy_from_slice(&opaque[OPAQUE_HEAD_LEN..]),
        })
    }

    /// Decodes the payload of an event with the given `version` topic.
    pub fn decode_versioned(version: U256, opaque: &[u8]) -> Result<Self, DepositError> {
        if version != DEPOSIT_VERSION_0 {
            return Err(DepositError::UnsupportedVersion { version });
        }
        Self::decode(opaque)
    }

    /// Encodes as the Portal does (`abi.encodePacked`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(OPAQUE_HEAD_LEN + self.data.len());
        out.extend_from_slice(&self.mint.to_be_bytes::<32>());
        out.extend_from_slice(&self.value.to_be_bytes::<32>());
        out.extend_from_slice(&self.gas_limit.to_be_bytes());
        out.push(u8::from(self.is_creation));
        out.extend_from_slice(&self.data);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn alias_matches_op_vectors() {
        assert_eq!(
            apply_l1_to_l2_alias(Address::ZERO),
            address!("0x1111000000000000000000000000000000001111")
        );
        // Wraps around 2^160.
        assert_eq!(
            apply_l1_to_l2_alias(address!("0xffffffffffffffffffffffffffffffffffffffff")),
            address!("0x1111000000000000000000000000000000001110")
        );
        assert_eq!(
            undo_l1_to_l2_alias(address!("0x1111000000000000000000000000000000001110")),
            address!("0xffffffffffffffffffffffffffffffffffffffff")
        );
    }

    #[test]
    fn decode_known_payload() {
        let mut raw = vec![0u8; 31];
        raw.push(7); // mint 7
        raw.extend_from_slice(&[0u8; 31]);
        raw.push(3); // value 3
        raw.extend_from_slice(&100_000u64.to_be_bytes());
        raw.push(0);
        raw.extend_from_slice(b"hi");
        let p = DepositPayload::decode(&raw).unwrap();
        assert_eq!(p.mint, U256::from(7));
        assert_eq!(p.value, U256::from(3));
        assert_eq!(p.gas_limit, 100_000);
        assert!(!p.is_creation);
        assert_eq!(&p.data[..], b"hi");
        assert_eq!(p.encode(), raw);
    }

    #[test]
    fn malformed_payloads_are_typed_errors() {
        assert_eq!(
            DepositPayload::decode(&[0u8; 72]),
            Err(DepositError::TooShort { len: 72, min: 73 })
        );
        let mut raw = vec![0u8; 73];
        raw[72] = 2;
        assert_eq!(
            DepositPayload::decode(&raw),
            Err(DepositError::InvalidBool { byte: 2 })
        );
        assert_eq!(
            DepositPayload::decode_versioned(U256::from(1), &[0u8; 73]),
            Err(DepositError::UnsupportedVersion {
                version: U256::from(1)
            })
        );
        assert!(DepositPayload::decode(&[0u8; 73]).unwrap().data.is_empty());
    }

    proptest! {
        #[test]
        fn alias_round_trips(bytes in any::<[u8; 20]>()) {
            let a = Address::from(bytes);
            prop_assert_eq!(undo_l1_to_l2_alias(apply_l1_to_l2_alias(a)), a);
        }

        #[test]
        fn payload_round_trips(
            mint in any::<[u8; 32]>(), value in any::<[u8; 32]>(), gas in any::<u64>(),
            is_creation in any::<bool>(), data in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let p = DepositPayload {
                mint: U256::from_be_bytes(mint), value: U256::from_be_bytes(value), gas_limit: gas,
                is_creation, data: data.into(),
            };
            prop_assert_eq!(DepositPayload::decode(&p.encode()).unwrap(), p);
        }

        #[test]
        fn decode_never_panics(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = DepositPayload::decode(&raw);
        }
    }
}
