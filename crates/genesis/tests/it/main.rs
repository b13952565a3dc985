//! Integration tests of the genesis crate.

mod block;
mod genesis;
