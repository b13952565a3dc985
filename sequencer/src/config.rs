//! The optional TOML configuration file (`--config`): the same settings as the flags, for
//! operators who keep them in a file. Precedence: command line, then environment
//! (`TRIBUTARY_*`), then the file, then the built-in defaults.
//!
//! ```toml
//! dev = true
//! datadir = "./l2"
//! block-time = 100          # ms
//! gas-limit = 150000000
//!
//! [http]
//! addr = "127.0.0.1"
//! port = 8545
//! corsdomain = ["*"]
//!
//! [txpool]
//! accountslots = 16384
//! globalslots = 100000
//!
//! [rpc]
//! gascap = 50000000
//!
//! # L1 mode (keys stay in the environment: TRIBUTARY_BATCHER_KEY, TRIBUTARY_PROPOSER_KEY)
//! [l1]
//! deployment = ".devnet/deployment.json"
//! genesis = ".devnet/genesis.json"
//! rpc = "http://127.0.0.1:8546"
//! beacon = "http://127.0.0.1:8546"
//! confirmations = 2
//! poll-ms = 500
//!
//! [batcher]
//! da = "auto"               # calldata | blobs | auto
//! max-blocks = 1000
//! max-delay-secs = 4
//!
//! [proposer]
//! interval-blocks = 100
//! max-interval-secs = 10
//! ```

use std::{net::IpAddr, path::PathBuf};

use alloy::transports::http::reqwest::Url;
use clap::ArgMatches;
use eyre::eyre;
use serde::Deserialize;
use tributary_l1::DataAvailability;

use crate::Args;

/// The file's contents; every key is optional and unknown keys are refused (a typo must not be
/// silently ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct FileConfig {
    dev: Option<bool>,
    datadir: Option<PathBuf>,
    block_time: Option<u64>,
    gas_limit: Option<u64>,
    #[serde(default)]
    http: Http,
    #[serde(default)]
    txpool: TxPool,
    #[serde(default)]
    rpc: Rpc,
    #[serde(default)]
    l1: L1,
    #[serde(default)]
    batcher: Batcher,
    #[serde(default)]
    proposer: Proposer,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Http {
    addr: Option<IpAddr>,
    port: Option<u16>,
    corsdomain: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TxPool {
    accountslots: Option<usize>,
    globalslots: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rpc {
    gascap: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct L1 {
    deployment: Option<PathBuf>,
    genesis: Option<PathBuf>,
    rpc: Option<Url>,
    beacon: Option<Url>,
    confirmations: Option<u64>,
    poll_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Batcher {
    da: Option<String>,
    max_blocks: Option<u64>,
    max_delay_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Proposer {
    interval_blocks: Option<u64>,
    max_interval_secs: Option<u64>,
}

impl FileConfig {
    /// Fills in `args` from the file where neither the command line nor the environment set
    /// a value.
    pub(crate) fn apply(self, args: &mut Args, matches: &ArgMatches) -> eyre::Result<()> {
        let da = self
            .batcher
            .da
            .map(|da| da.parse::<DataAvailability>())
            .transpose()
            .map_err(|e| eyre!("batcher.da in the config file: {e}"))?;
        tributary_config::fill!(args, matches;
            self.dev => dev,
            self.datadir.map(Some) => datadir,
            self.block_time => block_time_ms,
            self.gas_limit => gas_limit,
            self.http.addr => http_addr,
            self.http.port => http_port,
            self.http.corsdomain.map(Some) => cors,
            self.txpool.accountslots => account_slots,
            self.txpool.globalslots => global_slots,
            self.rpc.gascap => gas_cap,
        );
        let l1 = &mut args.l1;
        tributary_config::fill!(l1, matches;
            self.l1.deployment.map(Some) => deployment,
            self.l1.genesis.map(Some) => genesis,
            self.l1.rpc => l1_rpc,
            self.l1.beacon.map(Some) => l1_beacon,
            self.l1.confirmations => confirmations,
            self.l1.poll_ms => poll_ms,
            da => batcher_da,
            self.batcher.max_blocks => batcher_max_blocks,
            self.batcher.max_delay_secs => batcher_max_delay_secs,
            self.proposer.interval_blocks => proposer_interval_blocks,
            self.proposer.max_interval_secs => proposer_max_interval_secs,
        );
        Ok(())
    }
}
