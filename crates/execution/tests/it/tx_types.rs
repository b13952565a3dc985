//! Every signed transaction type the L2 accepts executes: legacy (EIP-155), EIP-2930, EIP-1559,
//! EIP-7702. Blob transactions are rejected.

use alloy::{
    consensus::{TxEip2930, TxEip4844, TxEip7702, TxLegacy},
    eips::{
        eip2930::{AccessList, AccessListItem},
        eip7702::Authorization,
    },
    signers::SignerSync,
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256};
use op_alloy_consensus::OpTxType;
use revm::database::InMemoryDB;
use tributary_execution::RejectReason;

use crate::utils::*;

const RECIPIENT: Address = address!("0x00000000000000000000000000000000000000e1");

fn funded() -> (InMemoryDB, Address) {
    let mut db = InMemoryDB::default();
    let sender = signer(DEV_KEY_0).address();
    fund(&mut db, sender, 10 * ETHER);
    (db, sender)
}

#[test]
fn legacy_eip155_transfer_executes() {
    let (db, sender) = funded();
    let tx = TxLegacy {
        chain_id: Some(CHAIN_ID),
        nonce: 0,
        gas_price: 3 * GWEI,
        gas_limit: 21_000,
        to: TxKind::Call(RECIPIENT),
        value: U256::from(77),
        input: Bytes::new(),
    };
    let out = run(&db, vec![sign(DEV_KEY_0, tx)]);
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
    let executed = &out.transactions[0];
    assert_eq!(executed.receipt.tx_type(), OpTxType::Legacy);
    assert!(executed.receipt.status());
    assert_eq!(balance(&db, &out, RECIPIENT), U256::from(77));
    // legacy: the whole gas price above the base fee is the tip
    let paid = U256::from(21_000u128 * 3 * GWEI);
    assert_eq!(
        balance(&db, &out, sender),
        U256::from(10 * ETHER) - paid - U256::from(77)
    );
}

#[test]
fn eip2930_access_list_is_charged() {
    let (db, _) = funded();
    let tx = TxEip2930 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_price: 2 * GWEI,
        gas_limit: 30_000,
        to: TxKind::Call(RECIPIENT),
        value: U256::from(1),
        access_list: AccessList(vec![AccessListItem {
            address: RECIPIENT,
            storage_keys: vec![B256::ZERO],
        }]),
        input: Bytes::new(),
    };
    let out = run(&db, vec![sign(DEV_KEY_0, tx)]);
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
    let executed = &out.transactions[0];
    assert_eq!(executed.receipt.tx_type(), OpTxType::Eip2930);
    // 21000 + 2400 per address + 1900 per storage key
    assert_eq!(executed.gas_used, 21_000 + 2_400 + 1_900);
}

#[test]
fn eip7702_delegation_sets_code_and_runs_the_delegate() {
    let (mut db, _) = funded();
    let authority = signer(DEV_KEY_1);
    let delegate = address!("0x00000000000000000000000000000000000000e2");
    // the delegate's code: LOG0(0, 0); STOP
    set_code(&mut db, delegate, &[0x5f, 0x5f, 0xa0, 0x00]);

    let auth = Authorization {
        chain_id: U256::from(CHAIN_ID),
        address: delegate,
        nonce: 0,
    };
    let sig = authority.sign_hash_sync(&auth.signature_hash()).unwrap();
    let tx = TxEip7702 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_limit: 100_000,
        max_fee_per_gas: 2 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to: authority.address(),
        value: U256::ZERO,
        access_list: AccessList::default(),
        authorization_list: vec![auth.into_signed(sig)],
        input: Bytes::new(),
    };
    let out = run(&db, vec![sign(DEV_KEY_0, tx)]);
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
    let executed = &out.transactions[0];
    assert_eq!(executed.receipt.tx_type(), OpTxType::Eip7702);
    assert!(executed.receipt.status());
    // the delegate's code ran in the authority's context
    assert_eq!(executed.receipt.logs().len(), 1);
    assert_eq!(executed.receipt.logs()[0].address, authority.address());

    let change = out.changes.account(&authority.address()).unwrap();
    let mut designator = vec![0xef, 0x01, 0x00];
    designator.extend_from_slice(delegate.as_slice());
    assert_eq!(
        out.changes
            .new_code(&authority.address())
            .map(|c| c.as_ref()),
        Some(designator.as_slice())
    );
    let account = change.info.unwrap();
    assert_eq!(account.code_hash, keccak256(&designator));
    assert_eq!(
        account.nonce, 1,
        "the authorization bumps the authority's nonce"
    );
}

#[test]
fn unprotected_legacy_tx_executes() {
    // pre-EIP-155 transactions (no chain id) are valid at the execution layer, as on Ethereum;
    // the deterministic deployment proxy relies on one. Whether the RPC accepts them is its policy.
    let (db, _) = funded();
    let tx = TxLegacy {
        chain_id: None,
        nonce: 0,
        gas_price: 2 * GWEI,
        gas_limit: 21_000,
        to: TxKind::Call(RECIPIENT),
        value: U256::from(1),
        input: Bytes::new(),
    };
    let out = run(&db, vec![sign(DEV_KEY_0, tx)]);
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
}

#[test]
fn blob_transaction_is_rejected() {
    let (db, _) = funded();
    let tx = TxEip4844 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_limit: 21_000,
        max_fee_per_gas: 2 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to: RECIPIENT,
        value: U256::from(1),
        access_list: AccessList::default(),
        blob_versioned_hashes: vec![B256::repeat_byte(1)],
        max_fee_per_blob_gas: 1,
        input: Bytes::new(),
    };
    let out = run(&db, vec![sign(DEV_KEY_0, tx)]);
    assert!(out.transactions.is_empty());
    assert_eq!(out.rejected[0].reason, RejectReason::BlobTransaction);
    assert!(out.changes.is_empty());
}
