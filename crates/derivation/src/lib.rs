//! Derivation: the pure function from canonical L1 data to the ordered inputs of L2 blocks
//! (docs/derivation.md is the protocol; this crate is its one implementation).
//!
//! The sequencer runs it to recover its chain after a restart and the auditor's prover runs it to
//! re-derive the chain from L1 alone; both execute the same [`BlockInput`]s, so both get the same
//! blocks. The crate does no I/O and is not async: the caller fetches L1 and executes.
//!
//! ```text
//!  L1, fetched by the caller               this crate                        the caller
//!  ─────────────────────────               ──────────                        ──────────
//!  header ───────────────────► L1BlockInfo ─┐
//!  Portal TransactionDeposited ► DepositLog ┼► L1BlockData ──► Deriver::push ──► Execute::execute(&BlockInput)
//!  Rollup BatchSubmitted + data ► BatchData ┘                      │    ▲              │
//!                                                                  │    └─ block hash ─┘ (head moves)
//!                                                                  └──► Vec<DeriveEvent>
//!  saved L2Head + its origin ──► Deriver::new          (resume: sequencer restart, prover)
//!  sequencer block building ───► deposit_transactions(), l1_info()   (same deposits, same L1 info)
//! ```
//!
//! # What one push does
//!
//! [`Deriver::push`] takes the next canonical L1 block `m` (its parent hash must be the previous
//! block's hash, else [`DeriveError::L1Reorg`] / [`DeriveError::NotContiguous`] and nothing
//! changes) and:
//!
//! 1. keeps the block as a possible origin, with its user deposits ([`deposit_transactions`]);
//!    blocks older than the head's origin are forgotten;
//! 2. derives its batches in log order. A batch is validated whole before anything runs
//!    (`validate.rs`, [`InvalidBatch`] names each rule): the event's range must reach past the
//!    head ([`InvalidBatch::Stale`]) and start no later than the next block; the bytes decode
//!    (capped decompression); the payload's range equals the event's; it starts at the next block
//!    with `parent_hash` = the head's hash, or re-covers forced blocks with exactly their content;
//!    every block's origin is its parent's or the next L1 block, known and not after `m`; its
//!    timestamp is `≥` the parent's and the origin's and `≤` the origin's + `max_sequencer_drift`;
//!    `last_origin_hash` is the canonical hash of the last block's origin; every transaction is a
//!    canonical EIP-2718 non-deposit, non-blob transaction with the L2 chain id whose signature
//!    recovers; the event's range holds at most [`MAX_BLOCKS_PER_BATCH`] blocks. A valid batch's
//!    new blocks are executed in order ([`DeriveEvent::BatchAccepted`]); an invalid one is skipped
//!    ([`DeriveEvent::BatchSkipped`], a `warn` log), never a panic. When the invalid batch's event
//!    range starts at the next block (the Rollup moved its `nextBlock` past it anyway), its range
//!    is filled with empty blocks ([`DeriveEvent::EmptyBlocks`], [`BlockInput::filled`]): the
//!    parent's origin and timestamp, sequence number the parent's + 1, no deposits, no sequenced
//!    transactions; so L2 numbering stays the Rollup's. Not filled: stale batches, batches starting
//!    after the next block or at or below the head (over forced blocks, which moved the head
//!    without the Rollup), and [`InvalidBatch::RangeTooLong`] (a range the Rollup reverts);
//! 3. applies forced inclusion: while `head.origin + sequencing_window < m`, inserts a deposit-only
//!    block with origin `head.origin + 1`, timestamp `max(parent, origin)`, sequence number 0 and
//!    that origin's deposits ([`DeriveEvent::ForcedBlocks`]).
//!
//! A block's inputs: number = parent + 1; sequence number 0 when the origin changed, else the
//! parent's + 1; [`l1_info`] of the origin; the origin's user deposits when the origin changed
//! (all of them: the Portal caps deposit gas per L1 block, so they always fit), else none; the
//! batch block's transactions with their senders recovered (the one place senders are recovered).
//!
//! After `exec` returns a block's hash, the head moves to that block. If `exec` fails, push
//! returns [`DeriveError::Execute`] with the head at the last block executed and the deriver
//! halts ([`DeriveError::Halted`]); the caller builds a new one from its own head.
//!
//! # Resuming
//!
//! Derivation is a pure function of the canonical L1 chain, so a new [`Deriver`] built from a
//! saved head can continue where an old one stopped. Save the head together with the last L1 block
//! `m` whose push completed, then:
//!
//! - exactly: [`Deriver::new`] with the head and its origin, [`Deriver::push_processed`] for the
//!   L1 blocks after the origin up to `m`, then [`Deriver::push`] from `m + 1` on;
//! - simply: push again every L1 block from the head's origin (which may be pushed once more as
//!   the first block) or its child on. Batches already derived are skipped as stale. This matches
//!   the first run unless the sequencer posted a batch that was skipped then as starting after the
//!   next block and starts right after the saved head now.
//!
//! Either way, a batch re-covering forced blocks below the saved head is only recognised by the
//! deriver that forced them; resume from a head that came from a batch (or accept that such a
//! batch is skipped as [`InvalidBatch::OverlapsDerived`]). Likewise, from a head in the middle of
//! a batch or of a filled range (an execution error there), that batch starts below the head: it
//! is skipped, neither derived nor filled further.
//!
//! # Errors
//!
//! [`InvalidBatch`] is protocol: the batch is skipped and derivation goes on. [`DeriveError`] is
//! the caller's: an L1 reorg or gap ([`DeriveError::is_l1`]: restart from a head whose origin
//! both L1 chains share), a wrong origin for the head, or an execution failure.

#![warn(missing_docs)]

mod deposits;
mod deriver;
mod error;
mod l1_window;
mod types;
mod validate;

pub use deposits::{deposit_transactions, l1_info};
pub use deriver::Deriver;
pub use error::{DeriveError, InvalidBatch, Result};
pub use types::{
    BatchData, BlockInput, DepositLog, DeriveEvent, Execute, L1BlockData, L1BlockInfo, L2Head,
};
pub use validate::MAX_BLOCKS_PER_BATCH;
