//! Node core tests: block production from the pool over a real SQLite store.

mod production;
mod restart;
mod utils;
