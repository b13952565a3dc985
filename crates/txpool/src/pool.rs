//! The pool: stateful validation, pending/queued sets, limits, eviction, block updates.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    fmt,
    sync::{Arc, Mutex, MutexGuard},
};

use alloy_primitives::{Address, B256, Bytes, U256};
use tokio::sync::broadcast;
use tracing::{debug, trace};

use crate::{
    BestTransactions, PoolConfig, PoolError, PoolErrorKind, PoolResult, PoolTransaction,
    StateProvider,
    validate::{validate_batch, validate_stateless},
};

/// Estimates the L1 data fee of a transaction from its EIP-2718 bytes (added to its cost in the
/// balance check).
pub type L1FeeEstimator = Arc<dyn Fn(&[u8]) -> U256 + Send + Sync>;

/// Where an accepted transaction sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxState {
    /// Executable: its nonce follows the account nonce or another pending transaction.
    Pending,
    /// Waiting for a nonce gap to fill.
    Queued,
}

/// What the caller journals for an accepted transaction (the storage crate's `PoolTx` without
/// the arrival time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// Transaction hash.
    pub hash: B256,
    /// Recovered sender.
    pub sender: Address,
    /// Sender nonce.
    pub nonce: u64,
    /// EIP-2718 encoding.
    pub raw: Bytes,
}

/// An accepted transaction and its effects on the pool.
///
/// Journal: insert [`Self::journal_entry`], remove [`Self::removed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedTransaction {
    /// The accepted transaction.
    pub tx: Arc<PoolTransaction>,
    /// Pending or queued.
    pub state: TxState,
    /// Hash of the transaction it replaced (same sender and nonce).
    pub replaced: Option<B256>,
    /// Transactions dropped to make room (global limit) or found stale (nonce below the
    /// account's).
    pub discarded: Vec<B256>,
    /// Queued transactions of the sender that became pending (the gap was filled).
    pub promoted: Vec<B256>,
}

impl AddedTransaction {
    /// Hash of the accepted transaction.
    pub fn hash(&self) -> B256 {
        self.tx.hash()
    }

    /// What to write to the pool journal.
    pub fn journal_entry(&self) -> JournalEntry {
        JournalEntry {
            hash: self.tx.hash(),
            sender: self.tx.sender(),
            nonce: self.tx.nonce(),
            raw: self.tx.raw().clone(),
        }
    }

    /// Hashes that left the pool because of this insertion (to delete from the journal).
    pub fn removed(&self) -> impl Iterator<Item = B256> + '_ {
        self.replaced.iter().chain(&self.discarded).copied()
    }
}

/// A transaction included in a committed block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinedTx {
    /// Transaction hash.
    pub hash: B256,
    /// Sender.
    pub sender: Address,
    /// Sender nonce.
    pub nonce: u64,
}

/// Effects of [`TxPool::on_block_committed`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitOutcome {
    /// Hashes that left the pool: mined, or stale (nonce now below the account's).
    pub removed: Vec<B256>,
    /// Queued transactions that became pending.
    pub promoted: Vec<B256>,
}

/// Counts for `txpool_status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStatus {
    /// Executable transactions.
    pub pending: usize,
    /// Transactions waiting for a nonce gap.
    pub queued: usize,
}

/// One sender's transactions for `txpool_content`, by nonce.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderContent {
    /// Executable transactions.
    pub pending: BTreeMap<u64, Arc<PoolTransaction>>,
    /// Transactions waiting for a nonce gap.
    pub queued: BTreeMap<u64, Arc<PoolTransaction>>,
}

#[derive(Debug)]
struct Entry {
    tx: Arc<PoolTransaction>,
    /// Arrival order (ties in ordering, eviction, journal order).
    seq: u64,
    /// `gas * max fee + value + L1 data fee`.
    cost: U256,
}

/// One sender's transactions. The pending run (contiguous nonces from the account nonce) and the
/// total cost are kept up to date on every change, so admission costs O(log n) per transaction
/// instead of rescanning the sender's queue (which made a burst of n transactions O(n²)).
#[derive(Debug, Default)]
struct SenderTxs {
    /// The account nonce the pool last saw.
    state_nonce: u64,
    txs: BTreeMap<u64, Entry>,
    /// End (exclusive) of the pending run: `state_nonce..end` are all present.
    end: u64,
    /// Sum of the entries' costs (saturating).
    total_cost: U256,
}

impl SenderTxs {
    fn new(state_nonce: u64) -> Self {
        Self {
            state_nonce,
            end: state_nonce,
            ..Self::default()
        }
    }

    /// Nonces of the pending run: contiguous from the account nonce.
    const fn pending_end(&self) -> u64 {
        self.end
    }

    /// Number of pending transactions.
    const fn pending_len(&self) -> usize {
        (self.end - self.state_nonce) as usize
    }

    /// Grows the run over the contiguous nonces from `end`; returns the hashes that joined it.
    fn extend_run(&mut self) -> Vec<B256> {
        let mut joined = Vec::new();
        while let Some(e) = self.txs.get(&self.end) {
            joined.push(e.tx.hash());
            self.end += 1;
        }
        joined
    }

    /// Inserts (or replaces) the entry at `nonce`; returns the replaced entry and the queued
    /// transactions the insertion made pending (not counting itself).
    fn insert(&mut self, nonce: u64, entry: Entry) -> (Option<Entry>, Vec<B256>) {
        let cost = entry.cost;
        let old = self.txs.insert(nonce, entry);
        match &old {
            Some(_) => self.recompute_cost(),
            None => self.total_cost = self.total_cost.saturating_add(cost),
        }
        let promoted = if nonce == self.end {
            self.end += 1;
            self.extend_run()
        } else {
            Vec::new()
        };
        (old, promoted)
    }

    /// Removes the entry at `nonce`; a gap it leaves ends the pending run there.
    fn remove(&mut self, nonce: u64) -> Option<Entry> {
        let entry = self.txs.remove(&nonce)?;
        if (self.state_nonce..self.end).contains(&nonce) {
            self.end = nonce;
        }
        self.recompute_cost();
        Some(entry)
    }

    /// Raises the account nonce to `nonce`, dropping transactions below it; returns them and
    /// the transactions that became pending.
    fn advance(&mut self, nonce: u64) -> (Vec<B256>, Vec<B256>) {
        if nonce <= self.state_nonce {
            return Default::default();
        }
        self.state_nonce = nonce;
        let keep = self.txs.split_off(&nonce);
        let stale = std::mem::replace(&mut self.txs, keep);
        let promoted = if self.end < nonce {
            self.end = nonce;
            self.extend_run()
        } else {
            Vec::new()
        };
        self.recompute_cost();
        (stale.into_values().map(|e| e.tx.hash()).collect(), promoted)
    }

    fn recompute_cost(&mut self) {
        self.total_cost = self
            .txs
            .values()
            .fold(U256::ZERO, |acc, e| acc.saturating_add(e.cost));
    }
}

#[derive(Debug, Default)]
struct Inner {
    base_fee: u64,
    next_seq: u64,
    by_hash: HashMap<B256, (Address, u64)>,
    senders: HashMap<Address, SenderTxs>,
}

impl Inner {
    fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Raises `sender`'s account nonce and removes what became stale; returns (removed,
    /// promoted).
    fn advance_sender(&mut self, sender: Address, nonce: u64) -> (Vec<B256>, Vec<B256>) {
        let Some(txs) = self.senders.get_mut(&sender) else {
            return Default::default();
        };
        if nonce <= txs.state_nonce {
            return Default::default();
        }
        let (removed, promoted) = txs.advance(nonce);
        for hash in &removed {
            self.by_hash.remove(hash);
        }
        if txs.txs.is_empty() {
            self.senders.remove(&sender);
        }
        (removed, promoted)
    }

    /// The worst transaction that may be evicted to admit `incoming`: the lowest effective tip at
    /// the current base fee among senders' last nonces (evicting from the tail never opens a
    /// gap); queued before pending and newer before older on ties.
    fn eviction_candidate(&self, incoming: &PoolTransaction) -> Option<(i128, Address, u64)> {
        self.senders
            .iter()
            .filter_map(|(sender, txs)| {
                let (nonce, entry) = txs.txs.last_key_value()?;
                // the incoming transaction would sit after this one: keep it
                if *sender == incoming.sender() && *nonce < incoming.nonce() {
                    return None;
                }
                let pending = *nonce < txs.pending_end();
                let score = entry.tx.eviction_score(self.base_fee);
                Some((
                    (score, pending, std::cmp::Reverse(entry.seq)),
                    *sender,
                    *nonce,
                ))
            })
            .min_by_key(|(key, ..)| *key)
            .map(|((score, ..), sender, nonce)| (score, sender, nonce))
    }

    fn remove(&mut self, sender: Address, nonce: u64) -> Option<Arc<PoolTransaction>> {
        let txs = self.senders.get_mut(&sender)?;
        let entry = txs.remove(nonce)?;
        if txs.txs.is_empty() {
            self.senders.remove(&sender);
        }
        self.by_hash.remove(&entry.tx.hash());
        Some(entry.tx)
    }
}

/// The sequencer's transaction pool. Share it behind an `Arc`; every method takes `&self`.
pub struct TxPool<S> {
    config: PoolConfig,
    state: S,
    l1_fee: Option<L1FeeEstimator>,
    inner: Mutex<Inner>,
    pending_tx: broadcast::Sender<B256>,
}

impl<S> fmt::Debug for TxPool<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TxPool")
            .field("config", &self.config)
            .field(
                "len",
                &self.inner.lock().map(|i| i.len()).unwrap_or_default(),
            )
            .finish_non_exhaustive()
    }
}

impl<S: StateProvider> TxPool<S> {
    /// An empty pool validating against `state`.
    pub fn new(config: PoolConfig, state: S) -> Self {
        let (pending_tx, _) = broadcast::channel(config.pending_channel_capacity.max(1));
        let inner = Inner {
            base_fee: config.initial_base_fee,
            ..Default::default()
        };
        Self {
            config,
            state,
            l1_fee: None,
            inner: Mutex::new(inner),
            pending_tx,
        }
    }

    /// Adds the L1 data fee estimate to each transaction's cost in the balance check.
    #[must_use]
    pub fn with_l1_fee_estimator(mut self, estimator: L1FeeEstimator) -> Self {
        self.l1_fee = Some(estimator);
        self
    }

    /// The configuration.
    pub const fn config(&self) -> &PoolConfig {
        &self.config
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // a panic while holding the lock leaves the maps consistent (no multi-step invariant is
        // broken across an unwinding point), so poisoning is ignored
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Validates and inserts one raw EIP-2718 transaction (`eth_sendRawTransaction`).
    pub fn add_raw(&self, raw: Bytes) -> PoolResult<AddedTransaction> {
        let tx = validate_stateless(raw, &self.config)?;
        self.add_validated(tx)
    }

    /// Validates a batch: senders are recovered in parallel, then the transactions are inserted
    /// one by one in input order. Results are in input order.
    pub fn add_raw_batch(&self, raws: Vec<Bytes>) -> Vec<PoolResult<AddedTransaction>> {
        let validated = validate_batch(raws, &self.config);
        let mut inner = self.lock();
        validated
            .into_iter()
            .map(|tx| self.insert(&mut inner, tx?))
            .collect()
    }

    /// Re-validates and re-inserts journaled transactions on startup, in journal (arrival)
    /// order, which the kept transactions keep. Rejected entries (mined meanwhile, now invalid)
    /// come back as errors carrying their hash: delete those from the journal.
    pub fn restore(&self, raws: Vec<Bytes>) -> Vec<PoolResult<AddedTransaction>> {
        let results = self.add_raw_batch(raws);
        let kept = results.iter().filter(|r| r.is_ok()).count();
        debug!(target: "txpool", kept, dropped = results.len() - kept, "restored pool journal");
        results
    }

    /// Inserts a transaction that passed [`validate_stateless`](crate::validate_stateless).
    pub fn add_validated(&self, tx: PoolTransaction) -> PoolResult<AddedTransaction> {
        let mut inner = self.lock();
        self.insert(&mut inner, tx)
    }

    fn insert(&self, inner: &mut Inner, tx: PoolTransaction) -> PoolResult<AddedTransaction> {
        let hash = tx.hash();
        let fail = |kind| Err(PoolError::new(hash, kind));
        if inner.by_hash.contains_key(&hash) {
            return fail(PoolErrorKind::AlreadyKnown);
        }
        let sender = tx.sender();
        let nonce = tx.nonce();
        let account = match self.state.account(sender) {
            Ok(account) => account,
            Err(err) => return fail(PoolErrorKind::State(err.to_string())),
        };
        // the provider may lag behind `on_block_committed`, or lead it
        let (mut discarded, mut promoted) = inner.advance_sender(sender, account.nonce);
        let state_nonce = inner
            .senders
            .get(&sender)
            .map_or(account.nonce, |s| s.state_nonce.max(account.nonce));
        if nonce < state_nonce {
            return fail(PoolErrorKind::NonceTooLow {
                next: state_nonce,
                nonce,
            });
        }
        let existing = inner.senders.get(&sender);
        let replacing = existing.and_then(|s| s.txs.get(&nonce));
        if let Some(old) = replacing {
            let bump = |v: u128| v.saturating_mul(100 + self.config.price_bump_percent) / 100;
            let (old_cap, old_tip) = (old.tx.max_fee_per_gas(), old.tx.max_priority_fee_per_gas());
            let (cap, tip) = (tx.max_fee_per_gas(), tx.max_priority_fee_per_gas());
            if cap <= old_cap || tip <= old_tip || cap < bump(old_cap) || tip < bump(old_tip) {
                return fail(PoolErrorKind::ReplacementUnderpriced);
            }
        } else if existing.map_or(0, |s| s.txs.len()) >= self.config.max_account_slots {
            return fail(PoolErrorKind::AccountLimitExceeded {
                limit: self.config.max_account_slots,
            });
        }
        let l1_fee = self.l1_fee.as_ref().map_or(U256::ZERO, |f| f(tx.raw()));
        let cost = tx.max_cost().saturating_add(l1_fee);
        let others: U256 = existing.map_or(U256::ZERO, |s| match &replacing {
            // replacing: everything but the replaced entry (rare, so recounted)
            Some(_) => s
                .txs
                .iter()
                .filter(|(n, _)| **n != nonce)
                .fold(U256::ZERO, |acc, (_, e)| acc.saturating_add(e.cost)),
            None => s.total_cost,
        });
        for needed in [cost, cost.saturating_add(others)] {
            if account.balance < needed {
                return fail(PoolErrorKind::InsufficientFunds {
                    balance: account.balance,
                    cost: needed,
                    overshot: needed - account.balance,
                });
            }
        }
        let replaced = replacing.map(|e| e.tx.hash());
        if replaced.is_none() && inner.len() >= self.config.max_pool_size {
            let score = tx.eviction_score(inner.base_fee);
            match inner.eviction_candidate(&tx) {
                Some((worst, evict_sender, evict_nonce)) if worst < score => {
                    if let Some(evicted) = inner.remove(evict_sender, evict_nonce) {
                        trace!(target: "txpool", hash = %evicted.hash(), "evicted");
                        discarded.push(evicted.hash());
                        promoted.retain(|h| *h != evicted.hash());
                    }
                }
                _ => return fail(PoolErrorKind::PoolFull),
            }
        }

        // insert
        let seq = inner.next_seq;
        inner.next_seq += 1;
        let tx = Arc::new(tx);
        let txs = inner
            .senders
            .entry(sender)
            .or_insert_with(|| SenderTxs::new(state_nonce));
        let (old, joined) = txs.insert(
            nonce,
            Entry {
                tx: tx.clone(),
                seq,
                cost,
            },
        );
        let state = if nonce < txs.pending_end() {
            TxState::Pending
        } else {
            TxState::Queued
        };
        promoted.extend(joined);
        if let Some(old) = old {
            inner.by_hash.remove(&old.tx.hash());
        }
        inner.by_hash.insert(hash, (sender, nonce));
        if state == TxState::Pending {
            let _ = self.pending_tx.send(hash);
        }
        for hash in &promoted {
            let _ = self.pending_tx.send(*hash);
        }
        trace!(target: "txpool", %hash, %sender, nonce, ?state, "accepted");
        Ok(AddedTransaction {
            tx,
            state,
            replaced,
            discarded,
            promoted,
        })
    }

    /// Executable transactions, best first, for a block with `base_fee`. A snapshot: the pool
    /// is not locked while iterating.
    pub fn best_transactions(&self, base_fee: u64) -> BestTransactions {
        let inner = self.lock();
        let pending = inner.senders.iter().map(|(sender, txs)| {
            let run: VecDeque<_> = txs
                .txs
                .range(txs.state_nonce..txs.pending_end())
                .map(|(_, e)| (e.tx.clone(), e.seq))
                .collect();
            (*sender, run)
        });
        BestTransactions::new(base_fee, pending.collect::<Vec<_>>())
    }

    /// A block was committed: drops mined and stale transactions, promotes queued ones whose gap
    /// closed, and records the next block's base fee (used for eviction).
    pub fn on_block_committed(&self, mined: &[MinedTx], base_fee: u64) -> CommitOutcome {
        let mut inner = self.lock();
        inner.base_fee = base_fee;
        let mut next_nonces: HashMap<Address, u64> = HashMap::new();
        for tx in mined {
            let next = next_nonces.entry(tx.sender).or_default();
            *next = (*next).max(tx.nonce + 1);
        }
        let mut outcome = CommitOutcome::default();
        for tx in mined {
            // mined under a different nonce slot than pooled (should not happen): drop by hash
            if let Some((sender, nonce)) = inner.by_hash.get(&tx.hash).copied()
                && let Some(removed) = inner.remove(sender, nonce)
            {
                outcome.removed.push(removed.hash());
            }
        }
        for (sender, next) in next_nonces {
            let next = match self.state.account(sender) {
                Ok(account) => next.max(account.nonce),
                Err(_) => next,
            };
            let (removed, promoted) = inner.advance_sender(sender, next);
            outcome.removed.extend(removed);
            outcome.promoted.extend(promoted);
        }
        for hash in &outcome.promoted {
            let _ = self.pending_tx.send(*hash);
        }
        debug!(target: "txpool", removed = outcome.removed.len(), promoted = outcome.promoted.len(), base_fee, "block committed");
        outcome
    }

    /// Removes a transaction the executor rejected. The sender's later transactions stay, as
    /// queued until the nonce is filled again. Returns whether it was pooled.
    pub fn mark_invalid(&self, hash: B256) -> bool {
        let mut inner = self.lock();
        let Some((sender, nonce)) = inner.by_hash.get(&hash).copied() else {
            return false;
        };
        debug!(target: "txpool", %hash, %sender, nonce, "marked invalid");
        inner.remove(sender, nonce).is_some()
    }

    /// The next nonce a wallet should use: the account nonce plus the contiguous pending
    /// transactions (`eth_getTransactionCount(.., "pending")`).
    pub fn pending_nonce(&self, sender: Address) -> Result<u64, PoolError> {
        let account = self
            .state
            .account(sender)
            .map_err(|e| PoolError::new(B256::ZERO, PoolErrorKind::State(e.to_string())))?;
        let mut inner = self.lock();
        inner.advance_sender(sender, account.nonce);
        Ok(inner
            .senders
            .get(&sender)
            .map_or(account.nonce, |s| s.pending_end().max(account.nonce)))
    }

    /// Pending and queued counts (`txpool_status`).
    pub fn status(&self) -> PoolStatus {
        let inner = self.lock();
        let pending = inner.senders.values().map(SenderTxs::pending_len).sum();
        PoolStatus {
            pending,
            queued: inner.len() - pending,
        }
    }

    /// Every pooled transaction by sender (`txpool_content`).
    pub fn content(&self) -> BTreeMap<Address, SenderContent> {
        let inner = self.lock();
        inner
            .senders
            .iter()
            .map(|(sender, txs)| {
                let end = txs.pending_end();
                let mut content = SenderContent::default();
                for (nonce, entry) in &txs.txs {
                    let set = if *nonce < end {
                        &mut content.pending
                    } else {
                        &mut content.queued
                    };
                    set.insert(*nonce, entry.tx.clone());
                }
                (*sender, content)
            })
            .collect()
    }

    /// A pooled transaction by hash.
    pub fn get(&self, hash: &B256) -> Option<Arc<PoolTransaction>> {
        let inner = self.lock();
        let (sender, nonce) = inner.by_hash.get(hash)?;
        Some(inner.senders[sender].txs[nonce].tx.clone())
    }

    /// Number of pooled transactions (pending + queued).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The base fee the pool evicts by (last `on_block_committed`).
    pub fn base_fee(&self) -> u64 {
        self.lock().base_fee
    }

    /// Every pooled transaction in arrival order (what the journal holds).
    pub fn all_by_arrival(&self) -> Vec<Arc<PoolTransaction>> {
        let inner = self.lock();
        let mut all: Vec<_> = inner
            .senders
            .values()
            .flat_map(|s| s.txs.values().map(|e| (e.seq, e.tx.clone())))
            .collect();
        all.sort_by_key(|(seq, _)| *seq);
        all.into_iter().map(|(_, tx)| tx).collect()
    }

    /// Hashes of transactions as they become pending (`eth_subscribe("newPendingTransactions")`).
    pub fn subscribe_pending(&self) -> broadcast::Receiver<B256> {
        self.pending_tx.subscribe()
    }
}
