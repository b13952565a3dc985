//! Reads L1 the way derivation needs it: headers, the Portal's deposits, the Rollup's batches
//! with their data (calldata of the `submitBatch` transaction, or blobs from the beacon API,
//! checked against their versioned hashes).

use std::time::Duration;

use alloy::{
    consensus::{Blob, SidecarCoder, SimpleCoder},
    eips::{
        BlockNumberOrTag,
        eip4844::{env_settings::EnvKzgSettings, kzg_to_versioned_hash},
        eip7840::BlobParams,
    },
    primitives::{B256, Bytes, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{Filter, Log},
    sol_types::SolCall,
    transports::http::reqwest::{self, Url},
};
use tracing::warn;
use tributary_contracts::{Portal, Rollup};
use tributary_derivation::{BatchData, DepositLog, L1BlockData, L1BlockInfo};
use tributary_primitives::Deployment;

use crate::{L1Error, Result};

/// Timeout of one beacon API request.
const BEACON_TIMEOUT: Duration = Duration::from_secs(30);

/// An L1 JSON-RPC endpoint plus the beacon API serving its blobs, bound to one deployment.
#[derive(Debug, Clone)]
pub struct L1Client {
    provider: DynProvider,
    http: reqwest::Client,
    rpc_url: Url,
    beacon_url: Url,
    deployment: Deployment,
}

impl L1Client {
    /// A client for `rpc_url`; blobs come from `beacon_url` (anvil serves the beacon API on its
    /// RPC port, so that is the default).
    pub fn new(rpc_url: Url, beacon_url: Option<Url>, deployment: Deployment) -> Self {
        let provider = ProviderBuilder::new()
            .connect_http(rpc_url.clone())
            .erased();
        Self {
            provider,
            http: reqwest::Client::new(),
            beacon_url: beacon_url.unwrap_or_else(|| rpc_url.clone()),
            rpc_url,
            deployment,
        }
    }

    /// The read-only provider.
    pub const fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The JSON-RPC endpoint.
    pub const fn rpc_url(&self) -> &Url {
        &self.rpc_url
    }

    /// The deployment this client reads.
    pub const fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The Rollup contract over the read-only provider.
    pub fn rollup(&self) -> Rollup::RollupInstance<&DynProvider> {
        Rollup::new(self.deployment.contracts.rollup, &self.provider)
    }

    /// Checks that the L2 genesis `hash` of chain `chain_id` starts the chain this deployment
    /// settles: hash and chain id are the deployment's, the L1 answers to the deployment's chain
    /// id, and the Rollup on L1 records this genesis. The Rollup is the authority: a node or prover on another genesis would
    /// build (or verify) a different chain.
    pub async fn check_genesis(&self, hash: B256, chain_id: u64) -> Result<()> {
        let deployment = &self.deployment;
        if hash != deployment.l2_genesis_hash {
            return Err(L1Error::Mismatch(format!(
                "the genesis has hash {hash}, but the deployment records {}",
                deployment.l2_genesis_hash
            )));
        }
        if chain_id != deployment.l2_chain_id {
            return Err(L1Error::Mismatch(format!(
                "the genesis has chain id {chain_id}, the deployment {}",
                deployment.l2_chain_id
            )));
        }
        let l1_chain_id =
            self.provider.get_chain_id().await.map_err(|e| {
                L1Error::rpc(&format!("eth_chainId of the L1 at {}", self.rpc_url), e)
            })?;
        if l1_chain_id != deployment.l1_chain_id {
            return Err(L1Error::Mismatch(format!(
                "the L1 at {} has chain id {l1_chain_id}, the deployment expects {}",
                self.rpc_url, deployment.l1_chain_id
            )));
        }
        let recorded = self
            .rollup()
            .l2GenesisHash()
            .call()
            .await
            .map_err(|e| L1Error::rpc("Rollup.l2GenesisHash()", e))?;
        if recorded != hash {
            return Err(L1Error::Mismatch(format!(
                "the Rollup on L1 records genesis {recorded}, not {hash}"
            )));
        }
        Ok(())
    }

    /// The latest L1 block number.
    pub async fn head_number(&self) -> Result<u64> {
        self.provider
            .get_block_number()
            .await
            .map_err(|e| L1Error::rpc("eth_blockNumber", e))
    }

    /// The header fields of L1 block `number`, if it exists.
    pub async fn block_info(&self, number: u64) -> Result<Option<L1BlockInfo>> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await
            .map_err(|e| L1Error::rpc("eth_getBlockByNumber", e))?;
        Ok(block.map(|b| block_info(&b.header)))
    }

    /// L1 block `number` with its deposits and, if `with_batches`, its batches and their data.
    pub async fn block_data(&self, number: u64, with_batches: bool) -> Result<Option<L1BlockData>> {
        let Some(info) = self.block_info(number).await? else {
            return Ok(None);
        };
        let contracts = &self.deployment.contracts;
        let mut addresses = vec![contracts.portal];
        if with_batches {
            addresses.push(contracts.rollup);
        }
        let filter = Filter::new().at_block_hash(info.hash).address(addresses);
        let logs = self
            .provider
            .get_logs(&filter)
            .await
            .map_err(|e| L1Error::rpc("eth_getLogs", e))?;
        let mut data = L1BlockData::empty(info);
        for log in &logs {
            if log.block_hash != Some(data.info.hash) {
                // a node answering for another block: better no data than wrong data
                return Err(L1Error::Rpc(format!(
                    "eth_getLogs for block {} returned a log of another block",
                    data.info.hash
                )));
            }
            if log.address() == contracts.portal {
                if let Some(deposit) = deposit_log(log) {
                    data.deposits.push(deposit);
                }
            } else if log.address() == contracts.rollup
                && let Ok(event) = log.log_decode::<Rollup::BatchSubmitted>()
            {
                let event = event.inner.data;
                let bytes = self.batch_bytes(log, &event, &data.info).await?;
                data.batches.push(BatchData {
                    batch_index: event.batchIndex.saturating_to(),
                    first_block: event.firstBlock,
                    last_block: event.lastBlock,
                    data: bytes,
                });
            }
        }
        Ok(Some(data))
    }

    /// The bytes of one batch. Data that cannot be found or does not match the event's data hash
    /// comes back empty: derivation then skips the batch by rule (an empty batch does not decode).
    async fn batch_bytes(
        &self,
        log: &Log,
        event: &Rollup::BatchSubmitted,
        info: &L1BlockInfo,
    ) -> Result<Bytes> {
        if !event.blobHashes.is_empty() {
            return self.blob_data(info.hash, &event.blobHashes).await;
        }
        let Some(tx_hash) = log.transaction_hash else {
            return Ok(Bytes::new());
        };
        let tx = self
            .provider
            .get_transaction_by_hash(tx_hash)
            .await
            .map_err(|e| L1Error::rpc("eth_getTransactionByHash", e))?
            .ok_or_else(|| L1Error::Rpc(format!("batch transaction {tx_hash} not found")))?;
        use alloy::consensus::Transaction;
        let data = match Rollup::submitBatchCall::abi_decode(tx.input()) {
            Ok(call) if keccak256(&call.data) == event.dataHash => call.data,
            _ => {
                // e.g. submitted through a contract: the calldata is not the batch itself
                warn!(target: "l1::client", %tx_hash, "batch data not found in the transaction's calldata");
                Bytes::new()
            }
        };
        Ok(data)
    }

    /// The data carried by the blobs with versioned hashes `hashes` of L1 block `block_hash`,
    /// in that order: each blob is checked against its hash (the beacon API is not trusted)
    /// and decoded with alloy's `SimpleCoder`; undecodable contents come back empty.
    pub async fn blob_data(&self, block_hash: B256, hashes: &[B256]) -> Result<Bytes> {
        // All of the block's blobs, picked by hash below: servers disagree on how a list of
        // `versioned_hashes` is passed (anvil 1.7.1 serves one blob of a multi-blob filter).
        let url = self
            .beacon_url
            .join(&format!("eth/v1/beacon/blobs/{block_hash}"))
            .map_err(|e| L1Error::Blobs(e.to_string()))?;
        let response = self
            .http
            .get(url)
            .timeout(BEACON_TIMEOUT)
            .send()
            .await
            .map_err(|e| L1Error::Blobs(e.to_string()))?;
        if !response.status().is_success() {
            return Err(L1Error::Blobs(format!(
                "GET blobs of {block_hash}: HTTP {}",
                response.status()
            )));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| L1Error::Blobs(e.to_string()))?;
        #[derive(serde::Deserialize)]
        struct BlobsResponse {
            data: Vec<Bytes>,
        }
        let served: BlobsResponse =
            serde_json::from_slice(&body).map_err(|e| L1Error::Blobs(e.to_string()))?;
        let hashes = hashes.to_vec();
        on_large_stack(move || decode_blobs(block_hash, &hashes, served.data)).await?
    }
}

/// Loads the KZG trusted setup that checking blobs needs. It loads lazily on first use and
/// takes seconds: callers start this early (the batcher before its first batch, the prover
/// while it reads its first L1 blocks) so no blob waits for it.
pub async fn load_kzg_settings() {
    let _ = on_large_stack(|| {
        EnvKzgSettings::Default.get();
    })
    .await;
}

/// Checks served blobs against `hashes` and decodes them in that order. Blobs are 128 KiB
/// values: this runs on a thread with a large stack (see [`on_large_stack`]).
fn decode_blobs(block_hash: B256, hashes: &[B256], served: Vec<Bytes>) -> Result<Bytes> {
    let settings = EnvKzgSettings::Default.get();
    let mut by_hash = std::collections::HashMap::new();
    for raw in served {
        let blob = Blob::try_from(raw.as_ref())
            .map_err(|_| L1Error::Blobs(format!("a blob of {} bytes", raw.len())))?;
        let commitment = settings
            .blob_to_kzg_commitment(&alloy::eips::eip4844::c_kzg::Blob::new(blob.0))
            .map_err(|e| L1Error::Blobs(e.to_string()))?;
        by_hash.insert(kzg_to_versioned_hash(commitment.as_slice()), blob);
    }
    let blobs = hashes
        .iter()
        .map(|h| {
            by_hash
                .remove(h)
                .ok_or_else(|| L1Error::Blobs(format!("blob {h} of block {block_hash} not served")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SimpleCoder::default()
        .decode_all(&blobs)
        .map(|chunks| chunks.concat())
        .unwrap_or_default()
        .into())
}

/// Runs `f` on its own thread with a 64 MiB stack. Blob and KZG code moves 128 KiB arrays by
/// value, several per frame in unoptimised builds: more than a runtime thread's 2 MiB stack.
pub(crate) async fn on_large_stack<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("l1-blobs".into())
        .stack_size(64 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| L1Error::Blobs(format!("spawning a blob thread: {e}")))?;
    rx.await
        .map_err(|_| L1Error::Blobs("the blob thread panicked".into()))
}

/// The header fields derivation reads.
pub fn block_info(header: &alloy::rpc::types::Header) -> L1BlockInfo {
    L1BlockInfo {
        number: header.number,
        hash: header.hash,
        parent_hash: header.parent_hash,
        timestamp: header.timestamp,
        base_fee: header.base_fee_per_gas.unwrap_or_default(),
        blob_base_fee: header
            .inner
            .blob_fee(BlobParams::prague())
            .map_or(U256::from(1), U256::from),
        mix_hash: header.mix_hash,
        parent_beacon_block_root: header.parent_beacon_block_root.unwrap_or_default(),
    }
}

/// A Portal log as a [`DepositLog`], if it is a `TransactionDeposited` event.
fn deposit_log(log: &Log) -> Option<DepositLog> {
    let event = log.log_decode::<Portal::TransactionDeposited>().ok()?;
    let e = event.inner.data;
    Some(DepositLog {
        log_index: log.log_index?,
        from: e.from,
        to: e.to,
        version: e.version,
        opaque_data: e.opaqueData,
    })
}
