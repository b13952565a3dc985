//! Integration tests of the SQLite store against real SQLite files in temp dirs.

mod blocks;
mod crash;
mod logs;
mod measure;
mod pool;
mod trie;
mod utils;
