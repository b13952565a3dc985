//! Inputs of block execution: the block environment and the ordered transactions.

use alloy::{
    consensus::{TxEnvelope, transaction::Recovered},
    eips::eip2718::Encodable2718,
};
use alloy_primitives::{Address, B256, Bytes, keccak256};
use op_alloy_consensus::TxDeposit;
use tributary_primitives::predeploys::SEQUENCER_FEE_VAULT;

/// The header fields execution depends on (docs/derivation.md, "L2 blocks").
///
/// Every field is a pure function of the parent, the batch and the L1 origin; the executor takes
/// them as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockContext {
    /// L2 block number.
    pub number: u64,
    /// L2 block timestamp (seconds).
    pub timestamp: u64,
    /// Coinbase; receives priority fees. Always the SequencerFeeVault on Tributary.
    pub beneficiary: Address,
    /// `mix_hash` of the header: the L1 origin's mixHash (PREVRANDAO).
    pub prevrandao: B256,
    /// Block gas limit.
    pub gas_limit: u64,
    /// EIP-1559 base fee per gas.
    pub base_fee: u64,
    /// Hash of block `number - 1`; stored by the EIP-2935 system call.
    pub parent_hash: B256,
    /// The L1 origin's parent beacon block root (zero when L1 has none); stored by the EIP-4788
    /// system call.
    pub parent_beacon_block_root: B256,
}

impl BlockContext {
    /// A context with Tributary's fixed fields (coinbase = SequencerFeeVault) and zero hashes;
    /// callers fill in the rest.
    pub const fn new(number: u64, timestamp: u64, gas_limit: u64, base_fee: u64) -> Self {
        Self {
            number,
            timestamp,
            beneficiary: SEQUENCER_FEE_VAULT,
            prevrandao: B256::ZERO,
            gas_limit,
            base_fee,
            parent_hash: B256::ZERO,
            parent_beacon_block_root: B256::ZERO,
        }
    }
}

/// One transaction of a block, in the form the executor takes it.
///
/// Signed transactions come with their sender already recovered (recovery happens once, in
/// parallel, before execution; the executor never recovers it again).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // one per tx in a Vec; boxing would add an allocation per tx
pub enum BlockTx {
    /// A deposit (type `0x7E`): the L1-info system deposit or a user deposit from L1.
    Deposit(TxDeposit),
    /// A signed transaction and its recovered sender.
    Signed(Recovered<TxEnvelope>),
}

impl BlockTx {
    /// A signed transaction whose sender was recovered elsewhere.
    pub const fn signed(tx: TxEnvelope, sender: Address) -> Self {
        Self::Signed(Recovered::new_unchecked(tx, sender))
    }

    /// Whether this is a deposit.
    pub const fn is_deposit(&self) -> bool {
        matches!(self, Self::Deposit(_))
    }

    /// The account the transaction is executed from.
    pub const fn sender(&self) -> Address {
        match self {
            Self::Deposit(d) => d.from,
            Self::Signed(tx) => tx.signer(),
        }
    }

    /// The EIP-2718 encoding: what the transactions root commits to and what the L1 data fee is
    /// charged on.
    pub fn encoded_2718(&self) -> Bytes {
        match self {
            Self::Deposit(d) => d.encoded_2718().into(),
            Self::Signed(tx) => tx.inner().encoded_2718().into(),
        }
    }

    /// The transaction hash (`keccak256` of the EIP-2718 encoding).
    pub fn hash(&self) -> B256 {
        match self {
            Self::Deposit(_) => keccak256(self.encoded_2718()),
            Self::Signed(tx) => *tx.inner().tx_hash(),
        }
    }
}

impl From<TxDeposit> for BlockTx {
    fn from(tx: TxDeposit) -> Self {
        Self::Deposit(tx)
    }
}

impl From<Recovered<TxEnvelope>> for BlockTx {
    fn from(tx: Recovered<TxEnvelope>) -> Self {
        Self::Signed(tx)
    }
}
