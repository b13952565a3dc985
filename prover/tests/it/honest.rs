//! An honest chain verifies clean from L1 alone, across calldata and blob batches, deposits,
//! withdrawals and reverting transactions; a run stopped part-way resumes from its datadir.

use alloy::{
    primitives::B256,
    providers::{Provider, ProviderBuilder},
    rpc::types::Filter,
    sol_types::SolEvent,
};
use tributary_contracts::Rollup;
use tributary_primitives::Deployment;
use tributary_testkit::{Devnet, wait_safe, workload};

use crate::utils::{outputs_with, run_prover, verify, wait_output};

#[tokio::test(flavor = "multi_thread")]
async fn an_honest_chain_verifies_from_l1_alone_and_resumes() {
    Box::pin(async {
        let mut devnet = Devnet::start(&["--sequencer-arg=--batcher.da=calldata"]);
        let l1 = ProviderBuilder::new().connect_http(devnet.get("l1_rpc").parse().unwrap());
        let l2 = ProviderBuilder::new().connect_http(devnet.get("l2_rpc").parse().unwrap());
        let first = workload(&devnet, 1).await;
        wait_safe(&devnet, &l2, first.last_block).await;
        wait_output(&devnet, &l1, first.last_block).await;
        let middle_l1 = l1.get_block_number().await.unwrap();

        // the same workload again, batched in blobs
        devnet.restart_with(&["--sequencer-arg=--batcher.da=blobs"]);
        let second = workload(&devnet, 2).await;
        wait_safe(&devnet, &l2, second.last_block).await;
        wait_output(&devnet, &l1, second.last_block).await;

        // both kinds of batch are on L1
        let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
        let logs = l1
            .get_logs(
                &Filter::new()
                    .address(deployment.contracts.rollup)
                    .event_signature(Rollup::BatchSubmitted::SIGNATURE_HASH)
                    .from_block(0),
            )
            .await
            .unwrap();
        let blob_batches = logs
            .iter()
            .filter(|log| {
                !Rollup::BatchSubmitted::decode_log_data(log.data())
                    .unwrap()
                    .blobHashes
                    .is_empty()
            })
            .count();
        assert!(blob_batches > 0, "no blob batch on L1");
        assert!(logs.len() > blob_batches, "no calldata batch on L1");

        // a first run stops at an L1 block in the middle...
        let datadir = tempfile::tempdir().unwrap();
        let datadir = datadir.path().join("prover");
        let (code, report) = verify(&devnet, &datadir, &["--l1-block", &middle_l1.to_string()]);
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(report["resumed_from"], 0);
        assert_eq!(report["l1_block"], middle_l1);
        let ok = outputs_with(&report, "OK");
        assert!(!ok.is_empty(), "no output verified: {report:#}");
        assert!(outputs_with(&report, "MISMATCH").is_empty());
        assert_eq!(report["anomalies"].as_array().unwrap().len(), 0);
        let stopped_at = report["l2_head"].as_u64().unwrap();
        assert!(stopped_at >= first.last_block);

        // ...the second resumes from its own store and reaches the head
        let (code, report) = verify(&devnet, &datadir, &[]);
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(
            report["resumed_from"], stopped_at,
            "resumed from the checkpoint"
        );
        assert_eq!(report["interrupted"], false);
        assert_eq!(report["anomalies"].as_array().unwrap().len(), 0);
        assert!(outputs_with(&report, "MISMATCH").is_empty());
        let ok = outputs_with(&report, "OK");
        let highest = ok
            .iter()
            .map(|o| o["l2_block"].as_u64().unwrap())
            .max()
            .unwrap();
        assert!(
            highest >= second.last_block,
            "the outputs after the blob batches are verified: {report:#}"
        );
        let count: u64 = Rollup::new(deployment.contracts.rollup, &l1)
            .outputCount()
            .block(report["l1_block"].as_u64().unwrap().into())
            .call()
            .await
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(ok.len() as u64, count, "every output is checked");

        // the derived head is the sequencer's block, hash for hash
        let head = report["l2_head"].as_u64().unwrap();
        let theirs = l2.get_block_by_number(head.into()).await.unwrap().unwrap();
        let ours: B256 = report["l2_head_hash"].as_str().unwrap().parse().unwrap();
        assert_eq!(ours, theirs.header.hash);

        // one block checked statelessly from its witness, taken from the prover's own chain
        // and from the sequencer's debug_executionWitness; a tampered witness is rejected
        let genesis = devnet.path("genesis.json").display().to_string();
        let block = second.last_block.to_string();
        let witness_file = datadir.with_extension("witness.json");
        let witness_path = witness_file.display().to_string();
        let datadir_arg = datadir.display().to_string();
        run_prover(
            &[
                "witness",
                "--block",
                &block,
                "--datadir",
                &datadir_arg,
                "--genesis",
                &genesis,
                "--out",
                &witness_path,
            ],
            0,
        );
        let checked = run_prover(
            &[
                "check-block",
                &witness_path,
                "--genesis",
                &genesis,
                "--json",
            ],
            0,
        );
        let checked: serde_json::Value = serde_json::from_str(&checked).unwrap();
        let sequencer_block = l2
            .get_block_by_number(second.last_block.into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(checked["ok"], true);
        assert_eq!(
            checked["state_root"],
            format!("{}", sequencer_block.header.state_root)
        );
        assert_eq!(
            checked["block_hash"],
            format!("{}", sequencer_block.header.hash)
        );
        let l2_rpc = devnet.get("l2_rpc");
        let from_rpc = datadir
            .with_extension("rpc-witness.json")
            .display()
            .to_string();
        run_prover(
            &[
                "witness", "--block", &block, "--l2-rpc", &l2_rpc, "--out", &from_rpc,
            ],
            0,
        );
        run_prover(&["check-block", &from_rpc, "--genesis", &genesis], 0);
        let mut file: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&witness_file).unwrap()).unwrap();
        let node = file["witness"]["state"][0].as_str().unwrap().to_string();
        let flipped = if node.ends_with('0') { "1" } else { "0" };
        file["witness"]["state"][0] = format!("{}{flipped}", &node[..node.len() - 1]).into();
        std::fs::write(&witness_file, file.to_string()).unwrap();
        let rejected = run_prover(
            &[
                "check-block",
                &witness_path,
                "--genesis",
                &genesis,
                "--json",
            ],
            1,
        );
        let rejected: serde_json::Value = serde_json::from_str(&rejected).unwrap();
        assert_eq!(rejected["ok"], false);
        assert!(
            rejected["error"]
                .as_str()
                .unwrap()
                .contains("lacks the trie node"),
            "{rejected}"
        );
    })
    .await;
}
