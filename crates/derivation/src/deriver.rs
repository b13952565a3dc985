//! The derivation state machine: canonical L1 blocks in, executed L2 blocks out.

use op_alloy_consensus::TxDeposit;
use tracing::{debug, debug_span, info, warn};
use tributary_primitives::{BlockRef, RollupConfig};

use crate::{
    BatchData, BlockInput, DeriveError, DeriveEvent, Execute, L1BlockData, L1BlockInfo, L2Head,
    deposits::{deposit_transactions, l1_info},
    l1_window::{KnownL1, L1Window},
    validate::{Context, ForcedBlock, validate_batch},
};

/// Derives L2 blocks from canonical L1 blocks pushed one at a time, executing each derived block
/// through the caller's [`Execute`] (see the [crate docs](crate) for the rules and for resuming).
#[derive(Debug, Clone)]
pub struct Deriver {
    config: RollupConfig,
    head: L2Head,
    /// The last L1 block pushed (the head's origin before the first push).
    l1_head: BlockRef,
    /// Whether a block was pushed yet (until then the head's origin may be pushed again).
    pushed: bool,
    /// Known L1 blocks from the head's origin to `l1_head`.
    l1: L1Window,
    /// The run of forced blocks ending at the head (empty when the head came from a batch).
    forced: Vec<ForcedBlock>,
    /// Set when execution failed: the head may be in the middle of a batch.
    halted: bool,
}

impl Deriver {
    /// A deriver standing at `head`, whose L1 origin block is `origin`.
    ///
    /// The next block to push is `origin`'s child, or `origin` itself (its batches are derived
    /// again; see "Resuming" in the crate docs).
    pub fn new(config: RollupConfig, head: L2Head, origin: L1BlockInfo) -> crate::Result<Self> {
        if origin.block_ref() != head.origin {
            return Err(DeriveError::HeadOriginMismatch {
                head_number: head.origin.number,
                head_hash: head.origin.hash,
                number: origin.number,
                hash: origin.hash,
            });
        }
        Ok(Self {
            config,
            head,
            l1_head: head.origin,
            pushed: false,
            l1: L1Window::new(origin),
            forced: Vec::new(),
            halted: false,
        })
    }

    /// The last derived and executed L2 block.
    pub const fn head(&self) -> &L2Head {
        &self.head
    }

    /// The last L1 block pushed (the head's origin before the first push).
    pub const fn l1_head(&self) -> BlockRef {
        self.l1_head
    }

    /// The rollup config derivation follows.
    pub const fn config(&self) -> &RollupConfig {
        &self.config
    }

    /// Feeds the next canonical L1 block: derives every batch it carries, in log order
    /// (executing each derived block through `exec`, which moves the head), then applies forced
    /// inclusion. Returns what happened, in order.
    ///
    /// The block must be the child of the last one pushed ([`DeriveError::NotContiguous`],
    /// [`DeriveError::L1Reorg`]; nothing changes then). An execution error is returned as
    /// [`DeriveError::Execute`]: the head stays at the last block executed, possibly in the
    /// middle of a batch, and every later push fails with [`DeriveError::Halted`]; build a new
    /// deriver from the caller's head.
    pub fn push<E: Execute>(
        &mut self,
        block: L1BlockData,
        exec: &mut E,
    ) -> Result<Vec<DeriveEvent>, DeriveError<E::Error>> {
        let _span = debug_span!(
            target: "derivation",
            "l1_block",
            number = block.info.number,
            hash = %block.info.hash
        )
        .entered();
        self.record(&block)?;
        let inclusion = block.info.number;
        let mut events = Vec::new();
        for batch in &block.batches {
            self.derive_batch(batch, inclusion, exec, &mut events)?;
        }
        self.force(inclusion, exec, &mut events)?;
        Ok(events)
    }

    /// Feeds the next canonical L1 block without deriving its batches or applying forced
    /// inclusion: for resuming from a head saved after this block was fully processed (see
    /// "Resuming" in the crate docs). The block is kept as a possible origin, with its deposits.
    pub fn push_processed(&mut self, block: &L1BlockData) -> crate::Result<()> {
        self.record(block)
    }

    /// Checks that `block` extends the last pushed block and keeps it.
    fn record<E>(&mut self, block: &L1BlockData) -> Result<(), DeriveError<E>> {
        if self.halted {
            return Err(DeriveError::Halted);
        }
        let info = &block.info;
        if !self.pushed && info.block_ref() == self.l1_head {
            // the head's origin again: its deposits are in the chain already, its batches are
            // derived again
            self.pushed = true;
            return Ok(());
        }
        let expected = self.l1_head.number.saturating_add(1);
        if info.number != expected {
            return Err(DeriveError::NotContiguous {
                expected,
                got: info.number,
            });
        }
        if info.parent_hash != self.l1_head.hash {
            return Err(DeriveError::L1Reorg {
                number: info.number,
                expected: self.l1_head.hash,
                parent_hash: info.parent_hash,
            });
        }
        let deposits: Vec<TxDeposit> = deposit_transactions(info, &block.deposits);
        self.l1.push(KnownL1 {
            info: info.clone(),
            deposits,
        });
        self.l1_head = info.block_ref();
        self.pushed = true;
        Ok(())
    }

    /// Validates one batch and executes its new blocks, or skips it.
    fn derive_batch<E: Execute>(
        &mut self,
        batch: &BatchData,
        inclusion: u64,
        exec: &mut E,
        events: &mut Vec<DeriveEvent>,
    ) -> Result<(), DeriveError<E::Error>> {
        let cx = Context {
            config: &self.config,
            head: &self.head,
            forced: &self.forced,
            l1: &self.l1,
            inclusion,
        };
        match validate_batch(cx, batch) {
            Ok(inputs) => {
                for input in &inputs {
                    self.execute(input, exec)?;
                }
                // the head now comes from a batch: earlier forced blocks can no longer be
                // re-covered
                self.forced.clear();
                debug!(
                    target: "derivation",
                    batch_index = batch.batch_index,
                    first_block = batch.first_block,
                    last_block = batch.last_block,
                    blocks = inputs.len(),
                    "batch accepted"
                );
                events.push(DeriveEvent::BatchAccepted {
                    batch_index: batch.batch_index,
                    first_block: batch.first_block,
                    last_block: batch.last_block,
                });
            }
            Err(reason) => {
                if reason.is_stale() {
                    debug!(target: "derivation", batch_index = batch.batch_index, %reason, "batch skipped");
                } else {
                    warn!(
                        target: "derivation",
                        batch_index = batch.batch_index,
                        first_block = batch.first_block,
                        last_block = batch.last_block,
                        %reason,
                        "invalid batch skipped"
                    );
                }
                // a range the contract and derivation agree on (it starts at the next block):
                // it is consumed anyway, as empty blocks
                let fill =
                    reason.fills_range() && batch.first_block == self.head.number.saturating_add(1);
                events.push(DeriveEvent::BatchSkipped {
                    batch_index: batch.batch_index,
                    reason,
                });
                if fill {
                    self.fill(batch, exec, events)?;
                }
            }
        }
        Ok(())
    }

    /// Executes an empty block for every block of the range of `batch`, an invalid batch starting
    /// at the next block: the parent's origin and timestamp, sequence number the parent's + 1, no
    /// deposits, no sequenced transactions. The L2 numbering so stays the Rollup contract's,
    /// whose `nextBlock` moved past the batch.
    fn fill<E: Execute>(
        &mut self,
        batch: &BatchData,
        exec: &mut E,
        events: &mut Vec<DeriveEvent>,
    ) -> Result<(), DeriveError<E::Error>> {
        // known: the window holds every pushed block from the head's origin on
        let Some(origin) = self.l1.get(self.head.origin.number) else {
            warn!(target: "derivation", origin_number = self.head.origin.number, "head origin unknown");
            return Ok(());
        };
        let origin = origin.info.clone();
        let first_block = self.head.number.saturating_add(1);
        while self.head.number < batch.last_block {
            let sequence_number = self.head.sequence_number.saturating_add(1);
            let input = BlockInput {
                number: self.head.number.saturating_add(1),
                timestamp: self.head.timestamp,
                l1_info: l1_info(&origin, sequence_number, &self.config),
                origin: origin.clone(),
                deposits: Vec::new(),
                transactions: Vec::new(),
                forced: false,
                filled: true,
            };
            self.execute(&input, exec)?;
        }
        // the contract moved past the head: earlier forced blocks can no longer be re-covered
        self.forced.clear();
        warn!(
            target: "derivation",
            batch_index = batch.batch_index,
            first_block,
            last_block = self.head.number,
            "invalid batch's range filled with empty blocks"
        );
        events.push(DeriveEvent::EmptyBlocks {
            first_block,
            last_block: self.head.number,
        });
        Ok(())
    }

    /// Forced inclusion after the batches of L1 block `current`: while the head's origin is more
    /// than `sequencing_window` blocks behind, inserts a deposit-only block with the next origin.
    fn force<E: Execute>(
        &mut self,
        current: u64,
        exec: &mut E,
        events: &mut Vec<DeriveEvent>,
    ) -> Result<(), DeriveError<E::Error>> {
        let mut first = None;
        while self
            .head
            .origin
            .number
            .saturating_add(self.config.sequencing_window)
            < current
        {
            let origin_number = self.head.origin.number.saturating_add(1);
            // known: origin_number <= current - window <= current, and the window holds every
            // pushed block from the head's origin on
            let Some(origin) = self.l1.get(origin_number) else {
                warn!(target: "derivation", origin_number, "forced origin unknown");
                break;
            };
            let input = BlockInput {
                number: self.head.number.saturating_add(1),
                timestamp: self.head.timestamp.max(origin.info.timestamp),
                origin: origin.info.clone(),
                l1_info: l1_info(&origin.info, 0, &self.config),
                deposits: origin.deposits.clone(),
                transactions: Vec::new(),
                forced: true,
                filled: false,
            };
            let parent_hash = self.head.hash;
            self.execute(&input, exec)?;
            self.forced.push(ForcedBlock {
                number: input.number,
                timestamp: input.timestamp,
                origin_number,
                parent_hash,
            });
            first.get_or_insert(input.number);
        }
        if let Some(first_block) = first {
            info!(
                target: "derivation",
                first_block,
                last_block = self.head.number,
                "forced deposit-only blocks"
            );
            events.push(DeriveEvent::ForcedBlocks {
                first_block,
                last_block: self.head.number,
            });
        }
        Ok(())
    }

    /// Executes one derived block and moves the head to it.
    fn execute<E: Execute>(
        &mut self,
        input: &BlockInput,
        exec: &mut E,
    ) -> Result<(), DeriveError<E::Error>> {
        match exec.execute(input) {
            Ok(hash) => {
                self.head = L2Head {
                    number: input.number,
                    hash,
                    timestamp: input.timestamp,
                    origin: input.origin.block_ref(),
                    sequence_number: input.l1_info.sequence_number,
                };
                self.l1.prune_below(self.head.origin.number);
                Ok(())
            }
            Err(source) => {
                self.halted = true;
                Err(DeriveError::Execute {
                    number: input.number,
                    source,
                })
            }
        }
    }
}
