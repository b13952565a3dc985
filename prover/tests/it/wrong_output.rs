//! The proposer key posts an output root that commits to a forged message-passer storage root
//! holding a withdrawal never made on L2, and proves that withdrawal on the Portal. `prover
//! watch` sees the mismatch and challenges inside the window; the guardian upholds the
//! challenge; the forged withdrawal can never finalize and the challenger takes the bonds.

use std::time::Duration;

use alloy::{
    network::EthereumWallet,
    primitives::{Bytes, U256},
    providers::{Provider, ProviderBuilder},
};
use tributary_contracts::{ContractRevert, Portal, Rollup};
use tributary_primitives::{
    Deployment, OutputRootProof, Withdrawal, output_root, withdrawal::versioned_nonce,
};
use tributary_testkit::{Devnet, dev_signer, send_mined, send_ok, wait_safe};
use tributary_trie::{EMPTY_ROOT_HASH, MemoryNodeStore, Trie, proof};

use crate::utils::{Watcher, outputs_with, verify};

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_output_is_challenged_in_time_and_its_withdrawal_never_finalizes() {
    Box::pin(async {
        // the honest proposer stays quiet: the proposer key is the attacker's here
        let devnet = Devnet::start(&[
            "--challenge-window=60",
            "--sequencer-arg=--proposer.interval-blocks=1000000",
            "--sequencer-arg=--proposer.max-interval-secs=1000000",
        ]);
        let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
        let l1_url: alloy::transports::http::reqwest::Url = devnet.get("l1_rpc").parse().unwrap();
        let l2 = ProviderBuilder::new().connect_http(devnet.get("l2_rpc").parse().unwrap());
        let attacker = dev_signer(11); // the proposer role
        let challenger = dev_signer(3);
        let guardian = dev_signer(0);
        let as_ = |signer: alloy::signers::local::PrivateKeySigner| {
            ProviderBuilder::new()
                .wallet(EthereumWallet::from(signer))
                .connect_http(l1_url.clone())
        };
        let attacker_l1 = as_(attacker.clone());
        let rollup = Rollup::new(deployment.contracts.rollup, &attacker_l1);
        let portal = Portal::new(deployment.contracts.portal, &attacker_l1);

        let watch_dir = tempfile::tempdir().unwrap();
        let mut watcher = Watcher::start(
            &devnet,
            &watch_dir.path().join("prover"),
            &alloy::hex::encode_prefixed(challenger.to_bytes()),
        );

        // an L2 block covered by a batch
        wait_safe(&devnet, &l2, 3).await;
        let target: u64 = rollup.nextBlock().call().await.unwrap() - 1;
        let block = l2
            .get_block_by_number(target.into())
            .await
            .unwrap()
            .unwrap()
            .header;

        // the forged withdrawal: 1,000 OPEN to the attacker, in a storage trie of its own
        let forged = Withdrawal {
            nonce: versioned_nonce(999_999),
            sender: attacker.address(),
            target: attacker.address(),
            value: U256::from(1_000u64) * U256::from(10u64).pow(U256::from(18)),
            gas_limit: U256::ZERO,
            data: Bytes::new(),
        };
        let store = {
            let mut store = MemoryNodeStore::new();
            let mut trie = Trie::new(EMPTY_ROOT_HASH);
            trie.insert(&store, &forged.storage_trie_key(), Bytes::from_static(&[1]))
                .unwrap();
            let update = trie.commit();
            store.apply(&update);
            (store, update.root)
        };
        let (store, forged_root) = store;
        let storage_proof = proof::proof(&store, forged_root, &forged.storage_trie_key()).unwrap();
        let preimage = OutputRootProof::v0(block.state_root, forged_root, block.hash);
        let bad_root = output_root(block.state_root, forged_root, block.hash);

        let l1_head = attacker_l1
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .unwrap()
            .unwrap()
            .header;
        let propose = rollup
            .proposeOutput(
                U256::from(target),
                bad_root,
                l1_head.hash,
                U256::from(l1_head.number),
            )
            .value(deployment.proposer_bond);
        send_mined(propose.send(), "the wrong output").await;
        let index: u64 = rollup
            .outputCount()
            .call()
            .await
            .unwrap()
            .try_into()
            .unwrap();
        let index = index - 1;
        // the Portal cannot tell: the forged withdrawal proves against the wrong output
        let prove = portal.proveWithdrawal(
            forged.clone().into(),
            U256::from(index),
            preimage.into(),
            storage_proof.nodes,
        );
        send_ok(prove.send(), "proving the forged withdrawal").await;

        // the watcher reports it and challenges inside the window
        let mismatch = watcher.wait_for("mismatch event", |e| {
            e["event"] == "mismatch" && e["index"] == index
        });
        assert_eq!(mismatch["l2_block"], target);
        assert_eq!(mismatch["derived"]["block_hash"], format!("{}", block.hash));
        assert_eq!(
            mismatch["derived"]["state_root"],
            format!("{}", block.state_root)
        );
        assert_ne!(
            mismatch["derived"]["message_passer_storage_root"],
            format!("{forged_root}")
        );
        assert_eq!(mismatch["divergence"]["fields"][0], "output_root");
        watcher.wait_for("challenge", |e| {
            e["event"] == "challenged" && e["index"] == index
        });
        let output = rollup.getOutput(U256::from(index)).call().await.unwrap();
        assert_eq!(output.challenger, challenger.address());
        let evidence = watch_dir
            .path()
            .join(format!("prover/evidence/output-{index}.json"));
        assert!(
            evidence.exists(),
            "evidence written to {}",
            evidence.display()
        );

        // the guardian upholds the challenge: the output is deleted
        let guardian_l1 = as_(guardian);
        let guardian_rollup = Rollup::new(deployment.contracts.rollup, &guardian_l1);
        send_mined(
            guardian_rollup.resolve(U256::from(index), false).send(),
            "the guardian's resolution",
        )
        .await;
        watcher.wait_for("resolution", |e| {
            e["event"] == "resolved" && e["index"] == index && e["outcome"] == "deleted"
        });
        assert_eq!(
            rollup.credits(challenger.address()).call().await.unwrap(),
            deployment.challenger_bond + deployment.proposer_bond,
            "the challenger gets its bond back plus the proposer's"
        );

        // the forged withdrawal never finalizes, not even after the window
        let finalize_error = |e: alloy::contract::Error| {
            ContractRevert::from_contract_error(&e)
                .and_then(|r| r.name())
                .unwrap_or_default()
        };
        let err = portal
            .finalizeWithdrawal(forged.clone().into())
            .call()
            .await
            .err()
            .expect("finalizing the forged withdrawal fails");
        assert_eq!(finalize_error(err), "ProvenOutputInvalidated");
        let _: serde_json::Value = attacker_l1
            .raw_request("evm_increaseTime".into(), (120u64,))
            .await
            .unwrap();
        let _: serde_json::Value = attacker_l1
            .raw_request("evm_mine".into(), ())
            .await
            .unwrap();
        let err = portal
            .finalizeWithdrawal(forged.into())
            .call()
            .await
            .err()
            .expect("finalizing the forged withdrawal fails");
        assert_eq!(finalize_error(err), "ProvenOutputInvalidated");

        // a one-shot verify agrees: nothing wrong remains on L1
        drop(watcher);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let verify_dir = tempfile::tempdir().unwrap();
        let (code, report) = verify(&devnet, &verify_dir.path().join("prover"), &[]);
        assert_eq!(code, 0, "{report:#}");
        assert!(outputs_with(&report, "MISMATCH").is_empty());
    })
    .await;
}
