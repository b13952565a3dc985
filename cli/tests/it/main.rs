//! Integration tests of the `tributary` binary with real parts only: anvil (from node_modules) as
//! L1 with the contracts deployed by the deploy crate, an in-process Tributary node and JSON-RPC
//! server as L2. The tests play batcher, proposer, challenger and guardian themselves.

mod errors;
mod round_trip;
mod utils;
