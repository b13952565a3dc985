//! Conversion of [`BlockTx`] into op-revm's transaction environment.
//!
//! Every field is copied from the transaction as signed; the sender comes from the caller's
//! recovery. Non-deposit transactions carry their EIP-2718 bytes (`enveloped_tx`), from which
//! op-revm computes the L1 data fee. EIP-7702 authorizations are passed signed: revm recovers each
//! authority while applying the list, as the EIP prescribes.

use alloy::{
    consensus::{Transaction, TxEnvelope},
    eips::Typed2718,
};
use alloy_primitives::{Address, Bytes};
use op_alloy_consensus::TxDeposit;
use op_revm::{OpTransaction, transaction::deposit::DepositTransactionParts};
use revm::context::{TxEnv, either::Either};

/// The op-revm environment of a deposit.
pub(crate) fn deposit_env(tx: &TxDeposit, encoded: Bytes) -> OpTransaction<TxEnv> {
    let base = TxEnv {
        tx_type: op_revm::transaction::deposit::DEPOSIT_TRANSACTION_TYPE,
        caller: tx.from,
        gas_limit: tx.gas_limit,
        // deposits pay no L2 gas price: gas is bought on L1
        gas_price: 0,
        gas_priority_fee: None,
        kind: tx.to,
        value: tx.value,
        data: tx.input.clone(),
        nonce: 0,
        chain_id: None,
        ..Default::default()
    };
    OpTransaction {
        base,
        enveloped_tx: Some(encoded),
        deposit: DepositTransactionParts::new(
            tx.source_hash,
            Some(tx.mint),
            tx.is_system_transaction,
        ),
    }
}

/// The op-revm environment of a signed transaction from `sender`.
pub(crate) fn signed_env(tx: &TxEnvelope, sender: Address, encoded: Bytes) -> OpTransaction<TxEnv> {
    let authorization_list = tx
        .authorization_list()
        .map(|list| list.iter().cloned().map(Either::Left).collect())
        .unwrap_or_default();
    let base = TxEnv {
        tx_type: tx.ty(),
        caller: sender,
        gas_limit: tx.gas_limit(),
        // legacy and EIP-2930: the gas price; EIP-1559 and later: the fee cap
        gas_price: tx.max_fee_per_gas(),
        gas_priority_fee: tx.max_priority_fee_per_gas(),
        kind: tx.kind(),
        value: tx.value(),
        data: tx.input().clone(),
        nonce: tx.nonce(),
        chain_id: tx.chain_id(),
        access_list: tx.access_list().cloned().unwrap_or_default(),
        blob_hashes: tx
            .blob_versioned_hashes()
            .map(<[_]>::to_vec)
            .unwrap_or_default(),
        max_fee_per_blob_gas: tx.max_fee_per_blob_gas().unwrap_or_default(),
        authorization_list,
    };
    OpTransaction {
        base,
        enveloped_tx: Some(encoded),
        deposit: DepositTransactionParts::default(),
    }
}
