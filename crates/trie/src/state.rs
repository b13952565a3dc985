//! The Ethereum world state on top of [`Trie`]: one account trie plus one storage trie per
//! account, block-level change application, and `eth_getProof`-shaped account proofs.
//!
//! ```text
//!  account trie   keccak(address) ──► rlp(TrieAccount { nonce, balance, storage_root, code_hash })
//!                                                                │
//!  storage trie (per account, root = storage_root) ◄─────────────┘
//!                 keccak(slot)    ──► rlp(value)        (zero values are absent)
//! ```

use crate::{
    NodeStore, Result, Trie, TrieError, TrieProof, TrieUpdate,
    key::{account_key, encode_storage_value, storage_key},
    proof::proof,
};
use alloy_primitives::{Address, B256, Bytes, U256, map::B256Map};
use alloy_rlp::Decodable;
use alloy_trie::{EMPTY_ROOT_HASH, TrieAccount};

/// The new state of an account after a block (code is stored by the execution layer by hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountInfo {
    /// Nonce.
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// `keccak256(code)`; [`alloy_trie::KECCAK_EMPTY`] for accounts without code.
    pub code_hash: B256,
}

/// What a block did to one account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountChange {
    /// The account after the block, or `None` if the block deleted it (its storage goes too).
    pub info: Option<AccountInfo>,
    /// Drop all existing storage before applying `storage` (an account destroyed and re-created
    /// within the block).
    pub wipe_storage: bool,
    /// Storage writes: unhashed slot → new value; a zero value deletes the slot.
    pub storage: Vec<(B256, U256)>,
}

/// The result of [`StateTrie::apply`]: the new state root and all new nodes of the account trie
/// and of every changed storage trie, ready to persist with the block.
pub type StateUpdate = TrieUpdate;

/// The account trie with the storage tries of the accounts touched so far.
///
/// Storage tries are opened lazily at the storage root found in the account leaf and kept (with
/// their loaded nodes) for later blocks, like the account trie.
#[derive(Debug, Default)]
pub struct StateTrie {
    accounts: Trie,
    storages: B256Map<Trie>,
}

impl StateTrie {
    /// Opens the state at `state_root` ([`EMPTY_ROOT_HASH`] for an empty state).
    pub fn new(state_root: B256) -> Self {
        Self {
            accounts: Trie::new(state_root),
            storages: B256Map::default(),
        }
    }

    /// The state root as of the last [`StateTrie::apply`] (or as opened).
    pub const fn state_root(&self) -> B256 {
        self.accounts.committed_root()
    }

    /// Reads an account.
    pub fn account<S: NodeStore>(
        &mut self,
        store: &S,
        address: &Address,
    ) -> Result<Option<TrieAccount>, S::Error> {
        self.account_by_key(store, account_key(address))
    }

    fn account_by_key<S: NodeStore>(
        &mut self,
        store: &S,
        key: B256,
    ) -> Result<Option<TrieAccount>, S::Error> {
        self.accounts
            .get(store, &key)?
            .map(|rlp| decode_account(key, &rlp))
            .transpose()
    }

    /// Reads a storage slot (zero if the account or the slot does not exist).
    pub fn storage<S: NodeStore>(
        &mut self,
        store: &S,
        address: &Address,
        slot: &B256,
    ) -> Result<U256, S::Error> {
        let key = account_key(address);
        let Some(account) = self.account_by_key(store, key)? else {
            return Ok(U256::ZERO);
        };
        let trie = self
            .storages
            .entry(key)
            .or_insert_with(|| Trie::new(account.storage_root));
        let slot_key = storage_key(slot);
        trie.get(store, &slot_key)?
            .map_or(Ok(U256::ZERO), |rlp| decode_word(slot_key, &rlp))
    }

    /// Applies one block's changes and commits: returns the new state root and every new node of
    /// the account trie and the touched storage tries.
    pub fn apply<S: NodeStore>(
        &mut self,
        store: &S,
        changes: impl IntoIterator<Item = (Address, AccountChange)>,
    ) -> Result<StateUpdate, S::Error> {
        let mut new_nodes = B256Map::default();
        for (address, change) in changes {
            let key = account_key(&address);
            let existing = self.account_by_key(store, key)?;
            let Some(info) = change.info else {
                self.accounts.remove(store, &key)?;
                self.storages.insert(key, Trie::default());
                continue;
            };
            let storage_root = match existing {
                Some(account) if !change.wipe_storage => account.storage_root,
                _ => EMPTY_ROOT_HASH,
            };
            // A cached storage trie is only valid while it matches the account's storage root
            // (it does not after a wipe or a deletion).
            let trie = self
                .storages
                .entry(key)
                .or_insert_with(|| Trie::new(storage_root));
            if trie.committed_root() != storage_root {
                *trie = Trie::new(storage_root);
            }
            for (slot, value) in &change.storage {
                let slot_key = storage_key(slot);
                if value.is_zero() {
                    trie.remove(store, &slot_key)?;
                } else {
                    trie.insert(store, &slot_key, encode_storage_value(*value))?;
                }
            }
            let storage = trie.commit();
            new_nodes.extend(storage.new_nodes);
            let account = TrieAccount::new(info.nonce, info.balance, storage.root, info.code_hash);
            self.accounts
                .insert(store, &key, alloy_rlp::encode(account))?;
        }
        let accounts = self.accounts.commit();
        new_nodes.extend(accounts.new_nodes);
        Ok(StateUpdate {
            root: accounts.root,
            new_nodes,
        })
    }
}

/// One storage slot's proof, as in `eth_getProof`'s `storageProof` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageProof {
    /// The slot as requested (unhashed).
    pub key: B256,
    /// The slot's value (zero if absent).
    pub value: U256,
    /// Nodes of the storage trie from its root down the path of `keccak256(key)`.
    pub proof: Vec<Bytes>,
}

/// An account with its proof and storage proofs, the shape of an `eth_getProof` response
/// (`alloy_rpc_types_eth::EIP1186AccountProofResponse` maps field by field).
///
/// For an absent account, like geth: zero balance and nonce, zero `code_hash` and
/// `storage_hash`, an exclusion proof in `account_proof`, and storage proofs with value zero and
/// no nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountProof {
    /// The account's address.
    pub address: Address,
    /// Balance.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Code hash.
    pub code_hash: B256,
    /// Storage root.
    pub storage_hash: B256,
    /// Nodes of the account trie from the state root down the path of `keccak256(address)`.
    pub account_proof: Vec<Bytes>,
    /// One proof per requested slot, in request order.
    pub storage_proof: Vec<StorageProof>,
}

/// Builds the `eth_getProof` answer for `address` and `slots` at `state_root`, from the store
/// alone (any persisted historical root works).
pub fn account_proof<S: NodeStore>(
    store: &S,
    state_root: B256,
    address: &Address,
    slots: &[B256],
) -> Result<AccountProof, S::Error> {
    let key = account_key(address);
    let TrieProof { value, nodes, .. } = proof(store, state_root, &key)?;
    let account = value.map(|rlp| decode_account(key, &rlp)).transpose()?;
    let storage_proof = slots
        .iter()
        .map(|slot| match &account {
            Some(account) => {
                let slot_key = storage_key(slot);
                let p = proof(store, account.storage_root, &slot_key)?;
                let value = p
                    .value
                    .map_or(Ok(U256::ZERO), |rlp| decode_word(slot_key, &rlp))?;
                Ok(StorageProof {
                    key: *slot,
                    value,
                    proof: p.nodes,
                })
            }
            None => Ok(StorageProof {
                key: *slot,
                value: U256::ZERO,
                proof: Vec::new(),
            }),
        })
        .collect::<Result<_, S::Error>>()?;
    let (balance, nonce, code_hash, storage_hash) = account
        .map_or((U256::ZERO, 0, B256::ZERO, B256::ZERO), |a| {
            (a.balance, a.nonce, a.code_hash, a.storage_root)
        });
    Ok(AccountProof {
        address: *address,
        balance,
        nonce,
        code_hash,
        storage_hash,
        account_proof: nodes,
        storage_proof,
    })
}

fn decode_account<E>(key: B256, rlp: &[u8]) -> Result<TrieAccount, E> {
    TrieAccount::decode(&mut &rlp[..]).map_err(|source| TrieError::Value { key, source })
}

fn decode_word<E>(key: B256, rlp: &[u8]) -> Result<U256, E> {
    U256::decode(&mut &rlp[..]).map_err(|source| TrieError::Value { key, source })
}
