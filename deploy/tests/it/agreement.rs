//! Rust (`tributary-primitives`) and Solidity (the compiled contracts on anvil) compute the same
//! batch chain hashes, withdrawal hashes, storage slots, output roots and deposit payloads.

use alloy::{
    consensus::{SidecarBuilder, SimpleCoder},
    network::TransactionBuilder4844,
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionReceipt,
    sol_types::SolEvent,
};
use alloy_trie::{Nibbles, proof::verify_proof};
use tributary_contracts::{ContractRevert, L2ToL1MessagePasser, OpenToken, Portal, Rollup};
use tributary_deploy::{DeployConfig, deploy};
use tributary_primitives::{
    BatchChain, BatchError, Deployment, DepositPayload, OutputRootProof, Withdrawal,
    batch::{blob_data_hash, calldata_data_hash},
    deposit::DEPOSIT_VERSION_0,
    output_root,
    withdrawal::{self, SENT_MESSAGE_VALUE},
};

use crate::utils::{Mined, account, advance_time, anvil, ether, provider, repo_root};

fn event<E: SolEvent>(receipt: &TransactionReceipt) -> E {
    receipt
        .logs()
        .iter()
        .find_map(|log| log.log_decode::<E>().ok())
        .unwrap_or_else(|| panic!("no {} event", E::SIGNATURE))
        .inner
        .data
}

async fn deploy_all(p: &DynProvider, deployer: Address) -> Deployment {
    deploy(
        p,
        deployer,
        &DeployConfig::default().with_challenge_window_secs(60),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn calldata_batch_chain_hash_matches_rollup() {
    let anvil = anvil();
    let p = provider(&anvil, 0);
    let d = deploy_all(&p, account(&anvil, 0)).await;
    let rollup = Rollup::new(d.contracts.rollup, p.clone());

    let mut chain = BatchChain::default();
    for (first, last, data) in [
        (1u64, 3u64, &b"batch one"[..]),
        (4, 4, b""),
        (5, 40, &[0xab; 2000][..]),
    ] {
        let receipt = rollup
            .submitBatch(first, last, Bytes::copy_from_slice(data))
            .send()
            .await
            .mined()
            .await;
        assert!(receipt.status());
        let expected = chain.push(first, last, calldata_data_hash(data)).unwrap();
        let ev: Rollup::BatchSubmitted = event(&receipt);
        assert_eq!(ev.dataHash, calldata_data_hash(data));
        assert_eq!(ev.chainHash, expected);
        assert_eq!(ev.batchIndex, U256::from(chain.count - 1));
        assert!(ev.blobHashes.is_empty());
        assert_eq!(rollup.batchChainHash().call().await.unwrap(), expected);
        assert_eq!(rollup.nextBlock().call().await.unwrap(), chain.next_block);
    }
    assert_eq!(
        rollup.batchCount().call().await.unwrap(),
        U256::from(chain.count)
    );

    // A gap is refused by both, with matching typed errors.
    let err = rollup
        .submitBatch(50, 60, Bytes::new())
        .call()
        .await
        .err()
        .expect("reverts");
    let revert = ContractRevert::from_contract_error(&err).expect("revert data");
    assert_eq!(
        revert,
        ContractRevert::Rollup(Rollup::RollupErrors::UnexpectedFirstBlock(
            Rollup::UnexpectedFirstBlock {
                expected: 41,
                firstBlock: 50
            }
        ))
    );
    assert_eq!(
        chain.push(50, 60, B256::ZERO),
        Err(BatchError::NotContiguous {
            first: 50,
            expected: 41
        })
    );
}

#[tokio::test]
async fn blob_batch_data_hash_matches_rollup() {
    let anvil = anvil();
    let p = provider(&anvil, 0);
    let d = deploy_all(&p, account(&anvil, 0)).await;
    let rollup = Rollup::new(d.contracts.rollup, p.clone());
    let mut chain = BatchChain::default();

    // 200 kB needs two blobs with the simple coder (31 usable bytes per field element).
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let sidecar = SidecarBuilder::<SimpleCoder>::from_slice(&data)
        .build_4844()
        .unwrap();
    let hashes: Vec<B256> = sidecar.versioned_hashes().collect();
    assert_eq!(hashes.len(), 2);
    let tx = rollup
        .submitBlobBatch(1, 8, U256::from(hashes.len()))
        .into_transaction_request()
        .with_blob_sidecar(sidecar.into());
    let receipt = p.send_transaction(tx).await.mined().await;
    assert!(receipt.status());

    let data_hash = blob_data_hash(&hashes).unwrap();
    let expected = chain.push(1, 8, data_hash).unwrap();
    let ev: Rollup::BatchSubmitted = event(&receipt);
    assert_eq!(ev.blobHashes, hashes);
    assert_eq!(ev.dataHash, data_hash);
    assert_eq!(ev.chainHash, expected);
    assert_eq!(rollup.batchChainHash().call().await.unwrap(), expected);

    // Calldata and blob batches share one chain.
    rollup
        .submitBatch(9, 9, Bytes::from_static(b"c"))
        .send()
        .await
        .mined()
        .await;
    let expected = chain.push(9, 9, calldata_data_hash(b"c")).unwrap();
    assert_eq!(rollup.batchChainHash().call().await.unwrap(), expected);

    // No blobs: both sides refuse.
    let err = rollup
        .submitBlobBatch(10, 10, U256::ZERO)
        .call()
        .await
        .err()
        .expect("reverts");
    assert_eq!(
        ContractRevert::from_contract_error(&err).unwrap().name(),
        Some("NoBlobs")
    );
    assert_eq!(blob_data_hash(&[]), Err(BatchError::NoBlobs));
    // A blob count above the blobs carried: BlobMissing at the first absent index.
    let err = rollup
        .submitBlobBatch(10, 10, U256::from(1))
        .call()
        .await
        .err()
        .expect("reverts");
    assert_eq!(
        ContractRevert::from_contract_error(&err).unwrap(),
        ContractRevert::Rollup(Rollup::RollupErrors::BlobMissing(Rollup::BlobMissing {
            index: U256::ZERO
        }))
    );
}

#[tokio::test]
async fn withdrawal_hash_slot_proof_and_output_root_match_contracts() {
    let anvil = anvil();
    let p = provider(&anvil, 0);
    let user = account(&anvil, 0);
    let d = deploy_all(&p, user).await;
    let rollup = Rollup::new(d.contracts.rollup, p.clone());
    let portal = Portal::new(d.contracts.portal, p.clone());
    let token = OpenToken::new(d.contracts.open_token, p.clone());

    // The message passer runs on anvil as an ordinary contract: same code as the L2 predeploy.
    let passer = L2ToL1MessagePasser::deploy(p.clone()).await.unwrap();
    let target = account(&anvil, 7);
    let mut withdrawals = Vec::new();
    for (i, data) in [
        Bytes::new(),
        Bytes::from_static(b"\x12\x34\x56"),
        Bytes::from(vec![7u8; 100]),
    ]
    .into_iter()
    .enumerate()
    {
        let receipt = passer
            .initiateWithdrawal(target, U256::from(100_000 + i), data)
            .value(ether(1) + U256::from(i))
            .send()
            .await
            .mined()
            .await;
        let ev: L2ToL1MessagePasser::MessagePassed = event(&receipt);
        let hash = ev.withdrawalHash;
        let w = Withdrawal::from(ev);
        assert_eq!(w.nonce, withdrawal::versioned_nonce(i as u64));
        assert_eq!(w.sender, user);
        assert_eq!(w.hash(), hash, "withdrawal hash");
        assert!(passer.sentMessages(hash).call().await.unwrap());
        // The flag sits at the slot primitives computes.
        let stored = p
            .get_storage_at(*passer.address(), w.storage_slot().into())
            .await
            .unwrap();
        assert_eq!(stored, U256::from(1), "sentMessages slot");
        withdrawals.push(w);
    }
    let nonce_slot = p
        .get_storage_at(*passer.address(), withdrawal::MESSAGE_NONCE_SLOT)
        .await
        .unwrap();
    assert_eq!(nonce_slot, U256::from(3), "msgNonce at slot 1");

    // Batch L2 blocks 1..=5 so outputs can be proposed for them.
    rollup
        .submitBatch(1, 5, Bytes::from_static(b"b"))
        .send()
        .await
        .mined()
        .await;

    // An output whose message passer storage root is anvil's real one, with anvil's storage proof.
    let proven = &withdrawals[1];
    let block = p
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .unwrap()
        .unwrap();
    let proof = p
        .get_proof(*passer.address(), vec![proven.storage_slot()])
        .block_id(block.header.number.into())
        .await
        .unwrap();
    let storage_proof = proof.storage_proof[0].proof.clone();
    verify_proof(
        proof.storage_hash,
        Nibbles::unpack(proven.storage_trie_key()),
        Some(SENT_MESSAGE_VALUE.to_vec()),
        &storage_proof,
    )
    .expect("anvil's proof verifies at primitives' trie key");
    let preimage = OutputRootProof::v0(
        block.header.state_root,
        proof.storage_hash,
        block.header.hash,
    );
    let root = output_root(
        block.header.state_root,
        proof.storage_hash,
        block.header.hash,
    );
    assert_eq!(preimage.output_root(), root);

    let l1 = p
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .unwrap()
        .unwrap();
    let receipt = rollup
        .proposeOutput(
            U256::from(3),
            root,
            l1.header.hash,
            U256::from(l1.header.number),
        )
        .value(d.proposer_bond)
        .send()
        .await
        .mined()
        .await;
    let proposed: Rollup::OutputProposed = event(&receipt);
    assert_eq!(proposed.outputRoot, root);

    // Solidity recomputes the output root from the preimage and the hash from the withdrawal.
    let receipt = portal
        .proveWithdrawal(
            proven.clone().into(),
            U256::ZERO,
            preimage.into(),
            storage_proof.clone(),
        )
        .send()
        .await
        .mined()
        .await;
    let ev: Portal::WithdrawalProven = event(&receipt);
    assert_eq!(ev.withdrawalHash, proven.hash());
    assert_eq!((ev.sender, ev.target), (user, target));

    // A withdrawal the proof does not cover is refused (wrong key for these nodes).
    let other = withdrawals[2].clone();
    let err = portal
        .proveWithdrawal(
            other.clone().into(),
            U256::ZERO,
            preimage.into(),
            storage_proof,
        )
        .call()
        .await
        .err()
        .expect("reverts");
    assert_eq!(
        ContractRevert::from_contract_error(&err).unwrap().name(),
        Some("InvalidWithdrawalProof")
    );

    // Lock OPEN in the Portal with a deposit, let the window pass, finalize: the target is paid.
    let mint = ether(10);
    token
        .approve(d.contracts.portal, mint)
        .send()
        .await
        .mined()
        .await;
    let receipt = portal
        .depositTransaction(user, mint, U256::ZERO, 100_000, false, Bytes::new())
        .send()
        .await
        .mined()
        .await;
    assert!(receipt.status());
    advance_time(&p, d.challenge_window_secs + 1).await;
    assert!(rollup.isFinalized(U256::ZERO).call().await.unwrap());
    let receipt = portal
        .finalizeWithdrawal(proven.clone().into())
        .send()
        .await
        .mined()
        .await;
    let ev: Portal::WithdrawalFinalized = event(&receipt);
    assert_eq!(ev.withdrawalHash, proven.hash());
    assert_eq!(token.balanceOf(target).call().await.unwrap(), proven.value);
    // Replays fail.
    let err = portal
        .finalizeWithdrawal(proven.clone().into())
        .call()
        .await
        .err()
        .expect("reverts");
    assert_eq!(
        ContractRevert::from_contract_error(&err).unwrap().name(),
        Some("WithdrawalAlreadyFinalized")
    );
}

#[tokio::test]
async fn committed_withdrawal_fixture_proves_on_the_portal() {
    let anvil = anvil();
    let p = provider(&anvil, 0);
    let d = deploy_all(&p, account(&anvil, 0)).await;
    let rollup = Rollup::new(d.contracts.rollup, p.clone());
    let portal = Portal::new(d.contracts.portal, p.clone());

    let path = repo_root().join("contracts/test/fixtures/withdrawal_proof.json");
    let f: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let w: Withdrawal = serde_json::from_value(f["withdrawal"].clone()).unwrap();
    let b256 = |k: &str| f[k].as_str().unwrap().parse::<B256>().unwrap();
    let proof: Vec<Bytes> = serde_json::from_value(f["storageProof"].clone()).unwrap();
    assert_eq!(w.hash(), b256("withdrawalHash"));
    let preimage = OutputRootProof::v0(
        b256("stateRoot"),
        b256("messagePasserStorageRoot"),
        b256("blockHash"),
    );
    assert_eq!(preimage.output_root(), b256("outputRoot"));

    rollup
        .submitBatch(1, 1, Bytes::from_static(b"b"))
        .send()
        .await
        .mined()
        .await;
    let l1 = p
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .unwrap()
        .unwrap();
    rollup
        .proposeOutput(
            U256::from(1),
            b256("outputRoot"),
            l1.header.hash,
            U256::from(l1.header.number),
        )
        .value(d.proposer_bond)
        .send()
        .await
        .mined()
        .await;
    let receipt = portal
        .proveWithdrawal(w.clone().into(), U256::ZERO, preimage.into(), proof)
        .send()
        .await
        .mined()
        .await;
    let ev: Portal::WithdrawalProven = event(&receipt);
    assert_eq!(ev.withdrawalHash, b256("withdrawalHash"));
}

#[tokio::test]
async fn deposit_event_payload_decodes_as_sent() {
    let anvil = anvil();
    let p = provider(&anvil, 0);
    let user = account(&anvil, 0);
    let d = deploy_all(&p, user).await;
    let portal = Portal::new(d.contracts.portal, p.clone());
    let token = OpenToken::new(d.contracts.open_token, p.clone());

    let to = account(&anvil, 3);
    let data = Bytes::from(keccak256("calldata").to_vec());
    let mint = ether(3);
    token
        .approve(d.contracts.portal, mint)
        .send()
        .await
        .mined()
        .await;
    let receipt = portal
        .depositTransaction(to, mint, ether(1), 250_000, false, data.clone())
        .send()
        .await
        .mined()
        .await;
    let ev: Portal::TransactionDeposited = event(&receipt);
    assert_eq!(ev.from, user, "an EOA depositor is not aliased");
    assert_eq!(ev.to, to);
    assert_eq!(ev.version, DEPOSIT_VERSION_0);
    let payload = DepositPayload::decode_versioned(ev.version, &ev.opaqueData).unwrap();
    assert_eq!(
        payload,
        DepositPayload {
            mint,
            value: ether(1),
            gas_limit: 250_000,
            is_creation: false,
            data
        }
    );
    assert_eq!(payload.encode(), ev.opaqueData.to_vec());
    assert_eq!(
        token.balanceOf(d.contracts.portal).call().await.unwrap(),
        mint
    );

    // A creation deposit: `to` must be zero; the flag byte decodes as true.
    let receipt = portal
        .depositTransaction(
            Address::ZERO,
            U256::ZERO,
            U256::ZERO,
            100_000,
            true,
            Bytes::from_static(b"\x60\x00"),
        )
        .send()
        .await
        .mined()
        .await;
    let ev: Portal::TransactionDeposited = event(&receipt);
    assert!(DepositPayload::decode(&ev.opaqueData).unwrap().is_creation);
}

#[tokio::test]
async fn deposit_gas_cap_per_l1_block_matches_deployment_and_holds() {
    let anvil = anvil();
    let p = provider(&anvil, 0);
    let user = account(&anvil, 0);
    // Two 100k deposits fit an L1 block, a third does not.
    let config = DeployConfig::default().with_deposit_gas(100_000, 250_000);
    let d = deploy(&p, user, &config).await.unwrap();
    let portal = Portal::new(d.contracts.portal, p.clone());
    let token = OpenToken::new(d.contracts.open_token, p.clone());
    assert_eq!(
        (d.max_deposit_gas_limit, d.max_deposit_gas_per_l1_block),
        (100_000, 250_000)
    );
    assert_eq!(
        portal.maxDepositGasPerL1Block().call().await.unwrap(),
        d.max_deposit_gas_per_l1_block
    );
    token
        .approve(d.contracts.portal, U256::MAX)
        .send()
        .await
        .mined()
        .await;

    // Three deposits in one L1 block: mining paused, explicit gas so nothing is estimated early.
    let _: serde_json::Value = p
        .raw_request("evm_setAutomine".into(), (false,))
        .await
        .unwrap();
    let mut pending = Vec::new();
    for _ in 0..3 {
        pending.push(
            portal
                .depositTransaction(user, ether(1), U256::ZERO, 100_000, false, Bytes::new())
                .gas(300_000)
                .send()
                .await
                .unwrap(),
        );
    }
    let _: serde_json::Value = p.raw_request("evm_mine".into(), ()).await.unwrap();
    let mut receipts = Vec::new();
    for tx in pending {
        receipts.push(tx.get_receipt().await.unwrap());
    }
    let block = receipts[0].block_number.unwrap();
    assert!(
        receipts.iter().all(|r| r.block_number == Some(block)),
        "one L1 block"
    );
    assert_eq!(
        receipts.iter().map(|r| r.status()).collect::<Vec<_>>(),
        [true, true, false],
        "the deposit over the cap reverts"
    );
    assert_eq!(
        token.balanceOf(d.contracts.portal).call().await.unwrap(),
        ether(2)
    );
    // Replaying the third deposit on that block's state gives the typed error (anvil runs calls at
    // a block in that block's context, so the block's usage counts).
    let err = portal
        .depositTransaction(user, ether(1), U256::ZERO, 100_000, false, Bytes::new())
        .block(block.into())
        .call()
        .await
        .err()
        .expect("reverts");
    assert_eq!(
        ContractRevert::from_contract_error(&err).unwrap(),
        ContractRevert::Portal(Portal::PortalErrors::DepositBlockGasExceeded(
            Portal::DepositBlockGasExceeded {
                used: 200_000,
                gasLimit: 100_000,
                max: 250_000
            }
        ))
    );

    // The next L1 block starts from zero.
    let _: serde_json::Value = p
        .raw_request("evm_setAutomine".into(), (true,))
        .await
        .unwrap();
    let receipt = portal
        .depositTransaction(user, ether(1), U256::ZERO, 100_000, false, Bytes::new())
        .send()
        .await
        .mined()
        .await;
    assert!(receipt.status());
    assert!(receipt.block_number.unwrap() > block);
    assert_eq!(
        token.balanceOf(d.contracts.portal).call().await.unwrap(),
        ether(3)
    );
}
