//! The `deploy` binary against anvil: flags and environment in, contracts on chain and JSON out.

use alloy::{
    primitives::{U256, keccak256},
    providers::Provider,
};
use tributary_contracts::{OpenToken, Portal, Rollup};
use tributary_primitives::{Deployment, chain};

use crate::utils::{account, anvil, ether, key_hex, provider, run_deploy};

#[tokio::test]
async fn deploy_binary_deploys_wires_and_writes_the_deployment() {
    let anvil = anvil();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deployment.json");
    let genesis = keccak256("tributary/test/genesis");
    let (owner, batcher, proposer, guardian, treasury) = (
        account(&anvil, 1),
        account(&anvil, 2),
        account(&anvil, 3),
        account(&anvil, 4),
        account(&anvil, 5),
    );

    let output = run_deploy(
        &[
            "--l1-rpc-url",
            &anvil.endpoint(),
            "--out",
            out.to_str().unwrap(),
            "--owner",
            &owner.to_string(),
            "--batcher",
            &batcher.to_string(),
            "--proposer",
            &proposer.to_string(),
            "--guardian",
            &guardian.to_string(),
            "--l2-genesis-hash",
            &genesis.to_string(),
            "--challenge-window-secs",
            "30",
            "--proposer-bond-wei",
            "2000000000000000000",
            "--max-deposit-gas-limit",
            "25000000",
            "--max-deposit-gas-per-l1-block",
            "50000000",
        ],
        // Key and treasury through the environment, as in production docs.
        &[
            ("DEPLOYER_PRIVATE_KEY", &key_hex(&anvil, 0)),
            ("OPEN_TREASURY", &treasury.to_string()),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "deploy failed:\n{stderr}");
    assert!(
        stderr.contains("deployed"),
        "logs under the deploy target:\n{stderr}"
    );

    // The JSON parses into the one Deployment type and serializes back byte for byte.
    let json = std::fs::read_to_string(&out).unwrap();
    let d = Deployment::load(&out).unwrap();
    assert_eq!(d.to_json(), json);
    assert_eq!(Deployment::from_json(&json).unwrap(), d);

    assert_eq!(d.l1_chain_id, chain::L1_ANVIL_CHAIN_ID);
    assert_eq!(d.l2_chain_id, chain::L2_DEVNET_CHAIN_ID);
    assert_eq!(
        (
            d.roles.owner,
            d.roles.batcher,
            d.roles.proposer,
            d.roles.guardian,
            d.roles.treasury
        ),
        (owner, batcher, proposer, guardian, treasury)
    );
    assert_eq!(d.challenge_window_secs, 30);
    assert_eq!(d.proposer_bond, ether(2));
    assert_eq!(
        d.challenger_bond,
        ether(1) / U256::from(2),
        "default challenger bond"
    );
    assert_eq!(d.l2_genesis_hash, genesis);
    assert_eq!(d.max_deposit_gas_limit, 25_000_000);
    assert_eq!(d.max_deposit_gas_per_l1_block, 50_000_000);

    let p = provider(&anvil, 0);
    assert_eq!(p.get_chain_id().await.unwrap(), d.l1_chain_id);
    let block = p
        .get_block_by_number(d.deploy_block.number.into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(block.header.hash, d.deploy_block.hash);
    for addr in [
        d.contracts.open_token,
        d.contracts.rollup,
        d.contracts.portal,
    ] {
        assert!(
            !p.get_code_at(addr).await.unwrap().is_empty(),
            "no code at {addr}"
        );
    }

    let rollup = Rollup::new(d.contracts.rollup, p.clone());
    assert_eq!(rollup.owner().call().await.unwrap(), owner);
    assert_eq!(rollup.batcher().call().await.unwrap(), batcher);
    assert_eq!(rollup.proposer().call().await.unwrap(), proposer);
    assert_eq!(rollup.guardian().call().await.unwrap(), guardian);
    assert_eq!(rollup.challengeWindow().call().await.unwrap(), 30);
    assert_eq!(rollup.proposerBond().call().await.unwrap(), ether(2));
    assert_eq!(
        rollup.challengerBond().call().await.unwrap(),
        d.challenger_bond
    );
    assert_eq!(
        rollup.l2ChainId().call().await.unwrap(),
        chain::L2_DEVNET_CHAIN_ID
    );
    assert_eq!(rollup.l2GenesisHash().call().await.unwrap(), genesis);
    assert_eq!(rollup.nextBlock().call().await.unwrap(), 1);
    assert_eq!(rollup.batchCount().call().await.unwrap(), U256::ZERO);
    assert!(rollup.batchChainHash().call().await.unwrap().is_zero());
    assert_eq!(rollup.version().call().await.unwrap(), "1.0.0-beta.1");

    let token = OpenToken::new(d.contracts.open_token, p.clone());
    let supply = ether(1_000_000_000);
    assert_eq!(supply, U256::from(10).pow(U256::from(27)));
    assert_eq!(token.totalSupply().call().await.unwrap(), supply);
    assert_eq!(token.balanceOf(treasury).call().await.unwrap(), supply);
    assert_eq!(
        token.balanceOf(account(&anvil, 0)).call().await.unwrap(),
        U256::ZERO
    );
    assert_eq!(token.symbol().call().await.unwrap(), "OPEN");
    assert_eq!(token.name().call().await.unwrap(), "Open");
    assert_eq!(token.decimals().call().await.unwrap(), 18);

    let portal = Portal::new(d.contracts.portal, p.clone());
    assert_eq!(portal.token().call().await.unwrap(), d.contracts.open_token);
    assert_eq!(portal.rollup().call().await.unwrap(), d.contracts.rollup);
    assert_eq!(
        portal.maxDepositGasLimit().call().await.unwrap(),
        25_000_000
    );
    assert_eq!(
        portal.maxDepositGasPerL1Block().call().await.unwrap(),
        50_000_000
    );
    assert_eq!(portal.depositGasUsed().call().await.unwrap(), 0);
    assert_eq!(portal.version().call().await.unwrap(), "1.0.0-beta.2");
}

#[tokio::test]
async fn deploy_binary_defaults_the_deposit_gas_cap() {
    let anvil = anvil();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deployment.json");
    let output = run_deploy(
        &[
            "--l1-rpc-url",
            &anvil.endpoint(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[("DEPLOYER_PRIVATE_KEY", &key_hex(&anvil, 0))],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let d = Deployment::load(&out).unwrap();
    assert_eq!(d.max_deposit_gas_limit, 20_000_000);
    assert_eq!(d.max_deposit_gas_per_l1_block, 20_000_000);
    let portal = Portal::new(d.contracts.portal, provider(&anvil, 0));
    assert_eq!(
        portal.maxDepositGasPerL1Block().call().await.unwrap(),
        20_000_000
    );
}

#[tokio::test]
async fn deploy_binary_rejects_bad_input_and_writes_nothing() {
    let anvil = anvil();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deployment.json");
    let out_s = out.to_str().unwrap();

    // No key at all.
    let output = run_deploy(&["--l1-rpc-url", &anvil.endpoint(), "--out", out_s], &[]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--private-key"));

    // A malformed key.
    let output = run_deploy(
        &["--l1-rpc-url", &anvil.endpoint(), "--out", out_s],
        &[("DEPLOYER_PRIVATE_KEY", "0x1234")],
    );
    assert!(!output.status.success());

    // An L2 chain id equal to the L1's: refused before any transaction (`--l1-rpc` is an alias,
    // used by scripts/devnet.sh).
    let output = run_deploy(
        &[
            "--l1-rpc",
            &anvil.endpoint(),
            "--out",
            out_s,
            "--l2-chain-id",
            "31337",
        ],
        &[("DEPLOYER_PRIVATE_KEY", &key_hex(&anvil, 0))],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("equals the l1 chain id"), "{stderr}");
    let nonce = provider(&anvil, 0)
        .get_transaction_count(account(&anvil, 0))
        .await
        .unwrap();
    assert_eq!(nonce, 0, "nothing was sent");

    // A per-block deposit gas cap below the per-deposit limit (here the default 20M): refused before
    // any transaction, as the Portal's constructor would refuse it.
    let output = run_deploy(
        &[
            "--l1-rpc-url",
            &anvil.endpoint(),
            "--out",
            out_s,
            "--max-deposit-gas-per-l1-block",
            "19999999",
        ],
        &[("DEPLOYER_PRIVATE_KEY", &key_hex(&anvil, 0))],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("max deposit gas per l1 block 19999999 is below"),
        "{stderr}"
    );
    let nonce = provider(&anvil, 0)
        .get_transaction_count(account(&anvil, 0))
        .await
        .unwrap();
    assert_eq!(nonce, 0, "nothing was sent");

    // An unreachable L1.
    let output = run_deploy(
        &["--l1-rpc-url", "http://127.0.0.1:1", "--out", out_s],
        &[("DEPLOYER_PRIVATE_KEY", &key_hex(&anvil, 0))],
    );
    assert!(!output.status.success());
    assert!(!out.exists());
}
