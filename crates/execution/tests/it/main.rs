//! Integration tests of the block executor over revm's in-memory state.

mod contracts;
mod deposits;
mod l1_fee;
mod rejection;
mod roots;
mod state;
mod system_calls;
mod transfer;
mod tx_types;
mod utils;
