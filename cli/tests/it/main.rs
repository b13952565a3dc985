//! Integration tests of the `tributary` binary with real parts only.
//!
//! - `errors`, `round_trip`: anvil (from node_modules) as L1 with the contracts deployed by the
//!   deploy crate, an in-process Tributary node and JSON-RPC server as L2; the tests play batcher,
//!   proposer, challenger and guardian themselves.
//! - `devnet_withdrawal`: the real `devnet` binary (anvil, the sequencer with its own batcher and
//!   proposer); the user's round trip through the binary only.
//! - `batcher_crash`: the devnet's anvil and the real `sequencer` binary, killed with SIGKILL
//!   repeatedly; batches, hash chain and the batcher's L1 transactions checked from L1 alone.
//!
//! The last two drive the processes through the shared harness (`tributary_testkit`: the devnet,
//! anvil and the sequencer as logged, interruptible, never-leaked processes) and need
//! `target/debug/{devnet,sequencer}` next to the binary under test
//! (`cargo build -p tributary-sequencer -p tributary-devnet -p tributary-cli`).

mod batcher_crash;
mod devnet_withdrawal;
mod errors;
mod round_trip;
mod utils;
