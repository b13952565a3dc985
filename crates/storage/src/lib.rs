//! Tributary's embedded node store: blocks, transactions, receipts, logs, the flat latest
//! state, contract code and trie nodes in one SQLite file, and the transaction-pool journal in
//! a second one beside it, through sqlx.
//!
//! # Place in the data flow
//!
//! ```text
//!  RPC ──eth_sendRawTransaction──► txpool ──pool_insert_many──► pool journal (own file, own writer)
//!                                    │                               ▲ included txs removed
//!                                    ▼ ordered txs                   │ after their block commits
//!  block builder (spawn_blocking) ───────────────────────────────────┤
//!    │ revm over TrieStateReader / StateReader ◄── trie_nodes (+ LRU), accounts, code
//!    ▼                                                               │
//!  BlockWrite { header, txs + receipts + logs, state changes, code, trie nodes }
//!    │                                                               │
//!    └──► Store::commit_block ── ONE SQLite transaction ─────────────┘ (then pool_remove)
//!              │   blocks, transactions, receipts, logs, accounts, storage, code,
//!              │   trie_nodes (INSERT OR IGNORE), meta.head
//!              ▼
//!  RPC reads (async, read pool): head, headers, txs, receipts, eth_getLogs, state, proofs
//!  restart: head() → state root → StateTrie::new(root); pool_load() → txpool
//! ```
//!
//! The journal has its own file because SQLite has one writer per file: in one file, every
//! admitted batch would wait behind the block commit in progress (tens of ms).
//!
//! # Guarantees
//!
//! * **Atomic blocks.** [`Store::commit_block`] writes a block and everything it changed in one
//!   transaction; any failure (a constraint, I/O, a block that does not extend the head) rolls
//!   all of it back. Readers never see half a block.
//! * **Durable acknowledgements.** WAL journal with `synchronous = NORMAL`: when a commit
//!   returns, its pages are in the WAL file (OS page cache), so `kill -9` of the node loses
//!   nothing committed. Serve a receipt only after `commit_block` returned — receipts exist in
//!   the store only then. *Trade-off:* on an OS crash or power cut the last commits before the
//!   next WAL checkpoint fsync may be lost (the file stays consistent, ending at an earlier
//!   block). `synchronous = FULL` would fsync every commit; the sequencer re-derives the lost
//!   tail from L1 batches only if they were posted, so operators who need power-loss safety for
//!   unposted blocks should run on storage with a write cache that survives power loss.
//! * **Resumable.** [`Store::head`] gives the last durable block with its state root; the
//!   trie nodes of that root were committed with it ([`StoreError::MissingStateRoot`] refuses a
//!   block whose root is not stored), so `StateTrie::new(head.state_root)` over
//!   [`SqliteNodeStore`] continues exactly. The pool journal ([`Store::pool_load`]) refills the
//!   pool; the node removes included transactions from it after their block commits, and a
//!   crash in between leaves entries the pool's restore rejects as already mined.
//! * **State history.** `trie_nodes` is append-only and keyed by hash (DESIGN.md, "State
//!   history"), so proofs work at every committed root. The flat tables hold the latest state
//!   only; older state is read through the trie.
//! * **Contiguous chain.** Block `n + 1` must have the head's hash as parent. Reorgs/unwinds
//!   are not supported (the sequencer does not need them; a replica will).
//!
//! # Schema (`migrations/0001_init.sql`, applied by [`MIGRATOR`] on open)
//!
//! | table | key | columns |
//! |---|---|---|
//! | `meta` | `key` | `head`, `chain_id` (8-byte BE), `genesis_hash` |
//! | `blocks` | `number` | `hash` (unique), `parent_hash`, `timestamp`, `header` (RLP) |
//! | `transactions` | `hash` | `block_number` (FK), `idx` (unique per block), `sender`, `raw` (EIP-2718) |
//! | `receipts` | `(block_number, idx)` | `tx_hash` (FK), `gas_used`, `effective_gas_price`, `first_log_index`, `contract_address`, `l1_fee`, `extra`, `encoded` (EIP-2718) |
//! | `logs` | `(block_number, log_index)` | `tx_idx`, `tx_hash`, `address`, `topic0..3`, `data`; indexes `(address, block_number)`, `(topicN, block_number)` |
//! | `accounts` | `address` | `nonce`, `balance`, `code_hash` |
//! | `storage` | `(address, slot)` | `value` (non-zero only) |
//! | `code` | `hash` | `bytes` |
//! | `trie_nodes` | `hash` | `rlp` |
//! | `pool_journal` (journal file, [`JOURNAL_MIGRATOR`]) | `seq` (arrival order) | `hash` (unique), `sender`, `nonce`, `inserted_at`, `raw` |
//!
//! Hashes, addresses and words are BLOBs (words 32 bytes big-endian). Queries are runtime
//! queries (`sqlx::query` + `bind`); nothing needs a database at compile time.
//!
//! # Connections
//!
//! One writer connection (a pool of one: writes queue on it) and a read pool of
//! [`StoreConfig::read_connections`] read-only connections; WAL lets reads run during a commit
//! and see the last committed block. An in-memory SQLite database would be private to one
//! connection, so the store always uses a file (tests use temp dirs).
//!
//! # Sync access for the block builder ([`SqliteNodeStore`], [`StateReader`])
//!
//! The trie's `NodeStore::get` and revm's `DatabaseRef` are synchronous. Misses run the sqlx
//! query on the store's runtime with `Handle::block_on`, which parks the calling thread: **run
//! the block builder inside `tokio::task::spawn_blocking`** (tokio panics if it is called on an
//! async worker). Trie nodes go through a bounded LRU cache shared by all clones of the store
//! and warmed with each commit's new nodes; flat-state reads are not cached here (revm's
//! `State` caches per block).
//!
//! # Measured (`tests/it/measure.rs`, `#[ignore]`d; 2-core dev VM, dev profile with optimised
//! dependencies, one run, printed not asserted)
//!
//! | what | result |
//! |---|---|
//! | `commit_block`, 1,000 txs + receipts + 2,000 logs + 1,000 accounts/slots + 4,000 trie nodes | ≈ 170 ms/block (≈ 5,800 tx/s); 240 ms before raising the writer cache and WAL checkpoint interval, 390 ms with one statement per row |
//! | trie node read, async from a task (read pool) | ≈ 90–110 µs |
//! | trie node read, sync cache miss via `Handle::block_on` | ≈ 90–110 µs (same: the cost is sqlx's round trip to its connection thread, not the bridge) |
//! | trie node read, cache hit | ≈ 0.3 µs (`MemoryNodeStore`: ≈ 0.5 µs) |
//!
//! So `block_on` adds nothing measurable over the async path; what costs is one sqlx round trip
//! per miss. A builder that opens its `StateTrie` once and keeps it across blocks (the trie
//! caches loaded nodes) mostly hits memory; cold starts and proofs pay ≈ 100 µs per node. If
//! that becomes the bottleneck, the next step is a batched prefetch per trie level (the trie
//! crate's "not yet done" list) or a raw-handle read path (`SqliteConnection::lock_handle`).
//!
//! # Errors
//!
//! [`StoreError`], classified by [`StoreError::is_fatal`] (the database is unusable or
//! inconsistent: stop) and [`StoreError::is_constraint_violation`]. It implements revm's
//! `DBErrorMarker`, so [`StateReader`] is a `DatabaseRef`.

mod codec;
mod config;
mod error;
mod store;
mod sync;
mod types;

pub use config::{
    DEFAULT_BUSY_TIMEOUT, DEFAULT_DB_FILE, DEFAULT_NODE_CACHE_NODES, DEFAULT_READ_CONNECTIONS,
    StoreConfig,
};
pub use error::{Result, StoreError};
pub use store::{Head, JOURNAL_MIGRATOR, MAX_FILTER_VALUES, MIGRATOR, Store};
pub use sync::{SqliteNodeStore, StateReader, TrieStateReader};
pub use types::{
    AccountInfo, BlockWrite, LogFilter, PoolTx, StoredLog, StoredReceipt, StoredTx, TxWrite,
};
