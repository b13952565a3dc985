//! Integration tests of `tributary-primitives`: generated fixtures shared with the Solidity tests,
//! and the batch codec measured on realistic batches.

mod codec;
mod fixtures;
