//! `bench`: end-to-end benchmark of Tributary's `sequencer --dev` against anvil.
//!
//! Both nodes are driven through exactly the same code: standard JSON-RPC over HTTP on a loopback
//! port, transactions signed by the ten dev accounts of the `test … junk` mnemonic for the chain id
//! the node answers to `eth_chainId`. Only the spawn command differs:
//!
//! ```text
//! anvil --host 127.0.0.1 --port P --block-time 0.25 --gas-limit 10000000000 --hardfork prague
//! sequencer --dev --datadir <fresh temp dir> --http.addr 127.0.0.1 --http.port P
//! ```
//!
//! Every round starts a fresh node process (fresh datadir) and rounds alternate anvil, sequencer,
//! anvil, sequencer… (`--rounds`, default 2 each). Each node's stdout/stderr goes to a file in its
//! temporary directory; its tail is printed when something fails.
//!
//! # Workloads
//!
//! - **transfers** (throughput): `--txs` (20,000) EIP-1559 transfers of 1 wei to distinct,
//!   never-used addresses, round-robin over the ten senders with consecutive nonces, all signed
//!   before the clock starts. They are sent as JSON-RPC batches of `eth_sendRawTransaction`
//!   (`--batch-size` 500) over `--connections` (2) concurrent HTTP connections; sender `s` always
//!   goes through connection `s % connections`, so each sender's nonces arrive in order. The clock
//!   runs from the first send until `eth_getTransactionCount(sender, "latest")` (one batch for all
//!   senders, every `--poll-ms`) has reached the final nonce of every sender. Throughput =
//!   transactions / elapsed.
//! - **erc20** (throughput): before the clock, account 0 deploys `OpenToken` (tributary-contracts'
//!   bytecode; the constructor mints the supply to account 0) and gives each other account
//!   1,000,000 tokens. Timed: `--txs` `transfer(to, 1)` calls from the ten accounts, each sender
//!   alternating between a fresh recipient and another dev account (an existing holder). Sent and
//!   timed as transfers.
//! - **settle** (throughput and gas): paid inferences settled with `AttributionSettlement.settle`,
//!   8 contributions each (module `settle`). The contracts: on the sequencer its genesis predeploys
//!   (`0x4200…0100` DataNetRegistry, `…0101` ModelRegistry, `…0102` AttributionSettlement); on
//!   anvil, account 0 deploys the same three with their constructors (tributary-contracts'
//!   bytecode, governance = treasury = account 0 as in `--dev` genesis) in a first setup stage.
//!   From then on both nodes run the same code on those addresses, whose code is checked
//!   (`eth_getCode`) before any call. Setup (untimed, three more stages, each confirmed before the
//!   next): account 0 creates a DataNet (deposit 0.01 OPEN, quorum 50 %), stakes 10 OPEN in it,
//!   registers a model linked to it (fee 0.001 OPEN per inference) and authorises accounts 1–9 as
//!   providers; accounts 1–9 submit one contribution each; account 0 votes all nine Accepted.
//!   Timed: `--txs` `settle` calls paying the fee, from the ten accounts, each with a distinct
//!   request hash and 8 distinct contributions (weights 2500…400 bps summing to 10,000). Sent and
//!   timed as transfers. The summary also gives gas per settlement from the receipts: the median
//!   (steady state) and the first one executed (which writes every credit slot from zero).
//! - **latency**: `--rate` (1,000) tx/s × `--latency-secs` (10) pre-signed transfers, one
//!   `eth_sendRawTransaction` request each, request `i` scheduled at `start + i / rate`. A watcher
//!   polls `eth_blockNumber` every `--poll-ms` and reads every new block with
//!   `eth_getBlockByNumber(n, false)`; a transaction's latency runs from just before its request is
//!   sent to the poll that first returned a head at or above its block. The poll interval bounds
//!   the error. The summary gives p50/p99/max/mean over the samples of all valid rounds.
//! - **peak memory**: `VmHWM` of `/proc/<pid>/status` of the node process, read just before it is
//!   stopped, for every round; the summary shows the highest per node and workload.
//! - **CPU share**: user + system CPU seconds of the node and of the bench (`/proc/<pid>/stat`)
//!   during each measurement, printed per round, since both share the machine's cores.
//!
//! # Validity
//!
//! After the measurement every transaction's receipt is fetched (`eth_getTransactionReceipt`, in
//! batches, outside the clock). A round is **invalid** (listed, never counted in a median) when
//! any transaction was rejected (an error item in a batch response, a failed request), when
//! inclusion timed out (`--timeout-secs`), when a receipt is missing or has status 0, or on any
//! error (a setup transaction rejected or reverted, a contract without code). The throughput
//! ratio is the sequencer's median over the anvil median (valid rounds). Gas per transaction
//! (throughput workloads) comes from the same receipts, in execution order (block, index).
//!
//! # Processes
//!
//! Nodes listen on free 127.0.0.1 ports only. They are stopped with SIGTERM (SIGKILL after 10 s)
//! at the end of each round, killed when the bench stops early (error, Ctrl-C, SIGTERM: the node
//! handles are dropped with `kill_on_drop`), and carry `PR_SET_PDEATHSIG = SIGKILL` in case the
//! bench itself is killed.
//!
//! Run it with `scripts/bench.sh` (release build of the sequencer and the bench, then this binary);
//! see `bench/README.md`.

mod chain;
mod cli;
mod cpu;
mod latency;
mod node;
mod plan;
mod report;
mod rpc;
mod run;
mod settle;
mod throughput;
mod tx;

use clap::Parser;
use eyre::Result;
use tokio::signal::unix::{SignalKind, signal};

use crate::{
    cli::Args,
    report::{JsonReport, table, write_json},
};

/// How the run ended.
enum Ending {
    Finished(Result<run::Outcome>),
    Interrupted(&'static str),
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = Args::parse();
    let mut terminate = signal(SignalKind::terminate())?;
    // The run future (and with it every running node) is dropped when a signal wins the select.
    let ending = tokio::select! {
        outcome = run::run(&args) => Ending::Finished(outcome),
        _ = tokio::signal::ctrl_c() => Ending::Interrupted("SIGINT"),
        _ = terminate.recv() => Ending::Interrupted("SIGTERM"),
    };
    let outcome = match ending {
        Ending::Finished(outcome) => outcome?,
        Ending::Interrupted(signal) => {
            eprintln!("interrupted by {signal}: nodes killed, no report");
            std::process::exit(130);
        }
    };
    println!("\n{}", table(&outcome.summaries, &outcome.rounds));
    if let Some(path) = &args.json {
        let report = JsonReport {
            args: &args,
            rounds: &outcome.rounds,
            summary: &outcome.summaries,
        };
        write_json(path, &report)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
