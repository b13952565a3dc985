//! Installed filters (`eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`)
//! polled with `eth_getFilterChanges` — how ethers and viem watch events over HTTP.
//!
//! A filter remembers the next block it has not reported; a poll answers everything from there
//! to the head and moves it on. As in geth, changes start at installation (a log filter's first
//! poll does not replay its `fromBlock` history; `eth_getFilterLogs` does), and a filter not
//! polled for [`FILTER_TIMEOUT`] is removed.

use std::{
    collections::HashMap,
    sync::{
        Mutex, PoisonError, Weak,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use alloy::rpc::types::{Filter, FilterChanges, Log};
use alloy_primitives::{B256, U256, keccak256};
use tokio::sync::broadcast::{self, error::TryRecvError};

use crate::{RpcError, eth::EthApi};

/// A filter not polled for this long is uninstalled (geth's deadline).
pub const FILTER_TIMEOUT: Duration = Duration::from_secs(300);

/// Most filters installed at once; a flood of `eth_new*Filter` must not grow memory forever.
const MAX_FILTERS: usize = 10_000;

#[derive(Debug)]
enum Kind {
    Blocks { next: u64 },
    Logs { filter: Box<Filter>, next: u64 },
    Pending(broadcast::Receiver<B256>),
}

#[derive(Debug)]
struct Installed {
    kind: Kind,
    polled: Instant,
}

/// The installed filters of one node.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    installed: Mutex<HashMap<U256, Installed>>,
    counter: AtomicU64,
}

impl Filters {
    fn install(&self, kind: Kind) -> Result<U256, RpcError> {
        // unguessable ids, so one client cannot poll (and drain) another's filter
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut seed = [0u8; 24];
        seed[..8].copy_from_slice(&n.to_be_bytes());
        seed[8..].copy_from_slice(&nanos.to_be_bytes());
        let id = U256::from_be_slice(&keccak256(seed)[..16]);
        let mut installed = self.lock();
        if installed.len() >= MAX_FILTERS {
            return Err(RpcError::server("too many installed filters"));
        }
        installed.insert(
            id,
            Installed {
                kind,
                polled: Instant::now(),
            },
        );
        Ok(id)
    }

    /// `eth_uninstallFilter`.
    pub(crate) fn uninstall(&self, id: U256) -> bool {
        self.lock().remove(&id).is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<U256, Installed>> {
        self.installed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn expire(&self) {
        self.lock()
            .retain(|_, f| f.polled.elapsed() < FILTER_TIMEOUT);
    }
}

/// Removes stale filters once a minute while the API lives.
pub(crate) fn spawn_expiry(api: Weak<EthApi>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match api.upgrade() {
                Some(api) => api.filters.expire(),
                None => return,
            }
        }
    });
}

fn not_found() -> RpcError {
    RpcError::server("filter not found")
}

impl EthApi {
    /// `eth_newFilter`.
    pub(crate) async fn new_log_filter(&self, filter: Filter) -> Result<U256, RpcError> {
        // validate the range now, like geth, rather than at the first poll
        self.log_range(&filter).await?;
        let next = self.node.head().number + 1;
        self.filters.install(Kind::Logs {
            filter: Box::new(filter),
            next,
        })
    }

    /// `eth_newBlockFilter`.
    pub(crate) fn new_block_filter(&self) -> Result<U256, RpcError> {
        let next = self.node.head().number + 1;
        self.filters.install(Kind::Blocks { next })
    }

    /// `eth_newPendingTransactionFilter`.
    pub(crate) fn new_pending_filter(&self) -> Result<U256, RpcError> {
        self.filters
            .install(Kind::Pending(self.node.pool().subscribe_pending()))
    }

    /// `eth_getFilterChanges`.
    pub(crate) async fn filter_changes(
        &self,
        id: U256,
    ) -> Result<FilterChanges<B256, Log>, RpcError> {
        let head = self.node.head().number;
        // take what to report under the lock, query outside it
        let (range, filter) = {
            let mut installed = self.filters.lock();
            let f = installed.get_mut(&id).ok_or_else(not_found)?;
            f.polled = Instant::now();
            match &mut f.kind {
                Kind::Pending(rx) => {
                    let mut hashes = Vec::new();
                    loop {
                        match rx.try_recv() {
                            Ok(h) => hashes.push(h),
                            Err(TryRecvError::Lagged(_)) => {}
                            Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                        }
                    }
                    return Ok(FilterChanges::Hashes(hashes));
                }
                Kind::Blocks { next } => {
                    let range = (*next, head);
                    *next = head + 1;
                    (range, None)
                }
                Kind::Logs { filter, next } => {
                    let range = (*next, head);
                    *next = head + 1;
                    (range, Some(filter.clone()))
                }
            }
        };
        let (from, to) = range;
        match filter {
            None => {
                let mut hashes = Vec::new();
                for number in from..=to {
                    if let Some(hash) = self.node.store().block_hash(number).await? {
                        hashes.push(hash);
                    }
                }
                Ok(FilterChanges::Hashes(hashes))
            }
            Some(filter) => {
                let (_, filter_to) = self.log_range(&filter).await?;
                let logs = self.logs_in(&filter, from, to.min(filter_to)).await?;
                Ok(FilterChanges::Logs(logs))
            }
        }
    }

    /// `eth_getFilterLogs`: everything a log filter matches now.
    pub(crate) async fn filter_logs(&self, id: U256) -> Result<Vec<Log>, RpcError> {
        let filter = {
            let mut installed = self.filters.lock();
            let f = installed.get_mut(&id).ok_or_else(not_found)?;
            f.polled = Instant::now();
            match &f.kind {
                Kind::Logs { filter, .. } => filter.clone(),
                _ => return Err(not_found()),
            }
        };
        self.logs(&filter).await
    }
}
