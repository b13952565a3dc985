//! Checks a Tributary L2 block from its execution witness alone: no database, no network, no
//! async. What the prover (and anyone auditing the chain) runs on a block it did not execute
//! itself.
//!
//! # Place in the data flow
//!
//! ```text
//!   node (any datadir) ── tributary_node::execution_witness(store, executor, n) ──┐
//!   or JSON-RPC        ── debug_executionWitness(n) ──────────────────────────────┤ ExecutionWitness
//!                                                                                  ▼ { state, codes, keys, headers }
//!   block n: header + EIP-2718 transactions ──────────────────────────► verify_block(witness, block, rollup)
//!                                                                                  │
//!     1. headers decode and chain; the last one is the block's parent (its hash is the
//!        block's parentHash): the trusted pre-state root is that header's stateRoot
//!     2. number = parent + 1, base fee = EIP-1559 of the parent (RollupConfig)
//!     3. transactions decode (senders recovered, secp256k1); their root = transactionsRoot
//!     4. MemoryNodeStore of the witness nodes, keyed by their own keccak256; codes likewise
//!     5. BlockExecutor (tributary-execution, the node's) over WitnessDb: accounts and storage
//!        through the trie at the parent's root, code from the witness, BLOCKHASH from headers
//!     6. every transaction included; StateTrie::apply(changes) on the same trie → state root
//!     7. compare gasUsed, receiptsRoot, logsBloom, stateRoot with the header
//!                                                                                  ▼
//!                           VerifiedBlock { block_hash, state_root, …, output_root() } or StatelessError
//! ```
//!
//! The execution is the node's own code (`BlockExecutor`, `BlockContext::from_header`,
//! `BlockTx::decode_2718`, `StateTrie::apply`), so a block checks here exactly when the node
//! would build the same block from the same inputs.
//!
//! # Trust
//!
//! Nothing in the witness is trusted: nodes and codes are looked up by hash, so an altered node
//! or code is simply absent ([`StatelessError::MissingWitnessData`]) and extra ones are never
//! reached. The only anchor is the block's `parentHash` (which the caller ties to something it
//! trusts, e.g. the previous output on L1): the last witness header must hash to it, and every
//! other header must chain to that one. `keys` (preimages of the touched trie keys) are
//! informational and not used.
//!
//! Header fields that are inputs rather than results (timestamp, coinbase, prevrandao, parent
//! beacon root, gas limit) are taken as given: they come from the batch and the L1 origin, which
//! derivation checks. The rule that blocks start with the L1-info deposit is derivation's too.
//!
//! # Output root
//!
//! The node's witnesses also hold the path of the `L2ToL1MessagePasser` account in the
//! post-state, so [`VerifiedBlock::output_root`] gives the root the proposer posts for the block.
//!
//! # Errors
//!
//! [`StatelessError`]: missing data ([`StatelessError::MissingWitnessData`] with
//! [`MissingData`]), malformed inputs, or a block whose header claims what its execution does
//! not produce ([`StatelessError::RootMismatch`] naming the [`HeaderField`], …); classified by
//! [`StatelessError::kind`]. No input panics.

mod db;
mod error;

use alloy::{
    consensus::{
        Block, Header, TxEnvelope, crypto::RecoveryError, proofs::ordered_trie_root_encoded,
        transaction::SignerRecoverable,
    },
    eips::eip2718::Encodable2718,
};
use alloy_primitives::{B256, Bloom, Bytes, keccak256, map::B256Map};
pub use alloy_rpc_types_debug::ExecutionWitness;
use op_alloy_consensus::{OpReceiptEnvelope, OpTxEnvelope};
use tributary_execution::{BlockContext, BlockExecutor, BlockTx, next_base_fee};
use tributary_primitives::{OutputRootProof, RollupConfig, predeploys::L2_TO_L1_MESSAGE_PASSER};
use tributary_trie::{EMPTY_ROOT_HASH, MemoryNodeStore};

use crate::db::{WitnessDb, WitnessDbError};
pub use crate::error::{ErrorKind, HeaderField, MissingData, Result, StatelessError};

/// A block to check: its header and its transactions in EIP-2718 encoding (deposits included,
/// the L1-info deposit first), in block order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatelessBlock {
    /// The header whose roots are checked.
    pub header: Header,
    /// The transactions, EIP-2718 encoded.
    pub transactions: Vec<Bytes>,
}

impl StatelessBlock {
    /// A block from its header and encoded transactions.
    pub const fn new(header: Header, transactions: Vec<Bytes>) -> Self {
        Self {
            header,
            transactions,
        }
    }
}

impl From<Block<OpTxEnvelope>> for StatelessBlock {
    fn from(block: Block<OpTxEnvelope>) -> Self {
        let transactions = block
            .body
            .transactions
            .iter()
            .map(|tx| tx.encoded_2718().into())
            .collect();
        Self::new(block.header, transactions)
    }
}

/// A block that checks against its witness, with everything recomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedBlock {
    /// Block number.
    pub number: u64,
    /// `keccak256(rlp(header))`.
    pub block_hash: B256,
    /// The parent's hash (the anchor the witness was checked against).
    pub parent_hash: B256,
    /// The parent's state root: the pre-state.
    pub parent_state_root: B256,
    /// The post-state root (equal to the header's).
    pub state_root: B256,
    /// Root of the transactions (equal to the header's).
    pub transactions_root: B256,
    /// Root of the receipts (equal to the header's).
    pub receipts_root: B256,
    /// Bloom of the logs (equal to the header's).
    pub logs_bloom: Bloom,
    /// Gas used (equal to the header's).
    pub gas_used: u64,
    /// Storage root of the `L2ToL1MessagePasser` predeploy in the post-state.
    pub message_passer_storage_root: B256,
    /// The receipts, in block order.
    pub receipts: Vec<OpReceiptEnvelope>,
}

impl VerifiedBlock {
    /// The preimage of the block's output root.
    pub const fn output_root_proof(&self) -> OutputRootProof {
        OutputRootProof::v0(
            self.state_root,
            self.message_passer_storage_root,
            self.block_hash,
        )
    }

    /// The block's output root, `keccak256(0 ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash)`.
    pub fn output_root(&self) -> B256 {
        self.output_root_proof().output_root()
    }
}

/// Re-executes `block` on the pre-state in `witness` and checks every header field that
/// execution determines (see the crate docs for the steps).
///
/// `rollup` gives the chain id the transactions are checked against and the EIP-1559
/// parameters of the base fee.
///
/// # Errors
///
/// [`StatelessError`]; see [`StatelessError::kind`] for the classes.
pub fn verify_block(
    witness: &ExecutionWitness,
    block: &StatelessBlock,
    rollup: &RollupConfig,
) -> Result<VerifiedBlock> {
    let header = &block.header;
    let (parent, block_hashes) = check_headers(&witness.headers, header)?;

    let number = parent.number.checked_add(1);
    if number != Some(header.number) {
        return Err(StatelessError::HeaderMismatch {
            field: HeaderField::Number,
            expected: header.number,
            actual: parent.number.saturating_add(1),
        });
    }
    let base_fee = next_base_fee(rollup, &parent);
    if header.base_fee_per_gas != Some(base_fee) {
        return Err(StatelessError::HeaderMismatch {
            field: HeaderField::BaseFee,
            expected: header.base_fee_per_gas.unwrap_or_default(),
            actual: base_fee,
        });
    }

    let transactions_root = ordered_trie_root_encoded(&block.transactions);
    check_root(
        HeaderField::TransactionsRoot,
        header.transactions_root,
        transactions_root,
    )?;
    let txs = block
        .transactions
        .iter()
        .enumerate()
        .map(|(index, raw)| {
            BlockTx::decode_2718(raw, recover_signer)
                .map_err(|source| StatelessError::Transaction { index, source })
        })
        .collect::<Result<Vec<_>>>()?;

    let nodes = MemoryNodeStore::from_rlp_nodes(witness.state.iter().cloned());
    let codes: B256Map<Bytes> = witness
        .codes
        .iter()
        .map(|code| (keccak256(code), code.clone()))
        .collect();
    let db = WitnessDb::new(parent.state_root, &nodes, &codes, &block_hashes);
    let output = BlockExecutor::new(rollup.l2_chain_id)
        .execute(&db, &BlockContext::from_header(header), &txs)
        .map_err(WitnessDbError::from_execution)?;
    if let Some(rejected) = output.rejected.first() {
        return Err(StatelessError::TransactionRejected {
            index: rejected.index,
            hash: rejected.hash,
            reason: rejected.reason.clone(),
        });
    }

    let mut trie = db.into_trie();
    let update = trie
        .apply(
            &nodes,
            output.changes.accounts.iter().map(|(a, c)| (*a, c.clone())),
        )
        .map_err(StatelessError::from_trie)?;
    let message_passer_storage_root = trie
        .account(&nodes, &L2_TO_L1_MESSAGE_PASSER)
        .map_err(StatelessError::from_trie)?
        .map_or(EMPTY_ROOT_HASH, |account| account.storage_root);

    check_root(
        HeaderField::TransactionsRoot,
        header.transactions_root,
        output.transactions_root,
    )?;
    if header.gas_used != output.gas_used {
        return Err(StatelessError::HeaderMismatch {
            field: HeaderField::GasUsed,
            expected: header.gas_used,
            actual: output.gas_used,
        });
    }
    check_root(
        HeaderField::ReceiptsRoot,
        header.receipts_root,
        output.receipts_root,
    )?;
    if header.logs_bloom != output.logs_bloom {
        return Err(StatelessError::LogsBloomMismatch {
            expected: Box::new(header.logs_bloom),
            actual: Box::new(output.logs_bloom),
        });
    }
    check_root(HeaderField::StateRoot, header.state_root, update.root)?;

    Ok(VerifiedBlock {
        number: header.number,
        block_hash: header.hash_slow(),
        parent_hash: header.parent_hash,
        parent_state_root: parent.state_root,
        state_root: update.root,
        transactions_root,
        receipts_root: output.receipts_root,
        logs_bloom: output.logs_bloom,
        gas_used: output.gas_used,
        message_passer_storage_root,
        receipts: output.receipts().cloned().collect(),
    })
}

/// Decodes the witness headers, checks that they chain and that the last one is the parent of
/// `block`; returns the parent and every header's `(number, hash)`, ascending.
fn check_headers(headers: &[Bytes], block: &Header) -> Result<(Header, Vec<(u64, B256)>)> {
    let mut hashes: Vec<(u64, B256)> = Vec::with_capacity(headers.len());
    let mut parent: Option<Header> = None;
    for (index, rlp) in headers.iter().enumerate() {
        let header: Header = alloy_rlp::decode_exact(rlp)
            .map_err(|source| StatelessError::HeaderDecode { index, source })?;
        // the hash of the canonical encoding, whatever bytes were sent
        let hash = header.hash_slow();
        if let (Some(prev), Some(&(_, prev_hash))) = (&parent, hashes.last())
            && (header.parent_hash != prev_hash
                || prev.number.checked_add(1) != Some(header.number))
        {
            return Err(StatelessError::BrokenHeaderChain { index });
        }
        hashes.push((header.number, hash));
        parent = Some(header);
    }
    let (parent, &(_, parent_hash)) =
        parent
            .zip(hashes.last())
            .ok_or(StatelessError::MissingWitnessData(
                MissingData::ParentHeader,
            ))?;
    if parent_hash != block.parent_hash {
        return Err(StatelessError::ParentHashMismatch {
            expected: block.parent_hash,
            actual: parent_hash,
        });
    }
    Ok((parent, hashes))
}

fn check_root(field: HeaderField, expected: B256, actual: B256) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(StatelessError::RootMismatch {
            field,
            expected,
            actual,
        })
    }
}

/// The sender of a signed transaction, from its signature (EIP-2: low `s` only).
fn recover_signer(tx: &TxEnvelope) -> Result<alloy_primitives::Address, RecoveryError> {
    tx.recover_signer()
}

/// How big a witness is, by part (bytes of the RLP or code, not of the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WitnessSize {
    /// Number of trie nodes.
    pub nodes: usize,
    /// Bytes of trie nodes.
    pub state_bytes: usize,
    /// Number of codes.
    pub codes: usize,
    /// Bytes of code.
    pub code_bytes: usize,
    /// Number of headers.
    pub headers: usize,
    /// Bytes of headers.
    pub header_bytes: usize,
    /// Bytes of key preimages.
    pub key_bytes: usize,
}

impl WitnessSize {
    /// Measures `witness`.
    pub fn of(witness: &ExecutionWitness) -> Self {
        let bytes = |items: &[Bytes]| items.iter().map(|b| b.len()).sum();
        Self {
            nodes: witness.state.len(),
            state_bytes: bytes(&witness.state),
            codes: witness.codes.len(),
            code_bytes: bytes(&witness.codes),
            headers: witness.headers.len(),
            header_bytes: bytes(&witness.headers),
            key_bytes: bytes(&witness.keys),
        }
    }

    /// What a verifier needs: state + codes + headers (keys are informational).
    pub const fn total(&self) -> usize {
        self.state_bytes + self.code_bytes + self.header_bytes
    }
}
