//! Tributary's shared protocol vocabulary: constants, schemas and hash rules that the L1 contracts, the
//! deployer, the sequencer and the prover must agree on bit for bit.
//!
//! ```text
//!                 ┌──────────── primitives (this crate) ─────────────┐
//!                 │ chain ids · predeploy table · Deployment schema   │
//!                 │ output root · withdrawal hash/slot · batch chain  │
//!                 │ deposit aliasing + payload decoding               │
//!                 └───────────────────────────────────────────────────┘
//!   deploy ──writes──► Deployment ◄──reads── devnet, sequencer, prover
//!   L1 Portal event TransactionDeposited ──deposit::DepositPayload──► derivation ──► L2 deposit tx
//!   L1 origin header ──l1_info::L1Info::encode_ecotone, source hashes──► L1-info system deposit
//!   block building / derivation ──rollup::RollupConfig (EIP-1559, drift, window, L1 fee scalars)
//!   L2 block ──output::output_root──► proposer ──► Rollup.proposeOutput
//!   L2 blocks ──batch_codec::BatchPayload::encode (zlib | brotli | zstd, capped decode)──► batch bytes
//!   L2 batch bytes ──batch::{calldata_data_hash, blob_data_hash, BatchChain}──► batcher / verifier
//!   L2 MessagePassed ──withdrawal::Withdrawal::{hash, storage_trie_key}──► proof ──► Portal.proveWithdrawal
//! ```
//!
//! The Solidity contracts in `contracts/src` are the other implementation of every rule here; tests in
//! `deploy/tests` run both against anvil and check they agree, and `contracts/test/fixtures` holds
//! vectors this crate generates (see `tests/it/fixtures.rs`).
//!
//! Errors: [`DeploymentError`] (file I/O, JSON, validation), [`DepositError`] (malformed
//! `TransactionDeposited` payloads), [`L1InfoError`] (malformed L1-info calldata), [`BatchError`]
//! (batches that do not extend the chain), all
//! aggregated in [`Error`].

pub mod batch;
pub mod batch_codec;
pub mod chain;
pub mod deployment;
pub mod deposit;
pub mod error;
pub mod l1_info;
pub mod output;
pub mod predeploys;
pub mod rollup;
pub mod withdrawal;

pub use batch::BatchChain;
pub use batch_codec::{BatchBlock, BatchCodecError, BatchPayload, Codec};
pub use deployment::{BlockRef, Contracts, Deployment, Roles};
pub use deposit::DepositPayload;
pub use error::{BatchError, DeploymentError, DepositError, Error, L1InfoError, Result};
pub use l1_info::L1Info;
pub use output::{OutputRootProof, output_root};
pub use rollup::RollupConfig;
pub use withdrawal::Withdrawal;
