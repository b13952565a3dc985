//! A validated, sender-recovered pooled transaction.

use alloy::consensus::{Transaction, TxEnvelope, transaction::Recovered};
use alloy_primitives::{Address, B256, Bytes, U256};

/// A transaction that passed stateless validation: decoded once, sender recovered once, kept
/// with its raw EIP-2718 bytes (for the journal and RPC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolTransaction {
    pub(crate) tx: Recovered<TxEnvelope>,
    pub(crate) raw: Bytes,
    pub(crate) hash: B256,
}

impl PoolTransaction {
    /// The transaction with its recovered sender (what the executor takes as
    /// `BlockTx::Signed`).
    pub const fn recovered(&self) -> &Recovered<TxEnvelope> {
        &self.tx
    }

    /// The signed transaction.
    pub const fn envelope(&self) -> &TxEnvelope {
        self.tx.inner()
    }

    /// The EIP-2718 encoding as received.
    pub const fn raw(&self) -> &Bytes {
        &self.raw
    }

    /// The transaction hash.
    pub const fn hash(&self) -> B256 {
        self.hash
    }

    /// The recovered sender.
    pub const fn sender(&self) -> Address {
        self.tx.signer()
    }

    /// The sender nonce.
    pub fn nonce(&self) -> u64 {
        self.tx.nonce()
    }

    /// The gas limit.
    pub fn gas_limit(&self) -> u64 {
        self.tx.gas_limit()
    }

    /// Max fee per gas (gas price for legacy and EIP-2930 transactions).
    pub fn max_fee_per_gas(&self) -> u128 {
        self.tx.max_fee_per_gas()
    }

    /// Max priority fee per gas (gas price for legacy and EIP-2930 transactions).
    pub fn max_priority_fee_per_gas(&self) -> u128 {
        self.tx.priority_fee_or_price()
    }

    /// Tip per gas paid at `base_fee`, `None` if the fee cap is below the base fee.
    pub fn effective_tip(&self, base_fee: u64) -> Option<u128> {
        self.tx.effective_tip_per_gas(base_fee)
    }

    /// Tip at `base_fee` as a signed number: negative by the shortfall when the fee cap is below
    /// the base fee. Orders transactions for eviction.
    pub(crate) fn eviction_score(&self, base_fee: u64) -> i128 {
        let fee_cap = self.max_fee_per_gas();
        let base = u128::from(base_fee);
        if fee_cap >= base {
            (fee_cap - base).min(self.max_priority_fee_per_gas()) as i128
        } else {
            -((base - fee_cap) as i128)
        }
    }

    /// Upper bound of what the transaction can cost its sender: `gas * max fee + value`
    /// (without the L1 data fee).
    pub fn max_cost(&self) -> U256 {
        U256::from(self.gas_limit()) * U256::from(self.max_fee_per_gas()) + self.tx.value()
    }
}
