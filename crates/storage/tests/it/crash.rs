//! `kill -9` while committing: nothing acknowledged is lost.
//!
//! The parent test re-runs this test binary as a child (`crash::child_commit_loop`, ignored
//! unless invoked so) that journals pool transactions and commits blocks in a loop, printing an
//! acknowledgement after each call returns. The parent SIGKILLs it mid-stream, reopens the
//! store and checks every acknowledged block and journal entry is there.

use crate::utils::{addr, block, open, tx, tx_salted, word};
use alloy_primitives::{B256, U256};
use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};
use tributary_storage::{AccountInfo, PoolTx};
use tributary_trie::{AccountChange, KECCAK_EMPTY};

const CHILD_DIR_ENV: &str = "TRIBUTARY_STORAGE_CRASH_DIR";

fn pool_tx(n: u64) -> PoolTx {
    let t = tx_salted(n, 0, 1, vec![]);
    PoolTx {
        hash: t.hash,
        sender: t.sender,
        nonce: n,
        inserted_at: n,
        raw: t.raw,
    }
}

#[test]
#[ignore = "child process of kill_9_loses_nothing_acknowledged"]
fn child_commit_loop() {
    let dir = std::env::var(CHILD_DIR_ENV).expect("run by the crash test only");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = open(dir.as_ref()).await;
        let mut parent = B256::ZERO;
        for n in 0.. {
            store.pool_insert(&pool_tx(n)).await.unwrap();
            println!("pooled {n}");
            let change = AccountChange {
                info: Some(AccountInfo {
                    nonce: n,
                    balance: U256::from(n),
                    code_hash: KECCAK_EMPTY,
                }),
                storage: vec![(word(n), U256::from(n + 1))],
                ..Default::default()
            };
            let txs = (0..50).map(|i| tx(n, i, vec![])).collect();
            parent = store
                .commit_block(&block(n, parent, txs, vec![(addr(1), change)]))
                .await
                .unwrap()
                .hash;
            println!("acked {n}");
        }
    });
}

#[test]
fn kill_9_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "crash::child_commit_loop",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut acked, mut pooled) = (None, None);
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.is_none_or(|n| n < 30) {
        assert!(Instant::now() < deadline, "child too slow");
        let line = lines.next().expect("child exited early").unwrap();
        if let Some(n) = line.strip_prefix("acked ") {
            acked = Some(n.parse::<u64>().unwrap());
        } else if let Some(n) = line.strip_prefix("pooled ") {
            pooled = Some(n.parse::<u64>().unwrap());
        }
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9),
        "{status}"
    );
    let (acked, pooled) = (acked.unwrap(), pooled.unwrap());

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = open(dir.path()).await;
        let head = store.head().await.unwrap().unwrap();
        assert!(
            head.number >= acked,
            "head {} < acknowledged {acked}",
            head.number
        );
        println!(
            "killed after block {acked} was acknowledged; reopened at head {}",
            head.number
        );
        // Every block up to the head is complete, and the chain links.
        let mut parent = B256::ZERO;
        for n in 0..=head.number {
            let header = store.header_by_number(n).await.unwrap().unwrap();
            assert_eq!(header.parent_hash, parent);
            parent = header.hash();
            assert_eq!(store.block_transactions(n).await.unwrap().len(), 50);
            assert_eq!(store.block_receipts(n).await.unwrap().len(), 50);
        }
        assert_eq!(parent, head.hash);
        // The flat state is the head block's.
        let account = store.account(addr(1)).await.unwrap().unwrap();
        assert_eq!(account.nonce, head.number);
        assert_eq!(
            store.storage(addr(1), word(head.number)).await.unwrap(),
            U256::from(head.number + 1)
        );
        // Every acknowledged journal entry survived (none was included in a block).
        let journal = store.pool_load().await.unwrap();
        for n in 0..=pooled {
            assert!(journal.contains(&pool_tx(n)), "pool tx {n} lost");
        }
    });
}
