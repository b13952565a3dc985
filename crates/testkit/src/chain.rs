//! The chain steps tests repeat: dev accounts, amounts, deposits through the Portal, waiting
//! for balances and for safety, the batches on L1, and a fixed workload.

use std::{fmt::Debug, future::Future, time::Duration};

use alloy::{
    network::{Ethereum, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256, address},
    providers::{PendingTransactionBuilder, Provider},
    rpc::types::{Filter, Log, TransactionReceipt, TransactionRequest},
    signers::local::{MnemonicBuilder, PrivateKeySigner},
    sol_types::SolEvent,
};
use tributary_contracts::{OpenToken, Portal, Rollup};
use tributary_genesis::DEV_MNEMONIC;
use tributary_primitives::{Deployment, batch::chain_hash_step, predeploys};

use crate::{Devnet, SyncStatus, sync_status, wait_for, wallet_provider};

/// The signer of dev account `i` (the `test test … junk` mnemonic, as anvil's accounts).
pub fn dev_signer(i: u32) -> PrivateKeySigner {
    MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, i)
}

/// Hex of a key, `0x…`, as the binaries take it in their environment.
pub fn key_hex(signer: &PrivateKeySigner) -> String {
    format!("0x{}", alloy::hex::encode(signer.to_bytes()))
}

/// `n` OPEN (or ether) in wei.
pub fn open(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

/// Waits until L2 block `target` is safe (covered by a batch in a confirmed L1 block), for up to
/// two minutes.
pub async fn wait_safe(devnet: &Devnet, l2: &impl Provider, target: u64) -> SyncStatus {
    wait_safe_within(devnet, l2, target, Duration::from_secs(120)).await
}

/// Waits until `tributary_syncStatus` ([`sync_status`], checked) reports `safeL2 >= target`.
pub async fn wait_safe_within(
    devnet: &Devnet,
    l2: &impl Provider,
    target: u64,
    timeout: Duration,
) -> SyncStatus {
    wait_for(
        || format!("L2 block {target} safe\n{}", devnet.logs()),
        timeout,
        Duration::from_millis(250),
        || async move {
            let status = sync_status(l2).await;
            (status.safe_l2.number >= target).then_some(status)
        },
    )
    .await
}

/// Sends a transaction and waits for its receipt, whatever its status: `send` is a contract
/// call's `.send()` or a provider's `send_transaction(..)`; `what` names it in the panics.
pub async fn send_mined<E: Debug>(
    send: impl Future<Output = Result<PendingTransactionBuilder<Ethereum>, E>>,
    what: &str,
) -> TransactionReceipt {
    send.await
        .unwrap_or_else(|e| panic!("sending {what}: {e:?}"))
        .get_receipt()
        .await
        .unwrap_or_else(|e| panic!("receipt of {what}: {e:?}"))
}

/// [`send_mined`], and asserts the transaction succeeded (`{what} reverted` if not).
pub async fn send_ok<E: Debug>(
    send: impl Future<Output = Result<PendingTransactionBuilder<Ethereum>, E>>,
    what: &str,
) -> TransactionReceipt {
    let receipt = send_mined(send, what).await;
    assert!(receipt.status(), "{what} reverted: {receipt:?}");
    receipt
}

/// Lets the Portal take `amount` OPEN from `l1`'s account.
pub async fn approve_portal(l1: &impl Provider, deployment: &Deployment, amount: U256) {
    let token = OpenToken::new(deployment.contracts.open_token, l1);
    send_ok(
        token.approve(deployment.contracts.portal, amount).send(),
        "approve on L1",
    )
    .await;
}

/// Deposits `mint` OPEN to `to` on L2 through the Portal, from `l1`'s account.
pub async fn deposit(
    l1: &impl Provider,
    deployment: &Deployment,
    to: Address,
    mint: U256,
) -> TransactionReceipt {
    let portal = Portal::new(deployment.contracts.portal, l1);
    let deposit = portal.depositTransaction(to, mint, U256::ZERO, 100_000, false, Bytes::new());
    send_ok(deposit.send(), "deposit on L1").await
}

/// Waits until `who`'s L2 balance is `expected`; every balance seen on the way must pass
/// `allowed`.
pub async fn wait_balance(
    devnet: &Devnet,
    l2: &impl Provider,
    who: Address,
    expected: U256,
    timeout: Duration,
    allowed: impl Fn(U256) -> bool,
) {
    let allowed = &allowed;
    wait_for(
        || format!("L2 balance of {who} at {expected}\n{}", devnet.logs()),
        timeout,
        Duration::from_millis(200),
        || async move {
            let now = l2.get_balance(who).await.unwrap();
            assert!(
                allowed(now),
                "unexpected L2 balance {now} of {who} (waiting for {expected})"
            );
            (now == expected).then_some(())
        },
    )
    .await;
}

/// The Rollup's `BatchSubmitted` logs from the deployment's block to L1 block `to_block`.
pub async fn batch_logs(l1: &impl Provider, deployment: &Deployment, to_block: u64) -> Vec<Log> {
    // anvil answers for a new head's state a moment before it serves that block's logs (and
    // receipts): read them once `to_block` is no longer the head
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while l1.get_block_number().await.unwrap() <= to_block {
        assert!(
            std::time::Instant::now() < deadline,
            "L1 block {to_block} is still the head after 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    l1.get_logs(
        &Filter::new()
            .address(deployment.contracts.rollup)
            .event_signature(Rollup::BatchSubmitted::SIGNATURE_HASH)
            .from_block(deployment.deploy_block.number)
            .to_block(to_block),
    )
    .await
    .unwrap()
}

/// One `BatchSubmitted` of the Rollup, with the L1 log it came in.
#[derive(Debug, Clone)]
pub struct L1Batch {
    /// The log (block, transaction).
    pub log: Log,
    /// The event.
    pub event: Rollup::BatchSubmitted,
}

/// The Rollup's batches up to L1 block `to_block`, read from L1 alone and checked as one chain:
/// indices 0, 1, …; each batch a non-empty range of L2 blocks starting right after the previous
/// one's, from block 1 (no gap, no overlap); each `chainHash` the previous one stepped with the
/// batch's range and data hash. Returns the batches and the chain hash after the last.
pub async fn l1_batches(
    l1: &impl Provider,
    deployment: &Deployment,
    to_block: u64,
) -> (Vec<L1Batch>, B256) {
    let mut chain = B256::ZERO;
    let mut next = 1u64;
    let mut batches = Vec::new();
    for (i, log) in batch_logs(l1, deployment, to_block)
        .await
        .into_iter()
        .enumerate()
    {
        let event = log
            .log_decode::<Rollup::BatchSubmitted>()
            .unwrap()
            .inner
            .data;
        assert_eq!(event.batchIndex, U256::from(i), "batch index");
        assert_eq!(
            event.firstBlock, next,
            "batch #{i} starts at {} instead of {next}: a gap or an overlap (batches are \
             contiguous from block 1)",
            event.firstBlock
        );
        assert!(event.lastBlock >= event.firstBlock, "batch #{i}");
        chain = chain_hash_step(chain, event.firstBlock, event.lastBlock, event.dataHash);
        assert_eq!(event.chainHash, chain, "chain hash after batch #{i}");
        next = event.lastBlock + 1;
        batches.push(L1Batch { log, event });
    }
    (batches, chain)
}

/// Init code of a contract whose runtime adds 1 to slot 0 on every call.
const COUNTER_INIT: &str = "600b600c600039600b6000f360016000540160005500";

/// What [`workload`] did.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    /// The L2 account the L1 deposit credited (dev account 2).
    pub depositor: Address,
    /// The L2 transaction that initiated a 1 OPEN withdrawal (from dev account 1 to itself).
    pub withdrawal: B256,
    /// The L2 head after it.
    pub last_block: u64,
}

/// A fixed workload touching every kind of L2 block content: ten transfers to fresh accounts
/// (`seed` picks them), a contract deployed and called three times, a transaction that reverts
/// (and is still included), a withdrawal, and a deposit made on L1 (waited for on L2).
pub async fn workload(devnet: &Devnet, seed: u64) -> Workload {
    let l2 = wallet_provider(&devnet.info.l2_rpc, dev_signer(1));
    // L2 activity: transfers to fresh accounts, a contract and calls to it, a reverting
    // transaction, a withdrawal
    for i in 0..10u64 {
        let to = Address::from_word(alloy::primitives::keccak256(
            (seed * 1_000 + i).to_be_bytes(),
        ));
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_value(U256::from(1_000 + i));
        send_mined(l2.send_transaction(tx), "transfer").await;
    }
    let deploy = TransactionRequest::default()
        .with_deploy_code(Bytes::from(alloy::hex::decode(COUNTER_INIT).unwrap()));
    let receipt = send_mined(l2.send_transaction(deploy), "counter deployment").await;
    let counter = receipt.contract_address.unwrap();
    for _ in 0..3 {
        let call = TransactionRequest::default()
            .with_to(counter)
            .with_gas_limit(50_000);
        send_mined(l2.send_transaction(call), "counter call").await;
    }
    // only the depositor account may set L1 values: this one reverts, and is still included
    let revert = TransactionRequest::default()
        .with_to(predeploys::L1_BLOCK)
        .with_input(Bytes::from_static(&[0x44, 0x0a, 0x5e, 0x20]))
        .with_gas_limit(100_000);
    let reverted = send_mined(l2.send_transaction(revert), "reverting transaction").await;
    assert!(!reverted.status(), "the reverting transaction reverts");
    let withdraw = TransactionRequest::default()
        .with_to(predeploys::L2_TO_L1_MESSAGE_PASSER)
        .with_value(open(1))
        .with_gas_limit(200_000);
    let withdrawal = send_ok(l2.send_transaction(withdraw), "the withdrawal").await;

    // a deposit made now, on L1
    let deployment = Deployment::load(devnet.path("deployment.json")).unwrap();
    let l1 = wallet_provider(&devnet.info.l1_rpc, dev_signer(2));
    let mint = U256::from(123_456_789u64);
    let depositor = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    let before = l2.get_balance(depositor).await.unwrap();
    approve_portal(&l1, &deployment, mint).await;
    deposit(&l1, &deployment, depositor, mint).await;
    let expected = before + mint;
    wait_balance(
        devnet,
        &l2,
        depositor,
        expected,
        Duration::from_secs(60),
        |_| true,
    )
    .await;
    Workload {
        depositor,
        withdrawal: withdrawal.transaction_hash,
        last_block: l2.get_block_number().await.unwrap(),
    }
}
