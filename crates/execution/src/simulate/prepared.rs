//! A call made ready to run: validated, over its overlaid state, with its environments.

use alloy_primitives::{Address, B256, U256};
use op_revm::{OpSpecId, OpTransactionError};
use revm::{
    DatabaseRef,
    context::{BlockEnv, CfgEnv, result::EVMError},
    context_interface::DBErrorMarker,
    database::State,
    primitives::KECCAK_EMPTY,
};
use tracing::debug;

use super::{estimate, overrides::Overlay, request::Call};
use crate::{
    BlockExecutor, RejectReason, SimulationError,
    executor::{BlockEvm, database_error, evm_error},
};

/// A validated call over its overlaid state, ready to run.
pub(super) struct Prepared<'a, DB> {
    pub(super) overlay: Overlay<'a, DB>,
    pub(super) block_env: BlockEnv,
    pub(super) call: Call,
    /// The most gas a call may use: the block gas limit, or the RPC gas cap if lower.
    pub(super) max_gas: u64,
}

impl<'a, DB: DatabaseRef> Prepared<'a, DB> {
    /// An EVM over the overlay, configured for calls (no nonce or EIP-3607 check).
    pub(super) fn evm<I>(
        &self,
        executor: &BlockExecutor,
        inspector: I,
    ) -> BlockEvm<'_, Overlay<'a, DB>, I> {
        let state = State::builder().with_database_ref(&self.overlay).build();
        executor.evm(state, self.block_env.clone(), call_cfg(executor), inspector)
    }

    /// The gas limit of a call: the request's, capped; or the cap, lowered to what the sender
    /// can pay when the call pays a fee.
    pub(super) fn call_gas(&self, requested: Option<u64>) -> Result<u64, SimulationError> {
        if let Some(gas) = requested {
            if gas > self.max_gas {
                debug!(target: "execution::simulate", gas, cap = self.max_gas, "call gas above the cap, capping");
            }
            return Ok(gas.min(self.max_gas));
        }
        let value = self.call.tx.base.value;
        // when the sender cannot even pay for a transfer (or send the value), keep the cap: the
        // EVM then fails with geth's "insufficient funds for gas * price + value"
        let allowance = gas_allowance(self.balance()?, value, self.call.fee_cap)
            .ok()
            .flatten()
            .filter(|gas| *gas >= estimate::TX_GAS);
        Ok(allowance.map_or(self.max_gas, |a| a.min(self.max_gas)))
    }

    /// The sender's balance, overrides applied.
    pub(super) fn balance(&self) -> Result<U256, SimulationError> {
        let account = self
            .overlay
            .basic_ref(self.call.tx.base.caller)
            .map_err(database_error)?;
        Ok(account.map_or(U256::ZERO, |a| a.balance))
    }

    /// Whether `address` has no code (a plain transfer target).
    pub(super) fn has_no_code(&self, address: Address) -> Result<bool, SimulationError> {
        let account = self.overlay.basic_ref(address).map_err(database_error)?;
        Ok(account.is_none_or(|a| a.code_hash == KECCAK_EMPTY || a.code_hash.is_zero()))
    }
}

impl<DB> core::fmt::Debug for Prepared<'_, DB> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Prepared")
            .field("call", &self.call)
            .field("max_gas", &self.max_gas)
            .finish_non_exhaustive()
    }
}

/// The executor's configuration with geth's call relaxations: no nonce check (a call does not
/// consume a nonce) and no EIP-3607 check (contracts may be simulated as senders).
pub(super) fn call_cfg(executor: &BlockExecutor) -> CfgEnv<OpSpecId> {
    let mut cfg = executor.cfg_env();
    cfg.disable_nonce_check = true;
    cfg.disable_eip3607 = true;
    cfg
}

/// Gas the sender can pay at `fee_cap` after sending `value` (`None` when the call pays no fee).
///
/// As geth's estimator, a value that is not below the balance leaves nothing for gas.
pub(super) fn gas_allowance(
    balance: U256,
    value: U256,
    fee_cap: u128,
) -> Result<Option<u64>, SimulationError> {
    if fee_cap == 0 {
        return Ok(None);
    }
    if value >= balance {
        return Err(SimulationError::InsufficientFundsForTransfer);
    }
    let allowance = (balance - value) / U256::from(fee_cap);
    Ok(Some(u64::try_from(allowance).unwrap_or(u64::MAX)))
}

/// Maps an EVM error of a simulated call: the call's invalidity is the user's, anything else is
/// internal.
pub(super) fn transact_error<E: DBErrorMarker>(
    e: EVMError<E, OpTransactionError>,
) -> SimulationError {
    match e {
        EVMError::Transaction(invalid) => SimulationError::Rejected(RejectReason::Invalid(invalid)),
        other => SimulationError::Execution(evm_error(other, B256::ZERO)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowance_is_what_the_balance_pays_after_the_value() {
        let balance = U256::from(1_000_000u64);
        assert_eq!(gas_allowance(balance, U256::ZERO, 0).unwrap(), None);
        assert_eq!(
            gas_allowance(balance, U256::from(400_000u64), 10).unwrap(),
            Some(60_000)
        );
        assert!(matches!(
            gas_allowance(balance, balance, 1),
            Err(SimulationError::InsufficientFundsForTransfer)
        ));
        assert_eq!(
            gas_allowance(U256::MAX, U256::ZERO, 1).unwrap(),
            Some(u64::MAX)
        );
    }
}
