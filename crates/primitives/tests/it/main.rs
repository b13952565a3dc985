//! Integration tests of `tributary-primitives`: generated fixtures shared with the Solidity tests.

mod fixtures;
