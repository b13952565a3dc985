//! Integration tests of the transaction pool.

// see the crate: `PoolError` is deliberately unboxed
#![allow(clippy::result_large_err)]

mod batch;
mod pool;
mod props;
mod utils;
mod validation;
