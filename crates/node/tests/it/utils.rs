//! Dev-chain signers and transaction builders, and waiting helpers.

use std::time::Duration;

use alloy::signers::local::PrivateKeySigner;
use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    signers::{SignerSync, local::MnemonicBuilder},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use tributary_genesis::DEV_MNEMONIC;
use tributary_node::{Node, NodeConfig, NodeHandle};

pub(crate) const GWEI: u128 = 1_000_000_000;

pub(crate) fn dev_signer(i: u32) -> PrivateKeySigner {
    MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, i)
}

/// A signed EIP-1559 transfer of `value` wei on the dev chain.
pub(crate) fn transfer(from: u32, nonce: u64, to: Address, value: u64) -> Bytes {
    transfer_with_gas_limit(from, nonce, to, value, 21_000)
}

/// [`transfer`] with another gas limit (a wallet's margin).
pub(crate) fn transfer_with_gas_limit(
    from: u32,
    nonce: u64,
    to: Address,
    value: u64,
    gas_limit: u64,
) -> Bytes {
    let tx = TxEip1559 {
        chain_id: tributary_primitives::chain::L2_DEVNET_CHAIN_ID,
        nonce,
        gas_limit,
        max_fee_per_gas: 10 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to: TxKind::Call(to),
        value: U256::from(value),
        access_list: Default::default(),
        input: Bytes::new(),
    };
    let sig = dev_signer(from)
        .sign_hash_sync(&tx.signature_hash())
        .unwrap();
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
}

/// A fresh recipient per index.
pub(crate) fn recipient(i: u64) -> Address {
    Address::left_padding_from(&(0xbeef_0000 + i).to_be_bytes())
}

pub(crate) fn config(dir: &std::path::Path) -> NodeConfig {
    NodeConfig::dev(dir).with_block_time(Duration::from_millis(20))
}

pub(crate) async fn launch(dir: &std::path::Path) -> NodeHandle {
    Node::launch(config(dir)).await.unwrap()
}

/// Waits until every hash has a stored receipt.
pub(crate) async fn wait_for_receipts(node: &Node, hashes: &[B256]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    for hash in hashes {
        loop {
            if node.store().receipt(*hash).await.unwrap().is_some() {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no receipt for {hash}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Sends the raw transactions to the pool, each of which must be accepted, and waits until
/// every one has a stored receipt ([`wait_for_receipts`]). Returns their hashes, in order.
pub(crate) async fn send_and_mine(node: &Node, raws: Vec<Bytes>) -> Vec<B256> {
    let hashes: Vec<B256> = node
        .send_raw_transactions(raws)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    wait_for_receipts(node, &hashes).await;
    hashes
}
