//! Real clients against the real binary: viem (a wallet's flow) and cast, with geth's exact
//! error strings required (`--strict`).

use std::process::Command;

use crate::utils::{Sequencer, repo_root, run};

#[test]
fn viem_wallet_flow_passes_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let seq = Sequencer::start(dir.path());
    run(Command::new("node")
        .current_dir(repo_root())
        .args(["tests/clients/wallet-flow.mjs", "--rpc", &seq.url])
        .args(["--strict", "--require-l1-fee"]));
}

#[test]
fn cast_flow_passes_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let seq = Sequencer::start(dir.path());
    let root = repo_root();
    run(Command::new("bash")
        .current_dir(&root)
        .env("CAST", root.join("node_modules/.bin/cast"))
        .args(["tests/clients/cast-flow.sh", &seq.url, "--strict"]));
}
