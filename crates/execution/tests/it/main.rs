//! Integration tests of the block executor and the simulator over revm's in-memory state.

mod access_list;
mod call;
mod contracts;
mod deposits;
mod estimate;
mod l1_fee;
mod rejection;
mod roots;
mod state;
mod system_calls;
mod trace;
mod transfer;
mod tx_types;
mod utils;
