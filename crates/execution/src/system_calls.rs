//! Pre-block system calls of Cancun and Prague.
//!
//! Before the first transaction of block `n > 0`, the system address `0xff…fe` calls:
//!
//! - EIP-4788: the beacon roots contract with the parent beacon block root (on Tributary, the L1
//!   origin's; zero when L1 has none);
//! - EIP-2935: the history storage contract with the parent block hash.
//!
//! Each call happens only if the contract has code in the pre-block state (a chain whose genesis
//! lacks it simply has no history), as OP Stack and the EIPs do for chains where the contract is
//! not yet deployed. The calls pay no gas and touch no balances; only the contract's storage changes
//! are kept.

use alloy::eips::{eip2935::HISTORY_STORAGE_ADDRESS, eip4788::BEACON_ROOTS_ADDRESS};
use alloy_primitives::{Address, B256, Bytes};
use revm::{
    Database, DatabaseRef, ExecuteCommitEvm,
    context::result::ExecResultAndState,
    handler::{SYSTEM_ADDRESS, system_call::SystemCallEvm},
    primitives::KECCAK_EMPTY,
};
use tracing::trace;

use crate::{
    BlockContext, ExecutionError, Result,
    executor::{BlockEvm, database_error, evm_error},
};

/// Runs the EIP-4788 and EIP-2935 calls for `block`.
pub(crate) fn apply_pre_block_calls<DB: DatabaseRef, I>(
    evm: &mut BlockEvm<'_, DB, I>,
    block: &BlockContext,
) -> Result<()> {
    // genesis has no parent: both EIPs skip block 0
    if block.number == 0 {
        return Ok(());
    }
    let beacon_root = block.parent_beacon_block_root;
    system_call(evm, block, BEACON_ROOTS_ADDRESS, beacon_root)?;
    system_call(evm, block, HISTORY_STORAGE_ADDRESS, block.parent_hash)?;
    Ok(())
}

/// Calls `contract` with the 32-byte `input` from the system address, if the contract has code,
/// and commits the contract's changes.
fn system_call<DB: DatabaseRef, I>(
    evm: &mut BlockEvm<'_, DB, I>,
    block: &BlockContext,
    contract: Address,
    input: B256,
) -> Result<()> {
    let info = evm
        .0
        .ctx
        .journaled_state
        .database
        .basic(contract)
        .map_err(database_error)?;
    if !info.is_some_and(|a| a.code_hash != KECCAK_EMPTY && !a.code_hash.is_zero()) {
        trace!(target: "execution", %contract, "system contract absent, call skipped");
        return Ok(());
    }
    let ExecResultAndState { result, mut state } = evm
        .system_call_with_caller(
            SYSTEM_ADDRESS,
            contract,
            Bytes::copy_from_slice(input.as_slice()),
        )
        .map_err(|e| evm_error(e, B256::ZERO))?;
    if !result.is_success() {
        return Err(ExecutionError::SystemCall {
            contract,
            reason: format!("{result:?}"),
        });
    }
    // revm loads the caller and the coinbase as warm accounts; a system call must not touch them
    state.remove(&SYSTEM_ADDRESS);
    state.remove(&block.beneficiary);
    evm.commit(state);
    Ok(())
}
