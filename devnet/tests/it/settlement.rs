//! Settlement end to end: one chain batched first as calldata, then (after a resume) as blobs;
//! every batch re-read from L1 alone and checked against the L2 chain; a deposit; every output
//! root and one L1 data fee recomputed independently. Prints the L1 costs the team's notes need.

use std::{
    collections::{BTreeSet, HashSet},
    time::{Duration, Instant},
};

use alloy::{
    consensus::{Blob, SidecarCoder, SimpleCoder, Transaction},
    eips::{
        BlockId,
        eip4844::{c_kzg, env_settings::EnvKzgSettings, kzg_to_versioned_hash},
    },
    network::TransactionResponse,
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::{SolCall, SolEvent},
};
use serde_json::{Value, json};
use tributary_contracts::{L1Block, OpenToken, Portal, Rollup};
use tributary_primitives::{
    BatchPayload,
    batch::{blob_data_hash, calldata_data_hash},
    output_root,
    predeploys::{L1_BLOCK, L2_TO_L1_MESSAGE_PASSER},
};

use tributary_testkit::{L1Batch, approve_portal, l1_batches};

use crate::{fastlz, utils::*};

/// Transfers per phase (five senders, to fresh addresses).
const TRANSFERS: usize = 100;
const SENDERS: std::ops::RangeInclusive<usize> = 1..=5;
/// The account whose L1 deposit is followed (it sends nothing on L2).
const DEPOSITOR: usize = 9;
/// Senders of the two transactions whose L1 fee is recomputed (nothing else from them).
const BIG_TX_SENDER: usize = 6;
const SMALL_TX_SENDER: usize = 7;
/// Selector of `setL1BlockValuesEcotone()`.
const L1_INFO_SELECTOR: [u8; 4] = [0x44, 0x0a, 0x5e, 0x20];

#[tokio::test(flavor = "multi_thread")]
async fn settlement_end_to_end() {
    let began = Instant::now();

    // phase 1: calldata batches
    let mut devnet = start("settlement", &["--sequencer-arg=--batcher.da=calldata"]);
    eprintln!("calldata run up in {:.1} s", devnet.startup.as_secs_f64());
    assert!(
        devnet.sequencer_log().contains("da=Calldata"),
        "the batcher did not take --batcher.da=calldata\n{}",
        devnet.logs()
    );
    let info = devnet.info.clone();
    let calldata_txs = transfers(&devnet, 0).await;
    let calldata_receipts = receipts(&devnet, &calldata_txs).await;
    wait_safe_within(
        &devnet,
        &devnet.l2(),
        max_block(&calldata_receipts),
        Duration::from_secs(60),
    )
    .await;
    let (exit, _) = devnet.interrupt();
    assert!(exit.success(), "devnet exit: {exit}\n{}", devnet.logs());

    // phase 2: the same chain, resumed (same directory and ports), batched as blobs
    devnet.resume_with(&["--sequencer-arg=--batcher.da=blobs"]);
    eprintln!(
        "blobs run (resumed) up in {:.1} s",
        devnet.startup.as_secs_f64()
    );
    assert!(devnet.process.output().contains("devnet is up (resumed)"));
    assert_eq!(devnet.info.contracts, info.contracts);
    let blob_txs = transfers(&devnet, 1).await;
    let blob_receipts = receipts(&devnet, &blob_txs).await;

    // two transactions whose L1 fee is recomputed: 1 KiB of incompressible calldata (above the
    // Fjord floor) and a plain transfer (the floor)
    let mut sender = L2Sender::new(&devnet).await;
    let data: Vec<u8> = (0u32..32)
        .flat_map(|i| keccak256(i.to_be_bytes()).0)
        .collect();
    let big = sender
        .send(
            &info.accounts[BIG_TX_SENDER].signer(),
            Address::repeat_byte(0xb1),
            U256::from(7u64),
            data.into(),
            200_000,
        )
        .await;
    let small = sender
        .send(
            &info.accounts[SMALL_TX_SENDER].signer(),
            Address::repeat_byte(0xb2),
            U256::from(9u64),
            Bytes::new(),
            21_000,
        )
        .await;
    let fee_receipts = receipts(&devnet, &[big, small]).await;

    let deposit_block = deposit(&devnet).await;

    let last = max_block(&blob_receipts)
        .max(max_block(&fee_receipts))
        .max(deposit_block);
    let (l1, l2) = (devnet.l1(), devnet.l2());
    wait_safe_within(&devnet, &l2, last, Duration::from_secs(60)).await;
    let rollup = Rollup::new(info.contracts.rollup, &l1);
    devnet
        .wait_for(
            "an output at or past the last transaction",
            Duration::from_secs(60),
            || {
                let rollup = rollup.clone();
                async move {
                    let latest = rollup.latestBlockNumber().call().await.ok()?;
                    (latest >= U256::from(last)).then_some(())
                }
            },
        )
        .await;

    // everything below reads L1 (and L2 for comparison) through JSON-RPC only
    let l1_head = l1.get_block_number().await.unwrap();
    let batches = verify_batches(&devnet, l1_head).await;
    let in_kind = |blobs: bool| -> HashSet<B256> {
        batches
            .iter()
            .filter(|b| (b.blobs > 0) == blobs)
            .flat_map(|b| b.tx_hashes.iter().copied())
            .collect()
    };
    let (by_calldata, by_blobs) = (in_kind(false), in_kind(true));
    assert!(
        batches.iter().any(|b| b.blobs == 0) && batches.iter().any(|b| b.blobs > 0),
        "L1 must hold both calldata and blob batches"
    );
    for hash in &calldata_txs {
        assert!(by_calldata.contains(hash), "{hash} not in a calldata batch");
    }
    for hash in blob_txs.iter().chain([&big, &small]) {
        assert!(by_blobs.contains(hash), "{hash} not in a blob batch");
    }

    let outputs = verify_outputs(&devnet, l1_head).await;
    // block tags follow L1 settlement
    let status = sync_status(&l2).await;
    let safe: Value = rpc(&l2, "eth_getBlockByNumber", json!(["safe", false])).await;
    let finalized: Value = rpc(&l2, "eth_getBlockByNumber", json!(["finalized", false])).await;
    assert!(quantity_u64(&safe["number"]) >= last);
    assert!(status.safe_l2.number >= last);
    let tagged: Value = rpc(
        &l2,
        "eth_getBlockByNumber",
        json!([format!("{:#x}", status.finalized_l2.number), false]),
    )
    .await;
    assert_eq!(
        tagged["hash"],
        json!(status.finalized_l2.hash),
        "finalizedL2 hash"
    );
    assert!(quantity_u64(&finalized["number"]) <= quantity_u64(&safe["number"]));

    // the finalized tag moves once an output's challenge window (4 s) has passed on L1
    let first_output = outputs[0].0;
    let finalized = devnet
        .wait_for("finalizedL2 at an output", Duration::from_secs(60), || {
            let l2 = l2.clone();
            async move {
                let s = sync_status(&l2).await;
                (s.finalized_l2.number >= first_output).then_some(s.finalized_l2)
            }
        })
        .await;
    assert!(
        outputs.iter().any(|o| o.0 == finalized.number)
            || finalized.number > outputs.last().unwrap().0,
        "finalized {} is not an output's block",
        finalized.number
    );
    let tagged: Value = rpc(&l2, "eth_getBlockByNumber", json!(["finalized", false])).await;
    assert!(quantity_u64(&tagged["number"]) >= finalized.number);

    for receipt in &fee_receipts {
        verify_l1_fee(&devnet, receipt).await;
    }

    report(&batches, &outputs);
    check_sequencer_log(&devnet);
    eprintln!(
        "settlement_end_to_end: {:.1} s",
        began.elapsed().as_secs_f64()
    );
}

/// Sends `TRANSFERS` transfers from the five senders to fresh addresses.
async fn transfers(devnet: &Devnet, phase: u8) -> Vec<B256> {
    let mut sender = L2Sender::new(devnet).await;
    let senders: Vec<_> = SENDERS.map(|i| devnet.info.accounts[i].signer()).collect();
    let mut hashes = Vec::with_capacity(TRANSFERS);
    for i in 0..TRANSFERS {
        let to = Address::from_word(keccak256([phase, (i / 256) as u8, i as u8]));
        hashes.push(
            sender
                .send(
                    &senders[i % senders.len()],
                    to,
                    U256::from(1_000_000_000u64 + i as u64),
                    Bytes::new(),
                    21_000,
                )
                .await,
        );
    }
    hashes
}

/// A new deposit on L1 (approve + Portal.depositTransaction) appears on L2 as a balance increase
/// of exactly `mint`, in the first L2 block whose origin is the deposit's L1 block; returns that
/// L2 block.
async fn deposit(devnet: &Devnet) -> u64 {
    let info = &devnet.info;
    let account = &info.accounts[DEPOSITOR];
    let (l2, wallet) = (devnet.l2(), devnet.l1_wallet(DEPOSITOR));
    let mint = open(1_234) + U256::from(5_678u64);
    let token = OpenToken::new(info.contracts.open_token, &wallet);
    assert_eq!(info.deployment.contracts.portal, info.contracts.portal);
    approve_portal(&wallet, &info.deployment, mint).await;
    let l1_open_before = token.balanceOf(account.address).call().await.unwrap();
    let locked_before = token.balanceOf(info.contracts.portal).call().await.unwrap();
    let l2_before = l2.get_balance(account.address).await.unwrap();
    let l2_head_before = l2.get_block_number().await.unwrap();
    // Portal.depositTransaction(to, mint, value 0, gas 100_000, no creation, no data)
    let receipt =
        tributary_testkit::deposit(&wallet, &info.deployment, account.address, mint).await;
    let l1_block = receipt.block_number.unwrap();
    let l1_block_hash = receipt.block_hash.unwrap();
    let deposit_log = receipt
        .inner
        .logs()
        .iter()
        .find(|l| l.address() == info.contracts.portal)
        .expect("a TransactionDeposited log");
    assert!(
        deposit_log
            .log_decode::<Portal::TransactionDeposited>()
            .is_ok()
    );
    // OP's user-deposit source hash: keccak256(bytes32(0) ‖ keccak256(l1BlockHash ‖ bytes32(logIndex)))
    let mut inner = [0u8; 64];
    inner[..32].copy_from_slice(l1_block_hash.as_slice());
    inner[56..].copy_from_slice(&deposit_log.log_index.unwrap().to_be_bytes());
    let mut outer = [0u8; 64];
    outer[32..].copy_from_slice(keccak256(inner).as_slice());
    let source_hash = keccak256(outer);

    let l2_after = devnet
        .wait_for("the deposit on L2", Duration::from_secs(60), || {
            let l2 = l2.clone();
            async move {
                let b = l2.get_balance(account.address).await.unwrap();
                (b != l2_before).then_some(b)
            }
        })
        .await;
    assert_eq!(
        l2_after,
        l2_before + mint,
        "L2 balance must grow by exactly mint"
    );
    assert_eq!(
        token.balanceOf(account.address).call().await.unwrap(),
        l1_open_before - mint
    );
    assert_eq!(
        token.balanceOf(info.contracts.portal).call().await.unwrap(),
        locked_before + mint
    );

    // the L2 block that minted it: origin = the deposit's L1 block, a 0x7e tx minting `mint`
    let head = l2.get_block_number().await.unwrap();
    let mut minted_in = None;
    for n in l2_head_before..=head {
        let b = l2
            .get_balance(account.address)
            .block_id(BlockId::number(n))
            .await
            .unwrap();
        if b == l2_after {
            minted_in = Some(n);
            break;
        }
    }
    let n = minted_in.expect("a block with the minted balance");
    let block = block_json(&l2, n).await;
    let (origin, _) = l1_info_origin(&block);
    assert_eq!(
        origin, l1_block,
        "the deposit's L2 block {n} has origin {origin}"
    );
    let parent_origin = l1_info_origin(&block_json(&l2, n - 1).await).0;
    assert!(
        parent_origin < l1_block,
        "L2 block {n} is the first with origin {l1_block}"
    );
    let txs = block["transactions"].as_array().unwrap();
    let deposit_tx = txs
        .iter()
        .find(|t| t["type"] == "0x7e" && t["from"] == json!(account.address))
        .unwrap_or_else(|| panic!("no deposit from {} in block {n}: {block}", account.address));
    assert_eq!(quantity(&deposit_tx["mint"]), mint, "{deposit_tx}");
    assert_eq!(deposit_tx["sourceHash"], json!(source_hash), "{deposit_tx}");
    assert_eq!(deposit_tx["to"], json!(account.address), "{deposit_tx}");
    eprintln!(
        "deposit: L1 block {l1_block} → L2 block {n} (L2 head before {l2_head_before}), mint {mint}"
    );
    n
}

/// `(origin number, origin hash)` from a block's first transaction, the L1-info deposit, decoded
/// by its documented layout (docs/contracts.md).
fn l1_info_origin(block: &Value) -> (u64, B256) {
    let first = &block["transactions"][0];
    assert_eq!(
        first["type"], "0x7e",
        "first transaction is not a deposit: {first}"
    );
    assert_eq!(first["to"], json!(L1_BLOCK));
    let input: Bytes = serde_json::from_value(first["input"].clone()).unwrap();
    assert_eq!(input.len(), 164, "L1-info calldata length");
    assert_eq!(input[..4], L1_INFO_SELECTOR);
    let number = u64::from_be_bytes(input[28..36].try_into().unwrap());
    (number, B256::from_slice(&input[100..132]))
}

/// One batch as read back from L1.
#[derive(Debug)]
struct Batch {
    first: u64,
    last: u64,
    bytes: usize,
    txs: usize,
    blobs: usize,
    l1_gas: u64,
    blob_gas: u64,
    tx_hashes: Vec<B256>,
}

/// Reads every `BatchSubmitted` up to `l1_head`, fetches and checks each batch's data, replays
/// the hash chain and compares every batched block with the L2 chain.
async fn verify_batches(devnet: &Devnet, l1_head: u64) -> Vec<Batch> {
    let info = &devnet.info;
    let (l1, l2) = (devnet.l1(), devnet.l2());
    assert_eq!(info.deployment.contracts.rollup, info.contracts.rollup);
    // indices, contiguity from block 1 and the hash chain: checked by l1_batches
    let (logs, chain) = l1_batches(&l1, &info.deployment, l1_head).await;
    assert!(!logs.is_empty(), "no batches on L1");

    let mut batches = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, L1Batch { log, event }) in logs.iter().enumerate() {
        let tx_hash = log.transaction_hash.unwrap();
        let tx = l1.get_transaction_by_hash(tx_hash).await.unwrap().unwrap();
        assert_eq!(tx.to(), Some(info.contracts.rollup));
        assert_eq!(tx.from(), info.deployment.roles.batcher);
        let receipt = l1.get_transaction_receipt(tx_hash).await.unwrap().unwrap();
        assert!(receipt.status());

        let (data, data_hash) = if event.blobHashes.is_empty() {
            let call = Rollup::submitBatchCall::abi_decode(tx.input())
                .expect("a calldata batch transaction is submitBatch");
            assert_eq!(
                (call.firstBlock, call.lastBlock),
                (event.firstBlock, event.lastBlock)
            );
            let hash = calldata_data_hash(&call.data);
            (call.data.to_vec(), hash)
        } else {
            let call = Rollup::submitBlobBatchCall::abi_decode(tx.input())
                .expect("a blob batch transaction is submitBlobBatch");
            assert_eq!(call.blobCount, U256::from(event.blobHashes.len()));
            assert_eq!(
                tx.blob_versioned_hashes(),
                Some(event.blobHashes.as_slice()),
                "the event's blob hashes are the transaction's"
            );
            let blobs = fetch_blobs(&info.l1_rpc, log.block_hash.unwrap(), &event.blobHashes).await;
            let data = SimpleCoder::default()
                .decode_all(&blobs)
                .expect("blobs decode with SimpleCoder")
                .concat();
            (data, blob_data_hash(&event.blobHashes).unwrap())
        };
        assert_eq!(data_hash, event.dataHash, "data hash of batch {i}");

        let payload = BatchPayload::decode(&data)
            .unwrap_or_else(|e| panic!("batch {i} does not decode: {e}"));
        assert_eq!(payload.first_block, event.firstBlock);
        assert_eq!(
            payload.first_block + payload.blocks.len() as u64 - 1,
            event.lastBlock,
            "payload range of batch {i}"
        );
        let parent = block_json(&l2, payload.first_block - 1).await;
        assert_eq!(
            json!(payload.parent_hash),
            parent["hash"],
            "parent of batch {i}"
        );

        let mut tx_hashes = Vec::new();
        let mut last_origin = 0;
        for (offset, batched) in payload.blocks.iter().enumerate() {
            let number = payload.first_block + offset as u64;
            assert!(seen.insert(number), "L2 block {number} in two batches");
            let block = block_json(&l2, number).await;
            assert_eq!(
                quantity_u64(&block["timestamp"]),
                batched.timestamp,
                "timestamp of {number}"
            );
            let (origin, _) = l1_info_origin(&block);
            assert_eq!(origin, batched.origin_number, "origin of {number}");
            last_origin = origin;
            let mut raws = Vec::new();
            for t in block["transactions"].as_array().unwrap() {
                if t["type"] == "0x7e" {
                    continue;
                }
                let raw: Bytes = rpc(&l2, "eth_getRawTransactionByHash", json!([t["hash"]])).await;
                assert_eq!(json!(keccak256(&raw)), t["hash"]);
                raws.push(raw);
            }
            assert_eq!(
                raws, batched.txs,
                "transactions of L2 block {number} vs batch {i}"
            );
            tx_hashes.extend(batched.txs.iter().map(keccak256));
        }
        let origin_block = l1
            .get_block_by_number(last_origin.into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            payload.last_origin_hash, origin_block.header.hash,
            "last origin of batch {i}"
        );

        batches.push(Batch {
            first: event.firstBlock,
            last: event.lastBlock,
            bytes: data.len(),
            txs: payload.tx_count(),
            blobs: event.blobHashes.len(),
            l1_gas: receipt.gas_used,
            blob_gas: receipt.blob_gas_used.unwrap_or_default(),
            tx_hashes,
        });
    }

    let next = logs.last().unwrap().event.lastBlock + 1;
    let rollup = Rollup::new(info.contracts.rollup, &l1);
    let at = BlockId::number(l1_head);
    assert_eq!(
        rollup.batchChainHash().block(at).call().await.unwrap(),
        chain
    );
    assert_eq!(rollup.nextBlock().block(at).call().await.unwrap(), next);
    assert_eq!(
        rollup.batchCount().block(at).call().await.unwrap(),
        U256::from(logs.len())
    );
    assert_eq!(
        seen.len() as u64,
        next - 1,
        "blocks 1..{next} each batched once"
    );
    eprintln!(
        "batches: {} on L1, covering L2 blocks 1..={}",
        batches.len(),
        next - 1
    );
    batches
}

/// The blobs with `hashes` of L1 block `block_hash`, from anvil's beacon API, matched by their
/// recomputed KZG versioned hashes.
async fn fetch_blobs(l1_rpc: &str, block_hash: B256, hashes: &[B256]) -> Vec<Blob> {
    let url = format!("{l1_rpc}/eth/v1/beacon/blobs/{block_hash}");
    let (code, body) = http_get_json(&url).await;
    assert_eq!(code, 200, "GET {url}: {body}");
    let served: Vec<Bytes> = serde_json::from_value(body["data"].clone()).unwrap_or_else(|e| {
        panic!(
            "GET {url}: unexpected body ({e}): {:.300}",
            body.to_string()
        )
    });
    let settings = EnvKzgSettings::Default.get();
    let mut by_hash = std::collections::HashMap::new();
    for raw in served {
        let blob = Blob::try_from(raw.as_ref()).unwrap();
        let commitment = settings
            .blob_to_kzg_commitment(&c_kzg::Blob::new(blob.0))
            .unwrap();
        by_hash.insert(kzg_to_versioned_hash(commitment.as_slice()), blob);
    }
    hashes
        .iter()
        .map(|h| {
            by_hash
                .get(h)
                .cloned()
                .unwrap_or_else(|| panic!("blob {h} of L1 block {block_hash} not served"))
        })
        .collect()
}

/// Every output on L1 up to `l1_head` equals keccak(0 ‖ stateRoot ‖ storageHash(message passer)
/// ‖ blockHash) recomputed from the L2 RPC; returns (L2 block, L1 gas of its proposal).
async fn verify_outputs(devnet: &Devnet, l1_head: u64) -> Vec<(u64, u64)> {
    let info = &devnet.info;
    let (l1, l2) = (devnet.l1(), devnet.l2());
    let rollup = Rollup::new(info.contracts.rollup, &l1);
    let at = BlockId::number(l1_head);
    let count: u64 = rollup.outputCount().block(at).call().await.unwrap().to();
    assert!(count > 0, "no output proposed");
    let next_block: u64 = rollup.nextBlock().block(at).call().await.unwrap();

    let filter = Filter::new()
        .address(info.contracts.rollup)
        .event_signature(Rollup::OutputProposed::SIGNATURE_HASH)
        .from_block(info.deployment.deploy_block.number)
        .to_block(l1_head);
    let logs = l1.get_logs(&filter).await.unwrap();
    assert_eq!(
        logs.len() as u64,
        count,
        "one OutputProposed per output (none deleted)"
    );

    let mut out = Vec::new();
    let mut previous = 0u64;
    for (i, log) in logs.iter().enumerate() {
        let output = rollup
            .getOutput(U256::from(i))
            .block(at)
            .call()
            .await
            .unwrap();
        let n = output.l2BlockNumber;
        assert!(n > previous && n < next_block, "output {i} at L2 block {n}");
        previous = n;
        assert_eq!(output.proposer, info.deployment.roles.proposer);
        let event = log
            .log_decode::<Rollup::OutputProposed>()
            .unwrap()
            .inner
            .data;
        assert_eq!(event.outputRoot, output.outputRoot);
        assert_eq!(event.l2BlockNumber, U256::from(n));

        let block = block_json(&l2, n).await;
        let state_root: B256 = serde_json::from_value(block["stateRoot"].clone()).unwrap();
        let block_hash: B256 = serde_json::from_value(block["hash"].clone()).unwrap();
        let proof: Value = rpc(
            &l2,
            "eth_getProof",
            json!([L2_TO_L1_MESSAGE_PASSER, [], format!("{n:#x}")]),
        )
        .await;
        let storage_root: B256 = serde_json::from_value(proof["storageHash"].clone()).unwrap();
        let mut preimage = [0u8; 128];
        preimage[32..64].copy_from_slice(state_root.as_slice());
        preimage[64..96].copy_from_slice(storage_root.as_slice());
        preimage[96..].copy_from_slice(block_hash.as_slice());
        let expected = keccak256(preimage);
        assert_eq!(expected, output_root(state_root, storage_root, block_hash));
        assert_eq!(output.outputRoot, expected, "output {i} (L2 block {n})");

        let receipt = l1
            .get_transaction_receipt(log.transaction_hash.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert!(receipt.status());
        out.push((n, receipt.gas_used));
    }
    eprintln!("outputs: {count} on L1, all recomputed from L2");
    out
}

/// The receipt's L1 fee equals the Fjord formula applied to the raw transaction, with the L1
/// values of the block's origin, checked against the L1Block predeploy and the L1 header; the
/// sender paid exactly value + L2 gas + L1 fee.
async fn verify_l1_fee(devnet: &Devnet, receipt: &Value) {
    let (l1, l2) = (devnet.l1(), devnet.l2());
    let hash = &receipt["transactionHash"];
    let n = quantity_u64(&receipt["blockNumber"]);
    let field = |name: &str| -> U256 {
        quantity(
            receipt
                .get(name)
                .unwrap_or_else(|| panic!("receipt without {name}: {receipt}")),
        )
    };
    let (l1_fee, l1_base_fee, l1_blob_base_fee) =
        (field("l1Fee"), field("l1GasPrice"), field("l1BlobBaseFee"));
    let base_scalar: u32 = field("l1BaseFeeScalar").to();
    let blob_scalar: u32 = field("l1BlobBaseFeeScalar").to();

    // the receipt's inputs are the predeploy's state at that block...
    let predeploy = L1Block::new(L1_BLOCK, &l2);
    let at = BlockId::number(n);
    assert_eq!(
        predeploy.basefee().block(at).call().await.unwrap(),
        l1_base_fee
    );
    assert_eq!(
        predeploy.blobBaseFee().block(at).call().await.unwrap(),
        l1_blob_base_fee
    );
    assert_eq!(
        predeploy.baseFeeScalar().block(at).call().await.unwrap(),
        base_scalar
    );
    assert_eq!(
        predeploy
            .blobBaseFeeScalar()
            .block(at)
            .call()
            .await
            .unwrap(),
        blob_scalar
    );
    // ...which are the origin's header values on L1
    let origin = predeploy.number().block(at).call().await.unwrap();
    let origin_hash = predeploy.hash().block(at).call().await.unwrap();
    let header = l1
        .get_block_by_number(origin.into())
        .await
        .unwrap()
        .unwrap()
        .header;
    assert_eq!(
        header.hash, origin_hash,
        "L1Block.hash() vs L1 block {origin}"
    );
    assert_eq!(U256::from(header.base_fee_per_gas.unwrap()), l1_base_fee);
    assert_eq!(
        fastlz::prague_blob_base_fee(header.excess_blob_gas.unwrap()),
        l1_blob_base_fee,
        "blob base fee of L1 block {origin}"
    );

    let raw: Bytes = rpc(&l2, "eth_getRawTransactionByHash", json!([hash])).await;
    let expected = fastlz::fjord_l1_fee(
        &raw,
        l1_base_fee,
        base_scalar,
        l1_blob_base_fee,
        blob_scalar,
    );
    assert!(expected > U256::ZERO);
    assert_eq!(l1_fee, expected, "l1Fee of {hash} ({} bytes)", raw.len());

    // and it was charged: the sender's balance fell by value + gas * price + l1Fee
    let tx: Value = rpc(&l2, "eth_getTransactionByHash", json!([hash])).await;
    let from: Address = serde_json::from_value(tx["from"].clone()).unwrap();
    let before = l2
        .get_balance(from)
        .block_id(BlockId::number(n - 1))
        .await
        .unwrap();
    let after = l2.get_balance(from).block_id(at).await.unwrap();
    let l2_fee = field("gasUsed") * field("effectiveGasPrice");
    assert_eq!(
        before - after,
        quantity(&tx["value"]) + l2_fee + l1_fee,
        "charge of {hash}"
    );
    eprintln!(
        "l1Fee of a {}-byte tx: {l1_fee} wei (FastLZ {} B, L1 base fee {l1_base_fee}, blob base fee \
         {l1_blob_base_fee}, scalars {base_scalar}/{blob_scalar}); l1GasUsed in receipt: {}",
        raw.len(),
        fastlz::flz_compress_len(&raw),
        receipt
            .get("l1GasUsed")
            .map_or("absent".to_string(), |v| v.to_string()),
    );
}

/// Prints the measured L1 costs.
fn report(batches: &[Batch], outputs: &[(u64, u64)]) {
    eprintln!("== L1 costs measured on the devnet (anvil, Prague) ==");
    for (name, blobs) in [("calldata", false), ("blob", true)] {
        let of: Vec<&Batch> = batches.iter().filter(|b| (b.blobs > 0) == blobs).collect();
        let with_txs: Vec<&&Batch> = of.iter().filter(|b| b.txs > 0).collect();
        let avg = |f: &dyn Fn(&Batch) -> u64, set: &[&Batch]| -> u64 {
            if set.is_empty() {
                0
            } else {
                set.iter().map(|b| f(b)).sum::<u64>() / set.len() as u64
            }
        };
        let with: Vec<&Batch> = with_txs.iter().map(|b| **b).collect();
        let txs: usize = with.iter().map(|b| b.txs).sum();
        let bytes: usize = with.iter().map(|b| b.bytes).sum();
        eprintln!(
            "{name} batches: {} ({} with transactions); L1 gas per batch: avg {} (min {}, max {}); \
             avg bytes {}; blob gas per batch avg {}",
            of.len(),
            with.len(),
            avg(&|b| b.l1_gas, &of),
            of.iter().map(|b| b.l1_gas).min().unwrap_or(0),
            of.iter().map(|b| b.l1_gas).max().unwrap_or(0),
            avg(&|b| b.bytes as u64, &of),
            avg(&|b| b.blob_gas, &of),
        );
        if txs > 0 {
            eprintln!(
                "  {name} batches with transactions: {txs} txs in {bytes} bytes = {:.1} bytes/tx; \
                 {:.0} L1 gas/tx",
                bytes as f64 / txs as f64,
                with.iter().map(|b| b.l1_gas).sum::<u64>() as f64 / txs as f64,
            );
        }
        for b in &with {
            eprintln!(
                "  blocks {}..={}: {} txs, {} bytes, {} blobs, L1 gas {}, blob gas {}",
                b.first, b.last, b.txs, b.bytes, b.blobs, b.l1_gas, b.blob_gas
            );
        }
    }
    let gas: Vec<u64> = outputs.iter().map(|o| o.1).collect();
    eprintln!(
        "output proposals: {}; L1 gas per proposeOutput: avg {} (min {}, max {})",
        gas.len(),
        gas.iter().sum::<u64>() / gas.len().max(1) as u64,
        gas.iter().min().unwrap_or(&0),
        gas.iter().max().unwrap_or(&0),
    );
}
