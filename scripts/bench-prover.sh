#!/usr/bin/env bash
# Verification speed of the prover against the sequencer's own, on the same blocks
# (prover/examples/verify_speed.rs). Builds the release binaries it drives, then runs it, e.g.
#   scripts/bench-prover.sh               # 20,000 transfers
#   scripts/bench-prover.sh --txs 5000
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/anvil ]; then
  npm ci --no-audit --no-fund # anvil 1.7.1 comes from package.json
fi
cargo build --release -p tributary-sequencer -p tributary-devnet -p tributary-prover --bins
exec cargo run --release -p tributary-prover --example verify_speed -- "$@"
