//! What executing a block produces.

use alloy::consensus::proofs::calculate_receipt_root;
use alloy_primitives::{Address, B256, Bloom, Bytes, U256};
use op_alloy_consensus::OpReceiptEnvelope;

use crate::{ChangeSet, RejectReason};

/// A transaction that made it into the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutedTx {
    /// Position in the executor's input list.
    pub index: usize,
    /// Transaction hash.
    pub hash: B256,
    /// EIP-2718 encoding (what the transactions root commits to).
    pub encoded: Bytes,
    /// The sender (the depositor for deposits).
    pub sender: Address,
    /// Whether it is a deposit (type `0x7E`).
    pub is_deposit: bool,
    /// The consensus receipt (status, cumulative gas, logs, bloom; deposit nonce and receipt
    /// version for deposits).
    pub receipt: OpReceiptEnvelope,
    /// Gas used by this transaction alone.
    pub gas_used: u64,
    /// The L1 data fee charged (zero for deposits); the RPC's `l1Fee` receipt field.
    pub l1_fee: U256,
    /// Address of the contract created by a successful creation.
    pub contract_address: Option<Address>,
    /// Return data of a successful call, or revert data of a reverted one.
    pub output: Bytes,
}

/// A non-deposit transaction that is invalid for this block; it changed no state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedTx {
    /// Position in the executor's input list.
    pub index: usize,
    /// Transaction hash.
    pub hash: B256,
    /// Why it was left out.
    pub reason: RejectReason,
}

/// The result of executing a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockOutput {
    /// Included transactions, in block order.
    pub transactions: Vec<ExecutedTx>,
    /// Rejected transactions (never deposits), in input order.
    pub rejected: Vec<RejectedTx>,
    /// Total gas used by the included transactions.
    pub gas_used: u64,
    /// Bloom of all logs of the block.
    pub logs_bloom: Bloom,
    /// Ordered-trie root of the included transactions' EIP-2718 encodings.
    pub transactions_root: B256,
    /// Ordered-trie root of the receipts' EIP-2718 encodings.
    pub receipts_root: B256,
    /// State changes, for the state layer to apply and compute the state root.
    pub changes: ChangeSet,
}

impl BlockOutput {
    /// The receipts, in block order.
    pub fn receipts(&self) -> impl Iterator<Item = &OpReceiptEnvelope> {
        self.transactions.iter().map(|tx| &tx.receipt)
    }

    /// Whether every input transaction was included (what a verifier requires of a batch).
    pub fn all_included(&self) -> bool {
        self.rejected.is_empty()
    }
}

/// `receipts_root` of a list of receipts (ordered trie of their EIP-2718 encodings).
pub fn receipts_root(receipts: &[OpReceiptEnvelope]) -> B256 {
    calculate_receipt_root(receipts)
}

/// Logs bloom of a block: the union of its receipts' blooms.
pub fn block_bloom<'a>(receipts: impl IntoIterator<Item = &'a OpReceiptEnvelope>) -> Bloom {
    receipts.into_iter().fold(Bloom::ZERO, |mut acc, r| {
        acc.accrue_bloom(r.logs_bloom());
        acc
    })
}
