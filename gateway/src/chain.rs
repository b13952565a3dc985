//! The gateway's view of L2: models, contributions, the pre-flight of a signed request, and the
//! settlement transaction, through the attribution predeploys.

use std::time::Duration;

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    transports::http::reqwest::Url,
};
use tracing::{debug, info};
use tributary_cli::gateway_api::Payment;
use tributary_contracts::{
    AttributionSettlement::{self, AttributionSettlementErrors as Settle},
    ContractRevert, DataNetRegistry, ModelRegistry, contribution_status,
};
use tributary_primitives::predeploys::{ATTRIBUTION_SETTLEMENT, DATANET_REGISTRY, MODEL_REGISTRY};

use crate::error::{GatewayError, Result};

/// What the gateway needs to know about a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModelTerms {
    /// The model's id.
    pub(crate) id: U256,
    /// Its fee per inference, wei.
    pub(crate) fee: U256,
    /// Its linked DataNets.
    pub(crate) datanets: Vec<u64>,
}

/// A registered contribution, as DataNetRegistry records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OnChainContribution {
    /// Its id.
    pub(crate) id: u64,
    /// Its DataNet.
    pub(crate) datanet_id: u64,
    /// Whether it is Accepted (else Pending: a rejection frees the content hash).
    pub(crate) accepted: bool,
}

/// A mined settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settled {
    /// The transaction.
    pub(crate) tx: B256,
    /// Its block.
    pub(crate) block: u64,
    /// Its gas.
    pub(crate) gas_used: u64,
    /// The inference id.
    pub(crate) inference_id: U256,
    /// The fee charged.
    pub(crate) fee: U256,
}

/// L2, signing as the gateway's provider key.
#[derive(Debug)]
pub(crate) struct Chain {
    provider: DynProvider,
    address: Address,
    chain_id: u64,
    receipt_timeout: Duration,
    /// Held from nonce assignment until the node accepted the transaction, so that concurrent
    /// settlements never take the same nonce of the provider key.
    send_lock: tokio::sync::Mutex<()>,
}

impl Chain {
    /// Connects to `url` and reads its chain id.
    pub(crate) async fn connect(
        url: Url,
        key: PrivateKeySigner,
        receipt_timeout: Duration,
    ) -> Result<Self> {
        let address = key.address();
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(key))
            .connect_http(url)
            .erased();
        let chain_id = provider
            .get_chain_id()
            .await
            .map_err(|e| GatewayError::Chain {
                what: "eth_chainId",
                detail: e.to_string(),
            })?;
        Ok(Self {
            provider,
            address,
            chain_id,
            receipt_timeout,
            send_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The provider key's address.
    pub(crate) fn address(&self) -> Address {
        self.address
    }

    /// The L2 chain id (part of the EIP-712 domain users sign).
    pub(crate) fn chain_id(&self) -> u64 {
        self.chain_id
    }

    fn models(&self) -> ModelRegistry::ModelRegistryInstance<&DynProvider> {
        ModelRegistry::new(MODEL_REGISTRY, &self.provider)
    }

    fn registry(&self) -> DataNetRegistry::DataNetRegistryInstance<&DynProvider> {
        DataNetRegistry::new(DATANET_REGISTRY, &self.provider)
    }

    fn settlement(&self) -> AttributionSettlement::AttributionSettlementInstance<&DynProvider> {
        AttributionSettlement::new(ATTRIBUTION_SETTLEMENT, &self.provider)
    }

    /// The model's terms for this gateway: it must exist, be active, and have this gateway as an
    /// authorised provider.
    pub(crate) async fn model(&self, id: U256) -> Result<ModelTerms> {
        let (owner, fee, active, authorised) = {
            let t = self
                .models()
                .settlementTerms(id, self.address)
                .call()
                .await
                .map_err(|e| GatewayError::from_call("ModelRegistry.settlementTerms", e))?;
            (t.owner, t.feePerInference, t.active, t.authorised)
        };
        if owner == Address::ZERO {
            return Err(GatewayError::ModelNotFound { model: id });
        }
        if !active {
            return Err(GatewayError::ModelRetired { model: id });
        }
        if !authorised {
            return Err(GatewayError::NotProvider {
                model: id,
                provider: self.address,
            });
        }
        let datanets = self
            .models()
            .linkedDataNets(id)
            .call()
            .await
            .map_err(|e| GatewayError::from_call("ModelRegistry.linkedDataNets", e))?
            .into_iter()
            .map(|d| d.saturating_to::<u64>())
            .collect();
        Ok(ModelTerms { id, fee, datanets })
    }

    /// Checks a signed request before any work is done for it, by simulating `settleSigned` with
    /// an empty attribution: the contract checks the request (deadline, nonce, signature), the
    /// model and the fee (maxFee, prepaid balance) before the attribution's shape, so a request
    /// that would pay reverts with `InvalidContributionCount` and any earlier revert names what is
    /// wrong with it (the order is in docs/attribution.md).
    pub(crate) async fn preflight(
        &self,
        model: U256,
        request_hash: B256,
        payment: &Payment,
    ) -> Result<()> {
        let empty = AttributionSettlement::Settlement {
            modelId: model,
            requestHash: request_hash,
            outputHash: B256::ZERO,
            evidenceHash: B256::ZERO,
            contributions: Vec::new(),
            weightsBps: Vec::new(),
        };
        let contract = self.settlement();
        let call = contract.settleSigned(
            empty,
            payment.user_request(model, request_hash),
            payment.signature.clone(),
        );
        match call.from(self.address).call().await {
            Ok(_) => Err(GatewayError::Internal(
                "settleSigned accepted an empty attribution".into(),
            )),
            Err(e) => match ContractRevert::from_contract_error(&e) {
                Some(ContractRevert::AttributionSettlement(Settle::InvalidContributionCount(
                    _,
                ))) => Ok(()),
                Some(revert) => Err(GatewayError::from_revert(revert)),
                None => Err(GatewayError::Chain {
                    what: "settleSigned pre-flight",
                    detail: e.to_string(),
                }),
            },
        }
    }

    /// For each contribution id, its contributor and DataNet when it is Accepted, else `None`.
    pub(crate) async fn accepted(&self, ids: &[u64]) -> Result<Vec<Option<(Address, u64)>>> {
        let result = self
            .registry()
            .acceptedContributors(ids.iter().map(|&id| U256::from(id)).collect())
            .call()
            .await
            .map_err(|e| GatewayError::from_call("DataNetRegistry.acceptedContributors", e))?;
        Ok(result
            .contributors
            .into_iter()
            .zip(result.datanetIds)
            .map(|(who, datanet)| {
                (who != Address::ZERO).then(|| (who, datanet.saturating_to::<u64>()))
            })
            .collect())
    }

    /// The registered (Pending or Accepted) contribution holding this content hash, if any.
    pub(crate) async fn contribution_by_hash(
        &self,
        content_hash: B256,
    ) -> Result<Option<OnChainContribution>> {
        let registry = self.registry();
        let id = registry
            .contributionByHash(content_hash)
            .call()
            .await
            .map_err(|e| GatewayError::from_call("DataNetRegistry.contributionByHash", e))?;
        if id.is_zero() {
            return Ok(None);
        }
        let c = registry
            .contribution(id)
            .call()
            .await
            .map_err(|e| GatewayError::from_call("DataNetRegistry.contribution", e))?;
        Ok(Some(OnChainContribution {
            id: id.saturating_to::<u64>(),
            datanet_id: c.datanetId,
            accepted: c.status == contribution_status::ACCEPTED,
        }))
    }

    /// Settles with the user's signed request: simulated first (a revert is decoded into what
    /// it means for the user, and nothing is sent), then sent from the provider key; waits for the
    /// receipt.
    pub(crate) async fn settle(
        &self,
        settlement: AttributionSettlement::Settlement,
        request: AttributionSettlement::UserRequest,
        signature: Bytes,
    ) -> Result<Settled> {
        let contract = self.settlement();
        let call = contract
            .settleSigned(settlement, request, signature)
            .from(self.address);
        call.call()
            .await
            .map_err(|e| GatewayError::from_call("settleSigned simulation", e))?;
        let pending = {
            let _nonce = self.send_lock.lock().await;
            call.send()
                .await
                .map_err(|e| GatewayError::from_call("settleSigned", e))?
        };
        let tx = *pending.tx_hash();
        debug!(target: "gateway::chain", %tx, "settlement sent");
        let receipt = pending
            .with_timeout(Some(self.receipt_timeout))
            .get_receipt()
            .await
            .map_err(|e| GatewayError::Chain {
                what: "settlement receipt",
                detail: e.to_string(),
            })?;
        if !receipt.status() {
            return Err(GatewayError::SettlementFailed(tx));
        }
        let event = receipt
            .decoded_log::<AttributionSettlement::InferenceSettled>()
            .ok_or_else(|| {
                GatewayError::Internal(format!("settlement {tx} emitted no InferenceSettled"))
            })?;
        info!(target: "gateway::chain", %tx, inference = %event.inferenceId, fee = %event.fee, gas = receipt.gas_used, "settled");
        Ok(Settled {
            tx,
            block: receipt.block_number.unwrap_or_default(),
            gas_used: receipt.gas_used,
            inference_id: event.inferenceId,
            fee: event.fee,
        })
    }
}
