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
//! ```

use std::{net::IpAddr, path::PathBuf};

use clap::ArgMatches;
use serde::Deserialize;

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

impl FileConfig {
    /// Fills in `args` from the file where neither the command line nor the environment set
    /// a value.
    pub(crate) fn apply(self, args: &mut Args, matches: &ArgMatches) {
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
    }
}
