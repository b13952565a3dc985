//! Plain data going into and out of the store (alloy types; no execution-crate types).

use alloy::consensus::Header;
use alloy_primitives::{Address, B256, Bytes, Log, U256, map::B256Map};
use tributary_trie::AccountChange;

/// Everything one block changes, written by [`Store::commit_block`](crate::Store::commit_block)
/// in a single SQLite transaction.
#[derive(Debug, Clone, Default)]
pub struct BlockWrite {
    /// The sealed block's header; its hash is `keccak256(rlp(header))`, computed by the store.
    pub header: Header,
    /// Included transactions in block order, each with its receipt and logs.
    pub transactions: Vec<TxWrite>,
    /// Flat-state changes per account, the same input `StateTrie::apply` took for this block
    /// (account upsert or deletion, storage wipe, slot writes where zero deletes).
    pub state: Vec<(Address, AccountChange)>,
    /// New contract code, `keccak256(code) → code` (existing hashes are ignored).
    pub code: Vec<(B256, Bytes)>,
    /// The new trie nodes of the block's state update (`TrieUpdate::new_nodes`).
    pub trie_nodes: B256Map<Bytes>,
}

/// One included transaction with its receipt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxWrite {
    /// Transaction hash (`keccak256(raw)`).
    pub hash: B256,
    /// EIP-2718 encoding as included in the block.
    pub raw: Bytes,
    /// Recovered sender (the `from` of a deposit).
    pub sender: Address,
    /// EIP-2718 encoding of the receipt envelope (with its logs).
    pub receipt: Bytes,
    /// Gas used by this transaction alone (not cumulative).
    pub gas_used: u64,
    /// Price per gas actually paid (base fee + effective tip; 0 for deposits).
    pub effective_gas_price: u128,
    /// Address of the contract created, if any.
    pub contract_address: Option<Address>,
    /// L1 data fee charged (`None` for deposits).
    pub l1_fee: Option<U256>,
    /// Further receipt fields for the RPC, opaque to the store (e.g. OP's L1 fee parameters).
    pub extra: Option<Bytes>,
    /// The receipt's logs, in order; indexed for `eth_getLogs`.
    pub logs: Vec<Log>,
}

/// A stored, included transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTx {
    /// Transaction hash.
    pub hash: B256,
    /// Number of the including block.
    pub block_number: u64,
    /// Hash of the including block.
    pub block_hash: B256,
    /// Position in the block.
    pub index: u64,
    /// Sender.
    pub sender: Address,
    /// EIP-2718 encoding.
    pub raw: Bytes,
}

/// A stored receipt with the fields the RPC adds to the consensus receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReceipt {
    /// Transaction hash.
    pub tx_hash: B256,
    /// Number of the including block.
    pub block_number: u64,
    /// Hash of the including block.
    pub block_hash: B256,
    /// Position of the transaction in the block.
    pub index: u64,
    /// Gas used by this transaction alone.
    pub gas_used: u64,
    /// Price per gas paid.
    pub effective_gas_price: u128,
    /// Block-level index of the receipt's first log (`logIndex` of its logs counts from here).
    pub first_log_index: u64,
    /// Created contract, if any.
    pub contract_address: Option<Address>,
    /// L1 data fee, if charged.
    pub l1_fee: Option<U256>,
    /// Opaque extras as written.
    pub extra: Option<Bytes>,
    /// EIP-2718 receipt envelope.
    pub encoded: Bytes,
}

/// An `eth_getLogs` filter over stored blocks. Empty sets match anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// First block (inclusive).
    pub from_block: u64,
    /// Last block (inclusive).
    pub to_block: u64,
    /// Emitting contracts; a log matches if its address is any of them.
    pub addresses: Vec<Address>,
    /// Per topic position, the accepted values; a log matches if, for every non-empty position,
    /// its topic there is one of them (a log with fewer topics does not match that position).
    pub topics: [Vec<B256>; 4],
}

impl LogFilter {
    /// A filter over blocks `from..=to` matching every log.
    pub fn range(from_block: u64, to_block: u64) -> Self {
        Self {
            from_block,
            to_block,
            ..Self::default()
        }
    }

    /// Adds an address to the address set.
    #[must_use]
    pub fn with_address(mut self, address: Address) -> Self {
        self.addresses.push(address);
        self
    }

    /// Adds an accepted value at topic position `position` (0..4).
    ///
    /// # Panics
    ///
    /// If `position >= 4`.
    #[must_use]
    pub fn with_topic(mut self, position: usize, topic: B256) -> Self {
        self.topics[position].push(topic);
        self
    }
}

/// A log as `eth_getLogs` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLog {
    /// Number of the block.
    pub block_number: u64,
    /// Hash of the block.
    pub block_hash: B256,
    /// Timestamp of the block.
    pub block_timestamp: u64,
    /// Block-level index of the log.
    pub log_index: u64,
    /// Position of the emitting transaction in the block.
    pub tx_index: u64,
    /// Hash of the emitting transaction.
    pub tx_hash: B256,
    /// Address, topics and data.
    pub log: Log,
}

/// A pending transaction in the pool journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolTx {
    /// Transaction hash.
    pub hash: B256,
    /// Recovered sender.
    pub sender: Address,
    /// Sender nonce of the transaction.
    pub nonce: u64,
    /// Arrival time (caller's clock, e.g. Unix milliseconds); informative.
    pub inserted_at: u64,
    /// EIP-2718 encoding.
    pub raw: Bytes,
}

/// The flat (latest) state of an account.
pub use tributary_trie::AccountInfo;
