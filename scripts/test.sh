#!/usr/bin/env bash
# Runs every test of the repository on a fresh machine (Debian with Rust, Node and npm):
# the npm-delivered toolchain, the Solidity tests (deep `ci` profile), formatting, lints and the Rust tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [%ss] %s\n' "$SECONDS" "$*"; }
trap 'printf "\n==> [%ss] done\n" "$SECONDS"' EXIT

step "npm ci (solc-js, forge/anvil/cast, OpenZeppelin)"
npm ci --no-audit --no-fund

export PATH="$PWD/node_modules/.bin:$PATH" # forge, anvil, cast

step "forge fmt --check"
forge fmt --check

step "forge test (profile ${FOUNDRY_PROFILE:=ci})"
FOUNDRY_PROFILE="$FOUNDRY_PROFILE" forge test

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo nextest run"
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi
