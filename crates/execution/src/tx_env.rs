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

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::consensus::{Signed, TxEip1559, TxLegacy};
    use alloy_primitives::{Signature, TxKind, U256, address, b256};
    use op_revm::transaction::OpTxTr;
    use revm::context_interface::Transaction as _;

    const FROM: Address = address!("0x00000000000000000000000000000000000000aa");
    const TO: Address = address!("0x00000000000000000000000000000000000000bb");

    #[test]
    fn legacy_gas_price_is_the_price_and_has_no_tip() {
        let tx = TxLegacy {
            chain_id: Some(7),
            nonce: 3,
            gas_price: 11,
            gas_limit: 21_000,
            to: TxKind::Call(TO),
            value: U256::from(5),
            input: Bytes::from_static(&[1, 2]),
        };
        let env = TxEnvelope::Legacy(Signed::new_unhashed(tx, Signature::test_signature()));
        let op = signed_env(&env, FROM, Bytes::from_static(&[0xf8]));
        assert_eq!(op.base.tx_type, 0);
        assert_eq!(op.base.caller, FROM);
        assert_eq!(op.base.gas_price, 11);
        assert_eq!(op.base.gas_priority_fee, None);
        assert_eq!(op.base.nonce, 3);
        assert_eq!(op.base.chain_id, Some(7));
        assert_eq!(op.base.data.as_ref(), &[1, 2]);
        assert_eq!(
            op.enveloped_tx.as_ref().map(|b| b.as_ref()),
            Some(&[0xf8u8][..])
        );
        assert!(!op.is_deposit());
    }

    #[test]
    fn eip1559_maps_fee_cap_and_tip() {
        let tx = TxEip1559 {
            chain_id: 7,
            nonce: 0,
            gas_limit: 50_000,
            max_fee_per_gas: 100,
            max_priority_fee_per_gas: 9,
            to: TxKind::Create,
            value: U256::ZERO,
            access_list: Default::default(),
            input: Bytes::new(),
        };
        let env = TxEnvelope::Eip1559(Signed::new_unhashed(tx, Signature::test_signature()));
        let op = signed_env(&env, FROM, Bytes::new());
        assert_eq!(op.base.tx_type, 2);
        assert_eq!(op.base.gas_price, 100);
        assert_eq!(op.base.gas_priority_fee, Some(9));
        assert_eq!(op.base.kind, TxKind::Create);
        assert_eq!(op.base.chain_id, Some(7));
    }

    #[test]
    fn deposit_env_carries_the_deposit_parts() {
        let source_hash =
            b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
        let tx = TxDeposit {
            source_hash,
            from: FROM,
            to: TxKind::Call(TO),
            mint: 42,
            value: U256::from(7),
            gas_limit: 90_000,
            is_system_transaction: false,
            input: Bytes::new(),
        };
        let op = deposit_env(&tx, Bytes::from_static(&[0x7e]));
        assert!(op.is_deposit());
        assert_eq!(op.tx_type(), 0x7e);
        assert_eq!(op.source_hash(), Some(source_hash));
        assert_eq!(op.mint(), Some(42));
        assert_eq!(op.base.caller, FROM);
        assert_eq!(op.base.gas_limit, 90_000);
        assert_eq!(op.base.gas_price, 0);
        assert_eq!(op.base.value, U256::from(7));
    }
}
