//! Integration tests: blocks of a real node re-executed from their witnesses alone.

mod measure;
mod tamper;
mod utils;
mod verify;
mod workload;
