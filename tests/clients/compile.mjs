#!/usr/bin/env node
// Compiles the test contracts of tests/clients/contracts with solc-js (the `solc` npm package pinned in
// package.json), resolving `@openzeppelin/...` imports from node_modules.
//
// As a library:  import { compile } from './compile.mjs';
//                const { TestToken } = compile(['TestToken.sol']);   // { abi, bytecode, deployedBytecode }
// As a command:  node tests/clients/compile.mjs Store.sol:Store [--bytecode | --deployed | --abi]
//                (default: one JSON object { abi, bytecode, deployedBytecode })
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
export const contractsDir = join(here, 'contracts');

let solc;
function loadSolc() {
  if (!solc) {
    try {
      solc = require('solc');
    } catch (e) {
      throw new Error(`cannot load solc-js (run \`npm ci\` at the repository root): ${e.message}`);
    }
  }
  return solc;
}

/** Import callback: `@scope/pkg/...` from node_modules, anything else relative to tests/clients/contracts. */
function findImports(path) {
  try {
    let file;
    if (path.startsWith('@')) {
      const [scope, pkg, ...rest] = path.split('/');
      const pkgDir = dirname(require.resolve(`${scope}/${pkg}/package.json`));
      file = join(pkgDir, ...rest);
    } else {
      file = resolve(contractsDir, path);
    }
    if (!existsSync(file)) return { error: `file not found: ${path} (looked at ${file})` };
    return { contents: readFileSync(file, 'utf8') };
  } catch (e) {
    return { error: `cannot resolve ${path}: ${e.message}` };
  }
}

/**
 * Compiles the given files (names relative to tests/clients/contracts) and returns every contract
 * defined in them, keyed by contract name: { abi, bytecode, deployedBytecode } (0x-prefixed hex).
 */
export function compile(files, { optimize = true, evmVersion = 'prague' } = {}) {
  const sources = {};
  for (const f of files) sources[f] = { content: readFileSync(resolve(contractsDir, f), 'utf8') };
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: optimize, runs: 200 },
      evmVersion,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = JSON.parse(loadSolc().compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) {
    throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage ?? e.message).join('\n')}`);
  }
  const out = {};
  for (const f of files) {
    for (const [name, c] of Object.entries(output.contracts?.[f] ?? {})) {
      out[name] = {
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      };
    }
  }
  return out;
}

// Command-line use.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [target, flag] = process.argv.slice(2);
  if (!target || !target.includes(':')) {
    console.error('usage: node compile.mjs <File.sol>:<Contract> [--bytecode | --deployed | --abi]');
    process.exit(2);
  }
  const [file, name] = target.split(':');
  try {
    const c = compile([file])[name];
    if (!c) throw new Error(`no contract ${name} in ${file}`);
    if (flag === '--bytecode') console.log(c.bytecode);
    else if (flag === '--deployed') console.log(c.deployedBytecode);
    else if (flag === '--abi') console.log(JSON.stringify(c.abi));
    else console.log(JSON.stringify(c));
  } catch (e) {
    console.error(`compile.mjs: ${e.message}`);
    process.exit(1);
  }
}
