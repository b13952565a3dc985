#!/usr/bin/env node
// A wallet's and a dApp's flow against an Ethereum JSON-RPC endpoint, driven by viem (a real client).
//
//   node tests/clients/wallet-flow.mjs --rpc http://127.0.0.1:8545 [--strict] [--account-index 1]
//
// Prints one `ok` line per passed check; exits 1 with a `FAIL` line on the first failed check.
// --require-l1-fee requires receipts to carry the L2's `l1Fee` field (our node; anvil has none).
// --strict additionally requires geth's rules and error strings for the rejected transactions (our node must pass
// with --strict). Without it, a node only has to reject the bad transactions, with any wording; where anvil knowingly
// deviates from geth's rules (it accepts pre-EIP-155 and foreign-chain legacy transactions and some < 10% fee bumps),
// the check prints a `note` line instead of failing. See tests/clients/README.md.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  parseEther,
  parseGwei,
  keccak256,
  encodeAbiParameters,
  encodeFunctionData,
  decodeErrorResult,
  parseEventLogs,
  getAbiItem,
  toFunctionSelector,
  serializeTransaction,
  parseSignature,
  pad,
  toHex,
  zeroAddress,
  isAddressEqual,
  BaseError,
  ContractFunctionRevertedError,
} from 'viem';
import { mnemonicToAccount, privateKeyToAccount, generatePrivateKey } from 'viem/accounts';
import { compile } from './compile.mjs';
import { CheckFailed, check, eq, fail, note, notes, ok, passed, short, show } from './checks.mjs';

// ---------------------------------------------------------------------------------------------------------------
// Arguments and reporting

const MNEMONIC = 'test test test test test test test test test test test junk';
const MULTICALL3 = '0xcA11bde05977b3631167028862bE2a173976CA11';
const EMPTY_CODE_HASH = keccak256('0x');
const EMPTY_TRIE_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

function usage(msg) {
  if (msg) console.error(`wallet-flow: ${msg}`);
  console.error('usage: node tests/clients/wallet-flow.mjs --rpc <url> [--strict] [--require-l1-fee] [--account-index N] [--timeout SECONDS]');
  process.exit(2);
}

const opts = { rpc: process.env.RPC_URL, strict: false, requireL1Fee: false, accountIndex: 1, timeout: 60 };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--rpc' || a === '--rpc-url') opts.rpc = val();
    else if (a.startsWith('--rpc=')) opts.rpc = a.slice(6);
    else if (a === '--strict') opts.strict = true;
    else if (a === '--require-l1-fee') opts.requireL1Fee = true;
    else if (a === '--account-index') opts.accountIndex = Number(val());
    else if (a === '--timeout') opts.timeout = Number(val());
    else if (a === '-h' || a === '--help') usage();
    else if (!a.startsWith('-') && !opts.rpc) opts.rpc = a;
    else usage(`unknown argument ${a}`);
  }
  if (!opts.rpc) usage('missing --rpc <url>');
  if (!Number.isInteger(opts.accountIndex) || opts.accountIndex < 0 || opts.accountIndex > 9) usage('--account-index must be 0..9');
}

/** The JSON-RPC error message inside a viem error (the deepest `details`), or its message. */
function rpcMessage(e) {
  let x = e;
  let details;
  while (x) {
    if (typeof x.details === 'string' && x.details) details = x.details;
    x = x.cause;
  }
  return details ?? e?.shortMessage ?? e?.message ?? String(e);
}
/** Every message and data field in a viem error chain, for "does the error mention X" checks. */
function errorText(e) {
  const parts = [];
  for (let x = e; x; x = x.cause) {
    for (const k of ['details', 'shortMessage', 'message', 'reason']) if (typeof x[k] === 'string') parts.push(x[k]);
    if (typeof x.data === 'string') parts.push(x.data);
  }
  return parts.join(' | ');
}
async function expectThrow(promise, what) {
  try {
    const r = await promise;
    fail(`${what}: expected an error, got ${show(r)}`);
  } catch (e) {
    if (e instanceof CheckFailed) throw e;
    return e;
  }
}

// Raw JSON-RPC, for the checks that are about the wire format itself (error codes and data).
let rpcId = 1;
async function rawRpc(method, params) {
  const res = await fetch(opts.rpc, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: rpcId++, method, params }),
  });
  if (!res.ok) fail(`${method}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

// ---------------------------------------------------------------------------------------------------------------
// Clients

const transport = http(opts.rpc, { retryCount: 0, timeout: 30_000 });
const probe = createPublicClient({ transport });
const account = mnemonicToAccount(MNEMONIC, { addressIndex: opts.accountIndex });
let chain;
let pc; // public client
let wallet; // wallet client of `account`
const timeoutMs = opts.timeout * 1000;

async function waitReceipt(hash, what) {
  const r = await pc.waitForTransactionReceipt({ hash, timeout: timeoutMs, pollingInterval: 100 });
  if (r.status !== 'success') fail(`${what}: receipt status ${r.status} (tx ${hash})`);
  return r;
}
/** Extra fee charged by an L2 on top of gasUsed * effectiveGasPrice, as reported in the receipt. */
function l1FeeOf(receipt) {
  const v = receipt.l1Fee;
  if (v === undefined || v === null) return 0n;
  return typeof v === 'bigint' ? v : BigInt(v);
}

// ---------------------------------------------------------------------------------------------------------------
// The flow

async function chainAndFees() {
  const chainId = await probe.getChainId();
  check(Number.isInteger(chainId) && chainId > 0, `eth_chainId = ${chainId}`);
  chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [opts.rpc] } },
    contracts: { multicall3: { address: MULTICALL3 } },
  });
  pc = createPublicClient({ chain, transport, pollingInterval: 100 });
  wallet = createWalletClient({ chain, transport, account, pollingInterval: 100 });

  const netVersion = await pc.request({ method: 'net_version' });
  eq(netVersion, String(chainId), 'net_version matches the chain id');
  eq(await pc.request({ method: 'eth_syncing' }), false, 'eth_syncing');

  const latest = await pc.getBlock();
  check(typeof latest.baseFeePerGas === 'bigint' && latest.baseFeePerGas > 0n, `latest block ${latest.number} has baseFeePerGas ${latest.baseFeePerGas}`);
  const gasPrice = await pc.getGasPrice();
  check(gasPrice > 0n, `eth_gasPrice = ${gasPrice}`);
  const tip = await pc.estimateMaxPriorityFeePerGas();
  check(tip >= 0n, `estimateMaxPriorityFeePerGas = ${tip}`);
  const fees = await pc.estimateFeesPerGas();
  check(
    fees.maxFeePerGas >= latest.baseFeePerGas && fees.maxPriorityFeePerGas <= fees.maxFeePerGas,
    `estimateFeesPerGas: maxFeePerGas ${fees.maxFeePerGas} >= base fee, maxPriorityFeePerGas ${fees.maxPriorityFeePerGas}`,
    fees,
  );

  // eth_feeHistory pinned to a block, so that it can be compared with that block's header.
  const b = latest.number;
  const count = Number(b + 1n < 4n ? b + 1n : 4n);
  const hist = await pc.getFeeHistory({ blockCount: count, blockNumber: b, rewardPercentiles: [25, 75] });
  eq(hist.oldestBlock, b - BigInt(count) + 1n, `eth_feeHistory(${count} blocks to ${b}) oldestBlock`);
  check(
    hist.baseFeePerGas.length === count + 1 && hist.gasUsedRatio.length === count && hist.reward?.length === count && hist.reward.every((r) => r.length === 2),
    `eth_feeHistory shapes: ${count + 1} base fees (incl. next block), ${count} gasUsedRatio, ${count} reward rows of 2`,
    hist,
  );
  eq(hist.baseFeePerGas[count - 1], latest.baseFeePerGas, `eth_feeHistory base fee of block ${b} matches its header`);
  check(hist.gasUsedRatio.every((x) => x >= 0 && x <= 1), 'eth_feeHistory gasUsedRatio within [0, 1]', hist.gasUsedRatio);
  return chainId;
}

/** Sends a value transfer with `wallet`, waits, and checks the recipient's and the sender's exact balances. */
async function transfer(kind, request, { checkPending = false } = {}) {
  const from = account.address;
  const latestNonce = await pc.getTransactionCount({ address: from, blockTag: 'latest' });
  const pendingNonce = await pc.getTransactionCount({ address: from, blockTag: 'pending' });
  if (latestNonce !== pendingNonce) {
    fail(`${kind}: sender ${from} has pending transactions (latest nonce ${latestNonce}, pending ${pendingNonce}); use another --account-index`);
  }
  const before = await pc.getBalance({ address: from });
  const toBefore = await pc.getBalance({ address: request.to });

  const hash = await wallet.sendTransaction(request);
  if (checkPending) {
    const pendingAfter = await pc.getTransactionCount({ address: from, blockTag: 'pending' });
    const latestAfter = await pc.getTransactionCount({ address: from, blockTag: 'latest' });
    eq(pendingAfter, pendingNonce + 1, 'eth_getTransactionCount(pending) counts the just-sent transaction');
    check(
      latestAfter === latestNonce || latestAfter === latestNonce + 1,
      `eth_getTransactionCount(latest) = ${latestAfter} (${latestAfter === latestNonce ? 'tx still pending: latest < pending' : 'tx already mined'})`,
    );
  }
  const receipt = await waitReceipt(hash, kind);
  check(receipt.transactionHash === hash && isAddressEqual(receipt.from, from) && isAddressEqual(receipt.to, request.to), `${kind}: receipt for ${hash} (block ${receipt.blockNumber}, status success)`, receipt);
  const tx = await pc.getTransaction({ hash });
  eq(tx.type, receipt.type, `${kind}: transaction type`);
  eq(tx.nonce, pendingNonce, `${kind}: nonce`);
  eq(tx.value, request.value, `${kind}: value`);
  if (tx.chainId !== undefined) eq(tx.chainId, chain.id, `${kind}: signed chain id`);

  const after = await pc.getBalance({ address: from });
  const toAfter = await pc.getBalance({ address: request.to });
  eq(toAfter - toBefore, request.value, `${kind}: recipient balance grew by exactly the value`);
  const l1Fee = l1FeeOf(receipt);
  const cost = request.value + receipt.gasUsed * receipt.effectiveGasPrice + l1Fee;
  eq(
    before - after,
    cost,
    `${kind}: sender paid exactly value + gasUsed*effectiveGasPrice${receipt.l1Fee !== undefined ? ` + l1Fee (${l1Fee})` : ' (no l1Fee in receipt)'}`,
  );
  return { hash, receipt, tx };
}

async function transfers() {
  const from = account.address;
  const bal = await pc.getBalance({ address: from });
  check(bal > parseEther('1'), `dev account #${opts.accountIndex} ${from} is funded (${bal} wei)`);

  const recipient = privateKeyToAccount(generatePrivateKey()).address;
  eq(await pc.getBalance({ address: recipient }), 0n, `fresh recipient ${recipient} has balance 0`);
  eq(await pc.getTransactionCount({ address: recipient }), 0, 'fresh recipient has nonce 0');
  eq(await pc.getCode({ address: recipient }), undefined, 'fresh recipient has no code');
  eq(await pc.estimateGas({ account: from, to: recipient, value: 1n }), 21000n, 'estimateGas of a value transfer');

  // EIP-1559
  const r1 = await transfer('EIP-1559 transfer', { to: recipient, value: parseEther('0.0123'), type: 'eip1559' }, { checkPending: true });
  eq(r1.receipt.type, 'eip1559', 'EIP-1559 transfer: receipt type 0x2');
  eq(r1.receipt.gasUsed, 21000n, 'EIP-1559 transfer: gasUsed');
  const block = await pc.getBlock({ blockNumber: r1.receipt.blockNumber });
  const tipCap = r1.tx.maxPriorityFeePerGas;
  const feeCap = r1.tx.maxFeePerGas;
  const expectPrice = block.baseFeePerGas + tipCap < feeCap ? block.baseFeePerGas + tipCap : feeCap;
  eq(r1.receipt.effectiveGasPrice, expectPrice, 'EIP-1559 transfer: effectiveGasPrice = min(maxFeePerGas, baseFee + maxPriorityFeePerGas)');
  if (r1.receipt.l1Fee !== undefined && r1.receipt.l1Fee !== null) ok(`receipt carries l1Fee = ${l1FeeOf(r1.receipt)}`);
  else if (opts.requireL1Fee) fail('--require-l1-fee: the receipt has no l1Fee field');
  else note('receipt has no l1Fee field (expected on anvil; our L2 reports one: check it with --require-l1-fee)');

  // Legacy, EIP-155 signed
  const gasPrice = (await pc.getGasPrice()) * 2n;
  const r2 = await transfer('legacy transfer', { to: recipient, value: parseEther('0.0045'), type: 'legacy', gasPrice });
  eq(r2.receipt.type, 'legacy', 'legacy transfer: receipt type 0x0');
  eq(r2.receipt.effectiveGasPrice, gasPrice, 'legacy transfer: effectiveGasPrice = gasPrice');
  check(r2.tx.v === BigInt(chain.id) * 2n + 35n || r2.tx.v === BigInt(chain.id) * 2n + 36n, `legacy transfer: v = ${r2.tx.v} is EIP-155 (chainId*2+35/36)`);

  // EIP-2930 with an access list (one address, no keys: intrinsic gas 21000 + 2400)
  const accessList = [{ address: recipient, storageKeys: [] }];
  const r3 = await transfer('EIP-2930 transfer', { to: recipient, value: 77n, type: 'eip2930', gasPrice, accessList });
  eq(r3.receipt.type, 'eip2930', 'EIP-2930 transfer: receipt type 0x1');
  eq(r3.receipt.gasUsed, 23400n, 'EIP-2930 transfer: gasUsed includes the access-list cost');
  check(r3.tx.accessList?.length === 1 && isAddressEqual(r3.tx.accessList[0].address, recipient), 'EIP-2930 transfer: access list served back by eth_getTransactionByHash', r3.tx.accessList);

  eq(await pc.getBalance({ address: recipient }), parseEther('0.0123') + parseEther('0.0045') + 77n, 'recipient balance is the sum of the three transfers');
  return r1;
}

async function contracts() {
  const from = account.address;
  const t0 = Date.now();
  const { TestToken, Reverter } = compile(['TestToken.sol', 'Reverter.sol']);
  ok(`compiled TestToken (OpenZeppelin ERC20) and Reverter with solc-js in ${Date.now() - t0} ms`);

  // Deploy
  const supply = parseEther('1000000');
  const tokenHash = await wallet.deployContract({ abi: TestToken.abi, bytecode: TestToken.bytecode, args: [supply] });
  const tokenReceipt = await waitReceipt(tokenHash, 'deploy TestToken');
  const token = tokenReceipt.contractAddress;
  check(!!token && tokenReceipt.to === null, `deployed TestToken at ${token} (block ${tokenReceipt.blockNumber})`, tokenReceipt);
  eq(await pc.getCode({ address: token }), TestToken.deployedBytecode, 'eth_getCode of the token equals the compiled runtime bytecode');

  const storedValue = 0x1234n;
  const revHash = await wallet.deployContract({ abi: Reverter.abi, bytecode: Reverter.bytecode, args: [storedValue] });
  const revReceipt = await waitReceipt(revHash, 'deploy Reverter');
  const reverter = revReceipt.contractAddress;
  check(!!reverter, `deployed Reverter at ${reverter}`);
  eq(await pc.getStorageAt({ address: reverter, slot: '0x0' }), pad(toHex(storedValue)), 'eth_getStorageAt(Reverter, slot 0)');

  const tokenC = { address: token, abi: TestToken.abi };
  eq(await pc.readContract({ ...tokenC, functionName: 'totalSupply' }), supply, 'readContract totalSupply');
  eq(await pc.readContract({ ...tokenC, functionName: 'balanceOf', args: [from] }), supply, 'readContract balanceOf(deployer)');
  eq(await pc.readContract({ ...tokenC, functionName: 'symbol' }), 'TTT', 'readContract symbol');

  // ERC-20 transfer
  const holder = privateKeyToAccount(generatePrivateKey()).address;
  const amount = parseEther('1234.5');
  const xferHash = await wallet.writeContract({ ...tokenC, functionName: 'transfer', args: [holder, amount] });
  const xfer = await waitReceipt(xferHash, 'ERC-20 transfer');
  const events = parseEventLogs({ abi: TestToken.abi, logs: xfer.logs, eventName: 'Transfer' });
  check(
    events.length === 1 && isAddressEqual(events[0].address, token) && isAddressEqual(events[0].args.from, from) && isAddressEqual(events[0].args.to, holder) && events[0].args.value === amount,
    'ERC-20 transfer: receipt has the Transfer log',
    xfer.logs,
  );
  check(xfer.logs[0].transactionHash === xferHash && xfer.logs[0].blockHash === xfer.blockHash && xfer.logs[0].logIndex === 0, 'ERC-20 transfer: log carries tx hash, block hash and log index', xfer.logs[0]);
  eq(await pc.readContract({ ...tokenC, functionName: 'balanceOf', args: [holder] }), amount, 'readContract balanceOf(recipient) after transfer');
  eq(await pc.readContract({ ...tokenC, functionName: 'balanceOf', args: [from] }), supply - amount, 'readContract balanceOf(sender) after transfer');
  // OpenZeppelin 5 ERC20 keeps _balances in slot 0: balance of `holder` is at keccak256(holder . 0).
  const balSlot = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [holder, 0n]));
  eq(await pc.getStorageAt({ address: token, slot: balSlot }), pad(toHex(amount)), 'eth_getStorageAt of the mapping slot equals the balance');

  // Logs with address + topic filters
  const transferEvent = getAbiItem({ abi: TestToken.abi, name: 'Transfer' });
  const range = { fromBlock: tokenReceipt.blockNumber, toBlock: xfer.blockNumber };
  let logs = await pc.getLogs({ address: token, event: transferEvent, args: { from, to: holder }, ...range });
  check(logs.length === 1 && logs[0].transactionHash === xferHash && logs[0].args.value === amount, 'eth_getLogs address + topics [Transfer, from, to] finds the transfer', logs);
  logs = await pc.getLogs({ address: token, event: transferEvent, args: { from: zeroAddress }, ...range });
  check(logs.length === 1 && logs[0].transactionHash === tokenHash && logs[0].args.value === supply, 'eth_getLogs topic filter from = 0x0 finds only the mint', logs);
  logs = await pc.getLogs({ address: token, event: transferEvent, args: { to: [holder, from] }, ...range });
  check(logs.length === 2, 'eth_getLogs with an OR of topics finds mint and transfer', logs);
  logs = await pc.getLogs({ address: token, event: transferEvent, args: { to: reverter }, ...range });
  eq(logs.length, 0, 'eth_getLogs with a non-matching topic');
  logs = await pc.getLogs({ address: reverter, event: transferEvent, ...range });
  eq(logs.length, 0, 'eth_getLogs with a non-matching address');
  const evs = await pc.getContractEvents({ ...tokenC, eventName: 'Transfer', args: { to: holder }, fromBlock: tokenReceipt.blockNumber, toBlock: 'latest' });
  check(evs.length === 1 && evs[0].eventName === 'Transfer' && evs[0].args.value === amount, 'getContractEvents(Transfer, to = recipient, to latest)', evs);
  const byHash = await pc.getLogs({ address: token, blockHash: xfer.blockHash });
  check(byHash.length === 1 && byHash[0].transactionHash === xferHash, 'eth_getLogs by blockHash', byHash);

  await filters(tokenC, from);
  await multicall(tokenC, reverter, Reverter.abi, from, holder, supply, amount);
  await reverts(reverter, Reverter.abi, from);
  await blocksAndTxs(xfer, xferHash, from);
  await proofs(from, reverter, storedValue);
  return { token, reverter };
}

async function filters(tokenC, from) {
  // How ethers and viem poll events over HTTP: eth_newFilter / eth_newBlockFilter, then eth_getFilterChanges.
  const start = await pc.getBlockNumber({ cacheTime: 0 });
  const filter = await pc.createContractEventFilter({ ...tokenC, eventName: 'Transfer', args: { from }, fromBlock: start });
  check(typeof filter.id === 'string' && filter.id.startsWith('0x'), `eth_newFilter (address + topics) id ${filter.id}`);
  const blockFilter = await pc.createBlockFilter();
  check(typeof blockFilter.id === 'string' && blockFilter.id.startsWith('0x'), `eth_newBlockFilter id ${blockFilter.id}`);

  const to = privateKeyToAccount(generatePrivateKey()).address;
  const receipts = [];
  for (const value of [1n, 2n]) {
    const h = await wallet.writeContract({ ...tokenC, functionName: 'transfer', args: [to, value] });
    receipts.push(await waitReceipt(h, `ERC-20 transfer of ${value}`));
  }
  const hashes = receipts.map((r) => r.transactionHash);

  // geth reports only logs of blocks mined after installation; anvil's first poll also returns the logs of block
  // `start` (the filter's fromBlock), which already existed.
  const changes = await pc.getFilterChanges({ filter });
  const fresh = changes.filter((l) => l.blockNumber > start);
  const old = changes.filter((l) => !(l.blockNumber > start));
  check(
    fresh.length === 2 && fresh.every((l, i) => l.transactionHash === hashes[i] && l.args.value === BigInt(i + 1) && isAddressEqual(l.args.to, to)),
    'eth_getFilterChanges returns the two new Transfer logs, decoded',
    changes,
  );
  if (old.length) {
    if (opts.strict) fail(`eth_getFilterChanges returned ${old.length} logs of block ${start}, mined before the filter was installed`);
    note(`eth_getFilterChanges also returned ${old.length} log(s) of block ${start}, mined before the filter was installed (anvil)`);
  }
  eq((await pc.getFilterChanges({ filter })).length, 0, 'eth_getFilterChanges again: nothing new');
  const all = await pc.getFilterLogs({ filter });
  check(
    hashes.every((h) => all.some((l) => l.transactionHash === h)) && all.every((l) => isAddressEqual(l.address, tokenC.address) && isAddressEqual(l.args.from, from)),
    `eth_getFilterLogs returns the matching logs from block ${start} (${all.length})`,
    all,
  );
  const blocks = await pc.getFilterChanges({ filter: blockFilter });
  check(
    Array.isArray(blocks) && receipts.every((r) => blocks.includes(r.blockHash)),
    `eth_getFilterChanges(block filter) lists the new block hashes (${blocks.length})`,
    { blocks, want: receipts.map((r) => r.blockHash) },
  );
  eq(await pc.uninstallFilter({ filter }), true, 'eth_uninstallFilter(log filter)');
  eq(await pc.uninstallFilter({ filter: blockFilter }), true, 'eth_uninstallFilter(block filter)');
  const e = await expectThrow(pc.getFilterChanges({ filter }), 'eth_getFilterChanges on an uninstalled filter');
  const msg = rpcMessage(e);
  if (opts.strict) check(msg.includes('filter not found'), `eth_getFilterChanges on an uninstalled filter fails: "${msg}"`, msg);
  else ok(`eth_getFilterChanges on an uninstalled filter fails: "${msg}"`);
}

async function multicall(tokenC, reverter, reverterAbi, from, holder, supply, amount) {
  const code = await pc.getCode({ address: MULTICALL3 });
  let multicallAddress = MULTICALL3;
  if (code && code.length > 2) ok(`Multicall3 is deployed at ${MULTICALL3} (${(code.length - 2) / 2} bytes)`);
  else if (opts.strict) fail(`no code at the Multicall3 address ${MULTICALL3} (it must be in genesis)`);
  else {
    const { MulticallLite } = compile(['MulticallLite.sol']);
    const h = await wallet.deployContract({ abi: MulticallLite.abi, bytecode: MulticallLite.bytecode });
    multicallAddress = (await waitReceipt(h, 'deploy MulticallLite')).contractAddress;
    note(`no Multicall3 at ${MULTICALL3} (anvil has no such predeploy); deployed an aggregate3-compatible MulticallLite at ${multicallAddress} instead`);
  }
  const res = await pc.multicall({
    multicallAddress,
    allowFailure: true,
    contracts: [
      { ...tokenC, functionName: 'balanceOf', args: [from] },
      { ...tokenC, functionName: 'balanceOf', args: [holder] },
      { ...tokenC, functionName: 'totalSupply' },
      { address: reverter, abi: reverterAbi, functionName: 'stored' },
      { address: reverter, abi: reverterAbi, functionName: 'fail' },
    ],
  });
  check(
    res.slice(0, 4).every((r) => r.status === 'success') &&
      res[1].result === amount &&
      res[2].result === supply &&
      res[0].result === supply - amount - 3n &&
      res[3].result === 0x1234n,
    'multicall (Multicall3 aggregate3): balances, totalSupply, stored value',
    res,
  );
  const failed = res[4];
  check(failed.status === 'failure' && errorText(failed.error).includes('nope'), 'multicall: the reverting call fails alone, with reason "nope"', failed.error?.message);
}

async function reverts(reverter, abi, from) {
  // Reason string through simulateContract (eth_call)
  let e = await expectThrow(pc.simulateContract({ address: reverter, abi, functionName: 'fail', account: from }), 'simulateContract fail()');
  let revert = e instanceof BaseError ? e.walk((x) => x instanceof ContractFunctionRevertedError) : null;
  check(revert?.reason === 'nope', 'simulateContract surfaces the revert reason "nope"', errorText(e));

  // Plain call / estimateGas (no ABI): the reason must still be in the error
  const data = encodeFunctionData({ abi, functionName: 'fail' });
  e = await expectThrow(pc.call({ account: from, to: reverter, data }), 'eth_call fail()');
  check(errorText(e).includes('nope'), `call() error mentions "nope": "${rpcMessage(e)}"`, errorText(e));
  e = await expectThrow(pc.estimateGas({ account: from, to: reverter, data }), 'eth_estimateGas fail()');
  check(errorText(e).includes('nope'), `estimateGas() error mentions "nope": "${rpcMessage(e)}"`, errorText(e));

  // On the wire: code 3, message "execution reverted: nope", data = Error(string) encoding
  const errorData = encodeFunctionData({ abi: [{ type: 'function', name: 'Error', inputs: [{ type: 'string' }] }], functionName: 'Error', args: ['nope'] });
  for (const method of ['eth_call', 'eth_estimateGas']) {
    const params = method === 'eth_call' ? [{ from, to: reverter, data }, 'latest'] : [{ from, to: reverter, data }];
    const res = await rawRpc(method, params);
    check(res.error && res.error.code === 3 && res.error.data === errorData, `${method} revert on the wire: code 3 with the Error("nope") data`, res);
    if (opts.strict) eq(res.error.message, 'execution reverted: nope', `${method} revert message (geth)`);
    else check(res.error.message.includes('execution reverted'), `${method} revert message "${res.error.message}"`, res.error);
  }

  // Custom error, decoded by the client
  e = await expectThrow(pc.simulateContract({ address: reverter, abi, functionName: 'failCustom', account: from }), 'simulateContract failCustom()');
  revert = e instanceof BaseError ? e.walk((x) => x instanceof ContractFunctionRevertedError) : null;
  check(
    revert?.data?.errorName === 'Custom' && revert.data.args[0] === 42n && isAddressEqual(revert.data.args[1], from),
    'simulateContract decodes the custom error Custom(42, caller)',
    errorText(e),
  );
  const res = await rawRpc('eth_call', [{ from, to: reverter, data: encodeFunctionData({ abi, functionName: 'failCustom' }) }, 'latest']);
  const selector = toFunctionSelector('Custom(uint256,address)');
  check(res.error?.code === 3 && typeof res.error.data === 'string' && res.error.data.startsWith(selector), `eth_call custom error data starts with its selector ${selector}`, res);
  const decoded = decodeErrorResult({ abi, data: res.error.data });
  check(decoded.errorName === 'Custom' && decoded.args[0] === 42n, 'custom error data decodes with the ABI', decoded);
}

async function blocksAndTxs(receipt, hash, from) {
  const latest = await pc.getBlock();
  for (const f of ['hash', 'parentHash', 'stateRoot', 'transactionsRoot', 'receiptsRoot', 'sha3Uncles', 'mixHash']) {
    if (!/^0x[0-9a-f]{64}$/i.test(latest[f] ?? '')) fail(`latest block field ${f} is not a 32-byte hash: ${show(latest[f])}`);
  }
  check(/^0x[0-9a-f]{512}$/i.test(latest.logsBloom) && latest.gasLimit > 0n && latest.timestamp > 0n && typeof latest.baseFeePerGas === 'bigint', `getBlock(latest) #${latest.number}: header fields present`, latest);

  const byNum = await pc.getBlock({ blockNumber: receipt.blockNumber, includeTransactions: true });
  eq(byNum.hash, receipt.blockHash, `getBlock(${receipt.blockNumber}, full txs) hash matches the receipt`);
  const full = byNum.transactions.find((t) => t.hash === hash);
  check(full && typeof full === 'object' && isAddressEqual(full.from, from) && full.blockHash === receipt.blockHash, 'block with transactions includes the full transaction object', byNum.transactions);
  const byHash = await pc.getBlock({ blockHash: receipt.blockHash });
  check(byHash.number === receipt.blockNumber && byHash.transactions.includes(hash), 'getBlock(by hash) returns the same block with tx hashes');
  const parent = await pc.getBlock({ blockHash: byHash.parentHash });
  eq(parent.number, byHash.number - 1n, 'parentHash links to the previous block');
  check(byHash.timestamp >= parent.timestamp, 'timestamps are monotonic');
  const zero = await pc.getBlock({ blockTag: 'earliest' });
  eq(zero.number, 0n, 'getBlock(earliest) is block 0');

  eq(await pc.getBlockTransactionCount({ blockHash: receipt.blockHash }), byHash.transactions.length, 'getBlockTransactionCount(by hash)');
  eq(await pc.getBlockTransactionCount({ blockNumber: receipt.blockNumber }), byHash.transactions.length, 'getBlockTransactionCount(by number)');

  const tx = await pc.getTransaction({ hash });
  check(
    tx.blockHash === receipt.blockHash && tx.blockNumber === receipt.blockNumber && tx.transactionIndex === receipt.transactionIndex && isAddressEqual(tx.from, from) && tx.input.length > 10,
    'getTransaction(hash): block, index, from, input',
    tx,
  );
  const byIdx = await pc.getTransaction({ blockHash: receipt.blockHash, index: receipt.transactionIndex });
  eq(byIdx.hash, hash, 'getTransaction(blockHash, index)');
  const byNumIdx = await pc.getTransaction({ blockNumber: receipt.blockNumber, index: receipt.transactionIndex });
  eq(byNumIdx.hash, hash, 'getTransaction(blockNumber, index)');

  const r = await pc.getTransactionReceipt({ hash });
  check(
    r.status === 'success' && r.blockHash === receipt.blockHash && r.gasUsed === receipt.gasUsed && r.cumulativeGasUsed >= r.gasUsed && r.logs.length === receipt.logs.length && /^0x[0-9a-f]{512}$/i.test(r.logsBloom),
    'getTransactionReceipt: status, block, gas, logs, logsBloom',
    r,
  );
  const blockReceipts = await pc.getBlockReceipts({ blockHash: receipt.blockHash });
  check(blockReceipts.length === byHash.transactions.length && blockReceipts.some((x) => x.transactionHash === hash), 'eth_getBlockReceipts(block hash)', blockReceipts);
  eq(await pc.getTransactionReceipt({ hash: keccak256('0x1234') }).catch((e) => (e.name === 'TransactionReceiptNotFoundError' ? null : e)), null, 'receipt of an unknown tx is null');
}

async function proofs(from, reverter, storedValue) {
  // Read the block, the proof and the block number again; retry if a block came in between (no archive state needed).
  for (let attempt = 0; ; attempt++) {
    const block = await pc.getBlock();
    const proof = await pc.getProof({ address: from, storageKeys: [], blockTag: 'latest' });
    const balance = await pc.getBalance({ address: from });
    const nonce = await pc.getTransactionCount({ address: from });
    const after = await pc.getBlockNumber({ cacheTime: 0 });
    if (after !== block.number) {
      if (attempt < 20) continue;
      fail('eth_getProof: the chain kept moving while reading a proof (20 attempts)');
    }
    check(proof.accountProof.length > 0, `eth_getProof(funded account): accountProof of ${proof.accountProof.length} nodes`);
    check(proof.balance === balance && proof.nonce === nonce && proof.codeHash === EMPTY_CODE_HASH && proof.storageHash === EMPTY_TRIE_ROOT, 'eth_getProof: balance, nonce, empty codeHash and storageHash', proof);
    eq(keccak256(proof.accountProof[0]), block.stateRoot, 'eth_getProof: the root node hashes to the block stateRoot');
    break;
  }
  const sp = await pc.getProof({ address: reverter, storageKeys: [pad('0x0')] });
  check(
    sp.storageProof.length === 1 && sp.storageProof[0].value === storedValue && sp.storageProof[0].proof.length > 0 && sp.storageHash !== EMPTY_TRIE_ROOT,
    'eth_getProof(contract, slot 0): storage proof with the stored value',
    sp,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Rejected transactions

/** Sends a raw transaction that must be rejected; in --strict mode the message must contain `geth`. */
async function expectRejected(what, raw, geth, { tolerateAcceptance } = {}) {
  let hash;
  try {
    hash = await wallet.sendRawTransaction({ serializedTransaction: raw });
  } catch (e) {
    const msg = rpcMessage(e);
    if (opts.strict) check(msg.includes(geth), `${what}: rejected with "${msg}"`, `expected geth's "${geth}", got "${msg}"`);
    else ok(`${what}: rejected with "${msg}"${msg.includes(geth) ? '' : ` (geth: "${geth}")`}`);
    return null;
  }
  if (!opts.strict && tolerateAcceptance) {
    note(`${what}: ACCEPTED (${hash}); ${tolerateAcceptance}. --strict requires geth's "${geth}"`);
    return hash;
  }
  fail(`${what}: expected rejection ("${geth}"), but the node accepted it as ${hash}`);
}

async function badTransactions(minedTx) {
  const chainId = chain.id;
  const to = '0x000000000000000000000000000000000000dEaD';
  const block = await pc.getBlock();
  const maxFee = block.baseFeePerGas * 3n + parseGwei('1');
  const tip = parseGwei('1');

  // nonce too low: a new transaction with an already mined nonce
  const low = await account.signTransaction({ chainId, type: 'eip1559', nonce: minedTx.nonce, to, value: 1n, gas: 21000n, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip });
  await expectRejected(`nonce too low (nonce ${minedTx.nonce} already mined)`, low, 'nonce too low');

  // insufficient funds: a fresh key with zero balance
  const broke = privateKeyToAccount(generatePrivateKey());
  const poor = await broke.signTransaction({ chainId, type: 'eip1559', nonce: 0, to, value: 1n, gas: 21000n, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip });
  await expectRejected('insufficient funds (fresh key, zero balance)', poor, 'insufficient funds for gas * price + value');

  // A fresh sender funded for the pool tests, so that its queued transactions never interfere with the dev account.
  const fresh = privateKeyToAccount(generatePrivateKey());
  const fund = await wallet.sendTransaction({ to: fresh.address, value: parseEther('1') });
  await waitReceipt(fund, 'fund a fresh sender');
  ok(`funded a fresh sender ${fresh.address} with 1 ETH`);
  const freshNonce = async () => pc.getTransactionCount({ address: fresh.address, blockTag: 'pending' });

  // invalid chain id: EIP-1559 signed for another chain
  const otherChain = chainId === 1 ? 5 : 1;
  const wrong = await fresh.signTransaction({ chainId: otherChain, type: 'eip1559', nonce: await freshNonce(), to, value: 1n, gas: 21000n, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip });
  await expectRejected(`invalid chain id (EIP-1559 signed for chain ${otherChain})`, wrong, 'invalid chain id');

  // ... and a legacy EIP-155 transaction signed for another chain (a replay from another network)
  const wrongLegacy = await fresh.signTransaction({ chainId: otherChain, type: 'legacy', nonce: await freshNonce(), to, value: 1n, gas: 21000n, gasPrice: maxFee });
  await expectRejected(`invalid chain id (legacy EIP-155 signed for chain ${otherChain})`, wrongLegacy, 'invalid chain id', {
    tolerateAcceptance: 'anvil answers with a hash but never mines it',
  });

  // only replay-protected: a legacy transaction without chain id (pre-EIP-155), signed by hand
  const unsigned = { type: 'legacy', nonce: await freshNonce(), to, value: 1n, gas: 21000n, gasPrice: maxFee };
  const sig = await fresh.sign({ hash: keccak256(serializeTransaction(unsigned)) });
  const pre155 = serializeTransaction(unsigned, parseSignature(sig));
  await expectRejected('pre-EIP-155 legacy transaction (no chain id)', pre155, 'only replay-protected (EIP-155) transactions allowed over RPC', {
    tolerateAcceptance: 'anvil accepts unprotected transactions',
  });

  // already known: the same raw transaction twice. A future nonce (gap of 2) keeps it queued deterministically.
  const queuedNonce = (await freshNonce()) + 2;
  const qFee = maxFee;
  const signQueued = (fee, t, value) => fresh.signTransaction({ chainId, type: 'eip1559', nonce: queuedNonce, to, value, gas: 21000n, maxFeePerGas: fee, maxPriorityFeePerGas: t });
  const queued = await signQueued(qFee, tip, 1n);
  const qHash = await wallet.sendRawTransaction({ serializedTransaction: queued });
  eq(qHash, keccak256(queued), `a transaction with a nonce gap (nonce ${queuedNonce}) is accepted into the pool`);
  const qtx = await pc.getTransaction({ hash: qHash }).catch(() => null);
  if (qtx) check(qtx.blockNumber === null, 'the queued transaction is served by eth_getTransactionByHash, not mined', qtx);
  else note('the queued transaction is not served by eth_getTransactionByHash');
  eq(await freshNonce(), queuedNonce - 2, 'pending nonce does not count a transaction behind a nonce gap');
  await expectRejected('already known (same raw transaction again)', queued, 'already known');

  // replacement transaction underpriced: same fees, then a 5% bump; a 10% bump replaces
  await expectRejected('replacement with the same fees', await signQueued(qFee, tip, 2n), 'replacement transaction underpriced');
  const bump = (x, pct) => (x * (100n + pct)) / 100n;
  await expectRejected('replacement with a 5% fee bump', await signQueued(bump(qFee, 5n), bump(tip, 5n), 3n), 'replacement transaction underpriced', {
    tolerateAcceptance: 'anvil replaces on any higher fee cap',
  });
  const r10 = await signQueued(bump(qFee, 10n), bump(tip, 10n), 4n);
  try {
    const h = await wallet.sendRawTransaction({ serializedTransaction: r10 });
    eq(h, keccak256(r10), 'replacement with a 10% fee bump is accepted');
  } catch (e) {
    fail(`replacement with a 10% fee bump (geth's price bump) was rejected: "${rpcMessage(e)}"`);
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  console.log(`# wallet flow (viem) against ${opts.rpc}${opts.strict ? ' --strict' : ''}, dev account #${opts.accountIndex} ${account.address}`);
  await chainAndFees();
  const first = await transfers();
  await contracts();
  await badTransactions(first.tx);
  console.log(`# all ${passed} checks passed${notes ? `, ${notes} notes (deviations tolerated without --strict)` : ''}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    if (e instanceof CheckFailed) console.error(`FAIL - ${e.message}`);
    else console.error(`FAIL - unexpected error after ${passed} passed checks: ${e instanceof BaseError ? `${e.shortMessage}\n${e.message}` : e?.stack ?? e}`);
    process.exit(1);
  },
);
