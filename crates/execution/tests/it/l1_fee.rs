//! The L1 data fee: read from the L1Block predeploy's storage, charged to non-deposit
//! transactions, credited to the L1FeeVault, reported per transaction.
//!
//! The expected fee is computed here from OP's Fjord formula (specs.optimism.io, "Fjord: L1 cost
//! function"):
//!
//! ```text
//! estimatedSize = max(100e6, 836_500 * fastlzSize - 42_585_600)          (bytes * 1e6)
//! l1Fee         = estimatedSize * (16 * l1BaseFee * baseFeeScalar + l1BlobBaseFee * blobBaseFeeScalar) / 1e12
//! ```
//!
//! FastLZ never grows its input by more than one control byte per 32 literals, so any
//! transaction of at most 160 bytes has `fastlzSize <= 165 < 170`, where the linear term stays
//! below the 100-byte floor: its fee is the floor, independent of the compressor.

use alloy_primitives::{Address, Bytes, TxKind, U256, address, keccak256};
use revm::database::InMemoryDB;
use tributary_execution::BlockTx;
use tributary_primitives::predeploys::{
    BASE_FEE_VAULT, L1_BLOCK, L1_FEE_VAULT, SEQUENCER_FEE_VAULT,
};

use crate::utils::*;

const RECIPIENT: Address = address!("0x00000000000000000000000000000000000000b1");
const L1_BASE_FEE: u64 = 20 * GWEI as u64;
const L1_BLOB_BASE_FEE: u64 = 3 * GWEI as u64;
const BASE_FEE_SCALAR: u32 = 1_368;
const BLOB_BASE_FEE_SCALAR: u32 = 810_949;

/// Writes OP's L1Block storage layout (Ecotone): slot 1 = basefee, slot 3 = sequenceNumber (low 8
/// bytes) | blobBaseFeeScalar (bytes 20..24) | baseFeeScalar (bytes 16..20), slot 7 = blobBaseFee.
/// The predeploy must exist (have code): revm reads no storage of a non-existent account.
pub(crate) fn set_l1_block_values(db: &mut InMemoryDB) {
    if db
        .cache
        .accounts
        .get(&L1_BLOCK)
        .is_none_or(|a| a.info.code_hash == revm::primitives::KECCAK_EMPTY)
    {
        set_code(db, L1_BLOCK, &[0x00]);
    }
    let mut scalars = [0u8; 32];
    scalars[16..20].copy_from_slice(&BASE_FEE_SCALAR.to_be_bytes());
    scalars[20..24].copy_from_slice(&BLOB_BASE_FEE_SCALAR.to_be_bytes());
    scalars[24..32].copy_from_slice(&3u64.to_be_bytes()); // sequence number: not part of the fee
    db.insert_account_storage(L1_BLOCK, U256::from(1), U256::from(L1_BASE_FEE))
        .unwrap();
    db.insert_account_storage(L1_BLOCK, U256::from(3), U256::from_be_bytes(scalars))
        .unwrap();
    db.insert_account_storage(L1_BLOCK, U256::from(7), U256::from(L1_BLOB_BASE_FEE))
        .unwrap();
}

/// `16 * l1BaseFee * baseFeeScalar + l1BlobBaseFee * blobBaseFeeScalar`
fn fee_per_byte_scaled() -> U256 {
    U256::from(16u64) * U256::from(L1_BASE_FEE) * U256::from(BASE_FEE_SCALAR)
        + U256::from(L1_BLOB_BASE_FEE) * U256::from(BLOB_BASE_FEE_SCALAR)
}

fn fjord_fee(estimated_size_scaled: u64) -> U256 {
    U256::from(estimated_size_scaled) * fee_per_byte_scaled() / U256::from(1_000_000_000_000u64)
}

#[test]
fn small_tx_pays_the_floor_l1_fee_to_the_l1_fee_vault() {
    let mut db = InMemoryDB::default();
    set_l1_block_values(&mut db);
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);

    let tx = sign(
        DEV_KEY_0,
        eip1559(0, TxKind::Call(RECIPIENT), ETHER, 21_000, Bytes::new()),
    );
    assert!(
        encoded(&tx).len() <= 160,
        "the floor argument needs a small tx"
    );
    let expected = fjord_fee(100_000_000);
    assert!(expected > U256::ZERO);

    let out = run(&db, vec![tx]);
    let executed = &out.transactions[0];
    assert_eq!(executed.l1_fee, expected);
    assert_eq!(balance(&db, &out, L1_FEE_VAULT), expected);

    let l2_fee = U256::from(21_000u128 * (BASE_FEE as u128 + GWEI));
    assert_eq!(
        balance(&db, &out, sender),
        U256::from(9 * ETHER) - l2_fee - expected
    );
    // the L2 fees are unaffected by the L1 fee
    assert_eq!(
        balance(&db, &out, BASE_FEE_VAULT),
        U256::from(21_000u128 * BASE_FEE as u128)
    );
    assert_eq!(
        balance(&db, &out, SEQUENCER_FEE_VAULT),
        U256::from(21_000u128 * GWEI)
    );
}

#[test]
fn large_tx_pays_by_estimated_compressed_size() {
    let mut db = InMemoryDB::default();
    set_l1_block_values(&mut db);
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);

    // 1 KiB of incompressible calldata
    let data: Vec<u8> = (0u32..32)
        .flat_map(|i| keccak256(i.to_be_bytes()).0)
        .collect();
    let tx = sign(
        DEV_KEY_0,
        eip1559(0, TxKind::Call(RECIPIENT), 0, 100_000, data.into()),
    );
    // the compressor is op-revm's; the formula around it is computed here
    let size = op_revm::estimate_tx_compressed_size(&encoded(&tx));
    assert!(
        size > 100_000_000,
        "incompressible 1 KiB must exceed the floor"
    );
    let expected = fjord_fee(size);

    let out = run(&db, vec![tx]);
    let executed = &out.transactions[0];
    assert_eq!(executed.l1_fee, expected);
    assert_eq!(balance(&db, &out, L1_FEE_VAULT), expected);
    let l2_fee = U256::from(executed.gas_used as u128 * (BASE_FEE as u128 + GWEI));
    assert_eq!(
        balance(&db, &out, sender),
        U256::from(10 * ETHER) - l2_fee - expected
    );
}

#[test]
fn deposits_pay_no_l1_fee() {
    let mut db = InMemoryDB::default();
    set_l1_block_values(&mut db);
    let from = address!("0x00000000000000000000000000000000000d0003");
    let out = run(
        &db,
        vec![BlockTx::Deposit(deposit(
            from,
            TxKind::Call(RECIPIENT),
            ETHER,
            0,
            50_000,
        ))],
    );
    assert_eq!(out.transactions[0].l1_fee, U256::ZERO);
    assert_eq!(balance(&db, &out, L1_FEE_VAULT), U256::ZERO);
    assert_eq!(balance(&db, &out, from), U256::from(ETHER));
}

#[test]
fn l1_fee_set_by_an_earlier_deposit_in_the_block_applies() {
    // the L1-info deposit writes the L1Block slots; later txs of the same block pay with them.
    // Stand-in for the predeploy: code that stores calldata word 0 at slot 1 (the L1 base fee).
    let mut db = InMemoryDB::default();
    // PUSH0 CALLDATALOAD PUSH1 1 SSTORE STOP
    set_code(&mut db, L1_BLOCK, &[0x5f, 0x35, 0x60, 0x01, 0x55, 0x00]);
    set_l1_block_values(&mut db);
    let depositor = address!("0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001");
    let mut info_deposit = deposit(depositor, TxKind::Call(L1_BLOCK), 0, 0, 1_000_000);
    let doubled = U256::from(2 * L1_BASE_FEE);
    info_deposit.input = doubled.to_be_bytes::<32>().to_vec().into();

    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    let tx = sign(
        DEV_KEY_0,
        eip1559(0, TxKind::Call(RECIPIENT), 0, 21_000, Bytes::new()),
    );
    let out = run(&db, vec![info_deposit.into(), tx]);

    assert!(out.transactions[0].receipt.status());
    let expected = U256::from(100_000_000u64)
        * (U256::from(16u64) * doubled * U256::from(BASE_FEE_SCALAR)
            + U256::from(L1_BLOB_BASE_FEE) * U256::from(BLOB_BASE_FEE_SCALAR))
        / U256::from(1_000_000_000_000u64);
    assert_eq!(out.transactions[1].l1_fee, expected);
    assert_eq!(balance(&db, &out, L1_FEE_VAULT), expected);
}
