#!/usr/bin/env bash
# A dApp developer's flow with foundry's cast against an Ethereum JSON-RPC endpoint.
#
#   bash tests/clients/cast-flow.sh http://127.0.0.1:8545 [--strict]
#
# Signs with dev account 0 of the "test ... junk" mnemonic, taken from $PRIVATE_KEY (default: that well-known dev key;
# it only ever reaches cast's --private-key flag). cast is $CAST, else node_modules/.bin/cast of this repository.
# Prints one `ok` line per passed check; exits 1 with a `FAIL` line on the first failed check.
# --strict additionally requires geth's exact error wording ("execution reverted: nope").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

RPC="${RPC_URL:-}"
STRICT=0
for arg in "$@"; do
  case "$arg" in
    --strict) STRICT=1 ;;
    --rpc=*) RPC="${arg#--rpc=}" ;;
    -h | --help)
      echo "usage: bash tests/clients/cast-flow.sh <rpc-url> [--strict]" >&2
      exit 2
      ;;
    -*)
      echo "cast-flow: unknown option $arg" >&2
      exit 2
      ;;
    *) RPC="$arg" ;;
  esac
done
if [[ -z "$RPC" ]]; then
  echo "usage: bash tests/clients/cast-flow.sh <rpc-url> [--strict]" >&2
  exit 2
fi

CAST="${CAST:-$root/node_modules/.bin/cast}"
if ! [[ -x "$CAST" ]]; then
  echo "cast-flow: cast not found at $CAST (run \`npm ci\` at the repository root, or set CAST)" >&2
  exit 2
fi
# Dev account 0 of the standard mnemonic (public, as printed by anvil and `sequencer --dev`).
PRIVATE_KEY="${PRIVATE_KEY:-0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80}"

PASSED=0
ok() {
  PASSED=$((PASSED + 1))
  printf 'ok   %3d - %s\n' "$PASSED" "$*"
}
note() { printf 'note     - %s\n' "$*"; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() {
  # May run in a command substitution: the marker keeps the ERR trap of the main shell from reporting it twice.
  printf 'FAIL - %s\n' "$*" >&2
  touch "$TMP/failed"
  exit 1
}
trap 'rc=$?; [[ -e "$TMP/failed" ]] || echo "FAIL - command failed (exit $rc) at line $LINENO after $PASSED passed checks: $BASH_COMMAND" >&2' ERR

# cast <subcommand> --rpc-url URL <args...>; on failure prints cast's stderr and fails the check named by $CHECK.
c() {
  local sub="$1"
  shift
  if ! "$CAST" "$sub" --rpc-url "$RPC" "$@" 2>"$TMP/err"; then
    fail "${CHECK:-cast $sub}: cast $sub failed: $(cat "$TMP/err")"
  fi
}
# JSON field access without jq, one node process per document:
#   get VAR "$json" '.a' '.b.length' 'BigInt(o.c) > 0n' ...   sets the array VAR to the values of the JavaScript
#   expressions on the parsed document `o` (an expression starting with . or [ is a path into `o`).
get() {
  local var="$1" json="$2" out
  shift 2
  out="$(node -e '
    const o = JSON.parse(process.argv[1]);
    for (const e of process.argv.slice(2)) {
      const v = new Function("o", "return " + (/^[.[]/.test(e) ? "o" + e : e))(o);
      console.log(v !== null && typeof v === "object" ? JSON.stringify(v) : String(v));
    }' "$json" "$@")" || fail "${CHECK:-json}: cannot read $* from: $json"
  mapfile -t "$var" <<<"$out"
}
# Arbitrary-precision integer arithmetic: `big '%s - %s' 0x10 3` (arguments are decimal or 0x-hex).
big() {
  local expr="$1"
  shift
  local args=()
  for a in "$@"; do args+=("BigInt('$a')"); done
  # shellcheck disable=SC2059
  node -e "console.log(String($(printf "$expr" "${args[@]}")))"
}
is_hash() { [[ "$1" =~ ^0x[0-9a-fA-F]{64}$ ]]; }
lower() { tr '[:upper:]' '[:lower:]' <<<"$1"; }

echo "# cast flow against $RPC$([[ $STRICT == 1 ]] && echo ' --strict') ($("$CAST" --version | head -1))"

# --- chain ----------------------------------------------------------------------------------------------------------
CHECK="cast chain-id"
CHAIN_ID="$(c chain-id)"
[[ "$CHAIN_ID" =~ ^[0-9]+$ && "$CHAIN_ID" -gt 0 ]] || fail "cast chain-id: not a positive integer: $CHAIN_ID"
[[ $(($(c rpc eth_chainId | tr -d '"'))) == "$CHAIN_ID" ]] || fail "cast chain-id disagrees with eth_chainId"
ok "cast chain-id = $CHAIN_ID"

CHECK="cast block-number"
BN0="$(c block-number)"
[[ "$BN0" =~ ^[0-9]+$ ]] || fail "cast block-number: $BN0"
ok "cast block-number = $BN0"

FROM="$("$CAST" wallet address --private-key "$PRIVATE_KEY")"
CHECK="cast balance"
BAL0="$(c balance "$FROM")"
[[ "$(big '%s > 10n**18n' "$BAL0")" == true ]] || fail "cast balance: dev account 0 $FROM is not funded ($BAL0 wei)"
ok "cast balance $FROM = $BAL0 wei"

CHECK="cast nonce"
NONCE0="$(c nonce "$FROM")"
[[ "$NONCE0" =~ ^[0-9]+$ ]] || fail "cast nonce: $NONCE0"
PENDING0="$(c nonce "$FROM" --block pending)"
[[ "$PENDING0" == "$NONCE0" ]] || fail "dev account 0 has pending transactions (latest nonce $NONCE0, pending $PENDING0); is another test using it?"
ok "cast nonce = $NONCE0 (latest = pending)"

CHECK="cast gas-price"
GAS_PRICE="$(c gas-price)"
[[ "$GAS_PRICE" =~ ^[0-9]+$ && "$GAS_PRICE" -gt 0 ]] || fail "cast gas-price: $GAS_PRICE"
ok "cast gas-price = $GAS_PRICE"

# --- value transfer -------------------------------------------------------------------------------------------------
TO="$("$CAST" to-check-sum-address "0x$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')")"
[[ "$(c balance "$TO")" == 0 ]] || fail "fresh address $TO has a balance"
VALUE=12345678900000000
CHECK="cast send (value transfer)"
SEND="$(c send --private-key "$PRIVATE_KEY" --json "$TO" --value "$VALUE")"
get S "$SEND" .transactionHash
TX="${S[0]}"
is_hash "$TX" || fail "cast send: no transaction hash in $SEND"
ok "cast send $VALUE wei to fresh $TO: tx $TX"

CHECK="cast receipt"
RCPT="$(c receipt "$TX" --json)"
get R "$RCPT" .status .blockHash .transactionHash '.from.toLowerCase()' '.to.toLowerCase()' .gasUsed .effectiveGasPrice \
  '.l1Fee ?? "0x0"' .blockNumber .logsBloom.length .cumulativeGasUsed .type
[[ "${R[0]}" == 0x1 ]] || fail "cast receipt: status is not 0x1: $RCPT"
is_hash "${R[1]}" && [[ "${R[2]}" == "$TX" ]] || fail "cast receipt: blockHash / transactionHash: $RCPT"
[[ "${R[3]}" == "$(lower "$FROM")" && "${R[4]}" == "$(lower "$TO")" ]] || fail "cast receipt: from / to: $RCPT"
RBLOCK_HASH="${R[1]}" GAS_USED=$((R[5])) EGP="${R[6]}" L1FEE="${R[7]}" RBN=$((R[8]))
[[ $GAS_USED == 21000 ]] || fail "cast receipt: gasUsed $GAS_USED != 21000"
[[ "${R[9]}" == 514 && "${R[10]}" =~ ^0x[0-9a-f]+$ && "${R[11]}" == 0x2 ]] || fail "cast receipt: logsBloom / cumulativeGasUsed / type: $RCPT"
ST="$(c receipt "$TX" status)"
[[ "$ST" == true || "$ST" == 1* ]] || fail "cast receipt $TX status: $ST"
ok "cast receipt: status 1, block $RBN, from/to, gasUsed 21000, effectiveGasPrice $((EGP)), type 0x2, logsBloom, l1Fee $(big '%s' "$L1FEE")"

CHECK="cast tx"
TXJ="$(c tx "$TX" --json)"
get T "$TXJ" .hash '.from.toLowerCase()' .value .nonce .chainId .blockHash
[[ "${T[0]}" == "$TX" && "${T[1]}" == "$(lower "$FROM")" && "$(big '%s' "${T[2]}")" == "$VALUE" && $((T[3])) == "$NONCE0" &&
  $((T[4])) == "$CHAIN_ID" && "${T[5]}" == "$RBLOCK_HASH" ]] || fail "cast tx: fields do not match: $TXJ"
ok "cast tx: hash, from, value, nonce, chainId, blockHash"

CHECK="cast balance after"
[[ "$(c balance "$TO")" == "$VALUE" ]] || fail "recipient balance $(c balance "$TO") != $VALUE"
ok "recipient balance = $VALUE"
BAL1="$(c balance "$FROM")"
read -r PAID COST < <(big '%s - %s + " " + (%s + %s * %s + %s)' "$BAL0" "$BAL1" "$VALUE" "$GAS_USED" "$EGP" "$L1FEE")
[[ "$PAID" == "$COST" ]] || fail "sender paid $PAID, expected value + gasUsed*effectiveGasPrice + l1Fee = $COST"
ok "sender paid exactly value + gasUsed*effectiveGasPrice + l1Fee = $COST"
BN1="$(c block-number)"
[[ "$BN1" -ge "$RBN" && "$BN1" -gt "$BN0" ]] || fail "cast block-number did not advance past the receipt's block ($BN0 -> $BN1)"
ok "cast block-number advanced ($BN0 -> $BN1)"

# --- blocks ---------------------------------------------------------------------------------------------------------
CHECK="cast block latest"
BLK="$(c block latest --json)"
get B "$BLK" .hash .parentHash .stateRoot .transactionsRoot .receiptsRoot .baseFeePerGas .number
for i in 0 1 2 3 4; do is_hash "${B[i]}" || fail "cast block latest: hash/parentHash/stateRoot/transactionsRoot/receiptsRoot: $BLK"; done
[[ "${B[5]}" =~ ^0x[0-9a-f]+$ ]] || fail "cast block latest: no baseFeePerGas: $BLK"
ok "cast block latest (#$((B[6]))): hash, parentHash, stateRoot ${B[2]:0:12}…, roots, baseFeePerGas $((B[5]))"
CHECK="cast block <n>"
get B "$(c block "$RBN" --json)" .hash ".transactions.includes('$TX')"
[[ "${B[0]}" == "$RBLOCK_HASH" ]] || fail "cast block $RBN: hash ${B[0]} differs from the receipt's blockHash $RBLOCK_HASH"
[[ "${B[1]}" == true ]] || fail "cast block $RBN: does not list $TX"
[[ "$(c block "$RBLOCK_HASH" -f number)" == "$RBN" ]] || fail "cast block <hash> -f number"
ok "cast block <number> / <hash>: same block, lists the transaction"

# --- contract -------------------------------------------------------------------------------------------------------
CHECK="compile Store.sol"
BYTECODE="$(node "$here/compile.mjs" Store.sol:Store --bytecode)" || fail "compile.mjs Store.sol failed"
RUNTIME="$(node "$here/compile.mjs" Store.sol:Store --deployed)"
ok "compiled Store.sol with solc-js ($(((${#BYTECODE} - 2) / 2)) bytes of init code)"

CHECK="cast send --create"
DEPLOY="$(c send --private-key "$PRIVATE_KEY" --json --create "$BYTECODE" "constructor(uint256)" 42)"
get D "$DEPLOY" .status .contractAddress .blockNumber .logs.length .transactionHash
[[ "${D[0]}" == 0x1 ]] || fail "cast send --create: status: $DEPLOY"
ADDR="${D[1]}" DEPLOY_BLOCK=$((D[2])) DEPLOY_BLOCK_HEX="${D[2]}"
[[ "$ADDR" =~ ^0x[0-9a-fA-F]{40}$ ]] || fail "cast send --create: no contractAddress: $DEPLOY"
[[ "$(lower "$ADDR")" == "$(lower "$("$CAST" compute-address "$FROM" --nonce $((NONCE0 + 1)) | awk '{print $NF}')")" ]] ||
  fail "contract address $ADDR is not CREATE(sender, nonce $((NONCE0 + 1)))"
[[ "${D[3]}" == 1 ]] || fail "cast send --create: expected the constructor's Stored log: $DEPLOY"
ok "cast send --create: Store at $ADDR (block $DEPLOY_BLOCK), address = CREATE(sender, nonce)"

CHECK="cast code"
[[ "$(lower "$(c code "$ADDR")")" == "$(lower "$RUNTIME")" ]] || fail "cast code differs from the compiled runtime bytecode"
ok "cast code equals the compiled runtime bytecode"

CHECK="cast call"
V="$(c call "$ADDR" "value()(uint256)")"
[[ "$V" == 42 ]] || fail "cast call value(): $V"
ok "cast call value() = 42"

CHECK="cast estimate"
EST="$(c estimate "$ADDR" "set(uint256,uint256)" 7 99 --from "$FROM")"
[[ "$EST" =~ ^[0-9]+$ && "$EST" -gt 21000 && "$EST" -lt 100000 ]] || fail "cast estimate set(): $EST"
ok "cast estimate set(7, 99) = $EST"

CHECK="cast send (contract call)"
SET="$(c send --private-key "$PRIVATE_KEY" --json "$ADDR" "set(uint256,uint256)" 7 99)"
get X "$SET" .status .blockNumber .gasUsed .transactionHash
[[ "${X[0]}" == 0x1 ]] || fail "cast send set(): $SET"
SET_BLOCK=$((X[1])) SET_GAS=$((X[2])) SET_TX="${X[3]}"
[[ "$SET_GAS" -le "$EST" ]] || fail "gasUsed $SET_GAS > estimate $EST"
ok "cast send set(7, 99): status 1, gasUsed $SET_GAS <= estimate"
V="$(c call "$ADDR" "value()(uint256)")"
[[ "$V" == 99 ]] || fail "cast call value() after set: $V"
ok "cast call value() = 99 after set"

CHECK="cast storage"
V="$(c storage "$ADDR" 0)"
[[ "$V" == 0x0000000000000000000000000000000000000000000000000000000000000063 ]] || fail "cast storage slot 0: $V"
ok "cast storage $ADDR 0 = 0x…63"

CHECK="cast logs"
SIG="Stored(address indexed who,uint256 indexed key,uint256 value)"
TOPIC0="$("$CAST" keccak "Stored(address,uint256,uint256)")"
LOGS="$(c logs --from-block "$DEPLOY_BLOCK" --to-block latest --address "$ADDR" "$SIG" "$FROM" --json)"
get L "$LOGS" .length '[0]?.topics[0]' '[1]?.transactionHash' '[0]?.address.toLowerCase()'
[[ "${L[0]}" == 2 ]] || fail "cast logs (address + sig + who): expected 2 logs, got $LOGS"
[[ "${L[1]}" == "$TOPIC0" && "${L[2]}" == "$SET_TX" && "${L[3]}" == "$(lower "$ADDR")" ]] || fail "cast logs: topic0 / transaction hash / address: $LOGS"
ok "cast logs --address <Store> 'Stored(...)' <sender>: constructor and set() logs"
LOGS="$(c logs --from-block "$DEPLOY_BLOCK" --to-block latest --address "$ADDR" "$SIG" "" 7 --json)"
get L "$LOGS" .length '[0]?.data'
[[ "${L[0]}" == 1 && $((L[1])) == 99 ]] || fail "cast logs (key = 7): $LOGS"
ok "cast logs with a wildcard and an indexed uint topic (key = 7): 1 log, value 99"
KEY0="0x0000000000000000000000000000000000000000000000000000000000000000"
LOGS="$(c logs --from-block "$DEPLOY_BLOCK" --to-block "$SET_BLOCK" --address "$ADDR" "$TOPIC0" "" "$KEY0" --json)"
get L "$LOGS" .length '[0]?.blockNumber'
[[ "${L[0]}" == 1 && $((L[1])) == "$DEPLOY_BLOCK" ]] || fail "cast logs (raw topics, key = 0): $LOGS"
ok "cast logs with raw topics (topic0, *, key 0): the constructor's log"
OTHER="0x000000000000000000000000000000000000dEaD"
[[ "$(c logs --from-block "$DEPLOY_BLOCK" --to-block latest --address "$ADDR" "$SIG" "$OTHER" --json | tr -d ' \n')" == "[]" ]] || fail "cast logs with a non-matching topic returned logs"
[[ "$(c logs --from-block "$DEPLOY_BLOCK" --to-block latest --address "$OTHER" "$SIG" --json | tr -d ' \n')" == "[]" ]] || fail "cast logs with a non-matching address returned logs"
ok "cast logs with a non-matching topic / address: none"

# --- proofs ---------------------------------------------------------------------------------------------------------
CHECK="cast rpc eth_getProof"
PROOF="$(c rpc eth_getProof "$FROM" '[]' latest)"
get P "$PROOF" .accountProof.length .nonce 'BigInt(o.balance) > 0n' .codeHash
[[ "${P[0]}" -gt 0 ]] || fail "eth_getProof: empty accountProof: $PROOF"
[[ $((P[1])) -ge $((NONCE0 + 2)) && "${P[2]}" == true ]] || fail "eth_getProof: nonce / balance: $PROOF"
[[ "${P[3]}" == "$("$CAST" keccak 0x)" ]] || fail "eth_getProof: codeHash of an EOA is not keccak256(\"\"): $PROOF"
ok "cast rpc eth_getProof <account 0>: accountProof of ${P[0]} nodes, nonce $((P[1])), empty codeHash"
PROOF="$(c rpc eth_getProof "$ADDR" "[\"$KEY0\"]" latest)"
get P "$PROOF" '.storageProof[0].value' '.storageProof[0].proof.length'
[[ $((P[0])) == 99 && "${P[1]}" -gt 0 ]] || fail "eth_getProof: storage proof of slot 0: $PROOF"
ok "cast rpc eth_getProof <Store> [slot 0]: storage proof of ${P[1]} nodes with value 99"

# --- revert reason --------------------------------------------------------------------------------------------------
for cmd in call estimate; do
  if out="$("$CAST" "$cmd" "$ADDR" "fail()" --from "$FROM" --rpc-url "$RPC" 2>&1)"; then
    fail "cast $cmd fail(): expected a revert, got: $out"
  fi
  if [[ $STRICT == 1 ]]; then
    [[ "$out" == *"execution reverted: nope"* ]] || fail "cast $cmd fail(): expected geth's \"execution reverted: nope\", got: $out"
  else
    [[ "$out" == *"execution reverted"* && "$out" == *nope* ]] || fail "cast $cmd fail(): expected \"execution reverted\" with reason \"nope\", got: $out"
  fi
  ok "cast $cmd fail() reverts: $(grep -o 'execution reverted[^,]*' <<<"$out" | head -1)"
done

echo "# all $PASSED checks passed"
