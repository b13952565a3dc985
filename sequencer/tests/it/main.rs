//! End-to-end tests of the `sequencer` binary: real process, real HTTP, real clients.

mod clients;
mod config;
mod crash;
mod proofs;
mod rpc;
mod subscriptions;
mod utils;
