//! Contribution content: uploads, the pending store, the engine, and the sync with the chain.
//!
//! ```text
//! POST /v1/contributions (bytes) ─► keccak256 ─► DataNetRegistry.contributionByHash
//!        none ─────────────────────► refused (content_not_registered), nothing written
//!        Pending ──► pending store  ──(sync: every --sync-interval, at startup, `gateway index`)──┐
//!        Accepted ─────────────────────────────────────────────────────► Engine::ingest ◄─────────┘
//!                                                                          (content store + index)
//! ```
//!
//! Only Accepted contributions reach the engine, so rejected or pending content is never
//! retrieved, quoted or credited. The pending store is a [`ContentStore`] of its own (files keyed
//! by content hash, written only when the hash is registered); the sync moves a contribution to
//! the engine once Accepted and drops it once its hash is no longer registered (rejected: a
//! rejection frees the hash).

use std::{
    path::Path,
    sync::{Arc, RwLock},
};

use alloy::primitives::{B256, keccak256};
use tokio::runtime::Handle;
use tracing::{info, warn};
use tributary_attribution::{
    AddReport, Attribution, AttributionConfig, ContentStore, ContributionMeta, Engine, Grounding,
    IndexConfig, Registry, RegistryError, RetrievedChunk,
};
use tributary_cli::gateway_api::ContributionStatus;

use crate::{
    chain::Chain,
    error::{GatewayError, Result},
};

/// [`Registry`] over DataNetRegistry on L2: `lookup` asks the chain which contribution holds a
/// content hash. The engine's traits are synchronous, so this blocks on the runtime: call it from
/// blocking threads only (`spawn_blocking`), never from async tasks.
#[derive(Debug)]
struct ChainRegistry<'a> {
    chain: &'a Chain,
    handle: Handle,
    /// Answer only for Accepted contributions (what the engine may index); else for any
    /// registered one (what the pending store may hold).
    accepted_only: bool,
}

impl Registry for ChainRegistry<'_> {
    fn lookup(&self, content_hash: B256) -> Result<Option<ContributionMeta>, RegistryError> {
        let found = self
            .handle
            .block_on(self.chain.contribution_by_hash(content_hash))?;
        Ok(found
            .filter(|c| c.accepted || !self.accepted_only)
            .map(|c| ContributionMeta {
                id: c.id,
                datanet_id: c.datanet_id,
            }))
    }
}

/// What one sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Pending contributions found Accepted and indexed.
    pub indexed: u64,
    /// Pending contributions whose hash is no longer registered (rejected), dropped.
    pub dropped: u64,
    /// Still pending.
    pub pending: u64,
}

/// The engine, the pending store and the chain they are checked against.
#[derive(Debug)]
pub(crate) struct Library {
    engine: RwLock<Engine>,
    pending: ContentStore,
    chain: Arc<Chain>,
    attribution: AttributionConfig,
}

impl Library {
    /// Opens the engine under `dir/engine` and the pending store under `dir/pending`.
    pub(crate) fn open(
        dir: &Path,
        index: IndexConfig,
        attribution: AttributionConfig,
        chain: Arc<Chain>,
    ) -> Result<Self> {
        Ok(Self {
            engine: RwLock::new(Engine::open(dir.join("engine"), index)?),
            pending: ContentStore::open(dir.join("pending"))?,
            chain,
            attribution,
        })
    }

    fn engine_read(&self) -> Result<std::sync::RwLockReadGuard<'_, Engine>> {
        self.engine
            .read()
            .map_err(|_| GatewayError::Internal("engine lock poisoned".into()))
    }

    fn engine_write(&self) -> Result<std::sync::RwLockWriteGuard<'_, Engine>> {
        self.engine
            .write()
            .map_err(|_| GatewayError::Internal("engine lock poisoned".into()))
    }

    fn registry(&self, accepted_only: bool) -> ChainRegistry<'_> {
        ChainRegistry {
            chain: &self.chain,
            handle: Handle::current(),
            accepted_only,
        }
    }

    /// Indexes what the engine's store holds and its indexes lack (after a crash between the
    /// two); `progress(done, total)`. Blocking.
    pub(crate) fn catch_up(&self, progress: impl FnMut(u64, u64)) -> Result<AddReport> {
        Ok(self.engine_write()?.catch_up(progress)?)
    }

    /// Stores uploaded content: indexed at once when Accepted, kept pending when Pending,
    /// refused when its hash is not a registered contribution. Blocking (see [`ChainRegistry`]).
    pub(crate) fn upload(&self, bytes: &[u8]) -> Result<ContributionStatus> {
        let content_hash = keccak256(bytes);
        // Already indexed: nothing to ask the chain (Accepted is final).
        if let Some(c) = self.engine_read()?.store().get(content_hash)? {
            return Ok(status(content_hash, c.meta, "indexed"));
        }
        // The pending store refuses unregistered hashes and non-text (writing nothing), so a
        // successful put is a registered contribution; then see whether it is Accepted already.
        let c = self.pending.put(&self.registry(false), bytes)?;
        if self.index_if_accepted(content_hash, bytes)? {
            return Ok(status(content_hash, c.meta, "indexed"));
        }
        info!(target: "gateway::library", %content_hash, id = c.meta.id, "stored, pending acceptance");
        Ok(status(content_hash, c.meta, "pending"))
    }

    /// Moves a pending contribution to the engine if the chain says it is Accepted.
    fn index_if_accepted(&self, content_hash: B256, bytes: &[u8]) -> Result<bool> {
        match self.engine_write()?.ingest(&self.registry(true), bytes) {
            Ok(c) => {
                self.pending.remove(content_hash)?;
                info!(target: "gateway::library", %content_hash, id = c.meta.id, datanet = c.meta.datanet_id, "indexed");
                Ok(true)
            }
            Err(tributary_attribution::AttributionError::NotRegistered { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Where a contribution's content stands here.
    pub(crate) fn status(&self, content_hash: B256) -> Result<ContributionStatus> {
        if let Some(c) = self.engine_read()?.store().get(content_hash)? {
            return Ok(status(content_hash, c.meta, "indexed"));
        }
        match self.pending.get(content_hash)? {
            Some(c) => Ok(status(content_hash, c.meta, "pending")),
            None => Err(GatewayError::ContributionNotFound(content_hash)),
        }
    }

    /// Checks every pending contribution against the chain: Accepted ones are indexed, those
    /// whose hash is no longer registered are dropped. `progress(done, total)`. Blocking.
    pub(crate) fn sync(&self, mut progress: impl FnMut(u64, u64)) -> Result<SyncReport> {
        let hashes = self.pending.hashes()?;
        let total = hashes.len() as u64;
        let mut report = SyncReport::default();
        let handle = Handle::current();
        for (done, hash) in hashes.into_iter().enumerate() {
            progress(done as u64, total);
            let Some(c) = self.pending.get(hash)? else {
                continue;
            };
            match handle.block_on(self.chain.contribution_by_hash(hash))? {
                None => {
                    self.pending.remove(hash)?;
                    info!(target: "gateway::library", content_hash = %hash, id = c.meta.id, "no longer registered (rejected): dropped");
                    report.dropped += 1;
                }
                Some(on_chain) if on_chain.accepted => {
                    if self.index_if_accepted(hash, c.text.as_bytes())? {
                        report.indexed += 1;
                    } else {
                        warn!(target: "gateway::library", content_hash = %hash, "accepted on chain but refused by the engine");
                        report.pending += 1;
                    }
                }
                Some(_) => report.pending += 1,
            }
        }
        progress(total, total);
        Ok(report)
    }

    /// The `k` best chunks of the DataNets for `query`. Blocking.
    pub(crate) fn retrieve(
        &self,
        datanets: &[u64],
        query: &str,
        k: usize,
    ) -> Result<Vec<RetrievedChunk>> {
        Ok(self.engine_read()?.retrieve(datanets, query, k)?)
    }

    /// Attributes `output` over the DataNets, given what `chunks` were to it. Blocking.
    pub(crate) fn attribute(
        &self,
        datanets: &[u64],
        output: &str,
        chunks: &[RetrievedChunk],
        grounding: Grounding,
    ) -> Result<Attribution> {
        Ok(self
            .engine_read()?
            .attribute(datanets, output, chunks, grounding, &self.attribution))
    }
}

fn status(content_hash: B256, meta: ContributionMeta, status: &str) -> ContributionStatus {
    ContributionStatus {
        content_hash,
        contribution_id: meta.id,
        datanet_id: meta.datanet_id,
        status: status.to_string(),
    }
}
