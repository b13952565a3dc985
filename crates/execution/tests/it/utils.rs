//! Shared helpers: an in-memory state, signers, transaction builders.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    signers::{SignerSync, local::PrivateKeySigner},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, b256, keccak256};
use op_alloy_consensus::TxDeposit;
use revm::{DatabaseRef, bytecode::Bytecode, database::InMemoryDB, state::AccountInfo};
use tributary_execution::{BlockContext, BlockExecutor, BlockOutput, BlockTx};
use tributary_primitives::chain::L2_DEVNET_CHAIN_ID;

/// anvil's first dev key.
pub(crate) const DEV_KEY_0: B256 =
    b256!("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
/// anvil's second dev key.
pub(crate) const DEV_KEY_1: B256 =
    b256!("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

pub(crate) const CHAIN_ID: u64 = L2_DEVNET_CHAIN_ID;
pub(crate) const GWEI: u128 = 1_000_000_000;
pub(crate) const ETHER: u128 = 1_000_000_000_000_000_000;
/// Base fee of the test blocks.
pub(crate) const BASE_FEE: u64 = GWEI as u64;

pub(crate) fn signer(key: B256) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&key).unwrap()
}

pub(crate) fn executor() -> BlockExecutor {
    BlockExecutor::new(CHAIN_ID)
}

/// Block 1 with 30M gas and a 1 gwei base fee.
pub(crate) fn block() -> BlockContext {
    let mut b = BlockContext::new(1, 1_700_000_000, 30_000_000, BASE_FEE);
    b.prevrandao = b256!("0x0101010101010101010101010101010101010101010101010101010101010101");
    b.parent_hash = keccak256(b"parent");
    b
}

/// Executes `txs` on `db` as [`block`].
pub(crate) fn run(db: &InMemoryDB, txs: Vec<BlockTx>) -> BlockOutput {
    executor().execute(db, &block(), &txs).unwrap()
}

pub(crate) fn fund(db: &mut InMemoryDB, address: Address, wei: u128) {
    let mut info = db.basic_ref(address).unwrap().unwrap_or_default();
    info.balance = U256::from(wei);
    db.insert_account_info(address, info);
}

pub(crate) fn set_code(db: &mut InMemoryDB, address: Address, code: &[u8]) {
    let bytecode = Bytecode::new_raw(Bytes::copy_from_slice(code));
    let info = AccountInfo {
        code_hash: bytecode.hash_slow(),
        code: Some(bytecode),
        ..Default::default()
    };
    db.insert_account_info(address, info);
}

pub(crate) fn balance(db: &InMemoryDB, out: &BlockOutput, address: Address) -> U256 {
    match out.changes.account(&address) {
        Some(change) => change.info.map_or(U256::ZERO, |a| a.balance),
        None => db
            .basic_ref(address)
            .unwrap()
            .map_or(U256::ZERO, |a| a.balance),
    }
}

pub(crate) fn nonce(db: &InMemoryDB, out: &BlockOutput, address: Address) -> u64 {
    match out.changes.account(&address) {
        Some(change) => change.info.map_or(0, |a| a.nonce),
        None => db.basic_ref(address).unwrap().map_or(0, |a| a.nonce),
    }
}

/// Signs any alloy transaction into an envelope and pairs it with its sender.
pub(crate) fn sign<T>(key: B256, tx: T) -> BlockTx
where
    T: SignableTransaction<alloy_primitives::Signature>,
    TxEnvelope: From<alloy::consensus::Signed<T>>,
{
    let s = signer(key);
    let sig = s.sign_hash_sync(&tx.signature_hash()).unwrap();
    let envelope: TxEnvelope = tx.into_signed(sig).into();
    BlockTx::signed(envelope, s.address())
}

/// An EIP-1559 transaction with a 2 gwei fee cap and a 1 gwei tip.
pub(crate) fn eip1559(
    nonce: u64,
    to: TxKind,
    value: u128,
    gas_limit: u64,
    input: Bytes,
) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit,
        max_fee_per_gas: 2 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to,
        value: U256::from(value),
        access_list: Default::default(),
        input,
    }
}

/// A user deposit with a unique source hash.
pub(crate) fn deposit(
    from: Address,
    to: TxKind,
    mint: u128,
    value: u128,
    gas_limit: u64,
) -> TxDeposit {
    TxDeposit {
        source_hash: keccak256(
            [
                from.as_slice(),
                &mint.to_be_bytes(),
                &value.to_be_bytes(),
                &gas_limit.to_be_bytes(),
            ]
            .concat(),
        ),
        from,
        to,
        mint,
        value: U256::from(value),
        gas_limit,
        is_system_transaction: false,
        input: Bytes::new(),
    }
}

/// EIP-2718 bytes of a block transaction.
pub(crate) fn encoded(tx: &BlockTx) -> Vec<u8> {
    match tx {
        BlockTx::Deposit(d) => d.encoded_2718(),
        BlockTx::Signed(s) => s.inner().encoded_2718(),
    }
}

/// Bytecode that reverts with empty data: `PUSH0 PUSH0 REVERT`.
pub(crate) const REVERT_CODE: &[u8] = &[0x5f, 0x5f, 0xfd];
/// Bytecode that loops forever: `JUMPDEST PUSH0 JUMP`.
pub(crate) const LOOP_CODE: &[u8] = &[0x5b, 0x5f, 0x56];

/// Applies a block's change set to the in-memory state, as a state layer would.
pub(crate) fn apply(db: &mut InMemoryDB, changes: &tributary_execution::ChangeSet) {
    for (address, change) in &changes.accounts {
        if change.wipe_storage {
            db.replace_account_storage(*address, Default::default())
                .unwrap();
        }
        match change.info {
            None => {
                db.insert_account_info(*address, AccountInfo::default());
                db.replace_account_storage(*address, Default::default())
                    .unwrap();
            }
            Some(account) => {
                let code = match changes.new_code(address) {
                    Some(code) => Some(Bytecode::new_raw(code.clone())),
                    None => db.basic_ref(*address).unwrap().and_then(|a| a.code),
                };
                let info = AccountInfo {
                    balance: account.balance,
                    nonce: account.nonce,
                    code_hash: account.code_hash,
                    account_id: None,
                    code,
                };
                db.insert_account_info(*address, info);
            }
        }
        for (slot, value) in &change.storage {
            db.insert_account_storage(*address, U256::from_be_bytes(slot.0), *value)
                .unwrap();
        }
    }
}

/// A simulator for the test chain (no RPC gas cap: the block gas limit bounds calls).
pub(crate) fn simulator() -> tributary_execution::Simulator {
    tributary_execution::Simulator::new(executor())
}

/// A call request from `from` to `to` with `input`.
pub(crate) fn call_request(
    from: Address,
    to: Address,
    input: Bytes,
) -> alloy::rpc::types::TransactionRequest {
    alloy::rpc::types::TransactionRequest {
        from: Some(from),
        to: Some(TxKind::Call(to)),
        input: alloy::rpc::types::TransactionInput::new(input),
        ..Default::default()
    }
}

/// Code that copies `data` (appended to it) to memory and ends with `op` (`RETURN` or `REVERT`).
fn end_with(op: u8, data: &[u8]) -> Vec<u8> {
    const PREFIX: u16 = 13;
    let len = u16::try_from(data.len()).unwrap().to_be_bytes();
    let offset = PREFIX.to_be_bytes();
    // PUSH2 len PUSH2 offset PUSH0 CODECOPY PUSH2 len PUSH0 <op>
    let mut code = vec![
        0x61, len[0], len[1], 0x61, offset[0], offset[1], 0x5f, 0x39, 0x61, len[0], len[1], 0x5f,
        op,
    ];
    assert_eq!(code.len(), usize::from(PREFIX));
    code.extend_from_slice(data);
    code
}

/// Code that reverts with `data`.
pub(crate) fn revert_with(data: &[u8]) -> Vec<u8> {
    end_with(0xfd, data)
}

/// Code that returns `data`.
pub(crate) fn return_with(data: &[u8]) -> Vec<u8> {
    end_with(0xf3, data)
}

/// Code that calls `target` with all its gas (no value, no data) and reverts with empty data if
/// the call failed: `CALL(GAS, target, 0, 0, 0, 0, 0)`, `JUMPI ok`, `REVERT(0, 0)`, `ok: STOP`.
pub(crate) fn forwarder(target: Address) -> Vec<u8> {
    let mut code = vec![0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x73];
    code.extend_from_slice(target.as_slice());
    code.extend_from_slice(&[0x5a, 0xf1, 0x60, 34, 0x57, 0x5f, 0x5f, 0xfd, 0x5b, 0x00]);
    assert_eq!(code[34], 0x5b, "jump target");
    code
}

/// Code that burns ~26.6k gas in a loop of 1024 rounds and stops.
pub(crate) const BURNER_CODE: &[u8] = &[
    0x61, 0x04, 0x00, // PUSH2 1024
    0x5b, // 3: JUMPDEST
    0x60, 0x01, 0x90, 0x03, // counter - 1
    0x80, 0x60, 0x03, 0x57, // DUP1 PUSH1 3 JUMPI
    0x00, // STOP
];

/// Code that reads storage slots 1 and 2 and stops.
pub(crate) const READER_CODE: &[u8] = &[0x60, 0x01, 0x54, 0x50, 0x60, 0x02, 0x54, 0x50, 0x00];

/// Code that increments storage slot 0: `SSTORE(0, SLOAD(0) + 1)`.
pub(crate) const COUNTER_CODE: &[u8] = &[0x5f, 0x54, 0x60, 0x01, 0x01, 0x5f, 0x55, 0x00];

/// Code that returns slot 0: `MSTORE(0, SLOAD(0))`, `RETURN(0, 32)`.
pub(crate) const SLOT0_CODE: &[u8] = &[0x5f, 0x54, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3];
