//! An RPC call request as op-revm's transaction environment, with geth's `eth_call` rules
//! (`TransactionArgs.ToMessage` with nonce and EOA checks skipped).
//!
//! - `from` defaults to the zero address, `to` absent means a creation, `value` and `input`
//!   default to empty; `data` is accepted for `input` (both given must be equal).
//! - Fees: `gasPrice` (legacy, or EIP-2930 with an access list) or `maxFeePerGas` /
//!   `maxPriorityFeePerGas` (EIP-1559; EIP-7702 with an authorization list), never both. Absent
//!   fees are zero; a call that pays nothing runs with base fee 0 (see [`Simulator`]).
//! - No L1 data fee: the environment's EIP-2718 bytes are empty, for which op-revm charges no L1
//!   or operator fee, as op-geth charges none to RPC calls (they carry no rollup cost data).
//!
//! [`Simulator`]: crate::Simulator

use alloy::rpc::types::TransactionRequest;
use alloy_primitives::{Bytes, TxKind};
use op_revm::{OpTransaction, transaction::deposit::DepositTransactionParts};
use revm::context::{TxEnv, either::Either};

use crate::SimulationError;

/// A validated call, ready to run once its gas limit is chosen.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// The environment; `gas_limit` is set per execution.
    pub(crate) tx: OpTransaction<TxEnv>,
    /// The most the caller pays per gas (`gasPrice` or `maxFeePerGas`); zero when neither is given.
    pub(crate) fee_cap: u128,
}

impl Call {
    /// The environment with `gas_limit`.
    pub(crate) fn with_gas(&self, gas_limit: u64) -> OpTransaction<TxEnv> {
        let mut tx = self.tx.clone();
        tx.base.gas_limit = gas_limit;
        tx
    }
}

/// Validates `request` and builds its environment for chain `chain_id`.
pub(crate) fn call_tx(
    request: &TransactionRequest,
    chain_id: u64,
) -> Result<Call, SimulationError> {
    let eip1559_fees =
        request.max_fee_per_gas.is_some() || request.max_priority_fee_per_gas.is_some();
    if request.gas_price.is_some() && eip1559_fees {
        return Err(SimulationError::ConflictingFeeFields);
    }
    let has_blobs = request
        .blob_versioned_hashes
        .as_ref()
        .is_some_and(|h| !h.is_empty())
        || request.sidecar.is_some()
        || request.max_fee_per_blob_gas.is_some();
    if has_blobs {
        return Err(SimulationError::BlobsNotSupported);
    }
    if let Some(have) = request.chain_id
        && have != chain_id
    {
        return Err(SimulationError::ChainIdMismatch {
            have,
            want: chain_id,
        });
    }
    let data = request
        .input
        .clone()
        .try_into_unique_input()
        .map_err(|_| SimulationError::ConflictingInput)?
        .unwrap_or_default();
    // an empty list is treated as absent rather than as an invalid EIP-7702 transaction
    let authorizations = request
        .authorization_list
        .as_ref()
        .filter(|list| !list.is_empty());

    let tx_type = if authorizations.is_some() {
        4
    } else if eip1559_fees {
        2
    } else if request.access_list.is_some() {
        1
    } else {
        0
    };
    let (gas_price, gas_priority_fee) = if tx_type < 2 {
        (request.gas_price.unwrap_or_default(), None)
    } else {
        // geth: a gasPrice on a dynamic-fee call is both the fee cap and the tip
        let cap = request.max_fee_per_gas.or(request.gas_price);
        let tip = request.max_priority_fee_per_gas.or(request.gas_price);
        (cap.unwrap_or_default(), Some(tip.unwrap_or_default()))
    };

    let base = TxEnv {
        tx_type,
        caller: request.from.unwrap_or_default(),
        // chosen per execution (see `Call::with_gas`)
        gas_limit: 0,
        gas_price,
        gas_priority_fee,
        kind: request.to.unwrap_or(TxKind::Create),
        value: request.value.unwrap_or_default(),
        data,
        // not checked (the simulation disables the nonce check, as geth does for calls)
        nonce: request.nonce.unwrap_or_default(),
        chain_id: Some(chain_id),
        access_list: request.access_list.clone().unwrap_or_default(),
        blob_hashes: Vec::new(),
        max_fee_per_blob_gas: 0,
        authorization_list: authorizations
            .map(|list| list.iter().cloned().map(Either::Left).collect())
            .unwrap_or_default(),
    };
    Ok(Call {
        tx: OpTransaction {
            base,
            enveloped_tx: Some(Bytes::new()),
            deposit: DepositTransactionParts::default(),
        },
        fee_cap: gas_price,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::rpc::types::TransactionInput;
    use alloy_primitives::{U256, address};

    const CHAIN: u64 = 42;

    #[test]
    fn defaults_are_a_free_legacy_call_from_zero() {
        let to = address!("0x00000000000000000000000000000000000000bb");
        let call = call_tx(&TransactionRequest::default().to(to), CHAIN).unwrap();
        assert_eq!(call.fee_cap, 0);
        let tx = call.with_gas(100_000).base;
        assert_eq!(tx.tx_type, 0);
        assert_eq!(tx.caller, alloy_primitives::Address::ZERO);
        assert_eq!(tx.kind, TxKind::Call(to));
        assert_eq!(tx.gas_limit, 100_000);
        assert_eq!(tx.value, U256::ZERO);
        assert_eq!(tx.chain_id, Some(CHAIN));
        assert_eq!(call.tx.enveloped_tx, Some(Bytes::new()));
    }

    #[test]
    fn absent_to_is_a_creation_and_fee_fields_pick_the_type() {
        let call = call_tx(
            &TransactionRequest::default()
                .max_fee_per_gas(7)
                .max_priority_fee_per_gas(2),
            CHAIN,
        )
        .unwrap();
        assert_eq!(call.tx.base.kind, TxKind::Create);
        assert_eq!(call.tx.base.tx_type, 2);
        assert_eq!(call.fee_cap, 7);
        assert_eq!(call.tx.base.gas_priority_fee, Some(2));

        let legacy = call_tx(&TransactionRequest::default().gas_price(5), CHAIN).unwrap();
        assert_eq!((legacy.tx.base.tx_type, legacy.fee_cap), (0, 5));
        assert_eq!(legacy.tx.base.gas_priority_fee, None);
    }

    #[test]
    fn malformed_requests_are_refused() {
        let both = TransactionRequest::default()
            .gas_price(1)
            .max_fee_per_gas(1);
        assert!(matches!(
            call_tx(&both, CHAIN),
            Err(SimulationError::ConflictingFeeFields)
        ));

        let input = TransactionInput {
            input: Some(Bytes::from_static(&[1])),
            data: Some(Bytes::from_static(&[2])),
        };
        let conflicting = TransactionRequest::default().input(input);
        assert!(matches!(
            call_tx(&conflicting, CHAIN),
            Err(SimulationError::ConflictingInput)
        ));

        let other_chain = TransactionRequest {
            chain_id: Some(CHAIN + 1),
            ..Default::default()
        };
        let err = call_tx(&other_chain, CHAIN).unwrap_err();
        assert_eq!(
            err.to_string(),
            "chainId does not match node's (have=43, want=42)"
        );

        let blob = TransactionRequest {
            max_fee_per_blob_gas: Some(1),
            ..Default::default()
        };
        assert!(matches!(
            call_tx(&blob, CHAIN),
            Err(SimulationError::BlobsNotSupported)
        ));
    }
}
