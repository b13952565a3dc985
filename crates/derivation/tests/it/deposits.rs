//! The shared deposit and L1-info builders.

use alloy_primitives::{Address, Bytes, TxKind, U256};
use op_alloy_consensus::UserDepositSource;
use tributary_derivation::{DepositLog, deposit_transactions, l1_info};
use tributary_primitives::DepositPayload;

use crate::utils::*;

fn payload(mint: U256, is_creation: bool) -> Bytes {
    DepositPayload {
        mint,
        value: U256::from(3),
        gas_limit: 50_000,
        is_creation,
        data: Bytes::from_static(b"\x60\x00"),
    }
    .encode()
    .into()
}

#[test]
fn malformed_logs_are_skipped_and_the_rest_kept_in_order() {
    let origin = l1(11);
    let good = deposit_log(4, 1, 10);
    let creation = DepositLog {
        log_index: 9,
        to: Address::ZERO,
        opaque_data: payload(U256::from(1), true),
        ..good.clone()
    };
    let logs = vec![
        DepositLog {
            version: U256::from(1),
            ..good.clone()
        },
        DepositLog {
            opaque_data: Bytes::from_static(&[0; 72]),
            ..good.clone()
        },
        DepositLog {
            opaque_data: {
                let mut raw = payload(U256::ZERO, false).to_vec();
                raw[72] = 2; // isCreation neither 0 nor 1
                raw.into()
            },
            ..good.clone()
        },
        DepositLog {
            opaque_data: payload(U256::from(u128::MAX) + U256::from(1), false),
            ..good.clone()
        },
        good.clone(),
        DepositLog {
            opaque_data: payload(U256::from(u128::MAX), false),
            log_index: 5,
            ..good.clone()
        },
        creation,
    ];
    let txs = deposit_transactions(&origin, &logs);
    assert_eq!(txs.len(), 3);
    assert_eq!(
        txs[0].source_hash,
        UserDepositSource::new(origin.hash, 4).source_hash()
    );
    assert_eq!(txs[0].to, TxKind::Call(Address::repeat_byte(0x77)));
    assert_eq!(txs[1].mint, u128::MAX);
    assert_eq!(txs[2].to, TxKind::Create);
    assert_eq!(
        txs[2].source_hash,
        UserDepositSource::new(origin.hash, 9).source_hash()
    );
    assert_eq!((txs[2].gas_limit, txs[2].value), (50_000, U256::from(3)));
    assert!(
        txs.iter()
            .all(|t| !t.is_system_transaction && t.from == signer(1).address())
    );
    assert!(deposit_transactions(&origin, &[]).is_empty());
}

#[test]
fn l1_info_takes_the_origin_and_the_config_scalars() {
    let mut config = config();
    config.base_fee_scalar = 7;
    config.blob_base_fee_scalar = 9;
    let origin = l1(20);
    let info = l1_info(&origin, 4, &config);
    assert_eq!(
        (info.number, info.timestamp, info.hash),
        (20, origin.timestamp, origin.hash)
    );
    assert_eq!(info.base_fee, U256::from(origin.base_fee));
    assert_eq!(info.blob_base_fee, origin.blob_base_fee);
    assert_eq!(info.sequence_number, 4);
    assert_eq!((info.base_fee_scalar, info.blob_base_fee_scalar), (7, 9));
    assert_eq!(info.batcher_hash, alloy_primitives::B256::ZERO);
}
