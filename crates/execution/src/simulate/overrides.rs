//! State and block overrides (`eth_call`'s third and fourth parameters), applied to an in-memory
//! overlay of the caller's state view and to the block environment; nothing reaches the view.
//!
//! As geth (`internal/ethapi/override`): `balance`, `nonce` and `code` replace the account's
//! fields; `state` replaces the whole storage, `stateDiff` only the given slots, and giving both
//! is an error. Block overrides set header fields for the call; `beaconRoot` is refused because
//! eth_call runs no system calls, and `movePrecompileToAddress` is not supported.

use alloy::rpc::types::{BlockOverrides, state::AccountOverride, state::StateOverride};
use alloy_primitives::{Address, U256};
use revm::{
    DatabaseRef, bytecode::Bytecode, context::BlockEnv,
    context_interface::block::BlobExcessGasAndPrice, database::CacheDB,
};

use crate::{SimulationError, executor::database_error};

/// The caller's state view with the overrides on top.
pub(crate) type Overlay<'a, DB> = CacheDB<&'a DB>;

/// An overlay of `db` with `overrides` applied.
pub(crate) fn state_overlay<'a, DB: DatabaseRef>(
    db: &'a DB,
    overrides: Option<&StateOverride>,
) -> Result<Overlay<'a, DB>, SimulationError> {
    let mut overlay = CacheDB::new(db);
    for (address, account) in overrides.into_iter().flatten() {
        apply_account(&mut overlay, *address, account)?;
    }
    Ok(overlay)
}

fn apply_account<DB: DatabaseRef>(
    overlay: &mut Overlay<'_, DB>,
    address: Address,
    account: &AccountOverride,
) -> Result<(), SimulationError> {
    let invalid = |reason| SimulationError::InvalidStateOverride { address, reason };
    if account.move_precompile_to.is_some() {
        return Err(invalid("movePrecompileToAddress is not supported"));
    }
    if account.state.is_some() && account.state_diff.is_some() {
        return Err(invalid("has both 'state' and 'stateDiff'"));
    }

    let mut info = overlay
        .basic_ref(address)
        .map_err(database_error)?
        .unwrap_or_default();
    if let Some(balance) = account.balance {
        info.balance = balance;
    }
    if let Some(nonce) = account.nonce {
        info.nonce = nonce;
    }
    if let Some(code) = &account.code {
        // `new_raw` would panic on a malformed EIP-7702 designator; this is user input
        let code = Bytecode::new_raw_checked(code.clone())
            .map_err(|_| invalid("code is a malformed EIP-7702 delegation"))?;
        info.code_hash = code.hash_slow();
        info.code = Some(code);
    }
    overlay.insert_account_info(address, info);

    let word = |w: &alloy_primitives::B256| U256::from_be_bytes(w.0);
    if let Some(state) = &account.state {
        let storage = state.iter().map(|(k, v)| (word(k), word(v))).collect();
        overlay
            .replace_account_storage(address, storage)
            .map_err(database_error)?;
    } else if let Some(diff) = &account.state_diff {
        for (slot, value) in diff {
            overlay
                .insert_account_storage(address, word(slot), word(value))
                .map_err(database_error)?;
        }
    }
    Ok(())
}

/// Applies block overrides to the call's block environment (and `blockHash` to the overlay, which
/// answers `BLOCKHASH`).
pub(crate) fn apply_block_overrides<DB: DatabaseRef>(
    env: &mut BlockEnv,
    overlay: &mut Overlay<'_, DB>,
    overrides: &BlockOverrides,
) -> Result<(), SimulationError> {
    let invalid = |reason| SimulationError::InvalidBlockOverride { reason };
    if overrides.beacon_root.is_some() {
        return Err(invalid(
            "block override \"beaconRoot\" is not supported for this RPC method",
        ));
    }
    if let Some(number) = overrides.number {
        env.number = number;
    }
    if let Some(difficulty) = overrides.difficulty {
        env.difficulty = difficulty;
    }
    if let Some(time) = overrides.time {
        env.timestamp = U256::from(time);
    }
    if let Some(gas_limit) = overrides.gas_limit {
        env.gas_limit = gas_limit;
    }
    if let Some(coinbase) = overrides.coinbase {
        env.beneficiary = coinbase;
    }
    if let Some(random) = overrides.random {
        env.prevrandao = Some(random);
    }
    if let Some(base_fee) = overrides.base_fee {
        env.basefee = u64::try_from(base_fee).map_err(|_| invalid("baseFee exceeds 64 bits"))?;
    }
    if let Some(blob_base_fee) = overrides.blob_base_fee {
        let blob_gasprice =
            u128::try_from(blob_base_fee).map_err(|_| invalid("blobBaseFee exceeds 128 bits"))?;
        env.blob_excess_gas_and_price = Some(BlobExcessGasAndPrice {
            excess_blob_gas: 0,
            blob_gasprice,
        });
    }
    for (number, hash) in overrides.block_hash.iter().flatten() {
        overlay
            .cache
            .block_hashes
            .insert(U256::from(*number), *hash);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{B256, Bytes, address};
    use revm::{database::InMemoryDB, state::AccountInfo};

    const A: Address = address!("0x00000000000000000000000000000000000000aa");

    fn db() -> InMemoryDB {
        let mut db = InMemoryDB::default();
        db.insert_account_info(
            A,
            AccountInfo {
                balance: U256::from(5),
                nonce: 3,
                ..Default::default()
            },
        );
        db.insert_account_storage(A, U256::from(1), U256::from(10))
            .unwrap();
        db.insert_account_storage(A, U256::from(2), U256::from(20))
            .unwrap();
        db
    }

    fn state(entries: &[(u64, u64)]) -> alloy_primitives::map::B256HashMap<B256> {
        entries
            .iter()
            .map(|(k, v)| (B256::from(U256::from(*k)), B256::from(U256::from(*v))))
            .collect()
    }

    #[test]
    fn state_replaces_storage_and_state_diff_patches_it() {
        let db = db();
        let replace = AccountOverride {
            balance: Some(U256::from(9)),
            state: Some(state(&[(1, 11)])),
            ..Default::default()
        };
        let overrides: StateOverride = [(A, replace)].into_iter().collect();
        let overlay = state_overlay(&db, Some(&overrides)).unwrap();
        let info = overlay.basic_ref(A).unwrap().unwrap();
        assert_eq!((info.balance, info.nonce), (U256::from(9), 3));
        assert_eq!(
            overlay.storage_ref(A, U256::from(1)).unwrap(),
            U256::from(11)
        );
        assert_eq!(overlay.storage_ref(A, U256::from(2)).unwrap(), U256::ZERO);

        let patch = AccountOverride {
            state_diff: Some(state(&[(1, 11)])),
            ..Default::default()
        };
        let overrides: StateOverride = [(A, patch)].into_iter().collect();
        let overlay = state_overlay(&db, Some(&overrides)).unwrap();
        assert_eq!(
            overlay.storage_ref(A, U256::from(1)).unwrap(),
            U256::from(11)
        );
        assert_eq!(
            overlay.storage_ref(A, U256::from(2)).unwrap(),
            U256::from(20)
        );
        // the caller's view is untouched
        assert_eq!(db.storage_ref(A, U256::from(1)).unwrap(), U256::from(10));
    }

    #[test]
    fn invalid_overrides_are_user_errors_not_panics() {
        let db = db();
        let both = AccountOverride {
            state: Some(state(&[])),
            state_diff: Some(state(&[])),
            ..Default::default()
        };
        let bad_delegation = AccountOverride {
            code: Some(Bytes::from_static(&[0xef, 0x01, 0x00, 0x01])),
            ..Default::default()
        };
        for account in [both, bad_delegation] {
            let overrides: StateOverride = [(A, account)].into_iter().collect();
            let err = state_overlay(&db, Some(&overrides)).unwrap_err();
            assert!(matches!(err, SimulationError::InvalidStateOverride { .. }));
        }

        let mut env = BlockEnv::default();
        let mut overlay = state_overlay(&db, None).unwrap();
        let huge = BlockOverrides {
            base_fee: Some(U256::MAX),
            ..Default::default()
        };
        assert!(apply_block_overrides(&mut env, &mut overlay, &huge).is_err());
    }
}
