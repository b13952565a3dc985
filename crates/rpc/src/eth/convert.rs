//! Stored rows → the JSON objects wallets expect (op-alloy's RPC types: OP's transaction and
//! receipt fields, deposits included).

use alloy::consensus::ReceiptWithBloom;
use alloy::{
    consensus::{Header, Sealed, Transaction as _, transaction::Recovered},
    eips::eip2718::Decodable2718,
    rpc::types::{Block, BlockTransactions, Header as RpcHeader, Log, TransactionInfo},
};
use alloy_primitives::{B256, U256};
use op_alloy_consensus::{
    OpReceipt, OpReceiptEnvelope, OpTxEnvelope,
    transaction::{OpDepositInfo, OpTransactionInfo},
};
use op_alloy_rpc_types::{L1BlockInfo, OpTransactionReceipt, Transaction};
use tributary_primitives::L1Info;
use tributary_storage::{StoredLog, StoredReceipt, StoredTx};
use tributary_txpool::PoolTransaction;

use crate::RpcError;

/// An RPC transaction.
pub(crate) type RpcTransaction = Transaction;
/// An RPC block.
pub(crate) type RpcBlock = Block<RpcTransaction, RpcHeader>;

/// Decodes a stored transaction; stored bytes that do not decode are a corrupt store.
pub(crate) fn envelope(raw: &[u8]) -> Result<OpTxEnvelope, RpcError> {
    OpTxEnvelope::decode_2718(&mut &raw[..]).map_err(RpcError::internal)
}

/// An included transaction, with its block position and (for deposits) its receipt metadata.
pub(crate) fn transaction(
    tx: &StoredTx,
    header: &Header,
    deposit: OpDepositInfo,
) -> Result<RpcTransaction, RpcError> {
    let info = OpTransactionInfo::new(
        TransactionInfo {
            hash: Some(tx.hash),
            index: Some(tx.index),
            block_hash: Some(tx.block_hash),
            block_number: Some(tx.block_number),
            block_timestamp: Some(header.timestamp),
            base_fee: header.base_fee_per_gas,
        },
        deposit,
    );
    Ok(Transaction::from_transaction(
        Recovered::new_unchecked(envelope(&tx.raw)?, tx.sender),
        info,
    ))
}

/// A pending pool transaction (no block fields). `None` only for a type the pool never admits
/// (blob transactions).
pub(crate) fn pending_transaction(tx: &PoolTransaction) -> Option<RpcTransaction> {
    let envelope = OpTxEnvelope::try_from(tx.envelope().clone()).ok()?;
    let mut rpc = Transaction::from_transaction(
        Recovered::new_unchecked(envelope, tx.sender()),
        OpTransactionInfo::default(),
    );
    // unmined: the price paid is not known yet, geth reports the fee cap
    rpc.inner.effective_gas_price = Some(tx.max_fee_per_gas());
    Some(rpc)
}

/// Deposit receipt metadata of a receipt (both `None` for signed transactions).
pub(crate) fn deposit_info(receipt: &OpReceiptEnvelope) -> OpDepositInfo {
    match receipt {
        OpReceiptEnvelope::Deposit(d) => OpDepositInfo {
            deposit_nonce: d.receipt.deposit_nonce,
            deposit_receipt_version: d.receipt.deposit_receipt_version,
        },
        _ => OpDepositInfo::default(),
    }
}

/// Decodes a stored receipt envelope.
pub(crate) fn receipt_envelope(receipt: &StoredReceipt) -> Result<OpReceiptEnvelope, RpcError> {
    OpReceiptEnvelope::decode_2718(&mut receipt.encoded.as_ref()).map_err(RpcError::internal)
}

/// A receipt as `eth_getTransactionReceipt` returns it. `l1` is the block's L1-info (from its
/// first transaction), which OP receipts echo next to the L1 fee.
pub(crate) fn receipt(
    stored: &StoredReceipt,
    tx: &StoredTx,
    header: &Header,
    l1: Option<&L1Info>,
) -> Result<OpTransactionReceipt, RpcError> {
    let envelope = receipt_envelope(stored)?;
    let tx_envelope = envelope_of(tx)?;
    let logs_bloom = *envelope.logs_bloom();
    let mut log_index = stored.first_log_index;
    let op_receipt = OpReceipt::from(envelope).map_logs(|inner| {
        let log = Log {
            inner,
            block_hash: Some(stored.block_hash),
            block_number: Some(stored.block_number),
            block_timestamp: Some(header.timestamp),
            transaction_hash: Some(stored.tx_hash),
            transaction_index: Some(stored.index),
            log_index: Some(log_index),
            removed: false,
        };
        log_index += 1;
        log
    });
    let l1_block_info = match (stored.l1_fee, l1) {
        (Some(fee), Some(info)) => L1BlockInfo {
            l1_fee: Some(u128::try_from(fee).unwrap_or(u128::MAX)),
            l1_gas_price: Some(saturating_u128(info.base_fee)),
            l1_gas_used: Some(u128::from(tributary_execution::l1_gas_used(&tx.raw))),
            l1_blob_base_fee: Some(saturating_u128(info.blob_base_fee)),
            l1_base_fee_scalar: Some(info.base_fee_scalar.into()),
            l1_blob_base_fee_scalar: Some(info.blob_base_fee_scalar.into()),
            ..Default::default()
        },
        _ => L1BlockInfo::default(),
    };
    Ok(OpTransactionReceipt {
        inner: alloy::rpc::types::TransactionReceipt {
            inner: ReceiptWithBloom {
                receipt: op_receipt,
                logs_bloom,
            },
            transaction_hash: stored.tx_hash,
            transaction_index: Some(stored.index),
            block_hash: Some(stored.block_hash),
            block_number: Some(stored.block_number),
            gas_used: stored.gas_used,
            effective_gas_price: stored.effective_gas_price,
            blob_gas_used: None,
            blob_gas_price: None,
            from: tx.sender,
            to: tx_envelope.to(),
            contract_address: stored.contract_address,
        },
        l1_block_info,
        op_gas_refund: None,
    })
}

fn envelope_of(tx: &StoredTx) -> Result<OpTxEnvelope, RpcError> {
    envelope(&tx.raw)
}

fn saturating_u128(v: U256) -> u128 {
    u128::try_from(v).unwrap_or(u128::MAX)
}

/// The L1-info a block's first transaction (the L1-info deposit) carries.
pub(crate) fn l1_info(first_tx: &StoredTx) -> Option<L1Info> {
    match envelope(&first_tx.raw).ok()? {
        OpTxEnvelope::Deposit(d) => L1Info::decode_ecotone(&d.input).ok(),
        _ => None,
    }
}

/// A stored log as an RPC log.
pub(crate) fn log(stored: StoredLog) -> Log {
    Log {
        inner: stored.log,
        block_hash: Some(stored.block_hash),
        block_number: Some(stored.block_number),
        block_timestamp: Some(stored.block_timestamp),
        transaction_hash: Some(stored.tx_hash),
        transaction_index: Some(stored.tx_index),
        log_index: Some(stored.log_index),
        removed: false,
    }
}

/// A block with full transactions or hashes. `receipts` are the block's receipts in order
/// (needed for deposit metadata of full transactions; may be empty when `full` is false).
pub(crate) fn block(
    header: Sealed<Header>,
    txs: &[StoredTx],
    receipts: &[StoredReceipt],
    full: bool,
    size: usize,
) -> Result<RpcBlock, RpcError> {
    let transactions = if full {
        let mut out = Vec::with_capacity(txs.len());
        for (i, tx) in txs.iter().enumerate() {
            let deposit = match receipts.get(i) {
                Some(r) => deposit_info(&receipt_envelope(r)?),
                None => OpDepositInfo::default(),
            };
            out.push(transaction(tx, header.inner(), deposit)?);
        }
        BlockTransactions::Full(out)
    } else {
        BlockTransactions::Hashes(txs.iter().map(|t| t.hash).collect::<Vec<B256>>())
    };
    let mut rpc_header = RpcHeader::from_sealed(header);
    rpc_header.size = Some(U256::from(size));
    Ok(Block::new(rpc_header, transactions))
}

/// The RLP size of a block `[header, transactions, ommers = [], withdrawals = []]` (the
/// `size` field).
pub(crate) fn block_size(header: &Header, txs: &[StoredTx]) -> usize {
    use alloy_rlp::{Encodable, Header as RlpHeader};
    let transactions: usize = txs
        .iter()
        .map(|t| match t.raw.first() {
            // a legacy transaction is an RLP list itself
            Some(b) if *b >= 0xc0 => t.raw.len(),
            // typed transactions are RLP strings of their EIP-2718 bytes
            _ => {
                RlpHeader {
                    list: false,
                    payload_length: t.raw.len(),
                }
                .length()
                    + t.raw.len()
            }
        })
        .sum();
    let tx_list = RlpHeader {
        list: true,
        payload_length: transactions,
    }
    .length_with_payload();
    // two empty lists (ommers, withdrawals): one byte each
    let payload = header.length() + tx_list + 2;
    RlpHeader {
        list: true,
        payload_length: payload,
    }
    .length_with_payload()
}
