//! Deposit transactions built by the node itself: the L1-info system deposit.

use alloy_primitives::{Bytes, TxKind, U256};
use op_alloy_consensus::TxDeposit;
use tributary_primitives::{
    L1Info,
    l1_info::{DEPOSITOR_ACCOUNT, L1_INFO_DEPOSIT_GAS},
    predeploys::L1_BLOCK,
};

/// The L1-info deposit of an L2 block (the first transaction of every block, docs/derivation.md):
/// from the depositor account to the L1Block predeploy, no mint, no value, 1,000,000 gas, not a
/// system transaction (post-Regolith), `setL1BlockValuesEcotone` calldata, and the L1-info source
/// hash of (origin hash, sequence number).
pub fn l1_info_deposit(info: &L1Info) -> TxDeposit {
    TxDeposit {
        source_hash: info.source_hash(),
        from: DEPOSITOR_ACCOUNT,
        to: TxKind::Call(L1_BLOCK),
        mint: 0,
        value: U256::ZERO,
        gas_limit: L1_INFO_DEPOSIT_GAS,
        is_system_transaction: false,
        input: Bytes::from(info.encode_ecotone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{B256, keccak256};
    use op_alloy_consensus::{L1InfoDepositSource, UserDepositSource};
    use tributary_primitives::l1_info::{l1_info_source_hash, user_deposit_source_hash};

    #[test]
    fn source_hashes_agree_with_op_alloy() {
        for (hash, n) in [
            (B256::ZERO, 0u64),
            (keccak256("a"), 1),
            (keccak256("b"), u64::MAX),
        ] {
            assert_eq!(
                l1_info_source_hash(hash, n),
                L1InfoDepositSource::new(hash, n).source_hash()
            );
            assert_eq!(
                user_deposit_source_hash(hash, n),
                UserDepositSource::new(hash, n).source_hash()
            );
        }
    }

    #[test]
    fn l1_info_deposit_fields() {
        let info = L1Info {
            number: 7,
            hash: keccak256("origin"),
            sequence_number: 2,
            ..Default::default()
        };
        let tx = l1_info_deposit(&info);
        assert_eq!(tx.from, DEPOSITOR_ACCOUNT);
        assert_eq!(tx.to, TxKind::Call(L1_BLOCK));
        assert_eq!(
            (tx.mint, tx.value, tx.gas_limit),
            (0, U256::ZERO, 1_000_000)
        );
        assert!(!tx.is_system_transaction);
        assert_eq!(L1Info::decode_ecotone(&tx.input).unwrap(), info);
        assert_eq!(
            tx.source_hash,
            L1InfoDepositSource::new(info.hash, 2).source_hash()
        );
    }
}
