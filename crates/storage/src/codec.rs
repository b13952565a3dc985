//! Conversions between alloy values and SQLite columns.

use crate::{Result, StoreError};
use alloy_primitives::{Address, B256, U256};

pub(crate) fn b256(what: &'static str, bytes: &[u8]) -> Result<B256> {
    B256::try_from(bytes)
        .map_err(|_| StoreError::corrupt(what, format!("{} bytes, not 32", bytes.len())))
}

pub(crate) fn address(what: &'static str, bytes: &[u8]) -> Result<Address> {
    Address::try_from(bytes)
        .map_err(|_| StoreError::corrupt(what, format!("{} bytes, not 20", bytes.len())))
}

/// 256-bit words are stored as exactly 32 big-endian bytes.
pub(crate) fn u256(what: &'static str, bytes: &[u8]) -> Result<U256> {
    if bytes.len() != 32 {
        return Err(StoreError::corrupt(
            what,
            format!("{} bytes, not 32", bytes.len()),
        ));
    }
    Ok(U256::from_be_slice(bytes))
}

pub(crate) fn u256_bytes(value: &U256) -> [u8; 32] {
    value.to_be_bytes::<32>()
}

/// u128 (gas prices) as 16 big-endian bytes.
pub(crate) fn u128_from(what: &'static str, bytes: &[u8]) -> Result<u128> {
    let arr: [u8; 16] = bytes
        .try_into()
        .map_err(|_| StoreError::corrupt(what, format!("{} bytes, not 16", bytes.len())))?;
    Ok(u128::from_be_bytes(arr))
}

/// A u64 whose order SQLite must respect (block numbers, indexes): rejected above `i64::MAX`.
pub(crate) fn int(what: &'static str, value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange { what, value })
}

/// Back from an INTEGER column written by [`int`].
pub(crate) fn uint(what: &'static str, value: i64) -> Result<u64> {
    u64::try_from(value).map_err(|_| StoreError::corrupt(what, format!("negative value {value}")))
}

/// A u64 stored bit for bit in an INTEGER column (nonces: the full u64 range, order unused).
pub(crate) const fn bits_to_i64(value: u64) -> i64 {
    i64::from_ne_bytes(value.to_ne_bytes())
}

/// Inverse of [`bits_to_i64`].
pub(crate) const fn bits_to_u64(value: i64) -> u64 {
    u64::from_ne_bytes(value.to_ne_bytes())
}

pub(crate) fn usize_to_u64(value: usize) -> u64 {
    // usize is at most 64 bits on every supported target.
    value as u64
}
