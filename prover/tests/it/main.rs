//! The prover against real devnets (anvil + the sequencer with its batcher and proposer): an
//! honest chain verifies clean and resumably, a wrong output is challenged in time, corrupt
//! batch data is located.

mod corrupt_batch;
mod honest;
mod utils;
mod wrong_output;
