//! Transactions: the ten dev accounts, unsigned transaction specs, parallel signing into raw
//! EIP-2718 bytes (done before any timing starts), and deterministic fresh recipients.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    signers::{SignerSync, local::MnemonicBuilder, local::PrivateKeySigner},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, hex, keccak256};
use eyre::{Result, WrapErr, ensure};
use tributary_genesis::{DEV_ACCOUNTS, DEV_MNEMONIC};

/// Number of dev accounts that send.
pub(crate) const SENDERS: usize = 10;

/// Priority fee of every transaction: 1 gwei.
const PRIORITY_FEE: u128 = 1_000_000_000;

/// The ten dev accounts' keys (`m/44'/60'/0'/0/i` of [`DEV_MNEMONIC`]).
#[derive(Debug, Clone)]
pub(crate) struct DevAccounts {
    signers: Vec<PrivateKeySigner>,
}

impl DevAccounts {
    /// Derives the keys and checks them against [`DEV_ACCOUNTS`].
    pub(crate) fn derive() -> Result<Self> {
        let signers = (0..SENDERS)
            .map(|i| {
                let index = u32::try_from(i).wrap_err("account index")?;
                MnemonicBuilder::english()
                    .phrase(DEV_MNEMONIC)
                    .index(index)?
                    .build()
                    .wrap_err("deriving a dev key")
            })
            .collect::<Result<Vec<_>>>()?;
        for (signer, expected) in signers.iter().zip(DEV_ACCOUNTS) {
            ensure!(
                signer.address() == expected,
                "dev key {} is not {expected}",
                signer.address()
            );
        }
        Ok(Self { signers })
    }

    /// Address of account `i`.
    pub(crate) fn address(&self, i: usize) -> Address {
        self.signers[i].address()
    }
}

/// An unsigned transaction of the benchmark.
#[derive(Debug, Clone)]
pub(crate) struct TxSpec {
    /// Index of the sending dev account.
    pub(crate) sender: usize,
    /// Its nonce.
    pub(crate) nonce: u64,
    /// Recipient or contract creation.
    pub(crate) to: TxKind,
    /// Value, wei.
    pub(crate) value: U256,
    /// Calldata (or init code).
    pub(crate) input: Bytes,
    /// Gas limit.
    pub(crate) gas_limit: u64,
}

/// The next nonce of each sender while a plan is built (all zero on a fresh node), so that every
/// workload's specs get consecutive nonces per sender whatever its setup sent before.
#[derive(Debug, Clone, Default)]
pub(crate) struct Nonces([u64; SENDERS]);

impl Nonces {
    /// A spec from `sender` with its next nonce.
    pub(crate) fn spec(
        &mut self,
        sender: usize,
        to: TxKind,
        value: U256,
        input: Bytes,
        gas_limit: u64,
    ) -> TxSpec {
        let nonce = self.0[sender];
        self.0[sender] += 1;
        TxSpec {
            sender,
            nonce,
            to,
            value,
            input,
            gas_limit,
        }
    }

    /// The nonce `sender`'s next spec will get.
    pub(crate) fn next(&self, sender: usize) -> u64 {
        self.0[sender]
    }
}

/// A signed transaction, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct SignedTx {
    /// `0x`-hex of the EIP-2718 encoding (the `eth_sendRawTransaction` parameter).
    pub(crate) raw: String,
    /// Transaction hash.
    pub(crate) hash: B256,
    /// Index of the sending dev account.
    pub(crate) sender: usize,
    /// Its nonce.
    pub(crate) nonce: u64,
}

/// Signs `specs` as EIP-1559 transactions for `chain_id`, on every available core.
pub(crate) fn sign_all(
    accounts: &DevAccounts,
    chain_id: u64,
    max_fee: u128,
    specs: &[TxSpec],
) -> Result<Vec<SignedTx>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = specs.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = specs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|spec| sign(accounts, chain_id, max_fee, spec))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(specs.len());
        for handle in handles {
            let part = handle
                .join()
                .map_err(|_| eyre::eyre!("a signing thread panicked"))??;
            out.extend(part);
        }
        Ok(out)
    })
}

/// Signs one transaction.
fn sign(accounts: &DevAccounts, chain_id: u64, max_fee: u128, spec: &TxSpec) -> Result<SignedTx> {
    let tx = TxEip1559 {
        chain_id,
        nonce: spec.nonce,
        gas_limit: spec.gas_limit,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: PRIORITY_FEE.min(max_fee),
        to: spec.to,
        value: spec.value,
        access_list: Default::default(),
        input: spec.input.clone(),
    };
    let signature = accounts.signers[spec.sender]
        .sign_hash_sync(&tx.signature_hash())
        .wrap_err("signing")?;
    let envelope = TxEnvelope::from(tx.into_signed(signature));
    Ok(SignedTx {
        raw: hex::encode_prefixed(envelope.encoded_2718()),
        hash: *envelope.tx_hash(),
        sender: spec.sender,
        nonce: spec.nonce,
    })
}

/// The `i`-th never-used address of `tag`: `keccak256("tributary-bench/<tag>/<i>")[12..]`.
pub(crate) fn fresh_address(tag: &str, i: usize) -> Address {
    Address::from_slice(&keccak256(format!("tributary-bench/{tag}/{i}"))[12..])
}

/// The nonce after the last transaction of each sender in `txs` (`None`: the sender sends none).
pub(crate) fn final_nonces(txs: &[SignedTx]) -> [Option<u64>; SENDERS] {
    let mut out = [None; SENDERS];
    for tx in txs {
        let next = tx.nonce + 1;
        let slot = &mut out[tx.sender];
        *slot = Some(slot.map_or(next, |n: u64| n.max(next)));
    }
    out
}

#[cfg(test)]
mod tests {
    use alloy::{consensus::Transaction, eips::eip2718::Decodable2718};

    use super::*;

    #[test]
    fn signs_recoverable_transactions() {
        let accounts = DevAccounts::derive().unwrap();
        let spec = TxSpec {
            sender: 3,
            nonce: 7,
            to: TxKind::Call(fresh_address("t", 0)),
            value: U256::from(1),
            input: Bytes::new(),
            gas_limit: 21_000,
        };
        let signed = sign_all(&accounts, 424_242, 10, &[spec.clone(), spec]).unwrap();
        assert_eq!(signed.len(), 2);
        let bytes = hex::decode(&signed[0].raw).unwrap();
        let envelope = TxEnvelope::decode_2718(&mut bytes.as_slice()).unwrap();
        assert_eq!(*envelope.tx_hash(), signed[0].hash);
        assert_eq!(envelope.chain_id(), Some(424_242));
        assert_eq!(envelope.nonce(), 7);
        let TxEnvelope::Eip1559(signed_tx) = envelope else {
            panic!("not EIP-1559");
        };
        let signer = signed_tx
            .signature()
            .recover_address_from_prehash(&signed_tx.signature_hash())
            .unwrap();
        assert_eq!(signer, DEV_ACCOUNTS[3]);
    }

    #[test]
    fn fresh_addresses_are_distinct() {
        assert_ne!(fresh_address("a", 0), fresh_address("a", 1));
        assert_ne!(fresh_address("a", 0), fresh_address("b", 0));
    }
}
