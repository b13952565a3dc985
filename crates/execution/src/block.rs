//! Inputs of block execution: the block environment and the ordered transactions.

use alloy::{
    consensus::{Header, TxEnvelope, Typed2718, transaction::Recovered},
    eips::eip2718::{Decodable2718, Encodable2718},
};
use alloy_primitives::{Address, B256, Bytes, keccak256};
use op_alloy_consensus::{OpTxEnvelope, TxDeposit};
use tributary_primitives::{RollupConfig, predeploys::SEQUENCER_FEE_VAULT};

use crate::BlockTxError;

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

    /// The context of the block `header` (every field is in the header): what re-execution of a
    /// stored block, `eth_call` at a block and a stateless verifier run in.
    pub fn from_header(header: &Header) -> Self {
        Self {
            number: header.number,
            timestamp: header.timestamp,
            beneficiary: header.beneficiary,
            prevrandao: header.mix_hash,
            gas_limit: header.gas_limit,
            base_fee: header.base_fee_per_gas.unwrap_or_default(),
            parent_hash: header.parent_hash,
            parent_beacon_block_root: header.parent_beacon_block_root.unwrap_or_default(),
        }
    }
}

/// The base fee of the child of `parent`: EIP-1559 with the rollup's parameters
/// (docs/derivation.md, "L2 blocks"). The block builder sets it; a verifier checks it.
pub fn next_base_fee(rollup: &RollupConfig, parent: &Header) -> u64 {
    rollup.next_base_fee(
        parent.gas_used,
        parent.gas_limit,
        parent.base_fee_per_gas.unwrap_or_default(),
    )
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
    /// Decodes the EIP-2718 encoding of a block's transaction (exactly: no trailing bytes).
    ///
    /// A deposit needs nothing more. A signed transaction gets the sender `signer` returns for
    /// it: the sender stored when the node included it (re-execution of its own blocks), or a
    /// signature recovery (a stateless verifier, which trusts no stored sender). OP's post-exec
    /// transactions (type `0x7D`) decode but do not exist on Tributary and are refused.
    ///
    /// # Errors
    ///
    /// [`BlockTxError`]: the bytes do not decode, the type is not allowed, or `signer` failed.
    pub fn decode_2718<E>(
        raw: &[u8],
        signer: impl FnOnce(&TxEnvelope) -> Result<Address, E>,
    ) -> Result<Self, BlockTxError<E>> {
        let envelope = OpTxEnvelope::decode_2718_exact(raw).map_err(BlockTxError::Decode)?;
        let tx = match envelope {
            OpTxEnvelope::Deposit(deposit) => return Ok(Self::Deposit(deposit.into_inner())),
            OpTxEnvelope::Legacy(tx) => TxEnvelope::from(tx),
            OpTxEnvelope::Eip2930(tx) => tx.into(),
            OpTxEnvelope::Eip1559(tx) => tx.into(),
            OpTxEnvelope::Eip7702(tx) => tx.into(),
            other @ OpTxEnvelope::PostExec(_) => {
                return Err(BlockTxError::Unsupported { ty: other.ty() });
            }
        };
        let sender = signer(&tx).map_err(BlockTxError::Sender)?;
        Ok(Self::signed(tx, sender))
    }

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
