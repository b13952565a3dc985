//! `eth_estimateGas`: geth's search (eth/gasestimator), kept apart from the EVM so its steps can
//! be tested on their own.
//!
//! 1. The highest gas allowed (`hi`) is chosen by the caller: the request's gas (if at least
//!    21000) or the block gas limit, capped by what the sender's balance pays at the fee cap and
//!    by the RPC gas cap.
//! 2. A plain transfer (no input, recipient without code) is tried at 21000 first.
//! 3. One run at `hi`: a revert there is returned with its data, any other halt with its reason,
//!    and running out of gas (or intrinsic gas above `hi`) is "gas required exceeds allowance".
//! 4. The gas used at `hi` bounds the answer from below (`lo = used - 1`); the optimistic guess
//!    `(used + refund + 2300) * 64 / 63` (EIP-150 leaves 1/64 of the gas in each frame; the
//!    stipend covers a value-bearing sub-call) usually succeeds and becomes `hi`.
//! 5. Binary search, skewed towards `lo` (most calls need little more than they use), for the
//!    smallest limit that succeeds.
//!
//! The L1 data fee plays no part, as in op-geth: it is not gas.

use alloy_primitives::Bytes;
use op_revm::OpHaltReason;

use crate::SimulationError;

/// Gas of a plain transfer.
pub(crate) const TX_GAS: u64 = 21_000;
/// Gas a value-bearing call passes on for free (EIP-150 stipend).
const CALL_STIPEND: u64 = 2_300;

/// How one execution at a given gas limit went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trial {
    /// It succeeded.
    Success {
        /// Gas used after refunds.
        gas_used: u64,
        /// The refund applied.
        refunded: u64,
    },
    /// It ran out of gas, or the limit was below the intrinsic gas: more gas may help.
    OutOfGas,
    /// It reverted.
    Revert(Bytes),
    /// It halted for another reason than gas.
    Halt(OpHaltReason),
}

impl Trial {
    const fn succeeded(&self) -> bool {
        matches!(self, Self::Success { .. })
    }
}

/// The smallest gas limit in `(used - 1, hi]` for which `run` succeeds.
///
/// `plain_transfer` enables the 21000 shortcut. `run` executes the call at a gas limit; its
/// errors (the call is invalid, the state view failed) end the search.
pub(crate) fn search(
    hi: u64,
    plain_transfer: bool,
    mut run: impl FnMut(u64) -> Result<Trial, SimulationError>,
) -> Result<u64, SimulationError> {
    // geth tries a transfer at 21000 and falls through on any failure (e.g. an access list that
    // costs more)
    if plain_transfer && hi >= TX_GAS && matches!(run(TX_GAS), Ok(t) if t.succeeded()) {
        return Ok(TX_GAS);
    }

    let (gas_used, refunded) = match run(hi)? {
        Trial::Success { gas_used, refunded } => (gas_used, refunded),
        Trial::OutOfGas => return Err(SimulationError::GasRequiredExceedsAllowance { cap: hi }),
        Trial::Revert(output) => return Err(SimulationError::Reverted { output }),
        Trial::Halt(reason) => return Err(SimulationError::Halted { reason }),
    };

    let mut hi = hi;
    let mut lo = gas_used.saturating_sub(1);
    let optimistic = gas_used
        .saturating_add(refunded)
        .saturating_add(CALL_STIPEND)
        .saturating_mul(64)
        / 63;
    if optimistic < hi {
        if run(optimistic)?.succeeded() {
            hi = optimistic;
        } else {
            lo = optimistic;
        }
    }

    while lo + 1 < hi {
        let mut mid = lo + (hi - lo) / 2;
        // skew towards the low side, but always make progress
        if mid > lo.saturating_mul(2) {
            mid = (lo * 2).max(lo + 1);
        }
        if run(mid)?.succeeded() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use revm::context_interface::result::HaltReason;

    /// A call that needs `need` gas and reports `used` when it succeeds.
    fn threshold(
        need: u64,
        used: u64,
        calls: &mut Vec<u64>,
    ) -> impl FnMut(u64) -> Result<Trial, SimulationError> + '_ {
        move |gas| {
            calls.push(gas);
            Ok(if gas >= need {
                Trial::Success {
                    gas_used: used,
                    refunded: 0,
                }
            } else {
                Trial::OutOfGas
            })
        }
    }

    #[test]
    fn finds_the_smallest_limit_above_gas_used() {
        let mut calls = Vec::new();
        let gas = search(30_000_000, false, threshold(60_001, 50_000, &mut calls)).unwrap();
        assert_eq!(gas, 60_001);
        assert_eq!(calls[0], 30_000_000, "the first run is at the cap");
        assert!(calls.len() < 40, "{} runs", calls.len());
    }

    #[test]
    fn the_optimistic_guess_ends_the_search_when_it_is_exact() {
        let mut calls = Vec::new();
        let need = (50_000 + CALL_STIPEND) * 64 / 63;
        let gas = search(30_000_000, false, threshold(need, 50_000, &mut calls)).unwrap();
        assert_eq!(gas, need);
    }

    #[test]
    fn plain_transfers_short_circuit() {
        let mut calls = Vec::new();
        let gas = search(30_000_000, true, threshold(TX_GAS, TX_GAS, &mut calls)).unwrap();
        assert_eq!(gas, TX_GAS);
        assert_eq!(calls, vec![TX_GAS]);
    }

    #[test]
    fn failures_at_the_cap_are_reported() {
        let oog = search(100_000, false, |_| Ok(Trial::OutOfGas)).unwrap_err();
        assert_eq!(oog.to_string(), "gas required exceeds allowance (100000)");

        let revert = search(100_000, false, |_| {
            Ok(Trial::Revert(Bytes::from_static(&[1, 2])))
        })
        .unwrap_err();
        assert_eq!(revert.revert_data().map(|d| d.len()), Some(2));

        let halt = search(100_000, false, |_| {
            Ok(Trial::Halt(OpHaltReason::Base(HaltReason::InvalidJump)))
        })
        .unwrap_err();
        assert_eq!(halt.to_string(), "invalid jump destination");
    }
}
