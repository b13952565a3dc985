//! Integration tests of the `devnet` binary: real anvil, the real sequencer binary, no mocks.
//!
//! ```text
//!  test ── spawns ──► devnet --dir TMP/devnet --l1-port P1 --l2-port P2 --metrics-port P3
//!                        ├─ anvil (L1)          ─┐
//!                        └─ sequencer (L2)      ─┴─ read by the test over JSON-RPC / HTTP only
//! ```
//!
//! - `lifecycle`: start, health, funding invariants, SIGINT, resume of the same chains.
//! - `settlement`: both DA modes on one chain, every batch re-read and checked from L1 alone,
//!   deposits, output roots and the L1 data fee recomputed independently; prints the L1 costs.
//!
//! The process handling (start, SIGINT, resume, never leaked), the ports and the JSON-RPC
//! helpers are the shared harness's (`tributary_testkit`); `utils` holds this suite's own.
//!
//! Both tests need `target/debug/sequencer` next to the devnet binary
//! (`cargo build -p tributary-sequencer -p tributary-devnet`) and anvil from `npm ci`.

mod fastlz;
mod lifecycle;
mod settlement;
mod utils;
