//! Shared helpers: signers, transaction builders, a pool over an in-memory state.

use std::sync::Arc;

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEip7702, TxEnvelope, TxLegacy},
    eips::{eip2718::Encodable2718, eip7702::Authorization},
    signers::{SignerSync, local::PrivateKeySigner},
};
use alloy_primitives::{Address, Bytes, TxKind, U256, address};
use tributary_txpool::{PoolConfig, TxPool, test_utils::MemoryState};

pub(crate) const CHAIN_ID: u64 = tributary_txpool::TEST_CHAIN_ID;
pub(crate) const GWEI: u128 = 1_000_000_000;
pub(crate) const ETHER: u128 = 1_000_000_000_000_000_000;
pub(crate) const TO: Address = address!("0x000000000000000000000000000000000000dEaD");

pub(crate) type Pool = TxPool<Arc<MemoryState>>;

/// A deterministic signer per index.
pub(crate) fn signer(i: u64) -> PrivateKeySigner {
    let mut key = [0u8; 32];
    key[24..].copy_from_slice(&(i + 1).to_be_bytes());
    PrivateKeySigner::from_slice(&key).unwrap()
}

pub(crate) fn addr(i: u64) -> Address {
    signer(i).address()
}

/// A pool whose first `funded` accounts hold 1000 ether.
pub(crate) fn pool_with(config: PoolConfig, funded: u64) -> (Pool, Arc<MemoryState>) {
    let state = Arc::new(MemoryState::new());
    for i in 0..funded {
        state.set_balance(addr(i), U256::from(1000 * ETHER));
    }
    (TxPool::new(config, state.clone()), state)
}

pub(crate) fn pool() -> (Pool, Arc<MemoryState>) {
    pool_with(PoolConfig::test(), 8)
}

fn sign<T: SignableTransaction<alloy::signers::Signature>>(signer: u64, tx: T) -> Bytes
where
    TxEnvelope: From<alloy::consensus::Signed<T>>,
{
    let sig = signer_sig(signer, tx.signature_hash());
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
}

fn signer_sig(i: u64, hash: alloy_primitives::B256) -> alloy::signers::Signature {
    signer(i).sign_hash_sync(&hash).unwrap()
}

/// A signed EIP-1559 transfer.
pub(crate) fn eip1559(from: u64, nonce: u64, max_fee: u128, tip: u128) -> Bytes {
    eip1559_with(
        from,
        nonce,
        max_fee,
        tip,
        21_000,
        TxKind::Call(TO),
        Bytes::new(),
    )
}

pub(crate) fn eip1559_with(
    from: u64,
    nonce: u64,
    max_fee: u128,
    tip: u128,
    gas: u64,
    to: TxKind,
    input: Bytes,
) -> Bytes {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tip,
        to,
        value: U256::from(1),
        access_list: Default::default(),
        input,
    };
    sign(from, tx)
}

/// A signed legacy transfer; `chain_id: None` is a pre-EIP-155 transaction.
pub(crate) fn legacy(from: u64, nonce: u64, gas_price: u128, chain_id: Option<u64>) -> Bytes {
    let tx = TxLegacy {
        chain_id,
        nonce,
        gas_price,
        gas_limit: 21_000,
        to: TxKind::Call(TO),
        value: U256::from(1),
        input: Bytes::new(),
    };
    sign(from, tx)
}

/// A signed EIP-2930 transfer.
pub(crate) fn eip2930(from: u64, nonce: u64, gas_price: u128) -> Bytes {
    let tx = TxEip2930 {
        chain_id: CHAIN_ID,
        nonce,
        gas_price,
        gas_limit: 21_000,
        to: TxKind::Call(TO),
        value: U256::from(1),
        access_list: Default::default(),
        input: Bytes::new(),
    };
    sign(from, tx)
}

/// A signed EIP-7702 transaction with `auths` authorizations.
pub(crate) fn eip7702(from: u64, nonce: u64, auths: usize, gas: u64) -> Bytes {
    let authorization_list = (0..auths)
        .map(|i| {
            let auth = Authorization {
                chain_id: U256::from(CHAIN_ID),
                address: TO,
                nonce: i as u64,
            };
            let sig = signer_sig(from, auth.signature_hash());
            auth.into_signed(sig)
        })
        .collect();
    let tx = TxEip7702 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: 10 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to: TO,
        value: U256::ZERO,
        access_list: Default::default(),
        authorization_list,
        input: Bytes::new(),
    };
    sign(from, tx)
}

/// The error message of `raw` added to `pool`.
pub(crate) fn reject(pool: &Pool, raw: Bytes) -> String {
    pool.add_raw(raw).unwrap_err().to_string()
}
