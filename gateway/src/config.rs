//! The gateway's settings, with their defaults as named constants (shared with the binary's flags).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use alloy::{signers::local::PrivateKeySigner, transports::http::reqwest::Url};
use tributary_attribution::{AttributionConfig, IndexConfig};

use crate::answer::Responder;

/// Default listen address: loopback, the port after the devnet's (anvil 8546, L2 8545).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8550";
/// Default chunks retrieved per request.
pub const DEFAULT_TOP_K: usize = 4;
/// Default sentences of an extractive answer.
pub const DEFAULT_MAX_SENTENCES: usize = 2;
/// Default interval of the pending-contribution sync, milliseconds.
pub const DEFAULT_SYNC_INTERVAL_MS: u64 = 5_000;
/// Default largest request body (a contribution upload), bytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 << 20;
/// Default limit of one request, seconds (it includes the settlement's receipt).
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 120;

/// Everything [`crate::spawn`] needs.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Where to listen (port 0: any free port; [`crate::GatewayHandle::addr`] tells which).
    pub listen: SocketAddr,
    /// The L2 JSON-RPC endpoint.
    pub l2_rpc: Url,
    /// The provider key: sends the settlements (an authorised provider of the models served).
    pub key: PrivateKeySigner,
    /// Engine, pending contributions and evidence live under this directory.
    pub data_dir: PathBuf,
    /// How answers are made.
    pub responder: Responder,
    /// Chunks retrieved per request.
    pub top_k: usize,
    /// How often pending contributions are checked against the chain.
    pub sync_interval: Duration,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Limit of one request (and of waiting for a settlement's receipt).
    pub request_timeout: Duration,
    /// How contributions are indexed.
    pub index: IndexConfig,
    /// How answers are attributed.
    pub attribution: AttributionConfig,
}

impl GatewayConfig {
    /// Defaults for everything but the endpoint, the key and the directory.
    pub fn new(l2_rpc: Url, key: PrivateKeySigner, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: DEFAULT_LISTEN
                .parse()
                .expect("the default listen address parses"),
            l2_rpc,
            key,
            data_dir: data_dir.into(),
            responder: Responder::Extractive {
                max_sentences: DEFAULT_MAX_SENTENCES,
            },
            top_k: DEFAULT_TOP_K,
            sync_interval: Duration::from_millis(DEFAULT_SYNC_INTERVAL_MS),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            index: IndexConfig::default(),
            attribution: AttributionConfig::default(),
        }
    }

    /// Sets [`Self::listen`].
    #[must_use]
    pub fn with_listen(mut self, listen: SocketAddr) -> Self {
        self.listen = listen;
        self
    }

    /// Sets [`Self::responder`].
    #[must_use]
    pub fn with_responder(mut self, responder: Responder) -> Self {
        self.responder = responder;
        self
    }

    /// Sets [`Self::top_k`].
    #[must_use]
    pub fn with_top_k(mut self, top_k: usize) -> Self {
        self.top_k = top_k;
        self
    }

    /// Sets [`Self::sync_interval`].
    #[must_use]
    pub fn with_sync_interval(mut self, sync_interval: Duration) -> Self {
        self.sync_interval = sync_interval;
        self
    }
}
