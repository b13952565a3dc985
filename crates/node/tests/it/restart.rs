//! Restart resumes from the durable head with the same state root and the journaled pool.

use tributary_genesis::DEV_ACCOUNTS;

use crate::utils::{launch, recipient, send_and_mine, transfer};

#[tokio::test(flavor = "multi_thread")]
async fn restart_keeps_head_state_root_and_pool() {
    let dir = tempfile::tempdir().unwrap();
    let handle = launch(dir.path()).await;
    let node = handle.node().clone();
    let raws: Vec<_> = (0..20).map(|n| transfer(1, n, recipient(n), 1)).collect();
    let hashes = send_and_mine(&node, raws).await;
    // queued behind a gap: stays in the pool across the restart
    let queued = node
        .send_raw_transactions(vec![transfer(1, 25, recipient(99), 1)])
        .await
        .unwrap()[0]
        .clone()
        .unwrap();
    handle.stop().await.unwrap();
    // read after the stop: a heartbeat block may have been sealed meanwhile
    let head = node.head();
    drop(node);

    let handle = launch(dir.path()).await;
    let node = handle.node().clone();
    assert_eq!(node.head().hash(), head.hash());
    assert_eq!(node.head().state_root, head.state_root);
    assert!(
        node.pool().get(&queued).is_some(),
        "journaled transaction restored"
    );
    for hash in &hashes {
        assert!(node.store().receipt(*hash).await.unwrap().is_some());
    }
    // the chain goes on from there
    send_and_mine(&node, vec![transfer(1, 20, recipient(200), 1)]).await;
    assert_eq!(
        node.pending_nonce(DEV_ACCOUNTS[1]).await.unwrap().unwrap(),
        21
    );
    handle.stop().await.unwrap();
}
