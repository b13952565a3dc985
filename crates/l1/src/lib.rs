//! Tributary's settlement layer: everything that connects the L2 node to its L1 contracts.
//!
//! # Place in the data flow
//!
//! ```text
//!                       L1 (Portal, Rollup)
//!     TransactionDeposited │            ▲ submitBatch / submitBlobBatch      ▲ proposeOutput
//!                          ▼            │                                    │
//!   L1Client ─► follower ─► L1View ─► L1Origin ──► node producer (OriginSource)
//!   (headers,   (confirmation depth,   (origin per L2 block, its deposits,
//!    logs,       reorg check,           timestamp within the drift)
//!    batches,    safe/finalized ─► Node::update_sync_status)
//!    blobs)                                   node store ─► batcher ─┘            │
//!                                             node store ─► proposer ─────────────┘
//! ```
//!
//! * [`L1Client`] reads what derivation needs of an L1 block ([`tributary_derivation::L1BlockData`]):
//!   header fields, deposits, and batches with their bytes (calldata, or blobs from the beacon
//!   API checked against their versioned hashes). The prover reads L1 through it too.
//! * [`run_follower`] keeps the confirmed L1 blocks in an [`L1View`]; [`L1Origin`] turns them
//!   into the L1 origin of each new L2 block with derivation's own deposit and L1-info rules.
//! * [`run_batcher`] and [`run_proposer`] post batches and output roots through a [`TxSender`]
//!   each (one in-flight transaction per key, fee bumps, resume from what L1 shows).
//!
//! Logs use the targets `l1::client`, `l1::follower`, `l1::batcher`, `l1::proposer` and
//! `l1::sender`; metrics are named `tributary_*`. Errors are [`L1Error`]s.

mod batcher;
mod client;
mod derive;
mod error;
mod follower;
mod origin;
mod proposer;
mod sender;

pub use batcher::{
    BatcherConfig, DataAvailability, MAX_BLOBS_PER_BATCH, MAX_CALLDATA_BATCH, PostedBatch,
    build_batch, post_next, run_batcher,
};
pub use client::{L1Client, block_info, load_kzg_settings};
pub use derive::{DeriveStep, NodeDeriver, derive_into, derived_head};
pub use error::{L1Error, Result};
pub use follower::{ConfirmedBlock, FollowerConfig, L1View, run_follower};
pub use origin::L1Origin;
pub use proposer::{
    ProposedOutput, ProposerConfig, output_at, propose_next, reclaim_next, run_proposer,
};
pub use sender::{TxSender, wait_until_idle};
