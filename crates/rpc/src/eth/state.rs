//! Account state at a block: balance, nonce, code, storage, proofs.
//!
//! Every read opens the state at the block's state root through the trie
//! ([`tributary_node::Node::with_state`]), so a query sees exactly that block's state even
//! while the next one commits.

use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    rpc::types::{EIP1186AccountProofResponse, EIP1186StorageProof},
};
use alloy_primitives::{Address, B256, Bytes, U64, U256};
use revm::DatabaseRef;
use tributary_storage::StoreError;
use tributary_trie::KECCAK_EMPTY;

use crate::{RpcError, eth::EthApi};

/// Most storage keys one `eth_getProof` may ask for.
const MAX_PROOF_KEYS: usize = 1_000;

impl EthApi {
    /// Runs `f` over the state of the block `at` names (default `latest`).
    async fn at_state<R, F>(&self, at: Option<BlockId>, f: F) -> Result<R, RpcError>
    where
        R: Send + 'static,
        F: FnOnce(&tributary_storage::TrieStateReader) -> Result<R, StoreError> + Send + 'static,
    {
        let header = self.state_header(at).await?;
        Ok(self.node.with_state(header.state_root, f).await??)
    }

    /// `eth_getBalance`.
    pub(crate) async fn balance(
        &self,
        address: Address,
        at: Option<BlockId>,
    ) -> Result<U256, RpcError> {
        self.at_state(at, move |s| {
            Ok(s.basic_ref(address)?.map(|a| a.balance).unwrap_or_default())
        })
        .await
    }

    /// `eth_getTransactionCount`; `pending` counts the sender's executable pool transactions.
    pub(crate) async fn transaction_count(
        &self,
        address: Address,
        at: Option<BlockId>,
    ) -> Result<U64, RpcError> {
        if at == Some(BlockId::Number(BlockNumberOrTag::Pending)) {
            let nonce = self
                .node
                .pending_nonce(address)
                .await?
                .map_err(RpcError::internal)?;
            return Ok(U64::from(nonce));
        }
        self.at_state(at, move |s| {
            Ok(U64::from(
                s.basic_ref(address)?.map(|a| a.nonce).unwrap_or_default(),
            ))
        })
        .await
    }

    /// `eth_getCode`.
    pub(crate) async fn code(
        &self,
        address: Address,
        at: Option<BlockId>,
    ) -> Result<Bytes, RpcError> {
        self.at_state(at, move |s| {
            let Some(account) = s.basic_ref(address)? else {
                return Ok(Bytes::new());
            };
            if account.code_hash == KECCAK_EMPTY {
                return Ok(Bytes::new());
            }
            Ok(s.code_by_hash_ref(account.code_hash)?.original_bytes())
        })
        .await
    }

    /// `eth_getStorageAt`: the 32-byte word.
    pub(crate) async fn storage_at(
        &self,
        address: Address,
        slot: U256,
        at: Option<BlockId>,
    ) -> Result<B256, RpcError> {
        self.at_state(at, move |s| Ok(B256::from(s.storage_ref(address, slot)?)))
            .await
    }

    /// `eth_getProof` (EIP-1186): account and storage proofs against the block's state root.
    pub(crate) async fn proof(
        &self,
        address: Address,
        slots: Vec<U256>,
        at: Option<BlockId>,
    ) -> Result<EIP1186AccountProofResponse, RpcError> {
        if slots.len() > MAX_PROOF_KEYS {
            return Err(RpcError::invalid_params(format!(
                "too many storage keys: {} (at most {MAX_PROOF_KEYS})",
                slots.len()
            )));
        }
        let keys: Vec<B256> = slots.iter().map(|s| B256::from(*s)).collect();
        self.at_state(at, move |s| {
            let root = s.state_root();
            s.with_trie(|_, nodes| {
                tributary_trie::state::account_proof(nodes, root, &address, &keys)
            })
            .map_err(StoreError::from_trie)
        })
        .await
        .map(|p| EIP1186AccountProofResponse {
            address: p.address,
            balance: p.balance,
            code_hash: p.code_hash,
            nonce: p.nonce,
            storage_hash: p.storage_hash,
            account_proof: p.account_proof,
            storage_proof: p
                .storage_proof
                .into_iter()
                .map(|sp| EIP1186StorageProof {
                    key: sp.key.into(),
                    value: sp.value,
                    proof: sp.proof,
                })
                .collect(),
        })
    }
}
