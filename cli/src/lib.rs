//! The `tributary` command line: a user's OPEN deposits to L2 and withdrawals back to L1, and the
//! Proof-of-Attribution flows (DataNets, contributions, votes, models, paid queries through the
//! gateway, earnings, claims), through nothing but JSON-RPC, the gateway's HTTP API and the
//! deployment file.
//!
//! ```text
//!                    deployment.json (or the devnet file embedding it under "deployment")
//!                                   │ addresses, chain ids
//!   deposit ──L1──► OpenToken.approve ─► Portal.depositTransaction ──(derivation)──► native OPEN on L2
//!                                                                         ▲ --wait polls the L2 balance
//!   withdraw initiate ──L2──► L2ToL1MessagePasser.initiateWithdrawal{value} ─► MessagePassed(withdrawalHash)
//!   withdraw prove    ──L2──► receipt → Withdrawal; header + eth_getProof(passer, [slot]) at the output's block
//!                     ──L1──► Rollup outputs (binary search) → Portal.proveWithdrawal
//!   withdraw finalize ──L1──► Rollup.isFinalized(index) → Portal.finalizeWithdrawal ─► OPEN to the target
//!   withdraw status   ──both─► initiated / waiting for output / proven / finalizable / finalized
//!   datanet, contribute, vote, model, prepay, earnings, claim ──L2──► the attribution predeploys
//!   contribute, query ──gateway──► POST /v1/contributions, POST /v1/chat/completions ([`gateway_api`])
//! ```
//!
//! The batcher and proposer are not the user's business: `prove` waits for (or reports the lack
//! of) an output covering the withdrawal's L2 block, and checks the output root it recomputes
//! from the L2 node's header and storage proof against the one posted on L1 before sending
//! anything, so a wrong node or an invalid output gives a clear error instead of a revert.
//! docs/withdrawals.md walks through a withdrawal; docs/contracts.md has the contract rules.
//!
//! [`Client`] holds both providers and the deployment; every command is one of its methods
//! ([`Client::deposit`], [`Client::initiate_withdrawal`], [`Client::prove`],
//! [`Client::finalize`], [`Client::status`], and the [`attribution`] ones) and returns a receipt that prints for people
//! (`Display`) and serializes for scripts (`--json`). Progress goes to tracing (target
//! `tributary`), which the binary prints on stderr.
//!
//! Errors are [`CliError`]s with messages meant for the terminal; contract reverts are decoded
//! with [`tributary_contracts::ContractRevert`] ([`CliError::revert`]), and
//! [`CliError::is_retryable`] tells "wait and retry" (no output yet, window still open) from
//! mistakes.

pub mod amount;
pub mod attribution;
pub mod client;
pub mod deposit;
pub mod error;
pub mod gateway_api;
pub mod withdraw;

pub use amount::{format_open, parse_open, parse_open_or_zero};
pub use attribution::{ClaimReceipt, Created, Earnings, QueryAnswer, Sent};
pub use client::{Client, ClientConfig, DeploymentFile, EndpointSource, load_deployment};
pub use deposit::DepositReceipt;
pub use error::{CliError, Layer, Result};
pub use withdraw::{
    FinalizeReceipt, InitiatedWithdrawal, OutputRef, OutputSearch, ProveReceipt, StatusReport,
    WithdrawalStatus,
};
