//! Integration tests of tributary-attribution: one binary, one module per area.

mod corpus;
mod engine;
mod index;
mod quality;
mod retrieved;
mod store;
mod utils;
