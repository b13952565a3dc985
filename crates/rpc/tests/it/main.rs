//! Integration tests of the JSON-RPC server over real HTTP and WebSocket on 127.0.0.1:0.

mod batch;
mod http;
mod limits;
mod utils;
mod witness;
mod ws;
