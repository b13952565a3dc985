//! Test support shared by the integration tests of several crates (a dev-dependency only): the
//! one harness for tests that drive the real binaries (`devnet`, `sequencer`, anvil, `gateway`,
//! `tributary`, `prover`) as processes and talk to them over JSON-RPC and HTTP only. The suites
//! of devnet, cli, gateway, prover and l1 use it; each keeps only its test-specific helpers.
//!
//! * Processes ([`process`]): [`workspace_bin`], [`anvil_bin`], free [`Ports`], a
//!   [`test_dir`], and [`Proc`]: a child logging to a file, with SIGINT ([`Proc::interrupt`]),
//!   kill -9, log tail, health wait, and never leaked (stopped on drop and when the test process
//!   dies, [`die_with_parent`]).
//! * [`Devnet`]: the `devnet` binary (anvil + the sequencer in L1 mode, with batcher and
//!   proposer) in a temporary directory on free loopback ports ([`DevnetOptions`]), its
//!   devnet.json typed ([`DevnetInfo`]), stopped on drop; interruptible and restartable (it
//!   resumes).
//! * Talking to it ([`rpc`]): [`rpc()`], [`http_ok`], providers, JSON quantities, polling
//!   ([`wait_for`], [`wait_receipt`]), [`sync_status`].
//! * The chain steps tests repeat ([`chain`]): [`dev_signer`], [`open`], sending a
//!   transaction and checking its receipt ([`send_ok`], [`send_mined`]), [`approve_portal`],
//!   [`deposit`], [`wait_balance`], [`wait_safe`], the batches on L1 checked as a chain
//!   ([`l1_batches`]), a fixed [`workload`].
//! * [`Run`]: what one run of a CLI binary printed, and the assertions on it.
//!
//! Set `TRIBUTARY_KEEP_TEST_DIRS=1` to keep a test's directory (logs, chain) after the test.

pub mod chain;
pub mod devnet;
pub mod process;
pub mod rpc;
pub mod run;

pub use chain::*;
pub use devnet::*;
pub use process::*;
pub use rpc::*;
pub use run::*;
