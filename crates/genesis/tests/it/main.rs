//! Integration tests of the genesis crate.

mod attribution;
mod block;
mod genesis;
