//! Sends the batcher's and the proposer's L1 transactions: one at a time per key, with explicit
//! nonces and fees, waiting for inclusion and bumping the fees of a transaction that stays
//! pending.
//!
//! **No double posting after a crash.** Before each send the sender waits until the key has no
//! transaction in flight (pending nonce == latest nonce), so a transaction sent before a crash
//! is mined (or dropped) before the caller re-reads the contract and decides what to post. The
//! contracts reject a stale post anyway (`UnexpectedFirstBlock`, `L2BlockNumberTooLow`); this
//! only avoids paying for it.

use std::time::{Duration, Instant};

use alloy::{
    consensus::BlobTransactionSidecar,
    eips::BlockNumberOrTag,
    network::{EthereumWallet, TransactionBuilder, TransactionBuilder4844},
    primitives::{Address, B256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
    transports::http::reqwest::Url,
};
use tracing::{info, warn};
use tributary_contracts::ContractRevert;

use crate::{L1Error, Result};

/// How long a transaction may stay pending before its fees are bumped.
const BUMP_AFTER: Duration = Duration::from_secs(12);
/// Fee bump per resubmission, in percent (replacement needs ≥ 10%; blob fees need 100%).
const BUMP_PERCENT: u128 = 100;
/// Give up on one send after this long (the caller re-reads L1 and tries again).
const SEND_TIMEOUT: Duration = Duration::from_secs(180);
/// Receipt polling interval.
const POLL: Duration = Duration::from_millis(250);

/// One key's L1 transaction sender.
#[derive(Debug, Clone)]
pub struct TxSender {
    provider: DynProvider,
    address: Address,
    role: &'static str,
}

impl TxSender {
    /// A sender signing with `signer` on the L1 at `rpc_url`; `role` names it in logs.
    pub fn new(rpc_url: Url, signer: PrivateKeySigner, role: &'static str) -> Self {
        let address = signer.address();
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(signer))
            .connect_http(rpc_url)
            .erased();
        Self {
            provider,
            address,
            role,
        }
    }

    /// The sending address.
    pub const fn address(&self) -> Address {
        self.address
    }

    /// The provider (signing).
    pub const fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// Publishes the key's L1 balance as `tributary_l1_balance_wei{role}` (operators top it up
    /// before it runs dry).
    pub async fn report_balance(&self) {
        if let Ok(balance) = self.provider.get_balance(self.address).await {
            metrics::gauge!("tributary_l1_balance_wei", "role" => self.role)
                .set(f64::from(balance));
        }
    }

    /// Waits until no transaction of this key is pending; returns the next nonce.
    pub async fn wait_idle(&self) -> Result<u64> {
        let role = self.role;
        wait_until_idle(&self.provider, self.address, SEND_TIMEOUT, |in_flight| {
            metrics::gauge!("tributary_l1_pending_transactions", "role" => role)
                .set(in_flight as f64);
        })
        .await
    }

    /// Simulates, signs and sends `request` (with `sidecar` for a blob transaction), bumping the
    /// fees while it stays pending; returns the successful receipt.
    pub async fn send(
        &self,
        request: TransactionRequest,
        sidecar: Option<BlobTransactionSidecar>,
    ) -> Result<TransactionReceipt> {
        let nonce = self.wait_idle().await?;
        let mut request = request.with_from(self.address).with_nonce(nonce);
        if let Some(sidecar) = sidecar {
            request.set_blob_sidecar(sidecar.into());
        }
        // the simulation catches reverts (with their reason) before any fee is paid
        let gas = self
            .provider
            .estimate_gas(request.clone())
            .await
            .map_err(|e| revert_or_rpc("eth_estimateGas", e))?;
        request.set_gas_limit(gas + gas / 5);
        let (mut max_fee, mut tip, mut blob_fee) = self.fees().await?;
        let started = Instant::now();
        let mut sent: Vec<B256> = Vec::new();
        loop {
            request.set_max_fee_per_gas(max_fee);
            request.set_max_priority_fee_per_gas(tip);
            if request.sidecar.is_some() {
                request.set_max_fee_per_blob_gas(blob_fee);
            }
            match self.provider.send_transaction(request.clone()).await {
                Ok(pending) => sent.push(*pending.tx_hash()),
                // an earlier version may have been mined meanwhile: the receipts tell
                Err(e) => warn!(target: "l1::sender", role = self.role, error = %e, "send failed"),
            }
            let bump_at = Instant::now() + BUMP_AFTER;
            while Instant::now() < bump_at {
                for hash in &sent {
                    if let Some(receipt) = self
                        .provider
                        .get_transaction_receipt(*hash)
                        .await
                        .map_err(|e| L1Error::rpc("eth_getTransactionReceipt", e))?
                    {
                        if !receipt.status() {
                            return Err(L1Error::Reverted(format!(
                                "{} transaction {hash} failed on L1",
                                self.role
                            )));
                        }
                        return Ok(receipt);
                    }
                }
                tokio::time::sleep(POLL).await;
            }
            if started.elapsed() > SEND_TIMEOUT {
                return Err(L1Error::Rpc(format!(
                    "{} transaction with nonce {nonce} not mined after {:?}",
                    self.role, SEND_TIMEOUT
                )));
            }
            // An L1 reorg can drop an earlier transaction of this key (this one then waits
            // behind a gap forever), or another version of this nonce may have been mined
            // unseen: either way the caller re-reads L1 and plans again.
            let (latest, _) = nonces(&self.provider, self.address).await?;
            if latest != nonce {
                return Err(L1Error::Rpc(format!(
                    "{} transaction with nonce {nonce} is stale (account nonce {latest}); re-planning",
                    self.role
                )));
            }
            max_fee = bump(max_fee);
            tip = bump(tip);
            blob_fee = bump(blob_fee);
            info!(target: "l1::sender", role = self.role, nonce, max_fee, tip, "transaction still pending; bumping fees");
        }
    }

    /// (max fee, tip, blob fee) for the next block: twice the current base fees plus the tip.
    async fn fees(&self) -> Result<(u128, u128, u128)> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(|e| L1Error::rpc("eth_getBlockByNumber", e))?
            .ok_or_else(|| L1Error::Rpc("no latest L1 block".into()))?;
        let base = u128::from(block.header.base_fee_per_gas.unwrap_or(1_000_000_000));
        let tip = self
            .provider
            .get_max_priority_fee_per_gas()
            .await
            .unwrap_or(1_000_000_000);
        let blob = block
            .header
            .inner
            .blob_fee(alloy::eips::eip7840::BlobParams::prague())
            .unwrap_or(1);
        Ok((2 * base + tip, tip, (2 * blob).max(1)))
    }
}

/// The (latest, pending) nonces of `account`.
async fn nonces(provider: &DynProvider, account: Address) -> Result<(u64, u64)> {
    let count = |tag: BlockNumberOrTag| async move {
        provider
            .get_transaction_count(account)
            .block_id(tag.into())
            .await
            .map_err(|e| L1Error::rpc("eth_getTransactionCount", e))
    };
    Ok((
        count(BlockNumberOrTag::Latest).await?,
        count(BlockNumberOrTag::Pending).await?,
    ))
}

/// Waits until `account` has no transaction pending on L1 (pending nonce == latest nonce),
/// telling `observe` how many are in flight at each poll; returns the next nonce. Fails after
/// `timeout`.
pub async fn wait_until_idle(
    provider: &DynProvider,
    account: Address,
    timeout: Duration,
    mut observe: impl FnMut(u64),
) -> Result<u64> {
    let started = Instant::now();
    loop {
        let (latest, pending) = nonces(provider, account).await?;
        observe(pending.saturating_sub(latest));
        if pending <= latest {
            return Ok(latest);
        }
        if started.elapsed() > timeout {
            return Err(L1Error::Rpc(format!(
                "{} transactions of {account} stay pending",
                pending - latest
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

fn bump(fee: u128) -> u128 {
    fee + (fee * BUMP_PERCENT / 100).max(1)
}

/// An RPC error carrying revert data becomes [`L1Error::Reverted`] with the decoded error.
fn revert_or_rpc(
    context: &str,
    e: alloy::transports::RpcError<alloy::transports::TransportErrorKind>,
) -> L1Error {
    if let Some(data) = e.as_error_resp().and_then(|r| r.as_revert_data()) {
        return L1Error::Reverted(ContractRevert::decode(&data).to_string());
    }
    L1Error::rpc(context, e)
}
