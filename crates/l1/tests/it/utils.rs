//! What the settlement tests add to the shared test kit: rebuilding the chain from L1.

use alloy::providers::Provider;
use tributary_derivation::DeriveEvent;
use tributary_genesis::L2Genesis;
use tributary_l1::{L1Client, derive_into};
use tributary_node::{Node, NodeConfig};
use tributary_primitives::Deployment;
pub(crate) use tributary_testkit::{Devnet, approve_portal, deposit, wait_balance, wait_safe};

/// Rebuilds the chain from the devnet's L1 alone in a fresh datadir and asserts every derived
/// block (at least up to `target`) equals the sequencer's. Unless `invalid_batches` are
/// expected (a batch built on an origin a reorg removed), every batch must be valid. Returns
/// the rebuilt node.
pub(crate) async fn rebuild_and_compare(
    devnet: &Devnet,
    l2: &impl Provider,
    target: u64,
    label: &str,
    invalid_batches: bool,
) -> (Node, tempfile::TempDir) {
    let genesis = L2Genesis::read_json(&devnet.path("genesis.json")).unwrap();
    let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
    let datadir = tempfile::tempdir().unwrap();
    let node = Node::open(NodeConfig::with_genesis(datadir.path(), genesis.config))
        .await
        .unwrap();
    let client = L1Client::new(devnet.get("l1_rpc").parse().unwrap(), None, deployment);
    let until = client.head_number().await.unwrap();
    let (mut accepted, mut skipped) = (0, 0);
    let head = derive_into(&client, &node, until, |step| {
        for event in &step.events {
            match event {
                DeriveEvent::BatchAccepted { .. } => accepted += 1,
                DeriveEvent::BatchSkipped { reason, .. } => {
                    skipped += 1;
                    eprintln!("skipped batch: {reason}");
                }
                DeriveEvent::ForcedBlocks {
                    first_block,
                    last_block,
                } => panic!("forced blocks {first_block}..={last_block} on an honest chain"),
                DeriveEvent::EmptyBlocks {
                    first_block,
                    last_block,
                } => assert!(
                    invalid_batches,
                    "empty blocks {first_block}..={last_block} on an honest chain"
                ),
            }
        }
    })
    .await
    .unwrap();
    eprintln!(
        "{label}: derived {} L2 blocks from {accepted} batches over {until} L1 blocks",
        head.number
    );
    if !invalid_batches {
        assert_eq!(skipped, 0, "an honest sequencer's batches are all valid");
    }
    assert!(
        head.number >= target,
        "derived up to {} < {target}",
        head.number
    );
    for number in 1..=head.number {
        let theirs = l2
            .get_block_by_number(number.into())
            .await
            .unwrap()
            .unwrap()
            .header;
        let ours = node
            .store()
            .header_by_number(number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ours.hash(), theirs.hash, "block {number} differs");
        assert_eq!(ours.state_root, theirs.state_root);
    }
    (node, datadir)
}
