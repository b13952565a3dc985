-- Tributary L2 node store, schema v1.
--
-- Conventions: hashes, addresses, slots and 256-bit words are BLOBs (32 or 20 bytes, big-endian
-- for numbers); u64 values are INTEGER (reinterpreted as i64 where they may exceed 2^63 - 1:
-- nonces). RLP and EIP-2718 encodings are BLOBs exactly as on the wire.

-- Chain-wide facts: 'head' (block number, 8 bytes BE), 'chain_id' (8 bytes BE),
-- 'genesis_hash' (32 bytes).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- Canonical blocks. header = rlp(alloy Header); hash = keccak256(header).
CREATE TABLE blocks (
    number      INTEGER PRIMARY KEY NOT NULL,
    hash        BLOB NOT NULL UNIQUE,
    parent_hash BLOB NOT NULL,
    timestamp   INTEGER NOT NULL,
    header      BLOB NOT NULL
);

-- Included transactions, raw EIP-2718 bytes (deposits 0x7E included).
CREATE TABLE transactions (
    hash         BLOB PRIMARY KEY NOT NULL,
    block_number INTEGER NOT NULL REFERENCES blocks(number),
    idx          INTEGER NOT NULL,
    sender       BLOB NOT NULL,
    raw          BLOB NOT NULL,
    UNIQUE (block_number, idx)
);

-- One receipt per transaction, keyed like its transaction. `encoded` is the EIP-2718 receipt
-- envelope (with its logs); the other columns are what the RPC adds to it and cannot derive
-- cheaply. `first_log_index` is the block-level index of the receipt's first log.
CREATE TABLE receipts (
    block_number        INTEGER NOT NULL REFERENCES blocks(number),
    idx                 INTEGER NOT NULL,
    tx_hash             BLOB NOT NULL REFERENCES transactions(hash),
    gas_used            INTEGER NOT NULL,
    effective_gas_price BLOB NOT NULL,
    first_log_index     INTEGER NOT NULL,
    contract_address    BLOB,
    l1_fee              BLOB,
    extra               BLOB,
    encoded             BLOB NOT NULL,
    PRIMARY KEY (block_number, idx)
);

-- Logs, one row each, for eth_getLogs. log_index is the block-level index.
CREATE TABLE logs (
    block_number INTEGER NOT NULL REFERENCES blocks(number),
    log_index    INTEGER NOT NULL,
    tx_idx       INTEGER NOT NULL,
    tx_hash      BLOB NOT NULL,
    address      BLOB NOT NULL,
    topic0       BLOB,
    topic1       BLOB,
    topic2       BLOB,
    topic3       BLOB,
    data         BLOB NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
-- A filter on an address or a topic position walks that index within the block range; the
-- planner picks the most selective one. Range-only filters walk the primary key.
CREATE INDEX logs_address ON logs (address, block_number);
CREATE INDEX logs_topic0 ON logs (topic0, block_number);
CREATE INDEX logs_topic1 ON logs (topic1, block_number);
CREATE INDEX logs_topic2 ON logs (topic2, block_number);
CREATE INDEX logs_topic3 ON logs (topic3, block_number);

-- Flat latest state (what the EVM reads while building the next block).
CREATE TABLE accounts (
    address   BLOB PRIMARY KEY NOT NULL,
    nonce     INTEGER NOT NULL,
    balance   BLOB NOT NULL,
    code_hash BLOB NOT NULL
) WITHOUT ROWID;

-- Non-zero storage slots only: writing zero deletes the row.
CREATE TABLE storage (
    address BLOB NOT NULL,
    slot    BLOB NOT NULL,
    value   BLOB NOT NULL,
    PRIMARY KEY (address, slot)
) WITHOUT ROWID;

-- Contract code by keccak256; never deleted (history and re-deployments share it).
CREATE TABLE code (
    hash  BLOB PRIMARY KEY NOT NULL,
    bytes BLOB NOT NULL
);

-- Merkle-Patricia trie nodes by keccak256(rlp): append-only, INSERT OR IGNORE, never deleted
-- (DESIGN.md "State history").
CREATE TABLE trie_nodes (
    hash BLOB PRIMARY KEY NOT NULL,
    rlp  BLOB NOT NULL
) WITHOUT ROWID;

-- Transaction pool journal: accepted but not yet included transactions. Rows leave in the same
-- transaction that commits the block including them.
CREATE TABLE pool_journal (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    hash        BLOB NOT NULL UNIQUE,
    sender      BLOB NOT NULL,
    nonce       INTEGER NOT NULL,
    inserted_at INTEGER NOT NULL,
    raw         BLOB NOT NULL
);
