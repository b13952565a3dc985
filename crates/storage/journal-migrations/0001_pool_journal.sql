-- Transaction pool journal, in its own database file next to the chain database so that
-- admitting transactions never waits behind a block commit (SQLite has one writer per file).
-- Accepted but not yet included transactions; the node deletes them once their block is
-- committed (a crash in between leaves rows that the restore finds already mined and drops).
CREATE TABLE pool_journal (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    hash        BLOB NOT NULL UNIQUE,
    sender      BLOB NOT NULL,
    nonce       INTEGER NOT NULL,
    inserted_at INTEGER NOT NULL,
    raw         BLOB NOT NULL
);
