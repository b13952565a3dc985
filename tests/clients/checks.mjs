// The check vocabulary of the client flows: one `ok N - …` line per passed check, `note` lines
// for tolerated deviations, and a CheckFailed (optionally carrying the RPC output that failed)
// thrown by the first failed check. `passed` and `notes` are live counters.

export class CheckFailed extends Error {
  constructor(msg, rpcOutput) {
    super(msg);
    this.rpcOutput = rpcOutput;
  }
}
export let passed = 0;
export let notes = 0;
export const ok = (msg) => console.log(`ok   ${String(++passed).padStart(3)} - ${msg}`);
export const note = (msg) => {
  notes++;
  console.log(`note     - ${msg}`);
};
export function fail(msg, rpcOutput) {
  throw new CheckFailed(msg, rpcOutput);
}
export function check(cond, msg, detail, rpcOutput) {
  if (!cond) fail(detail === undefined ? msg : `${msg}: ${typeof detail === 'string' ? detail : show(detail)}`, rpcOutput);
  ok(msg);
}
export function eq(actual, expected, msg, rpcOutput) {
  const same =
    typeof actual === 'string' && typeof expected === 'string' ? actual.toLowerCase() === expected.toLowerCase() : actual === expected;
  if (!same) fail(`${msg}: expected ${show(expected)}, got ${show(actual)}`, rpcOutput);
  ok(`${msg} (${short(expected)})`);
}
export function show(v) {
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x));
}
export function short(v) {
  const s = typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? v : String(show(v));
  return s.length > 24 ? `${s.slice(0, 12)}…${s.slice(-8)}` : s;
}
