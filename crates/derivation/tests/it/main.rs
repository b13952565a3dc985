//! Integration tests of derivation: real signed transactions in real encoded batches, pushed
//! through the deriver block by block, with an executor that records what it is given.

mod deposits;
mod forced;
mod happy;
mod invalid;
mod props;
mod reorg;
mod resume;
mod utils;
