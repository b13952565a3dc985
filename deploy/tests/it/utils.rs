//! Shared test setup: anvil from node_modules, providers for its dev accounts, the `deploy` binary.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use alloy::{
    network::{Ethereum, EthereumWallet},
    node_bindings::{Anvil, AnvilInstance},
    primitives::{Address, U256},
    providers::{DynProvider, PendingTransactionBuilder, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
};

/// The repository root.
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Starts anvil (npm-pinned) on a free loopback port with the Prague hardfork; stops on drop.
pub(crate) fn anvil() -> AnvilInstance {
    let bin = repo_root().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    assert!(bin.exists(), "{} missing: run npm ci", bin.display());
    Anvil::at(bin)
        .args(["--hardfork", "prague"])
        .try_spawn()
        .expect("anvil starts")
}

/// Dev account `i` of anvil's default mnemonic.
pub(crate) fn signer(anvil: &AnvilInstance, i: usize) -> PrivateKeySigner {
    anvil.keys()[i].clone().into()
}

/// Address of dev account `i`.
pub(crate) fn account(anvil: &AnvilInstance, i: usize) -> Address {
    anvil.addresses()[i]
}

/// A provider that signs as dev account `i`.
pub(crate) fn provider(anvil: &AnvilInstance, i: usize) -> DynProvider {
    ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer(anvil, i)))
        .connect_http(anvil.endpoint_url())
        .erased()
}

/// Hex of dev account `i`'s private key.
pub(crate) fn key_hex(anvil: &AnvilInstance, i: usize) -> String {
    format!("0x{}", alloy::hex::encode(signer(anvil, i).to_bytes()))
}

/// Runs the real `deploy` binary with `args` and extra environment variables.
pub(crate) fn run_deploy(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deploy"));
    cmd.args(args)
        .env("RUST_LOG", "deploy=debug")
        .env_remove("DEPLOYER_PRIVATE_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("deploy binary runs")
}

/// `n` ether in wei.
pub(crate) fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10).pow(U256::from(18))
}

/// Advances anvil's clock by `secs` and mines a block.
pub(crate) async fn advance_time(provider: &DynProvider, secs: u64) {
    let _: serde_json::Value = provider
        .raw_request("evm_increaseTime".into(), (secs,))
        .await
        .unwrap();
    let _: serde_json::Value = provider.raw_request("evm_mine".into(), ()).await.unwrap();
}

/// Waits for the receipt of a transaction that was just sent (`call.send().await`), panicking on
/// any failure: one line instead of a send/receipt chain in every test.
pub(crate) trait Mined {
    /// The receipt, once mined.
    fn mined(self) -> impl std::future::Future<Output = TransactionReceipt>;
}

impl<E: std::fmt::Debug> Mined for Result<PendingTransactionBuilder<Ethereum>, E> {
    async fn mined(self) -> TransactionReceipt {
        self.expect("transaction sent")
            .get_receipt()
            .await
            .expect("transaction mined")
    }
}
