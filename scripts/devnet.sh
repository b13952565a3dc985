#!/usr/bin/env bash
# The devnet: anvil as the L1 on 127.0.0.1:8546 (Prague, 1 s blocks) with Tributary's L1 contracts deployed.
# State lives in .devnet/: a second run resumes the same L1 chain and deployment. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

L1_PORT="${L1_PORT:-8546}"
L1_RPC="http://127.0.0.1:${L1_PORT}"
DIR=.devnet
# anvil's first dev account (mnemonic "test test ... junk"): deployer and every role on the devnet.
export DEPLOYER_PRIVATE_KEY="${DEPLOYER_PRIVATE_KEY:-0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80}"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
export PATH="$PWD/node_modules/.bin:$PATH"
cargo build --release --locked -p tributary-deploy --bin deploy
mkdir -p "$DIR"

anvil --host 127.0.0.1 --port "$L1_PORT" --hardfork prague --block-time 1 \
  --state "$DIR/l1-state.json" --state-interval 10 >"$DIR/anvil.log" 2>&1 &
ANVIL_PID=$!
stop() { kill -INT "$ANVIL_PID" 2>/dev/null || true; wait "$ANVIL_PID" 2>/dev/null || true; }
trap 'stop; exit 0' INT TERM
trap stop EXIT

for _ in $(seq 1 100); do cast chain-id --rpc-url "$L1_RPC" >/dev/null 2>&1 && break; sleep 0.1; done
cast chain-id --rpc-url "$L1_RPC" >/dev/null

# Resume when the recorded deployment is still on this L1; deploy otherwise.
if [ -f "$DIR/deployment.json" ] &&
  [ "$(cast code --rpc-url "$L1_RPC" "$(node -p "require('./$DIR/deployment.json').contracts.rollup")")" != "0x" ]; then
  echo "resuming the devnet recorded in $DIR/deployment.json"
else
  "${CARGO_TARGET_DIR:-target}/release/deploy" --l1-rpc "$L1_RPC" --out "$DIR/deployment.json"
fi

echo "L1 RPC:     $L1_RPC (chain id $(cast chain-id --rpc-url "$L1_RPC"))"
echo "deployment: $DIR/deployment.json"
cat "$DIR/deployment.json"
echo "devnet running; Ctrl-C stops it"
wait "$ANVIL_PID"
