#!/usr/bin/env bash
# End-to-end benchmark of `sequencer --dev` against anvil (see bench/README.md).
# Builds the sequencer and the bench in release mode, then runs `bench` with the given options, e.g.
#   scripts/bench.sh                                  # everything: transfers, erc20, settle, latency; 2 rounds each
#   scripts/bench.sh --only anvil --txs 5000          # anvil alone
#   scripts/bench.sh --workloads transfers --json target/bench.json
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/anvil ]; then
  npm ci --no-audit --no-fund # anvil 1.7.1 comes from package.json
fi

packages=(-p tributary-bench)
only_anvil=false
prev=""
for arg in "$@"; do
  if [ "$arg" = "--only=anvil" ] || { [ "$prev" = "--only" ] && [ "$arg" = "anvil" ]; }; then
    only_anvil=true
  fi
  prev="$arg"
done
if [ "$only_anvil" = false ]; then
  packages+=(-p tributary-sequencer)
fi

cargo build --release "${packages[@]}"
exec target/release/bench "$@"
