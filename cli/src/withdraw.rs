//! `tributary withdraw`: initiate on L2, prove and finalize on L1, and report where a withdrawal is.
//!
//! ```text
//! initiate  L2  L2ToL1MessagePasser.initiateWithdrawal{value}(target, 100_000, "")   → MessagePassed
//! prove     L2  receipt → Withdrawal; block header + eth_getProof(passer, [slot]) at the output's block
//!           L1  Rollup outputs (binary search) → Portal.proveWithdrawal(wd, index, preimage, proof)
//! finalize  L1  Rollup.isFinalized(index) → Portal.finalizeWithdrawal(wd)            → OPEN to target
//! ```

use std::{fmt, time::Duration};

use alloy::{
    primitives::{Address, B256, Bytes, TxHash, U256, keccak256},
    providers::Provider,
    rpc::types::TransactionReceipt,
    sol_types::SolEvent,
};
use alloy_trie::{Nibbles, proof::verify_proof};
use serde::Serialize;
use tracing::info;
use tributary_contracts::{L2ToL1MessagePasser, Portal, Rollup};
use tributary_primitives::{
    OutputRootProof, Withdrawal, predeploys::L2_TO_L1_MESSAGE_PASSER,
    withdrawal::SENT_MESSAGE_VALUE,
};

use crate::{
    Client,
    amount::format_open,
    client::send,
    error::{CliError, Layer, Result},
};

/// L1 gas limit of the call a CLI withdrawal makes to its target (none is made: the data is
/// empty; OP's default for plain transfers).
pub const WITHDRAWAL_GAS_LIMIT: u64 = 100_000;

/// A withdrawal found in (or just sent as) an L2 transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitiatedWithdrawal {
    /// The L2 transaction that initiated it.
    pub l2_tx: TxHash,
    /// Its L2 block.
    pub l2_block: u64,
    /// The withdrawal hash (the message passer's and the Portal's key).
    pub withdrawal_hash: B256,
    /// The withdrawal itself.
    pub withdrawal: Withdrawal,
}

impl fmt::Display for InitiatedWithdrawal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.withdrawal;
        writeln!(
            f,
            "withdrawal of {} OPEN from {} to {} on L1",
            format_open(w.value),
            w.sender,
            w.target
        )?;
        writeln!(
            f,
            "  l2 tx            {} (block {})",
            self.l2_tx, self.l2_block
        )?;
        write!(f, "  withdrawal hash  {}", self.withdrawal_hash)
    }
}

/// A Rollup output, as the CLI uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OutputRef {
    /// Index in the Rollup.
    pub index: u64,
    /// The L2 block it commits to.
    pub l2_block: u64,
    /// The output root.
    pub root: B256,
    /// L1 timestamp of the proposal.
    pub timestamp: u64,
}

impl OutputRef {
    fn new(index: u64, output: &Rollup::Output) -> Self {
        Self {
            index,
            l2_block: output.l2BlockNumber,
            root: output.outputRoot,
            timestamp: output.timestamp,
        }
    }
}

/// A proven withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProveReceipt {
    /// The withdrawal.
    pub withdrawal: InitiatedWithdrawal,
    /// The output it was proven against.
    pub output: OutputRef,
    /// The `proveWithdrawal` transaction.
    pub l1_tx: TxHash,
    /// Its L1 block.
    pub l1_block: u64,
}

impl fmt::Display for ProveReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "proved withdrawal {} against output #{} (L2 block {})",
            self.withdrawal.withdrawal_hash, self.output.index, self.output.l2_block
        )?;
        write!(f, "  l1 tx  {} (block {})", self.l1_tx, self.l1_block)
    }
}

/// A finalized withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FinalizeReceipt {
    /// The withdrawal.
    pub withdrawal: InitiatedWithdrawal,
    /// The `finalizeWithdrawal` transaction.
    pub l1_tx: TxHash,
    /// Its L1 block.
    pub l1_block: u64,
    /// Whether the call to the target succeeded (true when there was none).
    pub call_succeeded: bool,
}

impl fmt::Display for FinalizeReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.withdrawal.withdrawal;
        writeln!(
            f,
            "finalized withdrawal {}: {} OPEN released to {}",
            self.withdrawal.withdrawal_hash,
            format_open(w.value),
            w.target
        )?;
        write!(f, "  l1 tx  {} (block {})", self.l1_tx, self.l1_block)?;
        if !self.call_succeeded {
            write!(
                f,
                "\n  the call to the target failed (the OPEN was released)"
            )?;
        }
        Ok(())
    }
}

/// Where a withdrawal stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WithdrawalStatus {
    /// Initiated on L2; no output covers its block yet.
    WaitingForOutput {
        /// L2 block of the latest output, if any.
        latest_output_block: Option<u64>,
    },
    /// An output covers it: it can be proven.
    ReadyToProve {
        /// The first output covering the withdrawal's block.
        output: OutputRef,
    },
    /// Proven; the output's challenge window is running (or a challenge is pending).
    Proven {
        /// The output it was proven against.
        output: OutputRef,
        /// L1 timestamp of the proof.
        proven_at: u64,
        /// Seconds until the window ends, by the latest L1 block.
        remaining_secs: u64,
        /// Whether a challenge on this or an earlier output holds finalization back.
        challenge_pending: bool,
    },
    /// Proven against an output that was since deleted or replaced: prove again.
    ProofInvalidated {
        /// The output index of the stale proof.
        output_index: u64,
        /// L1 timestamp of the stale proof.
        proven_at: u64,
    },
    /// Proven and its output is finalized: `finalize` releases the OPEN.
    Finalizable {
        /// The output it was proven against.
        output: OutputRef,
        /// L1 timestamp of the proof.
        proven_at: u64,
    },
    /// Finalized: the OPEN was released on L1.
    Finalized,
}

/// A withdrawal and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    /// The withdrawal.
    pub withdrawal: InitiatedWithdrawal,
    /// Where it stands.
    #[serde(flatten)]
    pub status: WithdrawalStatus,
}

impl fmt::Display for StatusReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.withdrawal)?;
        let block = self.withdrawal.l2_block;
        write!(f, "  status           ")?;
        match &self.status {
            WithdrawalStatus::WaitingForOutput {
                latest_output_block,
            } => write!(
                f,
                "initiated, waiting for an output covering L2 block {block} (latest output: {})",
                latest_output_block.map_or_else(|| "none".into(), |b| format!("L2 block {b}"))
            ),
            WithdrawalStatus::ReadyToProve { output } => write!(
                f,
                "initiated, ready to prove against output #{} (L2 block {})",
                output.index, output.l2_block
            ),
            WithdrawalStatus::Proven {
                output,
                proven_at,
                remaining_secs,
                challenge_pending,
            } => {
                write!(
                    f,
                    "proven at L1 time {proven_at} against output #{}",
                    output.index
                )?;
                if *challenge_pending && *remaining_secs == 0 {
                    write!(f, "; a pending challenge holds finalization back")
                } else {
                    write!(f, "; finalizable in {remaining_secs} s")
                }
            }
            WithdrawalStatus::ProofInvalidated {
                output_index,
                proven_at,
            } => write!(
                f,
                "proven at L1 time {proven_at} against output #{output_index}, which was deleted or replaced: prove again"
            ),
            WithdrawalStatus::Finalizable { output, proven_at } => write!(
                f,
                "finalizable (proven at L1 time {proven_at} against output #{}, now finalized)",
                output.index
            ),
            WithdrawalStatus::Finalized => write!(f, "finalized: the OPEN was released on L1"),
        }
    }
}

/// What [`Client::find_output`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputSearch {
    /// The first output whose L2 block is at or after the searched block.
    pub covering: Option<OutputRef>,
    /// L2 block of the latest output, if any.
    pub latest_block: Option<u64>,
}

impl Client {
    /// Starts a withdrawal of `amount` OPEN (wei) on L2 to `to` on L1 (default: the user):
    /// `L2ToL1MessagePasser.initiateWithdrawal(to, 100_000, "")` with the amount as value.
    pub async fn initiate_withdrawal(
        &self,
        amount: U256,
        to: Option<Address>,
    ) -> Result<InitiatedWithdrawal> {
        let from = self.account()?;
        let target = to.unwrap_or(from);
        let c = &self.deployment.contracts;
        for (address, what) in [(c.portal, "Portal"), (c.open_token, "OPEN token")] {
            if target == address {
                return Err(CliError::InvalidTarget { target, what });
            }
        }
        let passer = L2ToL1MessagePasser::new(L2_TO_L1_MESSAGE_PASSER, &self.l2);
        info!(target: "tributary", "withdrawing {} OPEN to {target} on L1…", format_open(amount));
        let receipt = send(
            "initiateWithdrawal",
            passer
                .initiateWithdrawal(target, U256::from(WITHDRAWAL_GAS_LIMIT), Bytes::new())
                .value(amount),
        )
        .await?;
        withdrawal_from_receipt(receipt.transaction_hash, &receipt)
    }

    /// The withdrawal initiated by L2 transaction `tx` (its first `MessagePassed` event).
    pub async fn withdrawal(&self, tx: TxHash) -> Result<InitiatedWithdrawal> {
        let receipt = self
            .l2
            .get_transaction_receipt(tx)
            .await
            .map_err(|e| CliError::rpc(Layer::L2, e))?
            .ok_or(CliError::TxNotFound { tx })?;
        if !receipt.status() {
            return Err(CliError::TxFailed { tx });
        }
        withdrawal_from_receipt(tx, &receipt)
    }

    /// Finds the first Rollup output whose L2 block is `>= l2_block` (binary search: output
    /// blocks strictly increase).
    pub async fn find_output(&self, l2_block: u64) -> Result<OutputSearch> {
        let rollup = Rollup::new(self.deployment.contracts.rollup, &self.l1);
        let count: u64 = rollup
            .outputCount()
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L1, "the output count", e))?
            .saturating_to();
        if count == 0 {
            return Ok(OutputSearch {
                covering: None,
                latest_block: None,
            });
        }
        let output = |index: u64| {
            let rollup = &rollup;
            async move {
                rollup
                    .getOutput(U256::from(index))
                    .call()
                    .await
                    .map(|o| OutputRef::new(index, &o))
                    .map_err(|e| CliError::call(Layer::L1, "an output", e))
            }
        };
        let latest = output(count - 1).await?;
        if latest.l2_block < l2_block {
            return Ok(OutputSearch {
                covering: None,
                latest_block: Some(latest.l2_block),
            });
        }
        let (mut lo, mut hi, mut found) = (0, count - 1, latest);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let o = output(mid).await?;
            if o.l2_block >= l2_block {
                hi = mid;
                found = o;
            } else {
                lo = mid + 1;
            }
        }
        if found.index != lo {
            found = output(lo).await?;
        }
        Ok(OutputSearch {
            covering: Some(found),
            latest_block: Some(latest.l2_block),
        })
    }

    /// Proves the withdrawal of L2 transaction `tx` on L1 against the first output covering its
    /// block. Without `wait`, fails with [`CliError::NoOutput`] when no output covers it yet;
    /// with `wait`, polls for one until the timeout.
    pub async fn prove(&self, tx: TxHash, wait: Option<Duration>) -> Result<ProveReceipt> {
        self.account()?;
        let withdrawal = self.withdrawal(tx).await?;
        let l2_block = withdrawal.l2_block;
        let output = match wait {
            None => {
                let search = self.find_output(l2_block).await?;
                search.covering.ok_or(CliError::NoOutput {
                    l2_block,
                    latest: search.latest_block,
                })?
            }
            Some(timeout) => {
                self.poll(
                    timeout,
                    || format!("an output covering L2 block {l2_block}"),
                    || async move { Ok(self.find_output(l2_block).await?.covering) },
                )
                .await?
            }
        };

        let (preimage, storage_proof) = self.output_proof(&withdrawal, output.l2_block).await?;
        let computed = preimage.output_root();
        if computed != output.root {
            return Err(CliError::OutputRootMismatch {
                output_index: output.index,
                l2_block: output.l2_block,
                posted: output.root,
                computed,
            });
        }

        let portal = Portal::new(self.deployment.contracts.portal, &self.l1);
        info!(
            target: "tributary",
            "proving withdrawal {} against output #{} (L2 block {})…",
            withdrawal.withdrawal_hash, output.index, output.l2_block
        );
        let receipt = send(
            "proveWithdrawal",
            portal.proveWithdrawal(
                withdrawal.withdrawal.clone().into(),
                U256::from(output.index),
                preimage.into(),
                storage_proof,
            ),
        )
        .await?;
        Ok(ProveReceipt {
            withdrawal,
            output,
            l1_tx: receipt.transaction_hash,
            l1_block: receipt.block_number.unwrap_or_default(),
        })
    }

    /// The output root preimage of L2 block `l2_block` and the storage proof of the withdrawal's
    /// `sentMessages` slot in it, from the L2 node, checked locally.
    async fn output_proof(
        &self,
        withdrawal: &InitiatedWithdrawal,
        l2_block: u64,
    ) -> Result<(OutputRootProof, Vec<Bytes>)> {
        let block = self
            .l2
            .get_block_by_number(l2_block.into())
            .await
            .map_err(|e| CliError::rpc(Layer::L2, e))?
            .ok_or(CliError::L2BlockMissing { number: l2_block })?;
        let slot = withdrawal.withdrawal.storage_slot();
        let proof = self
            .l2
            .get_proof(L2_TO_L1_MESSAGE_PASSER, vec![slot])
            .block_id(l2_block.into())
            .await
            .map_err(|e| CliError::rpc(Layer::L2, e))?;
        let bad = |reason: String| CliError::BadProof {
            withdrawal_hash: withdrawal.withdrawal_hash,
            l2_block,
            reason,
        };
        let storage = proof
            .storage_proof
            .into_iter()
            .next()
            .ok_or_else(|| bad("no storage proof in the response".into()))?;
        if storage.value != U256::from(1) {
            return Err(bad(format!(
                "sentMessages slot holds {} (is the transaction in L2 block {l2_block}'s past?)",
                storage.value
            )));
        }
        verify_proof(
            proof.storage_hash,
            Nibbles::unpack(keccak256(slot)),
            Some(SENT_MESSAGE_VALUE.to_vec()),
            &storage.proof,
        )
        .map_err(|e| bad(e.to_string()))?;
        let preimage = OutputRootProof::v0(
            block.header.state_root,
            proof.storage_hash,
            block.header.hash,
        );
        Ok((preimage, storage.proof))
    }

    /// Finalizes the proven withdrawal of L2 transaction `tx`: releases its OPEN on L1. Without
    /// `wait`, fails with [`CliError::NotFinalized`] while the output's window runs; with `wait`,
    /// polls until the output is finalized or the timeout.
    pub async fn finalize(&self, tx: TxHash, wait: Option<Duration>) -> Result<FinalizeReceipt> {
        self.account()?;
        let withdrawal = self.withdrawal(tx).await?;
        let hash = withdrawal.withdrawal_hash;
        let portal = Portal::new(self.deployment.contracts.portal, &self.l1);
        let proven = portal
            .provenWithdrawals(hash)
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L1, "the proof record", e))?;
        if proven.timestamp == 0 {
            return Err(CliError::NotProven {
                withdrawal_hash: hash,
                tx,
            });
        }
        let output_index: u64 = proven.outputIndex.try_into().unwrap_or(u64::MAX);
        let proven = &proven;
        let ready = || async move {
            match self.window(proven).await? {
                Window::Finalized(_) => Ok(Some(())),
                Window::Invalidated => Err(CliError::ProofInvalidated {
                    withdrawal_hash: hash,
                    output_index,
                }),
                Window::Open {
                    remaining_secs,
                    challenge_pending,
                    ..
                } => match wait {
                    Some(_) => Ok(None),
                    None if remaining_secs == 0 && challenge_pending => {
                        Err(CliError::ChallengePending { output_index })
                    }
                    None => Err(CliError::NotFinalized {
                        output_index,
                        remaining_secs,
                    }),
                },
            }
        };
        match wait {
            None => ready().await.map(drop)?,
            Some(timeout) => {
                self.poll(
                    timeout,
                    || format!("output #{output_index} to finalize"),
                    ready,
                )
                .await?
            }
        }

        info!(target: "tributary", "finalizing withdrawal {hash}…");
        let receipt = send(
            "finalizeWithdrawal",
            portal.finalizeWithdrawal(withdrawal.withdrawal.clone().into()),
        )
        .await?;
        let call_succeeded = receipt
            .logs()
            .iter()
            .filter(|log| log.address() == self.deployment.contracts.portal)
            .find_map(|log| log.log_decode::<Portal::WithdrawalFinalized>().ok())
            .is_none_or(|log| log.inner.data.success);
        Ok(FinalizeReceipt {
            withdrawal,
            l1_tx: receipt.transaction_hash,
            l1_block: receipt.block_number.unwrap_or_default(),
            call_succeeded,
        })
    }

    /// Where the withdrawal of L2 transaction `tx` stands.
    pub async fn status(&self, tx: TxHash) -> Result<StatusReport> {
        let withdrawal = self.withdrawal(tx).await?;
        let hash = withdrawal.withdrawal_hash;
        let portal = Portal::new(self.deployment.contracts.portal, &self.l1);
        let finalized = portal
            .finalizedWithdrawals(hash)
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L1, "the finalized flag", e))?;
        let status = if finalized {
            WithdrawalStatus::Finalized
        } else {
            let proven = portal
                .provenWithdrawals(hash)
                .call()
                .await
                .map_err(|e| CliError::call(Layer::L1, "the proof record", e))?;
            let proven_at: u64 = proven.timestamp.try_into().unwrap_or(u64::MAX);
            let proven = &proven;
            if proven_at == 0 {
                let search = self.find_output(withdrawal.l2_block).await?;
                match search.covering {
                    Some(output) => WithdrawalStatus::ReadyToProve { output },
                    None => WithdrawalStatus::WaitingForOutput {
                        latest_output_block: search.latest_block,
                    },
                }
            } else {
                match self.window(proven).await? {
                    Window::Finalized(output) => {
                        WithdrawalStatus::Finalizable { output, proven_at }
                    }
                    Window::Invalidated => WithdrawalStatus::ProofInvalidated {
                        output_index: proven.outputIndex.try_into().unwrap_or(u64::MAX),
                        proven_at,
                    },
                    Window::Open {
                        output,
                        remaining_secs,
                        challenge_pending,
                    } => WithdrawalStatus::Proven {
                        output,
                        proven_at,
                        remaining_secs,
                        challenge_pending,
                    },
                }
            }
        };
        Ok(StatusReport { withdrawal, status })
    }

    /// The state of the output a withdrawal was proven against.
    async fn window(&self, proven: &Portal::provenWithdrawalsReturn) -> Result<Window> {
        let rollup = Rollup::new(self.deployment.contracts.rollup, &self.l1);
        let index = U256::from(proven.outputIndex);
        let count = rollup
            .outputCount()
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L1, "the output count", e))?;
        if index >= count {
            return Ok(Window::Invalidated);
        }
        let output = rollup
            .getOutput(index)
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L1, "an output", e))?;
        // As the Portal's `_stillStands`: same root, proposed no later than the proof.
        if output.outputRoot != proven.outputRoot || u128::from(output.timestamp) > proven.timestamp
        {
            return Ok(Window::Invalidated);
        }
        let output = OutputRef::new(index.saturating_to(), &output);
        if rollup
            .isFinalized(index)
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L1, "the output's finality", e))?
        {
            return Ok(Window::Finalized(output));
        }
        let window = rollup
            .challengeWindow()
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L1, "the challenge window", e))?;
        let now = self
            .l1
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .map_err(|e| CliError::rpc(Layer::L1, e))?
            .map(|b| b.header.timestamp)
            .unwrap_or_default();
        let remaining_secs = output.timestamp.saturating_add(window).saturating_sub(now);
        Ok(Window::Open {
            output,
            remaining_secs,
            challenge_pending: remaining_secs == 0,
        })
    }
}

/// The output behind a proof.
enum Window {
    /// Finalized: the withdrawal can be finalized.
    Finalized(OutputRef),
    /// Deleted or replaced since the proof.
    Invalidated,
    /// Not finalized: the window runs, or (when it has passed) a challenge holds it back.
    Open {
        output: OutputRef,
        remaining_secs: u64,
        challenge_pending: bool,
    },
}

/// Decodes the first `MessagePassed` event of the message passer in an L2 receipt.
fn withdrawal_from_receipt(
    tx: TxHash,
    receipt: &TransactionReceipt,
) -> Result<InitiatedWithdrawal> {
    let event = receipt
        .logs()
        .iter()
        .filter(|log| log.address() == L2_TO_L1_MESSAGE_PASSER)
        .find_map(|log| L2ToL1MessagePasser::MessagePassed::decode_log_data(log.data()).ok())
        .ok_or(CliError::NotAWithdrawal { tx })?;
    let withdrawal_hash = event.withdrawalHash;
    Ok(InitiatedWithdrawal {
        l2_tx: tx,
        l2_block: receipt.block_number.unwrap_or_default(),
        withdrawal_hash,
        withdrawal: Withdrawal::from(event),
    })
}
