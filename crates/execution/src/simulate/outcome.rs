//! What a simulated call returns.

use alloy_primitives::{Bytes, Log};
use op_revm::OpHaltReason;
use revm::context::result::{ExecutionResult, Output};

use crate::SimulationError;

/// The result of [`Simulator::call`](crate::Simulator::call): how the call ended, its gas and its
/// logs. Nothing was committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallResult {
    /// Success, revert or halt.
    pub outcome: CallOutcome,
    /// Gas used, as a receipt would report it (after refunds).
    pub gas_used: u64,
    /// Logs emitted by the call.
    pub logs: Vec<Log>,
}

/// How a simulated call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutcome {
    /// It returned; `output` is the return data (the runtime code for a creation).
    Success {
        /// Return data.
        output: Bytes,
    },
    /// It reverted with `output` (ABI-encoded `Error(string)`, `Panic(uint256)`, a custom error,
    /// or anything else).
    Revert {
        /// Revert data.
        output: Bytes,
    },
    /// It halted (out of gas, invalid opcode, …) and consumed all its gas.
    Halt {
        /// Why it halted.
        reason: OpHaltReason,
    },
}

impl CallResult {
    /// Whether the call succeeded.
    pub const fn is_success(&self) -> bool {
        matches!(self.outcome, CallOutcome::Success { .. })
    }

    /// The return data of a successful call, or the error `eth_call` answers with: a revert
    /// ([`SimulationError::Reverted`], code 3 with the data) or a halt
    /// ([`SimulationError::Halted`]).
    ///
    /// # Errors
    ///
    /// When the call did not succeed.
    pub fn into_output(self) -> Result<Bytes, SimulationError> {
        match self.outcome {
            CallOutcome::Success { output } => Ok(output),
            CallOutcome::Revert { output } => Err(SimulationError::Reverted { output }),
            CallOutcome::Halt { reason } => Err(SimulationError::Halted { reason }),
        }
    }
}

impl From<ExecutionResult<OpHaltReason>> for CallResult {
    fn from(result: ExecutionResult<OpHaltReason>) -> Self {
        let gas_used = result.tx_gas_used();
        let (outcome, logs) = match result {
            ExecutionResult::Success { output, logs, .. } => {
                let output = match output {
                    Output::Call(data) | Output::Create(data, _) => data,
                };
                (CallOutcome::Success { output }, logs)
            }
            ExecutionResult::Revert { output, logs, .. } => (CallOutcome::Revert { output }, logs),
            ExecutionResult::Halt { reason, logs, .. } => (CallOutcome::Halt { reason }, logs),
        };
        Self {
            outcome,
            gas_used,
            logs,
        }
    }
}
