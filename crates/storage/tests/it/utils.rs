//! Shared helpers: temp-dir stores and deterministic blocks.

use alloy::{
    consensus::{Eip658Value, Header, Receipt, ReceiptEnvelope},
    eips::eip2718::Encodable2718,
};
use alloy_primitives::{Address, B256, Bytes, Log, LogData, U256, keccak256, map::B256Map};
use std::path::Path;
use tributary_storage::{BlockWrite, Store, StoreConfig, TxWrite};
use tributary_trie::{AccountChange, EMPTY_ROOT_HASH};

/// Opens a store in `dir` with the test config.
pub(crate) async fn open(dir: &Path) -> Store {
    Store::open(StoreConfig::test(dir)).await.unwrap()
}

pub(crate) fn addr(i: u64) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0xaa;
    a[12..].copy_from_slice(&i.to_be_bytes());
    Address::from(a)
}

pub(crate) fn word(i: u64) -> B256 {
    B256::from(U256::from(i))
}

pub(crate) fn log(address: Address, topics: &[B256], data: &[u8]) -> Log {
    Log {
        address,
        data: LogData::new_unchecked(topics.to_vec(), Bytes::copy_from_slice(data)),
    }
}

/// A transaction of block `block` at `index` with the given logs and a real EIP-1559 receipt
/// envelope; the raw bytes are unique per (block, index, salt).
pub(crate) fn tx(block: u64, index: u64, logs: Vec<Log>) -> TxWrite {
    tx_salted(block, index, 0, logs)
}

pub(crate) fn tx_salted(block: u64, index: u64, salt: u64, logs: Vec<Log>) -> TxWrite {
    let mut raw = vec![0x02];
    raw.extend_from_slice(&block.to_be_bytes());
    raw.extend_from_slice(&index.to_be_bytes());
    raw.extend_from_slice(&salt.to_be_bytes());
    let gas_used = 21_000 + index * 100;
    let receipt = ReceiptEnvelope::Eip1559(
        Receipt {
            status: Eip658Value::Eip658(index % 5 != 4),
            cumulative_gas_used: gas_used * (index + 1),
            logs: logs.clone(),
        }
        .with_bloom(),
    );
    TxWrite {
        hash: keccak256(&raw),
        raw: raw.into(),
        sender: addr(1000 + index),
        receipt: receipt.encoded_2718().into(),
        gas_used,
        effective_gas_price: 1_000_000_007 + u128::from(index),
        contract_address: (index == 1).then(|| addr(5000 + block)),
        l1_fee: (index != 0).then(|| U256::from(block * 1_000 + index)),
        extra: (index == 2).then(|| Bytes::from_static(b"op-extra")),
        logs,
    }
}

/// A header on top of `parent` (zero hash for block 0).
pub(crate) fn header(number: u64, parent: B256, state_root: B256) -> Header {
    Header {
        number,
        parent_hash: parent,
        state_root,
        timestamp: 1_700_000_000 + number * 2,
        gas_limit: 30_000_000,
        base_fee_per_gas: Some(1_000_000_000),
        ..Header::default()
    }
}

/// A block with no state root (empty state trie) and the given transactions and state.
pub(crate) fn block(
    number: u64,
    parent: B256,
    transactions: Vec<TxWrite>,
    state: Vec<(Address, AccountChange)>,
) -> BlockWrite {
    BlockWrite {
        header: header(number, parent, EMPTY_ROOT_HASH),
        transactions,
        state,
        code: Vec::new(),
        trie_nodes: B256Map::default(),
    }
}

/// Commits `block`, returning its hash.
pub(crate) async fn commit(store: &Store, block: &BlockWrite) -> B256 {
    let head = store.commit_block(block).await.unwrap();
    assert_eq!(head.hash, block.header.hash_slow());
    head.hash
}

/// Minimal xorshift for deterministic pseudo-random workloads.
#[derive(Debug)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
