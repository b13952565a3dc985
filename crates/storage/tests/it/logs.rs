//! `eth_getLogs` filtering against a brute-force reference over the same logs.

use crate::utils::{Rng, addr, block, commit, log, open, tx_salted, word};
use alloy_primitives::{Address, B256};
use tributary_storage::{LogFilter, StoreError, StoredLog};

/// What a log must satisfy, computed in Rust over what was written.
fn matches(filter: &LogFilter, l: &StoredLog) -> bool {
    (filter.from_block..=filter.to_block).contains(&l.block_number)
        && (filter.addresses.is_empty() || filter.addresses.contains(&l.log.address))
        && filter.topics.iter().enumerate().all(|(i, set)| {
            set.is_empty() || l.log.topics().get(i).is_some_and(|t| set.contains(t))
        })
}

const ADDRESSES: u64 = 4;
const TOPICS: u64 = 5;

/// Ten blocks of random logs (0..4 topics from a small alphabet, a few addresses); returns
/// every log as the store should return it.
async fn setup(store: &tributary_storage::Store) -> Vec<StoredLog> {
    let mut rng = Rng(0x5eed);
    let mut parent = B256::ZERO;
    let mut all = Vec::new();
    for n in 0..10u64 {
        let mut txs = Vec::new();
        for i in 0..2 + rng.below(6) {
            let logs = (0..rng.below(5))
                .map(|_| {
                    let topics: Vec<B256> =
                        (0..rng.below(5)).map(|_| word(rng.below(TOPICS))).collect();
                    log(
                        addr(rng.below(ADDRESSES)),
                        &topics,
                        &rng.next().to_be_bytes(),
                    )
                })
                .collect();
            txs.push(tx_salted(n, i, 0, logs));
        }
        let b = block(n, parent, txs, vec![]);
        parent = commit(store, &b).await;
        let mut log_index = 0;
        for (tx_index, t) in b.transactions.iter().enumerate() {
            for l in &t.logs {
                all.push(StoredLog {
                    block_number: n,
                    block_hash: parent,
                    block_timestamp: b.header.timestamp,
                    log_index,
                    tx_index: tx_index as u64,
                    tx_hash: t.hash,
                    log: l.clone(),
                });
                log_index += 1;
            }
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_match_a_brute_force_reference() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let all = setup(&store).await;
    assert!(all.len() > 30, "workload too small: {}", all.len());

    let a = |i| addr(i);
    let t = |i| word(i);
    let mut filters = vec![
        LogFilter::range(0, 9),
        LogFilter::range(3, 3),
        LogFilter::range(2, 7).with_address(a(1)),
        LogFilter::range(0, 9).with_address(a(0)).with_address(a(3)),
        LogFilter::range(0, 9).with_topic(0, t(1)),
        LogFilter::range(0, 9)
            .with_topic(0, t(1))
            .with_topic(0, t(2)),
        // wildcard at position 0, constraint at position 1
        LogFilter::range(0, 9).with_topic(1, t(3)),
        LogFilter::range(1, 8)
            .with_address(a(2))
            .with_topic(0, t(0))
            .with_topic(2, t(4)),
        // position 3: only logs with four topics can match
        LogFilter::range(0, 9)
            .with_topic(3, t(0))
            .with_topic(3, t(1)),
        LogFilter::range(0, 100).with_address(Address::repeat_byte(0xee)),
        LogFilter::range(20, 30),
    ];
    // Plus random filters.
    let mut rng = Rng(77);
    for _ in 0..40 {
        let from = rng.below(10);
        let mut f = LogFilter::range(from, from + rng.below(10));
        for _ in 0..rng.below(3) {
            f = f.with_address(a(rng.below(ADDRESSES + 1)));
        }
        for pos in 0..4 {
            if rng.below(5) == 0 {
                for _ in 0..1 + rng.below(2) {
                    f = f.with_topic(pos, t(rng.below(TOPICS + 1)));
                }
            }
        }
        filters.push(f);
    }
    let mut nonempty = 0;
    for f in &filters {
        let expected: Vec<_> = all.iter().filter(|l| matches(f, l)).cloned().collect();
        let got = store.logs(f, 10_000).await.unwrap();
        assert_eq!(got, expected, "filter {f:?}");
        nonempty += usize::from(!got.is_empty());
    }
    assert!(
        nonempty > filters.len() / 2,
        "filters too selective to mean much: {nonempty}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_result_limit_is_enforced_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let all = setup(&store).await;
    let f = LogFilter::range(0, 9);
    let n = all.len();
    assert_eq!(store.logs(&f, n).await.unwrap().len(), n);
    let err = store.logs(&f, n - 1).await.unwrap_err();
    assert!(
        matches!(err, StoreError::TooManyLogs { limit } if limit == n - 1),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("query returned more than {} results", n - 1)
    );
    assert!(!err.is_fatal());
    // The limit counts matches of the filter, not logs in the range.
    let one_address = f.clone().with_address(addr(1));
    let matching = all.iter().filter(|l| l.log.address == addr(1)).count();
    assert_eq!(
        store.logs(&one_address, matching).await.unwrap().len(),
        matching
    );
    assert!(store.logs(&one_address, matching - 1).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_filters_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let err = store.logs(&LogFilter::range(5, 4), 10).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidFilter { .. }), "{err}");
    let mut f = LogFilter::range(0, 1);
    f.addresses = (0..=tributary_storage::MAX_FILTER_VALUES as u64)
        .map(addr)
        .collect();
    let err = store.logs(&f, 10).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidFilter { .. }), "{err}");
    assert!(!err.is_fatal());
}
