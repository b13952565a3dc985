//! Bad input gets a clear error and changes nothing.

use alloy::{
    network::TransactionBuilder, primitives::U256, providers::Provider,
    rpc::types::TransactionRequest,
};

use tributary_testkit::open;

use crate::utils::{Chains, Mined, account, key_hex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_a_clear_error() {
    let chains = Chains::start().await;
    let d = chains.deployment.clone();
    let cli = chains.cli(chains.write_devnet_file());
    let poor_key = key_hex(&chains.anvil, 5); // holds no OPEN on L1
    let key = Some(poor_key.as_str());
    let portal_before = chains
        .token()
        .balanceOf(d.contracts.portal)
        .call()
        .await
        .unwrap();

    // Amounts are checked before anything is read.
    for bad in ["1.2.3", "0", "-1", "1e18", "0.0000000000000000001", "abc"] {
        cli.run(key, &["deposit", "--amount", bad])
            .await
            .fails_with(1, &format!("invalid amount {bad:?}"));
        cli.run(key, &["withdraw", "initiate", "--amount", bad])
            .await
            .fails_with(1, "invalid amount");
    }
    // Sending needs a key; the message says where to put it.
    cli.run(None, &["deposit", "--amount", "1"])
        .await
        .fails_with(1, "no private key: set TRIBUTARY_PRIVATE_KEY");
    // Clap refuses a malformed key, a malformed tx hash and --timeout without --wait.
    let run = cli.run(Some("0x1234"), &["deposit", "--amount", "1"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = cli.run(None, &["withdraw", "status", "--tx", "0x12"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = cli
        .run(
            key,
            &[
                "withdraw",
                "prove",
                "--tx",
                &format!("0x{}", "11".repeat(32)),
                "--timeout",
                "5",
            ],
        )
        .await;
    assert_eq!(run.code, 2, "{}", run.stderr);

    // Not enough OPEN on L1: refused before any approval.
    cli.run(key, &["deposit", "--amount", "1"])
        .await
        .fails_with(1, "insufficient OPEN on l1: ");
    let sent = chains
        .operator
        .get_transaction_count(account(&chains.anvil, 5))
        .await
        .unwrap();
    assert_eq!(sent, 0, "nothing was sent");

    // Withdrawing to the Portal or the token would be refused by the Portal at prove time.
    let portal = d.contracts.portal.to_string();
    cli.run(
        key,
        &["withdraw", "initiate", "--amount", "1", "--to", &portal],
    )
    .await
    .fails_with(1, "is the Portal: the Portal refuses to release OPEN to it");

    // Unknown transactions, and transactions that are not withdrawals.
    let unknown = format!("0x{}", "ab".repeat(32));
    cli.run(None, &["withdraw", "status", "--tx", &unknown])
        .await
        .fails_with(3, &format!("l2 transaction {unknown} not found"));
    let transfer = chains
        .l2
        .send_transaction(
            TransactionRequest::default()
                .with_to(account(&chains.anvil, 6))
                .with_value(U256::from(1)),
        )
        .await
        .mined()
        .await;
    let transfer = transfer.transaction_hash.to_string();
    cli.run(key, &["withdraw", "prove", "--tx", &transfer])
        .await
        .fails_with(1, "initiated no withdrawal");

    // Wrong endpoints: the chain ids do not match the deployment.
    let mut wrong = chains.cli(chains.write_deployment_file());
    wrong.l2 = Some(chains.anvil.endpoint());
    let run = wrong
        .run(None, &["withdraw", "status", "--tx", &unknown])
        .await;
    let stderr = run.stderr;
    assert_eq!(run.code, 1);
    assert!(
        stderr.contains(&format!(
            "l2 rpc serves chain id 31337 but the deployment expects {}",
            d.l2_chain_id
        )),
        "{stderr}"
    );
    let mut unreachable = cli.clone();
    unreachable.l1 = Some("http://127.0.0.1:1".into());
    unreachable
        .run(None, &["withdraw", "status", "--tx", &unknown])
        .await
        .fails_with(3, "error: l1 rpc: "); // an unreachable node may come back

    // Endpoints: flag > environment > the devnet file's l1_rpc/l2_rpc > the built-in default.
    let mut from_file = cli.clone();
    (from_file.l1, from_file.l2) = (None, None);
    from_file // the file's endpoints reach both chains
        .run(None, &["withdraw", "status", "--tx", &unknown])
        .await
        .fails_with(3, &format!("l2 transaction {unknown} not found"));
    from_file
        .clone()
        .with_env("TRIBUTARY_L1_RPC", "http://127.0.0.1:1")
        .run(None, &["withdraw", "status", "--tx", &unknown])
        .await
        .fails_with(3, "error: l1 rpc: ");
    from_file
        .clone()
        .with_env("TRIBUTARY_L2_RPC", &chains.anvil.endpoint())
        .run(None, &["withdraw", "status", "--tx", &unknown])
        .await
        .fails_with(1, "l2 rpc serves chain id 31337");
    cli.clone() // the flags win over the environment
        .with_env("TRIBUTARY_L1_RPC", "http://127.0.0.1:1")
        .with_env("TRIBUTARY_L2_RPC", "http://127.0.0.1:1")
        .run(None, &["withdraw", "status", "--tx", &unknown])
        .await
        .fails_with(3, &format!("l2 transaction {unknown} not found"));
    let endpoints = tempfile::tempdir().unwrap();
    let mut devnet: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cli.deployment).unwrap()).unwrap();
    devnet["l1_rpc"] = "127.0.0.1 port 8546".into();
    let mut malformed = from_file.clone();
    malformed.deployment = endpoints.path().join("devnet.json");
    std::fs::write(&malformed.deployment, devnet.to_string()).unwrap();
    malformed
        .run(None, &["withdraw", "status", "--tx", &unknown])
        .await
        .fails_with(1, "l1_rpc \"127.0.0.1 port 8546\" is not a URL");
    malformed.l1 = cli.l1.clone(); // used only when nothing overrides it
    malformed
        .run(None, &["withdraw", "status", "--tx", &unknown])
        .await
        .fails_with(3, &format!("l2 transaction {unknown} not found"));

    // Deployment files: missing, malformed, and none at the default locations.
    let dir = tempfile::tempdir().unwrap();
    let mut other = cli.clone();
    other.deployment = dir.path().join("missing.json");
    other
        .run(key, &["deposit", "--amount", "1"])
        .await
        .fails_with(1, "missing.json");
    other.deployment = dir.path().join("bad.json");
    std::fs::write(&other.deployment, "{\"deployment\": {\"l1_chain_id\": 1}}").unwrap();
    other
        .run(key, &["deposit", "--amount", "1"])
        .await
        .fails_with(1, "invalid json: missing field");
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_tributary"))
        .current_dir(dir.path())
        .args(["withdraw", "status", "--tx", &unknown])
        .env_remove("TRIBUTARY_DEPLOYMENT")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("no deployment file: pass --deployment FILE (looked for .devnet/devnet.json, .devnet/deployment.json)"),
        "{stderr}"
    );

    // Nothing reached the Portal.
    assert_eq!(
        chains
            .token()
            .balanceOf(d.contracts.portal)
            .call()
            .await
            .unwrap(),
        portal_before
    );

    // The dev L2 here follows no L1, so a deposit is never credited: --wait gives up clearly.
    let rich = key_hex(&chains.anvil, 0);
    let run = cli
        .run(
            Some(&rich),
            &["deposit", "--amount", "1", "--wait", "--timeout", "1"],
        )
        .await;
    run.fails_with(3, "timed out after 1 s waiting for 1 OPEN to arrive for");
    assert_eq!(
        chains
            .token()
            .balanceOf(d.contracts.portal)
            .call()
            .await
            .unwrap(),
        portal_before + open(1),
        "the deposit itself was made"
    );
    chains.stop().await;
}
