//! Integration tests of the settlement layer against a real devnet (anvil + the sequencer in L1
//! mode, started by the `devnet` binary).

mod rebuild;
mod reorg;
mod utils;
