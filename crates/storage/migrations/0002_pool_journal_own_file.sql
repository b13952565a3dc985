-- The pool journal moved to its own database file (journal-migrations/): admitting
-- transactions must not queue behind block commits on this file's single writer.
DROP TABLE pool_journal;
