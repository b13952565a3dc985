//! The EVM's view of the pre-state: accounts and storage through a [`StateTrie`] over the
//! witness' nodes, code from the witness' codes, block hashes from its headers.
//!
//! Every read either finds its data in the witness or fails with [`WitnessDbError::Missing`];
//! nothing defaults. The executor boxes these errors into `ExecutionError::Database`, and
//! [`WitnessDbError::from_execution`] takes them back out.

use std::cell::RefCell;

use alloy_primitives::{Address, B256, Bytes, U256, map::B256Map};
use core::convert::Infallible;
use revm::{
    DatabaseRef,
    bytecode::Bytecode,
    context_interface::DBErrorMarker,
    database_interface::bal::EvmDatabaseError,
    primitives::{StorageKey, StorageValue},
    state::AccountInfo,
};
use tributary_execution::{DatabaseError, ExecutionError};
use tributary_trie::{KECCAK_EMPTY, MemoryNodeStore, StateTrie, TrieError};

use crate::{MissingData, StatelessError};

/// A failed read of the witnessed pre-state.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WitnessDbError {
    /// The witness does not hold the data.
    #[error("the witness lacks the {0}")]
    Missing(MissingData),
    /// A witnessed node or leaf is invalid.
    #[error(transparent)]
    Trie(TrieError<Infallible>),
    /// A witnessed code is not valid bytecode.
    #[error("code {hash} is not valid bytecode: {reason}")]
    InvalidCode { hash: B256, reason: String },
}

impl DBErrorMarker for WitnessDbError {}

impl From<WitnessDbError> for StatelessError {
    fn from(e: WitnessDbError) -> Self {
        match e {
            WitnessDbError::Missing(missing) => Self::MissingWitnessData(missing),
            WitnessDbError::Trie(e) => Self::from_trie(e),
            WitnessDbError::InvalidCode { hash, reason } => Self::InvalidCode { hash, reason },
        }
    }
}

impl WitnessDbError {
    /// The verifier's error for an execution failure: reads of the witness come back as what
    /// they were, anything else is the block's.
    pub(crate) fn from_execution(e: ExecutionError) -> StatelessError {
        let ExecutionError::Database(boxed) = e else {
            return StatelessError::Execution(e);
        };
        // revm's `State` wraps the view's errors in `EvmDatabaseError`; reads outside it
        // (system calls' account lookups) report them as they are
        let boxed = match boxed.downcast::<EvmDatabaseError<Self>>() {
            Ok(wrapped) => match *wrapped {
                EvmDatabaseError::Database(e) => return e.into(),
                bal @ EvmDatabaseError::Bal(_) => Box::new(bal) as DatabaseError,
            },
            Err(other) => other,
        };
        match boxed.downcast::<Self>() {
            Ok(e) => (*e).into(),
            Err(other) => StatelessError::Execution(ExecutionError::Database(other)),
        }
    }
}

/// The witnessed pre-state as a [`DatabaseRef`].
#[derive(Debug)]
pub(crate) struct WitnessDb<'a> {
    trie: RefCell<StateTrie>,
    nodes: &'a MemoryNodeStore,
    codes: &'a B256Map<Bytes>,
    block_hashes: &'a [(u64, B256)],
}

impl<'a> WitnessDb<'a> {
    /// The state at `state_root` over `nodes`; `codes` by hash; `block_hashes` sorted by number.
    pub(crate) fn new(
        state_root: B256,
        nodes: &'a MemoryNodeStore,
        codes: &'a B256Map<Bytes>,
        block_hashes: &'a [(u64, B256)],
    ) -> Self {
        Self {
            trie: RefCell::new(StateTrie::new(state_root)),
            nodes,
            codes,
            block_hashes,
        }
    }

    /// The trie, with the nodes execution loaded (to apply the block's changes on).
    pub(crate) fn into_trie(self) -> StateTrie {
        self.trie.into_inner()
    }
}

impl DatabaseRef for WitnessDb<'_> {
    type Error = WitnessDbError;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, WitnessDbError> {
        let account = self
            .trie
            .borrow_mut()
            .account(self.nodes, &address)
            .map_err(trie_error)?;
        Ok(account.map(|a| AccountInfo {
            balance: a.balance,
            nonce: a.nonce,
            code_hash: a.code_hash,
            account_id: None,
            // loaded through `code_by_hash_ref`, so that only executed code must be witnessed
            code: (a.code_hash == KECCAK_EMPTY).then(Bytecode::default),
        }))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, WitnessDbError> {
        if code_hash == KECCAK_EMPTY {
            return Ok(Bytecode::default());
        }
        let code = self
            .codes
            .get(&code_hash)
            .ok_or(WitnessDbError::Missing(MissingData::Code(code_hash)))?;
        Bytecode::new_raw_checked(code.clone()).map_err(|e| WitnessDbError::InvalidCode {
            hash: code_hash,
            reason: e.to_string(),
        })
    }

    fn storage_ref(
        &self,
        address: Address,
        index: StorageKey,
    ) -> Result<StorageValue, WitnessDbError> {
        let value: U256 = self
            .trie
            .borrow_mut()
            .storage(self.nodes, &address, &B256::from(index))
            .map_err(trie_error)?;
        Ok(value)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, WitnessDbError> {
        self.block_hashes
            .binary_search_by_key(&number, |(n, _)| *n)
            .map(|i| self.block_hashes[i].1)
            .map_err(|_| WitnessDbError::Missing(MissingData::BlockHash(number)))
    }
}

fn trie_error(e: TrieError<Infallible>) -> WitnessDbError {
    match e {
        TrieError::MissingNode { hash } => WitnessDbError::Missing(MissingData::TrieNode(hash)),
        other => WitnessDbError::Trie(other),
    }
}
