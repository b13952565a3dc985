//! A DataNet's index: span segments (suffix arrays) plus the BM25 chunk index, on disk.
//!
//! ```text
//! <dir>/manifest.json        {"version":1,"datanet_id":7,"next_segment":12,"segments":[3,9,11]}
//! <dir>/seg-00000003.bin     one immutable segment each (segment.rs has the layout)
//! <dir>/bm25/                tantivy
//! ```
//!
//! Adding a batch: tokenize it into a new segment, write the segment file, add its chunks to
//! tantivy and commit, then write the manifest (tmp + rename). The manifest is the commit point:
//! a crash before it leaves a segment file nothing lists (deleted on open) and, possibly, chunks
//! in tantivy whose contribution no segment holds (deleted on open, [`DataNetIndex::open`]). A
//! contribution counts as indexed once the manifest lists its segment; adding it again is a no-op.
//!
//! Then segments are merged LSM-style: while the segment before the newest is at most
//! [`IndexConfig::merge_ratio`] times the newest's size, the two become one (their texts
//! concatenated, a new suffix array). Sizes thus grow geometrically from newest to oldest.

use std::{
    collections::{HashMap, HashSet},
    fs,
    path::{Path, PathBuf},
};

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};

use crate::{
    attribute::{Attribution, Grounding, attribute},
    bm25::{Bm25, RetrievedChunk},
    config::{AttributionConfig, IndexConfig},
    error::{AttributionError, Result},
    segment::{Segment, SegmentBuilder},
    store::{Contribution, write_atomic},
};

const MANIFEST: &str = "manifest.json";
const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    datanet_id: u64,
    next_segment: u64,
    segments: Vec<u64>,
}

/// What [`DataNetIndex::add_batch`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AddReport {
    /// Contributions newly indexed.
    pub added: usize,
    /// Contributions skipped because they were already indexed (or repeated in the batch).
    pub skipped: usize,
    /// Word tokens added.
    pub tokens: u64,
    /// Segment merges the batch triggered.
    pub merges: usize,
}

/// Sizes of an index, for operators and the benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    /// The DataNet.
    pub datanet_id: u64,
    /// Contributions indexed.
    pub contributions: usize,
    /// Word tokens indexed (separators not counted).
    pub tokens: u64,
    /// Tokens per segment (separators included), oldest first.
    pub segment_tokens: Vec<u64>,
    /// Bytes the span segments take in memory (text, suffix array, offsets, vocabulary).
    pub span_memory_bytes: u64,
    /// Bytes on disk: segment files and tantivy.
    pub disk_bytes: u64,
}

/// The index of one DataNet (see the module doc). One process at a time may open a directory:
/// tantivy's writer lock refuses a second.
#[derive(Debug)]
pub struct DataNetIndex {
    dir: PathBuf,
    datanet_id: u64,
    config: IndexConfig,
    next_segment: u64,
    /// (file number, segment), oldest first.
    segments: Vec<(u64, Segment)>,
    /// Content hash -> contribution id of everything indexed.
    indexed: HashMap<B256, u64>,
    bm25: Bm25,
}

fn segment_path(dir: &Path, number: u64) -> PathBuf {
    dir.join(format!("seg-{number:08}.bin"))
}

impl DataNetIndex {
    /// Opens (creating if needed) the index of `datanet_id` in `dir`, loading its segments, and
    /// removes what a crashed write left (unlisted segment files, tantivy chunks of
    /// contributions no segment holds). Cost: reading the segment files, O(tokens).
    pub fn open(dir: impl AsRef<Path>, datanet_id: u64, config: IndexConfig) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| AttributionError::io(&dir, e))?;
        let manifest_path = dir.join(MANIFEST);
        let manifest = match fs::read(&manifest_path) {
            Ok(bytes) => {
                let manifest: Manifest = serde_json::from_slice(&bytes)
                    .map_err(|e| AttributionError::corrupt(&manifest_path, e.to_string()))?;
                if manifest.version != MANIFEST_VERSION || manifest.datanet_id != datanet_id {
                    return Err(AttributionError::corrupt(
                        &manifest_path,
                        format!(
                            "manifest v{} of datanet {}, expected v{MANIFEST_VERSION} of datanet {datanet_id}",
                            manifest.version, manifest.datanet_id
                        ),
                    ));
                }
                manifest
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Manifest {
                version: MANIFEST_VERSION,
                datanet_id,
                next_segment: 0,
                segments: Vec::new(),
            },
            Err(e) => return Err(AttributionError::io(&manifest_path, e)),
        };
        let mut segments = Vec::with_capacity(manifest.segments.len());
        let mut indexed = HashMap::new();
        for &number in &manifest.segments {
            let segment = Segment::load(&segment_path(&dir, number))?;
            for doc in segment.docs() {
                indexed.insert(doc.content_hash, doc.contribution_id);
            }
            segments.push((number, segment));
        }
        let listed: HashSet<PathBuf> = manifest
            .segments
            .iter()
            .map(|&n| segment_path(&dir, n))
            .collect();
        for entry in fs::read_dir(&dir).map_err(|e| AttributionError::io(&dir, e))? {
            let path = entry.map_err(|e| AttributionError::io(&dir, e))?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let stray_segment =
                name.starts_with("seg-") && name.ends_with(".bin") && !listed.contains(&path);
            let stray_tmp = name.starts_with('.') && name.ends_with(".tmp");
            if stray_segment || stray_tmp {
                fs::remove_file(&path).map_err(|e| AttributionError::io(&path, e))?;
            }
        }
        let mut bm25 = Bm25::open(&dir.join("bm25"), datanet_id, &config)?;
        let keep: HashSet<B256> = indexed.keys().copied().collect();
        let removed = bm25.retain(&keep)?;
        if removed > 0 {
            tracing::warn!(target: "attribution::index", datanet_id, removed, "removed chunks of an interrupted batch");
        }
        Ok(Self {
            dir,
            datanet_id,
            config,
            next_segment: manifest.next_segment,
            segments,
            indexed,
            bm25,
        })
    }

    /// The DataNet.
    pub fn datanet_id(&self) -> u64 {
        self.datanet_id
    }

    /// Whether the contribution with this content hash is indexed.
    pub fn contains(&self, content_hash: B256) -> bool {
        self.indexed.contains_key(&content_hash)
    }

    /// Number of contributions indexed.
    pub fn len(&self) -> usize {
        self.indexed.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.indexed.is_empty()
    }

    /// Indexes one contribution; `false` if it already was.
    pub fn add(&mut self, contribution: &Contribution) -> Result<bool> {
        Ok(self
            .add_batch(std::slice::from_ref(contribution), |_, _| {})?
            .added
            == 1)
    }

    /// Indexes a batch as one new segment, then merges segments (module doc). `progress(done,
    /// total)` is called after each contribution is tokenized and chunked; the suffix array, the
    /// commit and merges follow the last call. Contributions already indexed are skipped.
    ///
    /// Refused before any write: a contribution of another DataNet
    /// ([`AttributionError::WrongDataNet`]) or one content hash with two metadata
    /// ([`AttributionError::ConflictingMetadata`]). On any other error (a contribution too large
    /// to address, I/O) nothing of the batch is indexed; an error from the merges that follow a
    /// committed batch is returned too, and adding the batch again is then a no-op.
    pub fn add_batch(
        &mut self,
        batch: &[Contribution],
        mut progress: impl FnMut(u64, u64),
    ) -> Result<AddReport> {
        let mut report = AddReport::default();
        let mut fresh: Vec<&Contribution> = Vec::new();
        let mut in_batch: HashMap<B256, &Contribution> = HashMap::new();
        for c in batch {
            if c.meta.datanet_id != self.datanet_id {
                return Err(AttributionError::WrongDataNet {
                    contribution_id: c.meta.id,
                    expected: self.datanet_id,
                    found: c.meta.datanet_id,
                });
            }
            if let Some(first) = in_batch.get(&c.content_hash) {
                if first.meta != c.meta {
                    return Err(AttributionError::ConflictingMetadata {
                        content_hash: c.content_hash,
                    });
                }
                report.skipped += 1;
                continue;
            }
            in_batch.insert(c.content_hash, c);
            if self.indexed.contains_key(&c.content_hash) {
                report.skipped += 1;
            } else {
                fresh.push(c);
            }
        }
        if fresh.is_empty() {
            return Ok(report);
        }
        if let Err(e) = self.index_fresh(&fresh, &mut progress, &mut report) {
            // Nothing of the batch may surface later: drop tantivy's queued chunks, and delete
            // any it committed (a manifest write that failed after the tantivy commit).
            let keep: HashSet<B256> = self.indexed.keys().copied().collect();
            if let Err(cleanup) = self
                .bm25
                .rollback()
                .and_then(|()| self.bm25.retain(&keep).map(drop))
            {
                tracing::error!(target: "attribution::index", datanet_id = self.datanet_id, %cleanup, "could not undo a failed batch in bm25");
            }
            return Err(e);
        }
        report.added = fresh.len();
        // The batch is committed: an error from here on is a merge's, and adding again is a no-op.
        report.merges = self.merge()?;
        tracing::debug!(target: "attribution::index", datanet_id = self.datanet_id, ?report, "batch indexed");
        Ok(report)
    }

    /// Tokenizes and chunks `fresh`, writes its segment, commits tantivy, then the manifest.
    fn index_fresh(
        &mut self,
        fresh: &[&Contribution],
        progress: &mut impl FnMut(u64, u64),
        report: &mut AddReport,
    ) -> Result<()> {
        let total = fresh.len() as u64;
        let mut builder = SegmentBuilder::default();
        for (done, c) in fresh.iter().enumerate() {
            let before = builder.len();
            builder.push(c.meta.id, c.content_hash, &c.text)?;
            report.tokens += (builder.len() - before - 1) as u64;
            self.bm25.add(c, &self.config)?;
            progress(done as u64 + 1, total);
        }
        let segment = builder.build()?;
        let number = self.next_segment;
        // Taken even if the write fails: numbers are cheap, and retrying the same path may fail
        // the same way.
        self.next_segment += 1;
        let path = segment_path(&self.dir, number);
        segment.save(&path)?;
        if let Err(e) = self.bm25.commit() {
            // Unlisted, so harmless; removed now rather than at the next open.
            let _ = fs::remove_file(&path);
            return Err(e);
        }
        self.segments.push((number, segment));
        if let Err(e) = self.write_manifest() {
            self.segments.pop();
            return Err(e);
        }
        for c in fresh {
            self.indexed.insert(c.content_hash, c.meta.id);
        }
        Ok(())
    }

    /// Applies the merge policy; returns the number of merges.
    fn merge(&mut self) -> Result<usize> {
        let mut merges = 0;
        while let [.., (_, older), (_, newest)] = self.segments.as_slice()
            && older.len() <= newest.len().saturating_mul(self.config.merge_ratio.max(1))
        {
            let merged = older.merge(newest)?;
            let number = self.next_segment;
            self.next_segment += 1;
            merged.save(&segment_path(&self.dir, number))?;
            let replaced: Vec<u64> = self
                .segments
                .drain(self.segments.len() - 2..)
                .map(|(n, _)| n)
                .collect();
            self.segments.push((number, merged));
            self.write_manifest()?;
            for old in replaced {
                let path = segment_path(&self.dir, old);
                // Unlisted now; if this fails the next open deletes it.
                if let Err(e) = fs::remove_file(&path) {
                    tracing::warn!(target: "attribution::index", path = %path.display(), %e, "could not remove merged segment");
                }
            }
            merges += 1;
        }
        Ok(merges)
    }

    fn write_manifest(&self) -> Result<()> {
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            datanet_id: self.datanet_id,
            next_segment: self.next_segment,
            segments: self.segments.iter().map(|(n, _)| *n).collect(),
        };
        let path = self.dir.join(MANIFEST);
        let bytes = serde_json::to_vec(&manifest)
            .map_err(|e| AttributionError::corrupt(&path, e.to_string()))?;
        write_atomic(&path, &bytes)
    }

    /// The `k` (at most [`crate::MAX_RETRIEVE`]) best chunks for `query` by BM25 over its
    /// [`crate::MAX_QUERY_WORDS`] rarest words; ties by contribution id, then offset.
    pub fn retrieve(&self, query: &str, k: usize) -> Result<Vec<RetrievedChunk>> {
        self.bm25.retrieve(query, k)
    }

    /// Attributes `output` to this DataNet's contributions ([`crate::attribute()`]).
    pub fn attribute(
        &self,
        output: &str,
        retrieved: &[RetrievedChunk],
        grounding: Grounding,
        config: &AttributionConfig,
    ) -> Attribution {
        attribute(&[self], output, retrieved, grounding, config)
    }

    /// Sizes of the index.
    pub fn stats(&self) -> Result<IndexStats> {
        let segment_tokens: Vec<u64> = self.segments.iter().map(|(_, s)| s.len() as u64).collect();
        let separators: u64 = self
            .segments
            .iter()
            .map(|(_, s)| s.docs().len() as u64)
            .sum();
        Ok(IndexStats {
            datanet_id: self.datanet_id,
            contributions: self.indexed.len(),
            tokens: segment_tokens.iter().sum::<u64>() - separators,
            span_memory_bytes: self.segments.iter().map(|(_, s)| s.memory_bytes()).sum(),
            disk_bytes: dir_size(&self.dir)?,
            segment_tokens,
        })
    }

    pub(crate) fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.segments.iter().map(|(_, s)| s)
    }
}

fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in fs::read_dir(dir).map_err(|e| AttributionError::io(dir, e))? {
        let entry = entry.map_err(|e| AttributionError::io(dir, e))?;
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            // tantivy's background merges create and delete temporary files as we walk.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(AttributionError::io(entry.path(), e)),
        };
        total += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}
