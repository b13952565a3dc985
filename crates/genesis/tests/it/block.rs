//! Block 1 on top of genesis, executed by `tributary-execution` (op-revm): the real L1Block
//! contract takes the L1-info deposit and op-revm charges the L1 fee from what it stored; the
//! system contracts and the CREATE2 deployer work.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    signers::{SignerSync, local::PrivateKeySigner},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, b256, keccak256};
use revm::{bytecode::Bytecode, database::InMemoryDB, state::AccountInfo};
use tributary_execution::{BlockContext, BlockExecutor, BlockOutput, BlockTx, ChangeSet};
use tributary_genesis::{GenesisConfig, L2Genesis, build, l1_info_deposit};
use tributary_primitives::{
    L1Info,
    l1_info::batcher_hash,
    predeploys::{BEACON_ROOTS, CREATE2_DEPLOYER, HISTORY_STORAGE, L1_BLOCK, L1_FEE_VAULT},
};
use tributary_trie::{MemoryNodeStore, StateTrie};

/// anvil's first and second dev keys (accounts 0 and 1 of the dev mnemonic).
const KEY_0: B256 = b256!("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const KEY_1: B256 = b256!("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const GWEI: u128 = 1_000_000_000;
const L1_BASE_FEE: u64 = 20 * GWEI as u64;
const L1_BLOB_BASE_FEE: u64 = 3 * GWEI as u64;
const BASE_FEE_SCALAR: u32 = 1_368;
const BLOB_BASE_FEE_SCALAR: u32 = 810_949;

fn db_of(genesis: &L2Genesis) -> InMemoryDB {
    let mut db = InMemoryDB::default();
    for (address, a) in &genesis.alloc {
        let code = (!a.code.is_empty()).then(|| Bytecode::new_raw(a.code.clone()));
        db.insert_account_info(
            *address,
            AccountInfo {
                balance: a.balance,
                nonce: a.nonce,
                code_hash: a.code_hash(),
                code,
                ..Default::default()
            },
        );
        for (slot, value) in &a.storage {
            db.insert_account_storage(*address, (*slot).into(), *value)
                .unwrap();
        }
    }
    db
}

fn sign(key: B256, tx: TxEip1559) -> BlockTx {
    let signer = PrivateKeySigner::from_bytes(&key).unwrap();
    let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    let envelope: TxEnvelope = tx.into_signed(sig).into();
    BlockTx::signed(envelope, signer.address())
}

fn eip1559(chain_id: u64, to: TxKind, value: U256, gas_limit: u64, input: Bytes) -> TxEip1559 {
    TxEip1559 {
        chain_id,
        nonce: 0,
        gas_limit,
        max_fee_per_gas: 2 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to,
        value,
        access_list: Default::default(),
        input,
    }
}

fn slot(change: &ChangeSet, address: Address, slot: u64) -> Option<U256> {
    change.storage(&address, U256::from(slot))
}

#[test]
fn block_one_runs_on_genesis_with_the_real_l1_block() {
    let genesis = build(&GenesisConfig::dev()).unwrap();
    let chain_id = genesis.config.chain_id;
    let db = db_of(&genesis);

    let info = L1Info {
        number: 1,
        timestamp: genesis.config.timestamp,
        base_fee: U256::from(L1_BASE_FEE),
        blob_base_fee: U256::from(L1_BLOB_BASE_FEE),
        hash: keccak256("l1 block 1"),
        sequence_number: 0,
        batcher_hash: batcher_hash(Address::repeat_byte(0xba)),
        base_fee_scalar: BASE_FEE_SCALAR,
        blob_base_fee_scalar: BLOB_BASE_FEE_SCALAR,
    };
    let recipient = Address::repeat_byte(0xb1);
    let transfer = sign(
        KEY_0,
        eip1559(
            chain_id,
            TxKind::Call(recipient),
            U256::from(10u64).pow(U256::from(18)),
            21_000,
            Bytes::new(),
        ),
    );
    assert!(transfer.encoded_2718().len() <= 160, "floor-fee argument");
    // CREATE2 through Arachnid's deployer: calldata = salt ‖ init code; the init code
    // `PUSH1 1 PUSH1 0 RETURN` deploys the 1-byte runtime 0x00.
    let salt = keccak256("salt");
    let init = [0x60u8, 0x01, 0x60, 0x00, 0xf3];
    let create2 = sign(
        KEY_1,
        eip1559(
            chain_id,
            TxKind::Call(CREATE2_DEPLOYER),
            U256::ZERO,
            200_000,
            [salt.as_slice(), &init].concat().into(),
        ),
    );

    let mut block = BlockContext::new(
        1,
        genesis.config.timestamp + 2,
        genesis.header.gas_limit,
        genesis.config.base_fee,
    );
    block.parent_hash = genesis.hash;
    block.prevrandao = keccak256("mix");
    block.parent_beacon_block_root = keccak256("beacon root");
    let out: BlockOutput = BlockExecutor::new(chain_id)
        .execute(
            &db,
            &block,
            &[l1_info_deposit(&info).into(), transfer, create2],
        )
        .unwrap();
    assert!(out.all_included(), "{:?}", out.rejected);
    for (i, tx) in out.transactions.iter().enumerate() {
        assert!(tx.receipt.status(), "tx {i} failed");
    }

    // The L1Block contract stored the values in OP's slots ...
    let changes = &out.changes;
    assert_eq!(slot(changes, L1_BLOCK, 1), Some(U256::from(L1_BASE_FEE)));
    assert_eq!(
        slot(changes, L1_BLOCK, 7),
        Some(U256::from(L1_BLOB_BASE_FEE))
    );
    assert_eq!(
        slot(changes, L1_BLOCK, 2),
        Some(U256::from_be_bytes(info.hash.0))
    );
    let packed = (U256::from(BASE_FEE_SCALAR) << 96) | (U256::from(BLOB_BASE_FEE_SCALAR) << 64);
    assert_eq!(slot(changes, L1_BLOCK, 3), Some(packed)); // sequence number 0
    assert_eq!(
        slot(changes, L1_BLOCK, 0),
        Some((U256::from(info.timestamp) << 64) | U256::from(1))
    );
    // ... and op-revm charged the transfer's L1 fee from them (Fjord floor: 100 bytes).
    let expected_l1_fee = U256::from(100_000_000u64)
        * (U256::from(16u64) * U256::from(L1_BASE_FEE) * U256::from(BASE_FEE_SCALAR)
            + U256::from(L1_BLOB_BASE_FEE) * U256::from(BLOB_BASE_FEE_SCALAR))
        / U256::from(1_000_000_000_000u64);
    assert!(expected_l1_fee > U256::ZERO);
    assert_eq!(
        out.transactions[0].l1_fee,
        U256::ZERO,
        "deposits pay no L1 fee"
    );
    assert_eq!(out.transactions[1].l1_fee, expected_l1_fee);
    let vault = changes.account(&L1_FEE_VAULT).unwrap().info.unwrap();
    assert!(vault.balance >= expected_l1_fee);
    assert_eq!(
        vault.balance,
        out.transactions[1].l1_fee + out.transactions[2].l1_fee
    );
    assert_eq!(vault.nonce, 1, "the vault keeps its genesis nonce");

    // CREATE2 landed where the deployer's address rule says.
    let created = CREATE2_DEPLOYER.create2(salt, keccak256(init));
    let account = changes.account(&created).unwrap().info.unwrap();
    assert_eq!(account.code_hash, keccak256([0x00u8]));

    // System calls: EIP-2935 stored the genesis hash, EIP-4788 the beacon root.
    assert_eq!(
        slot(changes, HISTORY_STORAGE, 0),
        Some(U256::from_be_bytes(genesis.hash.0))
    );
    let ts = block.timestamp % 8191;
    assert_eq!(
        slot(changes, BEACON_ROOTS, ts + 8191),
        Some(U256::from_be_bytes(keccak256("beacon root").0))
    );

    // The change set applies to the genesis trie using only the genesis nodes.
    let mut store = MemoryNodeStore::new();
    store.extend(genesis.nodes.clone());
    let mut trie = StateTrie::new(genesis.state_root());
    let update = trie.apply(&store, changes.accounts.clone()).unwrap();
    assert_ne!(update.root, genesis.state_root());
    store.apply(&update);
    assert_eq!(
        trie.storage(&store, &L1_BLOCK, &B256::with_last_byte(1))
            .unwrap(),
        U256::from(L1_BASE_FEE)
    );
}

#[test]
fn l1_block_rejects_other_senders_on_l2() {
    let genesis = build(&GenesisConfig::dev()).unwrap();
    let db = db_of(&genesis);
    let info = L1Info {
        number: 1,
        base_fee: U256::from(L1_BASE_FEE),
        ..Default::default()
    };
    let forged = sign(
        KEY_0,
        eip1559(
            genesis.config.chain_id,
            TxKind::Call(L1_BLOCK),
            U256::ZERO,
            100_000,
            info.encode_ecotone().into(),
        ),
    );
    let block = BlockContext::new(1, genesis.config.timestamp + 2, 30_000_000, 1_000_000_000);
    let out = BlockExecutor::new(genesis.config.chain_id)
        .execute(&db, &block, &[forged])
        .unwrap();
    assert!(!out.transactions[0].receipt.status(), "NotDepositor()");
    assert!(
        out.changes
            .account(&L1_BLOCK)
            .is_none_or(|c| c.storage.is_empty())
    );
}
