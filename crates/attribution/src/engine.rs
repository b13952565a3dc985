//! The engine a gateway holds: the content store and one index per DataNet under one directory.
//!
//! ```text
//! <root>/content/            ContentStore
//! <root>/datanets/<id>/      DataNetIndex of DataNet <id>
//! ```

use std::{
    collections::{BTreeMap, btree_map::Entry},
    fs,
    path::{Path, PathBuf},
};

use crate::{
    attribute::{Attribution, Grounding, attribute},
    bm25::{RetrievedChunk, sort_chunks},
    config::{AttributionConfig, IndexConfig},
    error::{AttributionError, Result},
    index::{AddReport, DataNetIndex},
    store::{ContentStore, Contribution, Registry},
};

/// Content store plus the DataNet indexes (see the module doc).
#[derive(Debug)]
pub struct Engine {
    root: PathBuf,
    config: IndexConfig,
    store: ContentStore,
    indexes: BTreeMap<u64, DataNetIndex>,
}

impl Engine {
    /// Opens (creating if needed) the engine under `root`, with every DataNet index found there.
    /// Contributions stored but not indexed (a crash between the two) are indexed by
    /// [`Self::catch_up`], which the caller runs after opening.
    pub fn open(root: impl AsRef<Path>, config: IndexConfig) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        let store = ContentStore::open(root.join("content"))?;
        let datanets = root.join("datanets");
        fs::create_dir_all(&datanets).map_err(|e| AttributionError::io(&datanets, e))?;
        let mut indexes = BTreeMap::new();
        for entry in fs::read_dir(&datanets).map_err(|e| AttributionError::io(&datanets, e))? {
            let path = entry
                .map_err(|e| AttributionError::io(&datanets, e))?
                .path();
            let Some(id) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            indexes.insert(id, DataNetIndex::open(&path, id, config)?);
        }
        Ok(Self {
            root,
            config,
            store,
            indexes,
        })
    }

    /// The content store.
    pub fn store(&self) -> &ContentStore {
        &self.store
    }

    /// The index of a DataNet, if it has any contribution.
    pub fn index(&self, datanet_id: u64) -> Option<&DataNetIndex> {
        self.indexes.get(&datanet_id)
    }

    fn index_mut(&mut self, datanet_id: u64) -> Result<&mut DataNetIndex> {
        match self.indexes.entry(datanet_id) {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(entry) => {
                let dir = self.root.join("datanets").join(datanet_id.to_string());
                Ok(entry.insert(DataNetIndex::open(dir, datanet_id, self.config)?))
            }
        }
    }

    /// Stores `bytes` ([`ContentStore::put`]: registered, UTF-8) and indexes them in their
    /// DataNet; attributable as soon as this returns. Idempotent.
    pub fn ingest(&mut self, registry: &dyn Registry, bytes: &[u8]) -> Result<Contribution> {
        let contribution = self.store.put(registry, bytes)?;
        self.index_mut(contribution.meta.datanet_id)?
            .add(&contribution)?;
        Ok(contribution)
    }

    /// Indexes every stored contribution its DataNet's index lacks, one batch per DataNet;
    /// `progress(done, total)` counts contributions over all DataNets. Cost: listing the store,
    /// then reading and indexing only what is missing (nothing after a clean shutdown); from an
    /// empty index directory this is the full re-index.
    pub fn catch_up(&mut self, mut progress: impl FnMut(u64, u64)) -> Result<AddReport> {
        let mut missing: BTreeMap<u64, Vec<Contribution>> = BTreeMap::new();
        for hash in self.store.hashes()? {
            if self.indexes.values().any(|index| index.contains(hash)) {
                continue;
            }
            if let Some(c) = self.store.get(hash)? {
                missing.entry(c.meta.datanet_id).or_default().push(c);
            }
        }
        let total: u64 = missing.values().map(|v| v.len() as u64).sum();
        let mut report = AddReport::default();
        let mut before = 0;
        for (datanet_id, batch) in missing {
            let r = self
                .index_mut(datanet_id)?
                .add_batch(&batch, |done, _| progress(before + done, total))?;
            before += batch.len() as u64;
            report.added += r.added;
            report.skipped += r.skipped;
            report.tokens += r.tokens;
            report.merges += r.merges;
        }
        Ok(report)
    }

    /// The `k` best chunks for `query` over the given DataNets (scores of different DataNets are
    /// BM25 with each DataNet's own statistics: close, not identical, scales).
    pub fn retrieve(&self, datanets: &[u64], query: &str, k: usize) -> Result<Vec<RetrievedChunk>> {
        let mut chunks = Vec::new();
        for index in self.selected(datanets) {
            chunks.extend(index.retrieve(query, k)?);
        }
        sort_chunks(&mut chunks);
        chunks.truncate(k);
        Ok(chunks)
    }

    /// Attributes `output` over the given DataNets as one corpus ([`crate::attribute()`]), with
    /// the chunks `retrieved` for it and what they were to it (`grounding`: given to an LLM as
    /// context, or not); DataNets without an index, and their chunks, are ignored.
    pub fn attribute(
        &self,
        datanets: &[u64],
        output: &str,
        retrieved: &[RetrievedChunk],
        grounding: Grounding,
        config: &AttributionConfig,
    ) -> Attribution {
        attribute(
            &self.selected(datanets),
            output,
            retrieved,
            grounding,
            config,
        )
    }

    fn selected(&self, datanets: &[u64]) -> Vec<&DataNetIndex> {
        let mut ids = datanets.to_vec();
        ids.sort_unstable();
        ids.dedup();
        ids.iter().filter_map(|id| self.indexes.get(id)).collect()
    }
}
