//! Integration tests of the gateway with real parts only: the `devnet` binary (anvil, the
//! sequencer with the attribution predeploys), the `gateway` binary, and the `tributary` binary
//! driven as users drive it; raw HTTP and JSON-RPC where a script would use them.
//!
//! Needs `target/debug/{devnet,sequencer,gateway,tributary}` (`cargo build -p tributary-devnet
//! -p tributary-sequencer -p tributary-gateway -p tributary-cli --bins`).

mod backend;
mod e2e;
mod utils;
