//! Errors of the `tributary` command line library.

use std::{fmt, path::PathBuf};

use alloy::{
    primitives::{Address, B256, TxHash, U256},
    providers::PendingTransactionError,
    transports::{RpcError, TransportErrorKind},
};
use tributary_contracts::ContractRevert;
use tributary_primitives::DeploymentError;

use crate::amount::format_open;

/// Result alias with [`CliError`].
pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// Which chain a request went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Ethereum (anvil on a devnet): OPEN token, Rollup, Portal.
    L1,
    /// Tributary: the message passer predeploy, native OPEN balances.
    L2,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::L1 => "l1",
            Self::L2 => "l2",
        })
    }
}

/// Why a command failed. Messages are meant for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An amount is not a positive decimal number of OPEN with at most 18 decimals.
    #[error("invalid amount {input:?}: {reason}")]
    InvalidAmount {
        /// What was given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The command sends a transaction but no key was given.
    #[error("no private key: set TRIBUTARY_PRIVATE_KEY (or pass --private-key on a dev chain)")]
    MissingKey,
    /// Loading the deployment file failed.
    #[error(transparent)]
    Deployment(#[from] DeploymentError),
    /// No deployment file was given and none of the default locations exists.
    #[error("no deployment file: pass --deployment FILE (looked for {tried})")]
    NoDeploymentFile {
        /// The default paths that were tried.
        tried: String,
    },
    /// The devnet file records an endpoint that is not a URL.
    #[error("{path}: {layer}_rpc {value:?} is not a URL ({reason}): fix it or pass --{layer}-rpc", path = path.display())]
    InvalidEndpoint {
        /// The chain.
        layer: Layer,
        /// The devnet file.
        path: PathBuf,
        /// The recorded value.
        value: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A JSON-RPC request failed (node unreachable, node error).
    #[error("{layer} rpc: {source}")]
    Rpc {
        /// The chain the request went to.
        layer: Layer,
        /// The underlying error.
        #[source]
        source: RpcError<TransportErrorKind>,
    },
    /// An RPC endpoint serves another chain than the deployment describes.
    #[error(
        "{layer} rpc serves chain id {actual} but the deployment expects {expected}: wrong --{layer}-rpc or --deployment?"
    )]
    WrongChain {
        /// The chain.
        layer: Layer,
        /// Chain id in the deployment.
        expected: u64,
        /// Chain id the endpoint reports.
        actual: u64,
    },
    /// Reading contract state failed.
    #[error("reading {what} on {layer}: {}", describe(revert.as_deref(), source))]
    Call {
        /// What was read.
        what: &'static str,
        /// The chain.
        layer: Layer,
        /// The decoded revert, if the node returned revert data.
        revert: Option<Box<ContractRevert>>,
        /// The underlying error.
        #[source]
        source: Box<alloy::contract::Error>,
    },
    /// Sending a transaction failed before it was mined; a revert found while estimating gas is
    /// decoded into `revert`.
    #[error("{action} failed: {}", describe(revert.as_deref(), source))]
    Send {
        /// What the transaction does ("deposit", "finalizeWithdrawal", ...).
        action: &'static str,
        /// The decoded revert, if the node returned revert data.
        revert: Option<Box<ContractRevert>>,
        /// The underlying error.
        #[source]
        source: Box<alloy::contract::Error>,
    },
    /// Waiting for a receipt failed.
    #[error("waiting for the {action} transaction {tx}: {source}")]
    Pending {
        /// What the transaction does.
        action: &'static str,
        /// The transaction.
        tx: TxHash,
        /// The underlying error.
        #[source]
        source: PendingTransactionError,
    },
    /// A transaction was mined but reverted.
    #[error("{action} transaction {tx} reverted")]
    Reverted {
        /// What the transaction does.
        action: &'static str,
        /// The transaction.
        tx: TxHash,
    },
    /// The L1 account lacks the OPEN to deposit.
    #[error("insufficient OPEN on l1: {account} holds {} OPEN, the deposit needs {} OPEN", format_open(*have), format_open(*need))]
    InsufficientOpen {
        /// The depositor.
        account: Address,
        /// Its OPEN balance (wei).
        have: U256,
        /// The amount (wei).
        need: U256,
    },
    /// The withdrawal target is a contract the Portal refuses to call (the Portal or the OPEN token).
    #[error("withdrawal target {target} is the {what}: the Portal refuses to release OPEN to it")]
    InvalidTarget {
        /// The target.
        target: Address,
        /// Which contract it is.
        what: &'static str,
    },
    /// The L2 transaction is unknown to the L2 node.
    #[error("l2 transaction {tx} not found (not mined yet, or another --l2-rpc?)")]
    TxNotFound {
        /// The transaction.
        tx: TxHash,
    },
    /// The L2 transaction reverted, so it initiated no withdrawal.
    #[error("l2 transaction {tx} reverted: it initiated no withdrawal")]
    TxFailed {
        /// The transaction.
        tx: TxHash,
    },
    /// The L2 transaction emitted no `MessagePassed` event.
    #[error("l2 transaction {tx} initiated no withdrawal (no MessagePassed event of 0x4200…0016)")]
    NotAWithdrawal {
        /// The transaction.
        tx: TxHash,
    },
    /// A block the L2 node should have is missing.
    #[error("l2 block {number} not found on the l2 node")]
    L2BlockMissing {
        /// The block number.
        number: u64,
    },
    /// No Rollup output covers the withdrawal's L2 block yet.
    #[error("no output covers L2 block {l2_block} yet (latest output: {})", latest.map_or_else(|| "none".to_string(), |b| format!("L2 block {b}")))]
    NoOutput {
        /// The withdrawal's L2 block.
        l2_block: u64,
        /// L2 block of the latest output, if any.
        latest: Option<u64>,
    },
    /// The output root on L1 differs from the one computed from the L2 node's data.
    #[error(
        "output #{output_index} (L2 block {l2_block}) on l1 is {posted} but the l2 node's block gives {computed}: \
         the output is invalid (challenge it) or --l2-rpc serves another chain"
    )]
    OutputRootMismatch {
        /// The Rollup output index.
        output_index: u64,
        /// Its L2 block.
        l2_block: u64,
        /// The root posted on L1.
        posted: B256,
        /// The root computed from L2 RPC data.
        computed: B256,
    },
    /// The L2 node's storage proof does not show the withdrawal.
    #[error(
        "the l2 node's storage proof of withdrawal {withdrawal_hash} at L2 block {l2_block} does not verify: {reason}"
    )]
    BadProof {
        /// The withdrawal hash.
        withdrawal_hash: B256,
        /// The L2 block of the proof.
        l2_block: u64,
        /// Why it does not verify.
        reason: String,
    },
    /// `finalize` before `prove`.
    #[error(
        "withdrawal {withdrawal_hash} is not proven yet: run `tributary withdraw prove --tx {tx}` first"
    )]
    NotProven {
        /// The withdrawal hash.
        withdrawal_hash: B256,
        /// The L2 transaction.
        tx: TxHash,
    },
    /// The output the withdrawal was proven against was deleted or replaced.
    #[error(
        "withdrawal {withdrawal_hash} was proven against output #{output_index}, which was deleted or replaced: prove it again"
    )]
    ProofInvalidated {
        /// The withdrawal hash.
        withdrawal_hash: B256,
        /// The output index of the proof.
        output_index: u64,
    },
    /// The output is still inside its challenge window.
    #[error(
        "output #{output_index} is not finalized yet: {remaining_secs} s of its challenge window remain (use --wait)"
    )]
    NotFinalized {
        /// The output index.
        output_index: u64,
        /// Seconds until the window ends, by the latest L1 block's timestamp.
        remaining_secs: u64,
    },
    /// The output's window has passed but a challenge on it or an earlier output is pending.
    #[error(
        "output #{output_index} is past its challenge window but not finalized: a challenge on it or an earlier output awaits the guardian"
    )]
    ChallengePending {
        /// The output index.
        output_index: u64,
    },
    /// A file to submit could not be read.
    #[error("reading {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file to submit is empty (a contribution has a non-zero size).
    #[error("{} is empty: a contribution needs content", path.display())]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// A mined transaction lacks the event that reports its result.
    #[error("{action} transaction {tx} emitted no {event} event")]
    MissingEvent {
        /// What the transaction does.
        action: &'static str,
        /// The event's signature.
        event: &'static str,
        /// The transaction.
        tx: TxHash,
    },
    /// Nothing is owed to the account in either contract.
    #[error("nothing to claim: {account} has no credits and no pending validator rewards")]
    NothingToClaim {
        /// The account.
        account: Address,
    },
    /// `model register` without `--artifact` or `--artifact-hash`.
    #[error("no artifact: pass --artifact FILE (its keccak256 is recorded) or --artifact-hash 0x…")]
    MissingArtifact,
    /// A contribution was submitted on chain but its upload to the gateway failed.
    #[error(
        "contribution {contribution_id} was submitted (tx {tx}) but uploading it to the gateway failed: {source}; upload it again with `{retry}`"
    )]
    UploadFailed {
        /// The new contribution.
        contribution_id: u64,
        /// Its submission.
        tx: TxHash,
        /// A command that uploads it.
        retry: String,
        /// Why the upload failed.
        #[source]
        source: Box<CliError>,
    },
    /// Signing a request failed.
    #[error("signing the request: {0}")]
    Sign(String),
    /// The gateway URL cannot be used.
    #[error("invalid gateway url: {0}")]
    InvalidGateway(String),
    /// The gateway could not be reached or did not answer.
    #[error("gateway {url}: {source}")]
    GatewayRequest {
        /// The request's URL.
        url: alloy::transports::http::reqwest::Url,
        /// The underlying error.
        #[source]
        source: alloy::transports::http::reqwest::Error,
    },
    /// The gateway refused the request (its OpenAI-style error, docs/gateway.md).
    #[error("gateway refused ({status}{}): {message}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
    Gateway {
        /// HTTP status.
        status: u16,
        /// The error code (`nonce_used`, `model_not_found`...).
        code: Option<String>,
        /// The gateway's message.
        message: String,
    },
    /// `--wait` ran out of time.
    #[error("timed out after {secs} s waiting for {waiting_for}")]
    Timeout {
        /// What was awaited.
        waiting_for: String,
        /// The timeout.
        secs: u64,
    },
}

impl CliError {
    /// Whether the same command may succeed later without changes (the chain has to move on: an
    /// output, the end of a challenge window, a reachable node).
    pub const fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Rpc { .. }
                | Self::Pending { .. }
                | Self::NoOutput { .. }
                | Self::NotFinalized { .. }
                | Self::ChallengePending { .. }
                | Self::TxNotFound { .. }
                | Self::Timeout { .. }
                | Self::GatewayRequest { .. }
        )
    }

    /// The decoded contract revert behind this error, if any.
    pub fn revert(&self) -> Option<&ContractRevert> {
        match self {
            Self::Send { revert, .. } | Self::Call { revert, .. } => revert.as_deref(),
            _ => None,
        }
    }

    /// A failed transaction send, with the revert decoded from the error's data.
    pub(crate) fn send(action: &'static str, source: alloy::contract::Error) -> Self {
        Self::Send {
            action,
            revert: ContractRevert::from_contract_error(&source).map(Box::new),
            source: Box::new(source),
        }
    }

    /// A failed contract read.
    pub(crate) fn call(layer: Layer, what: &'static str, source: alloy::contract::Error) -> Self {
        Self::Call {
            what,
            layer,
            revert: ContractRevert::from_contract_error(&source).map(Box::new),
            source: Box::new(source),
        }
    }

    /// A failed request to `layer`.
    pub(crate) const fn rpc(layer: Layer, source: RpcError<TransportErrorKind>) -> Self {
        Self::Rpc { layer, source }
    }
}

/// "reverted with Portal::X(…)" when the revert decoded, the transport error otherwise.
fn describe(revert: Option<&ContractRevert>, source: &alloy::contract::Error) -> String {
    match revert {
        Some(revert) => match revert.name() {
            Some(name) => format!("reverted with {name}: {revert}"),
            None => format!("reverted: {revert}"),
        },
        None => source.to_string(),
    }
}
