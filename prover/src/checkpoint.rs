//! Where a verification run stands, saved after every L1 block so the next run resumes exactly:
//! the last L1 block fully processed, the L2 head it left, and every derivation anomaly seen so
//! far (invalid batches, empty and forced blocks): the evidence that locates a divergence.

use std::path::Path;

use alloy::consensus::{Header, Sealed};
use alloy_primitives::B256;
use eyre::WrapErr;
use serde::{Deserialize, Serialize};
use tributary_derivation::DeriveEvent;
use tributary_l1::DeriveStep;

/// The saved state of a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    /// The last L1 block whose push completed (`None` before the first).
    pub(crate) l1_processed: Option<u64>,
    /// The derived L2 head after it (`None`: genesis).
    pub(crate) l2_head: Option<HeadRef>,
    /// Every anomaly, in derivation order.
    pub(crate) anomalies: Vec<Anomaly>,
}

/// An L2 block by number and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HeadRef {
    pub(crate) number: u64,
    pub(crate) hash: B256,
}

/// Something derivation did that an honest sequencer never causes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Anomaly {
    /// A batch was skipped as invalid; when its range started at the next block, that range
    /// became empty blocks.
    InvalidBatch {
        /// The L1 block that carried it.
        l1_block: u64,
        /// The Rollup's batch index.
        batch_index: u64,
        /// The rule it broke.
        reason: String,
        /// The empty blocks derived in its place.
        empty_blocks: Option<(u64, u64)>,
    },
    /// Deposit-only blocks forced after the sequencing window passed without a batch.
    ForcedBlocks {
        /// The L1 block whose push forced them.
        l1_block: u64,
        /// The first forced block.
        first_block: u64,
        /// The last forced block.
        last_block: u64,
    },
}

impl Anomaly {
    /// The L2 blocks it made, if any.
    pub(crate) fn blocks(&self) -> Option<(u64, u64)> {
        match self {
            Self::InvalidBatch { empty_blocks, .. } => *empty_blocks,
            Self::ForcedBlocks {
                first_block,
                last_block,
                ..
            } => Some((*first_block, *last_block)),
        }
    }

    /// One line for people.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::InvalidBatch {
                l1_block,
                batch_index,
                reason,
                empty_blocks,
            } => {
                let filled = empty_blocks.map_or(String::new(), |(a, b)| {
                    format!("; blocks {a}..={b} were derived as empty blocks")
                });
                format!("batch #{batch_index} (L1 block {l1_block}) is invalid: {reason}{filled}")
            }
            Self::ForcedBlocks {
                l1_block,
                first_block,
                last_block,
            } => format!(
                "no batch covered the sequencing window: blocks {first_block}..={last_block} were forced (deposit-only) at L1 block {l1_block}"
            ),
        }
    }
}

impl Checkpoint {
    /// Reads `path`, or an empty checkpoint when it does not exist.
    pub(crate) fn load(path: &Path) -> eyre::Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .wrap_err_with(|| format!("{} is not a prover checkpoint", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).wrap_err_with(|| format!("reading {}", path.display())),
        }
    }

    /// Writes atomically (temporary file, fsync, rename).
    pub(crate) fn save(&self, path: &Path) -> eyre::Result<()> {
        use std::io::Write;
        let tmp = path.with_extension("json.tmp");
        let mut file =
            std::fs::File::create(&tmp).wrap_err_with(|| format!("writing {}", tmp.display()))?;
        file.write_all(&serde_json::to_vec_pretty(self)?)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path).wrap_err_with(|| format!("writing {}", path.display()))?;
        Ok(())
    }

    /// Whether the store's head is the one this checkpoint saved (genesis for a new one).
    pub(crate) fn matches(&self, head: &Sealed<Header>) -> bool {
        match self.l2_head {
            Some(saved) => saved.number == head.number && saved.hash == head.hash(),
            None => head.number == 0,
        }
    }

    /// Records one L1 block's outcome.
    pub(crate) fn record(&mut self, step: &DeriveStep) {
        self.l1_processed = Some(step.l1_block);
        self.l2_head = Some(HeadRef {
            number: step.head.number,
            hash: step.head.hash,
        });
        for event in &step.events {
            match event {
                DeriveEvent::BatchSkipped {
                    batch_index,
                    reason,
                } if !matches!(reason, tributary_derivation::InvalidBatch::Stale { .. }) => {
                    self.anomalies.push(Anomaly::InvalidBatch {
                        l1_block: step.l1_block,
                        batch_index: *batch_index,
                        reason: reason.to_string(),
                        empty_blocks: None,
                    });
                }
                DeriveEvent::EmptyBlocks {
                    first_block,
                    last_block,
                } => {
                    // always right after the skipped batch whose range it fills
                    if let Some(Anomaly::InvalidBatch { empty_blocks, .. }) =
                        self.anomalies.last_mut()
                    {
                        *empty_blocks = Some((*first_block, *last_block));
                    }
                }
                DeriveEvent::ForcedBlocks {
                    first_block,
                    last_block,
                } => self.anomalies.push(Anomaly::ForcedBlocks {
                    l1_block: step.l1_block,
                    first_block: *first_block,
                    last_block: *last_block,
                }),
                DeriveEvent::BatchAccepted { .. } | DeriveEvent::BatchSkipped { .. } => {}
            }
        }
    }

    /// The first anomaly that made L2 blocks in `from..=to`.
    pub(crate) fn first_anomaly_in(&self, from: u64, to: u64) -> Option<&Anomaly> {
        self.anomalies
            .iter()
            .filter(|a| {
                a.blocks()
                    .is_some_and(|(first, last)| first <= to && last >= from)
            })
            .min_by_key(|a| a.blocks().map_or(u64::MAX, |(first, _)| first.max(from)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tributary_derivation::{InvalidBatch, L2Head};
    use tributary_primitives::BlockRef;

    fn step(l1_block: u64, head: u64, events: Vec<DeriveEvent>) -> DeriveStep {
        DeriveStep {
            l1_block,
            head: L2Head {
                number: head,
                hash: B256::repeat_byte(head as u8),
                timestamp: 0,
                origin: BlockRef {
                    number: 0,
                    hash: B256::ZERO,
                },
                sequence_number: 0,
            },
            events,
        }
    }

    #[test]
    fn records_invalid_batches_with_their_empty_blocks_and_ignores_stale_ones() {
        let mut checkpoint = Checkpoint::default();
        checkpoint.record(&step(
            5,
            10,
            vec![
                DeriveEvent::BatchSkipped {
                    batch_index: 1,
                    reason: InvalidBatch::Stale {
                        first_block: 1,
                        last_block: 3,
                        head: 3,
                    },
                },
                DeriveEvent::BatchSkipped {
                    batch_index: 2,
                    reason: InvalidBatch::Empty,
                },
                DeriveEvent::EmptyBlocks {
                    first_block: 4,
                    last_block: 10,
                },
            ],
        ));
        checkpoint.record(&step(
            9,
            12,
            vec![DeriveEvent::ForcedBlocks {
                first_block: 11,
                last_block: 12,
            }],
        ));
        assert_eq!(checkpoint.l1_processed, Some(9));
        assert_eq!(checkpoint.l2_head.unwrap().number, 12);
        assert_eq!(checkpoint.anomalies.len(), 2);
        assert_eq!(checkpoint.anomalies[0].blocks(), Some((4, 10)));
        assert!(
            checkpoint.anomalies[0]
                .describe()
                .contains("batch #2 (L1 block 5) is invalid")
        );
        assert_eq!(checkpoint.first_anomaly_in(1, 3), None);
        assert_eq!(
            checkpoint.first_anomaly_in(8, 20),
            Some(&checkpoint.anomalies[0])
        );
        assert_eq!(
            checkpoint.first_anomaly_in(11, 11),
            Some(&checkpoint.anomalies[1])
        );
    }

    #[test]
    fn saves_atomically_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.json");
        assert!(Checkpoint::load(&path).unwrap().l1_processed.is_none());
        let mut checkpoint = Checkpoint::default();
        checkpoint.record(&step(3, 2, Vec::new()));
        checkpoint.save(&path).unwrap();
        let loaded = Checkpoint::load(&path).unwrap();
        assert_eq!(loaded.l1_processed, Some(3));
        assert_eq!(loaded.l2_head, checkpoint.l2_head);
        std::fs::write(&path, b"{not json").unwrap();
        let err = Checkpoint::load(&path).unwrap_err().to_string();
        assert!(err.contains("not a prover checkpoint"), "{err}");
    }
}
