//! Integration tests of the deployer against a real anvil (from node_modules) and the real compiled
//! contracts: the `deploy` binary end to end, and Rust-vs-Solidity agreement on every hash rule that
//! `tributary-primitives` re-implements.

mod agreement;
mod deploy_bin;
mod utils;
