//! Witness sizes of typical blocks (`#[ignore]`d: printed, not asserted; docs/witness.md).
//!
//! `cargo nextest run -p tributary-stateless --run-ignored only --no-capture measure`

use alloy_primitives::Address;
use tributary_genesis::DEV_ACCOUNTS;
use tributary_stateless::WitnessSize;

use crate::{
    utils::{Chain, recipient},
    workload::transfer_call,
};

/// Measures block `number` of `c` and prints one table row.
async fn report(c: &Chain, label: &str, number: u64) {
    let witness = c.witness(number).await;
    c.verify(&witness, &c.stateless_block(number).await)
        .unwrap();
    let size = WitnessSize::of(&witness);
    let txs = c
        .node
        .store()
        .block_transactions(number)
        .await
        .unwrap()
        .len();
    let json = serde_json::to_vec(&witness).unwrap().len();
    println!(
        "| {label} | {txs} | {} nodes, {} B | {} codes, {} B | {} headers, {} B | {} B | {} B | {} B |",
        size.nodes,
        size.state_bytes,
        size.codes,
        size.code_bytes,
        size.headers,
        size.header_bytes,
        size.key_bytes,
        size.total(),
        json,
    );
}

/// 100 plain transfers to fresh accounts from the ten dev accounts.
async fn transfers(c: &mut Chain, first: u64) -> u64 {
    let txs = (0..100)
        .map(|i| c.transfer(usize::try_from(i % 10).unwrap(), recipient(first + i), 1))
        .collect();
    c.block(Vec::new(), txs).await.number
}

/// 100 ERC-20 transfers from the treasury to fresh accounts.
async fn erc20_transfers(c: &mut Chain, token: Address, first: u64) -> u64 {
    let txs = (0..100)
        .map(|i| c.call(3, token, transfer_call(recipient(first + i), 1)))
        .collect();
    c.block(Vec::new(), txs).await.number
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "measurement: prints witness sizes"]
async fn witness_sizes() {
    let mut c = Chain::new().await;
    println!("| block | txs | state | codes | headers | keys | state+codes+headers | JSON |");
    println!("|---|---|---|---|---|---|---|---|");

    let empty = c.block(Vec::new(), Vec::new()).await.number;
    report(&c, "empty (L1-info deposit only), genesis state", empty).await;
    let n = transfers(&mut c, 0).await;
    report(&c, "100 transfers, genesis state", n).await;

    use alloy::sol_types::SolValue;
    let init = [
        tributary_contracts::OpenToken::BYTECODE.as_ref(),
        &DEV_ACCOUNTS[3].abi_encode(),
    ]
    .concat()
    .into();
    let (tx, token) = c.deploy(3, init, 0, 5_000_000);
    let n = c.block(Vec::new(), vec![tx]).await.number;
    report(&c, "ERC-20 deployment", n).await;
    let n = erc20_transfers(&mut c, token, 1_000).await;
    report(&c, "100 ERC-20 transfers, fresh holders", n).await;

    // grow the state: 10,000 more accounts (two blocks of 5,000 transfers) and 1,000 holders
    for round in 0..2u64 {
        let txs = (0..5_000)
            .map(|i| {
                c.transfer(
                    usize::try_from(i % 10).unwrap(),
                    recipient(100_000 + round * 5_000 + i),
                    1,
                )
            })
            .collect();
        c.block(Vec::new(), txs).await;
    }
    for round in 0..10u64 {
        erc20_transfers(&mut c, token, 200_000 + round * 100).await;
    }
    let n = transfers(&mut c, 300_000).await;
    report(&c, "100 transfers, ~10,000 accounts", n).await;
    let n = erc20_transfers(&mut c, token, 400_000).await;
    report(&c, "100 ERC-20 transfers, ~1,100 holders", n).await;
}
