//! eth_getProof checked by a verifier independent of our trie code: OpenZeppelin's TrieProof
//! running in anvil's EVM (tests/clients/proof-check.mjs), for accounts, storage slots,
//! absent keys, older blocks and tampered proofs.

use std::process::Command;

use crate::utils::{Anvil, Sequencer, repo_root, run};

#[test]
fn proofs_verify_with_openzeppelin_trieproof_in_anvil() {
    let dir = tempfile::tempdir().unwrap();
    let seq = Sequencer::start(dir.path());
    let anvil = Anvil::start();
    run(Command::new("node")
        .current_dir(repo_root())
        .args(["tests/clients/proof-check.mjs", "--rpc", &seq.url])
        .args(["--l1", &anvil.url, "--strict"]));
}
