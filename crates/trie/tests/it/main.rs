//! Integration tests of `tributary-trie`: the trie checked against alloy-trie's `HashBuilder`
//! (built from scratch) and `verify_proof`, over many commit rounds and historical roots.

mod edge;
mod props;
mod state;
mod utils;
