//! Block 0: written to an empty datadir, checked against a used one.

use alloy::consensus::{Header, Sealed};
use tracing::info;
use tributary_genesis::L2Genesis;
use tributary_storage::{BlockWrite, Store};
use tributary_trie::{AccountChange, AccountInfo};

use crate::{NodeError, Result};

/// Commits `genesis` as block 0 of an empty store, or checks that the store's block 0 is this
/// genesis (a datadir of another chain or genesis is refused, not silently reused).
pub(crate) async fn init(store: &Store, genesis: &L2Genesis) -> Result<()> {
    store.ensure_chain_id(genesis.config.chain_id).await?;
    match store.genesis_hash().await? {
        Some(stored) if stored == genesis.hash => return Ok(()),
        Some(stored) => {
            return Err(NodeError::Genesis(format!(
                "the datadir holds genesis {stored}, this node's genesis is {}",
                genesis.hash
            )));
        }
        None => {}
    }
    let write = BlockWrite {
        header: genesis.header.clone(),
        transactions: Vec::new(),
        state: genesis
            .alloc
            .iter()
            .map(|(address, account)| {
                let change = AccountChange {
                    info: Some(AccountInfo {
                        nonce: account.nonce,
                        balance: account.balance,
                        code_hash: account.code_hash(),
                    }),
                    wipe_storage: false,
                    storage: account.storage.iter().map(|(k, v)| (*k, *v)).collect(),
                };
                (*address, change)
            })
            .collect(),
        code: genesis
            .alloc
            .values()
            .filter(|a| !a.code.is_empty())
            .map(|a| (a.code_hash(), a.code.clone()))
            .collect(),
        trie_nodes: genesis.nodes.clone(),
    };
    store.commit_block(&write).await?;
    info!(target: "node", hash = %genesis.hash, state_root = %genesis.state_root(), "wrote genesis");
    Ok(())
}

/// The stored head header.
pub(crate) async fn head_header(store: &Store) -> Result<Sealed<Header>> {
    let head = store
        .head()
        .await?
        .ok_or_else(|| NodeError::Genesis("the store has no blocks".into()))?;
    Ok(store.header_by_number(head.number).await?.ok_or(
        tributary_storage::StoreError::MissingBlock {
            number: head.number,
        },
    )?)
}
