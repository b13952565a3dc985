#!/usr/bin/env bash
# The devnet, in one command: anvil as the L1 (127.0.0.1:8546, Prague, 1 s blocks), Tributary's L1 contracts,
# the L2 genesis, the sequencer with batcher and proposer (JSON-RPC on 127.0.0.1:8545, /health and /metrics on
# 127.0.0.1:9001), the ten dev accounts funded on L1 and, through real deposits, on L2, and the paid-inference
# gateway (127.0.0.1:8550; docs/gateway.md). Everything lives in
# .devnet/ (devnet.json has the URLs, contracts and keys); a second run resumes the same chains.
# Ctrl-C stops everything. Extra arguments go to the devnet binary (see `devnet --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
cargo build --release --locked -p tributary-sequencer -p tributary-devnet -p tributary-cli -p tributary-gateway
exec "${CARGO_TARGET_DIR:-target}/release/devnet" --dir .devnet --gateway "$@"
