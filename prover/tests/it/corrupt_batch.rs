//! The batcher key posts a truncated copy of the sequencer's real batch. Derivation follows its
//! rules (the batch is invalid, its range becomes empty blocks), the honest proposer still
//! commits to the sequencer's own blocks, and the verifier says exactly where they part: the
//! first block of the corrupt batch, and why.

use alloy::{
    eips::BlockId,
    network::EthereumWallet,
    primitives::Bytes,
    providers::{Provider, ProviderBuilder},
};
use tributary_contracts::{L1Block, Rollup};
use tributary_primitives::{
    Deployment,
    batch_codec::{BatchBlock, BatchPayload, Codec},
    predeploys,
};
use tributary_testkit::{Devnet, dev_signer, send_ok};

use crate::utils::{outputs_with, verify, wait_output};

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_batch_is_located_to_its_first_block() {
    Box::pin(async {
        // the sequencer's batcher waits (its batch would only be full after 1,000 blocks):
        // the batcher key is ours for the first batch
        let devnet = Devnet::start(&["--sequencer-arg=--batcher.max-delay-secs=100000"]);
        let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
        let l1 = ProviderBuilder::new()
            .wallet(EthereumWallet::from(dev_signer(10)))
            .connect_http(devnet.get("l1_rpc").parse().unwrap());
        let l2 = ProviderBuilder::new().connect_http(devnet.get("l2_rpc").parse().unwrap());
        let rollup = Rollup::new(deployment.contracts.rollup, &l1);
        assert_eq!(rollup.nextBlock().call().await.unwrap(), 1);
        while l2.get_block_number().await.unwrap() < 6 {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }

        // the sequencer's blocks 1..=6, as its batcher would post them, then cut in half
        let last = 6u64;
        let mut blocks = Vec::new();
        for number in 1..=last {
            // raw JSON: the Ethereum network types do not know deposit transactions
            let block: serde_json::Value = l2
                .raw_request(
                    "eth_getBlockByNumber".into(),
                    (format!("{number:#x}"), true),
                )
                .await
                .unwrap();
            let mut txs = Vec::new();
            for tx in block["transactions"].as_array().unwrap() {
                if tx["type"] == "0x7e" {
                    continue; // deposits are not batched
                }
                let raw: Bytes = l2
                    .raw_request("eth_getRawTransactionByHash".into(), (tx["hash"].clone(),))
                    .await
                    .unwrap();
                txs.push(raw);
            }
            let timestamp = u64::from_str_radix(
                block["timestamp"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("0x"),
                16,
            )
            .unwrap();
            let origin = L1Block::new(predeploys::L1_BLOCK, &l2)
                .number()
                .block(BlockId::number(number))
                .call()
                .await
                .unwrap();
            blocks.push(BatchBlock {
                timestamp,
                origin_number: origin,
                txs,
            });
        }
        let parent_hash = l2
            .get_block_by_number(0.into())
            .await
            .unwrap()
            .unwrap()
            .header
            .hash;
        let last_origin_hash = L1Block::new(predeploys::L1_BLOCK, &l2)
            .hash()
            .block(BlockId::number(last))
            .call()
            .await
            .unwrap();
        let batch = BatchPayload {
            first_block: 1,
            parent_hash,
            last_origin_hash,
            blocks,
        }
        .encode(Codec::DEFAULT);
        let truncated = Bytes::copy_from_slice(&batch[..batch.len() / 2]);
        let submit = rollup.submitBatch(1, last, truncated);
        let receipt = send_ok(submit.send(), "the truncated batch").await;
        let corrupt_l1_block = receipt.block_number.unwrap();

        // the honest proposer commits to its own block 6 (the newest "batched" block)
        wait_output(&devnet, &l1, last).await;

        // from L1 alone: the output mismatches, the divergence starts at block 1
        let datadir = tempfile::tempdir().unwrap();
        let (code, report) = verify(&devnet, &datadir.path().join("prover"), &[]);
        assert_eq!(code, 1, "a mismatch exits 1: {report:#}");
        let wrong = outputs_with(&report, "MISMATCH");
        assert!(!wrong.is_empty(), "{report:#}");
        let divergence = &wrong[0]["divergence"];
        assert_eq!(divergence["first_block"], 1, "{report:#}");
        assert_eq!(divergence["fields"][0], "block");
        let cause = divergence["cause"].as_str().unwrap();
        assert!(
            cause.contains(&format!(
                "batch #0 (L1 block {corrupt_l1_block}) is invalid"
            )) && cause.contains("does not decompress")
                && cause.contains(&format!("blocks 1..={last} were derived as empty blocks")),
            "{cause}"
        );
        let anomaly = &report["anomalies"][0];
        assert_eq!(anomaly["kind"], "invalid_batch");
        assert_eq!(anomaly["batch_index"], 0);

        // with the sequencer's RPC as an untrusted hint: the header fields that differ
        let datadir = tempfile::tempdir().unwrap();
        let (code, report) = verify(
            &devnet,
            &datadir.path().join("prover"),
            &["--l2-rpc", &devnet.get("l2_rpc")],
        );
        assert_eq!(code, 1);
        let divergence = &outputs_with(&report, "MISMATCH")[0]["divergence"];
        assert_eq!(divergence["first_block"], 1, "{report:#}");
        let fields: Vec<&str> = divergence["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        // the empty block takes its parent's timestamp, the sequencer's block 1 came later (and
        // the EIP-4788 ring buffer, keyed by timestamp, makes the state differ too)
        assert!(fields.contains(&"timestamp"), "{fields:?}");
        assert!(fields.contains(&"stateRoot"), "{fields:?}");
    })
    .await;
}
