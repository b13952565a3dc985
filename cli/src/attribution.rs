//! Proof of Attribution for people: DataNets, contributions, votes, models, prepaid inferences
//! through the gateway, earnings and claims (docs/attribution.md, docs/gateway.md).
//!
//! ```text
//! datanet create / stake, vote   ──L2──► DataNetRegistry   (0x4200…0100)
//! contribute FILE                ──L2──► DataNetRegistry.submitContribution{deposit}(keccak256(FILE))
//!                                ──────► gateway POST /v1/contributions (the bytes; indexed once Accepted)
//! model register / provider add  ──L2──► ModelRegistry     (0x4200…0101)
//! prepay                         ──L2──► AttributionSettlement.deposit{value} (0x4200…0102)
//! query                          ──────► gateway POST /v1/chat/completions, signed EIP-712 request
//! earnings / claim               ──L2──► credits of AttributionSettlement and DataNetRegistry,
//!                                        pending validator rewards (claimRewards settles them)
//! ```

use std::{fmt, path::Path, time::Duration};

use alloy::{
    primitives::{Address, B256, TxHash, U256, keccak256},
    providers::Provider,
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
    transports::http::reqwest::{self, Url},
};
use serde::{Serialize, de::DeserializeOwned};
use tracing::info;
use tributary_contracts::{
    AttributionSettlement, DataNetRegistry, ModelRegistry, contribution_status,
};
use tributary_primitives::predeploys::{ATTRIBUTION_SETTLEMENT, DATANET_REGISTRY, MODEL_REGISTRY};

use crate::{
    Client,
    amount::format_open,
    client::send,
    error::{CliError, Layer, Result},
    gateway_api::{ChatMessage, ChatRequest, ChatResponse, ContributionStatus, ErrorBody, Payment},
};

/// How long the CLI waits for the gateway (an answer includes an L2 settlement and its receipt).
pub const GATEWAY_TIMEOUT: Duration = Duration::from_secs(120);

/// A transaction that created something with an id (a DataNet, a contribution, a model).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Created {
    /// What was created: `datanet`, `contribution`, `model`.
    pub kind: &'static str,
    /// Its id.
    pub id: u64,
    /// The transaction.
    pub tx: TxHash,
    /// Details for people (deposit, hash...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The gateway's answer to the upload of a contribution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload: Option<ContributionStatus>,
}

impl Created {
    fn new(
        kind: &'static str,
        id: U256,
        receipt: &TransactionReceipt,
        detail: String,
        upload: Option<ContributionStatus>,
    ) -> Self {
        Self {
            kind,
            id: id.saturating_to(),
            tx: receipt.transaction_hash,
            detail: Some(detail),
            upload,
        }
    }
}

impl fmt::Display for Created {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "created {} {}", self.kind, self.id)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        write!(f, "\n  tx  {}", self.tx)?;
        if let Some(upload) = &self.upload {
            write!(
                f,
                "\n  gateway: content {} {}",
                upload.content_hash, upload.status
            )?;
        }
        Ok(())
    }
}

/// A transaction that changed something, with what it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sent {
    /// For people: "staked 10 OPEN in datanet 1 (stake 10 OPEN)".
    pub summary: String,
    /// The transaction.
    pub tx: TxHash,
}

impl fmt::Display for Sent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n  tx  {}", self.summary, self.tx)
    }
}

/// Pending validator rewards in one DataNet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingReward {
    /// The DataNet.
    pub datanet_id: u64,
    /// Wei.
    pub amount: U256,
}

/// What an account is owed (wei). Of the three contracts only AttributionSettlement and
/// DataNetRegistry hold money: ModelRegistry's model owners are paid in AttributionSettlement's
/// credits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Earnings {
    /// The account.
    pub account: Address,
    /// AttributionSettlement credits: contributor, model-owner and protocol shares.
    pub settlement_credits: U256,
    /// DataNetRegistry credits: returned deposits, rejected-deposit shares, settled rewards.
    pub registry_credits: U256,
    /// Validator rewards not yet settled into credits, per DataNet.
    pub pending_rewards: Vec<PendingReward>,
    /// Prepaid balance (spent by signed queries; withdrawable, not claimable).
    pub prepaid: U256,
    /// What `claim` would pay now.
    pub claimable: U256,
}

impl fmt::Display for Earnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "earnings of {}", self.account)?;
        writeln!(
            f,
            "  inference credits (AttributionSettlement)  {} OPEN",
            format_open(self.settlement_credits)
        )?;
        writeln!(
            f,
            "  datanet credits (DataNetRegistry)          {} OPEN",
            format_open(self.registry_credits)
        )?;
        for r in &self.pending_rewards {
            writeln!(
                f,
                "  pending validator rewards, datanet {:<5}   {} OPEN",
                r.datanet_id,
                format_open(r.amount)
            )?;
        }
        writeln!(
            f,
            "  claimable now                              {} OPEN",
            format_open(self.claimable)
        )?;
        write!(
            f,
            "  prepaid for inferences                     {} OPEN",
            format_open(self.prepaid)
        )
    }
}

/// One claim transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claimed {
    /// The contract: `AttributionSettlement` or `DataNetRegistry`.
    pub contract: &'static str,
    /// Wei paid out.
    pub amount: U256,
    /// The transaction.
    pub tx: TxHash,
}

/// What `claim` paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimReceipt {
    /// The account (and recipient).
    pub account: Address,
    /// One entry per contract that owed something.
    pub claims: Vec<Claimed>,
    /// The sum.
    pub total: U256,
}

impl fmt::Display for ClaimReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "claimed {} OPEN for {}",
            format_open(self.total),
            self.account
        )?;
        for c in &self.claims {
            write!(
                f,
                "\n  {:<22} {} OPEN  tx {}",
                c.contract,
                format_open(c.amount),
                c.tx
            )?;
        }
        Ok(())
    }
}

/// The terms `query` signs beyond the question and the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryTerms {
    /// Highest fee accepted [default: the model's current fee].
    pub max_fee: Option<U256>,
    /// The request's nonce [default: one from the clock].
    pub nonce: Option<U256>,
    /// How long after the latest L2 block the request may settle.
    pub valid_for: Duration,
}

/// The answer of `query`: the gateway's response (what `--json` prints, as the gateway sent it)
/// and the gateway it came from, so that people get the evidence's full URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct QueryAnswer {
    /// The gateway's chat completion with its `tributary` receipt.
    pub response: ChatResponse,
    /// The gateway asked (its base URL).
    #[serde(skip)]
    pub gateway: Url,
}

impl QueryAnswer {
    /// Where the evidence is served: the receipt's `evidence_url` (a path on the gateway) joined
    /// to the gateway's base URL, as the CLI joins its API paths.
    pub fn evidence_url(&self) -> String {
        let path = &self.response.tributary.evidence_url;
        self.gateway
            .join(path.trim_start_matches('/'))
            .map_or_else(|_| path.clone(), |url| url.to_string())
    }
}

impl fmt::Display for QueryAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.response;
        let t = &r.tributary;
        if let Some(choice) = r.choices.first() {
            writeln!(f, "{}\n", choice.message.content)?;
        }
        if t.settled {
            writeln!(
                f,
                "paid {} OPEN: inference {} (tx {})",
                format_open(t.fee),
                t.inference_id.unwrap_or_default(),
                t.settlement_tx.unwrap_or_default()
            )?;
            let how = match t.outcome.as_str() {
                "attributed" => "the answer quotes these contributions (verbatim spans)",
                "retrieved" => {
                    "the answer quotes nothing verbatim: credited to the passages the model was \
                     given, by retrieval score"
                }
                _ => "credited",
            };
            writeln!(f, "{}: {how}", t.outcome)?;
        } else {
            writeln!(
                f,
                "not charged: the answer is {} (nothing settled)",
                t.outcome
            )?;
        }
        for c in &t.contributions {
            writeln!(
                f,
                "  contribution {:<5} datanet {:<4} {:>6.2}%  {}",
                c.id,
                c.datanet_id,
                f64::from(c.weight_bps) / 100.0,
                c.contributor
            )?;
        }
        write!(f, "evidence {} at {}", t.evidence_hash, self.evidence_url())
    }
}

impl Client {
    fn registry(&self) -> DataNetRegistry::DataNetRegistryInstance<&alloy::providers::DynProvider> {
        DataNetRegistry::new(DATANET_REGISTRY, &self.l2)
    }

    fn models(&self) -> ModelRegistry::ModelRegistryInstance<&alloy::providers::DynProvider> {
        ModelRegistry::new(MODEL_REGISTRY, &self.l2)
    }

    fn settlement(
        &self,
    ) -> AttributionSettlement::AttributionSettlementInstance<&alloy::providers::DynProvider> {
        AttributionSettlement::new(ATTRIBUTION_SETTLEMENT, &self.l2)
    }

    /// Creates a DataNet owned by the user.
    pub async fn create_datanet(
        &self,
        name: &str,
        metadata_uri: &str,
        deposit: U256,
        quorum_bps: u64,
    ) -> Result<Created> {
        self.account()?;
        let receipt = send(
            "createDataNet",
            self.registry().createDataNet(
                name.to_string(),
                metadata_uri.to_string(),
                deposit,
                U256::from(quorum_bps),
            ),
        )
        .await?;
        let id = event::<DataNetRegistry::DataNetCreated>(&receipt, "createDataNet")?.datanetId;
        let detail = format!(
            "{name:?}, deposit {} OPEN per contribution, quorum {quorum_bps} bps",
            format_open(deposit)
        );
        Ok(Created::new("datanet", id, &receipt, detail, None))
    }

    /// Stakes `amount` in a DataNet as a validator.
    pub async fn stake(&self, datanet_id: u64, amount: U256) -> Result<Sent> {
        self.account()?;
        let receipt = send(
            "stake",
            self.registry().stake(U256::from(datanet_id)).value(amount),
        )
        .await?;
        let staked = event::<DataNetRegistry::Staked>(&receipt, "stake")?;
        Ok(Sent {
            summary: format!(
                "staked {} OPEN in datanet {datanet_id} (active stake {} OPEN)",
                format_open(amount),
                format_open(staked.stake)
            ),
            tx: receipt.transaction_hash,
        })
    }

    /// Submits the file's keccak256 as a contribution with the DataNet's deposit, then uploads the
    /// bytes to the gateway (which indexes them once the contribution is Accepted).
    pub async fn contribute(
        &self,
        file: &Path,
        datanet_id: u64,
        uri: Option<String>,
        license: &str,
        gateway: Option<&Url>,
    ) -> Result<Created> {
        self.account()?;
        let bytes = std::fs::read(file).map_err(|source| CliError::ReadFile {
            path: file.to_path_buf(),
            source,
        })?;
        if bytes.is_empty() {
            return Err(CliError::EmptyFile {
                path: file.to_path_buf(),
            });
        }
        let content_hash = keccak256(&bytes);
        let registry = self.registry();
        let deposit = registry
            .datanet(U256::from(datanet_id))
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L2, "the datanet", e))?
            .contributionDeposit;
        let uri = uri.unwrap_or_else(|| format!("keccak256:{content_hash}"));
        info!(target: "tributary", "submitting {} ({} bytes, {content_hash}) to datanet {datanet_id} with a {} OPEN deposit…", file.display(), bytes.len(), format_open(deposit));
        let receipt = send(
            "submitContribution",
            registry
                .submitContribution(
                    U256::from(datanet_id),
                    content_hash,
                    U256::from(bytes.len()),
                    uri,
                    license.to_string(),
                )
                .value(deposit),
        )
        .await?;
        let id = event::<DataNetRegistry::ContributionSubmitted>(&receipt, "submitContribution")?
            .contributionId;
        let upload =
            match gateway {
                // The submission stands even when the upload fails: say how to upload again.
                Some(gateway) => Some(upload_content(gateway, bytes).await.map_err(|e| {
                    CliError::UploadFailed {
                        contribution_id: id.saturating_to(),
                        tx: receipt.transaction_hash,
                        retry: format!(
                            "curl --data-binary @{} {gateway}v1/contributions",
                            file.display()
                        ),
                        source: Box::new(e),
                    }
                })?),
                None => None,
            };
        let detail = format!(
            "datanet {datanet_id}, content {content_hash}, deposit {} OPEN",
            format_open(deposit)
        );
        Ok(Created::new("contribution", id, &receipt, detail, upload))
    }

    /// Votes on a Pending contribution with the user's stake in its DataNet.
    pub async fn vote(&self, contribution_id: u64, accept: bool) -> Result<Sent> {
        self.account()?;
        let registry = self.registry();
        let receipt = send("vote", registry.vote(U256::from(contribution_id), accept)).await?;
        let after = registry
            .contribution(U256::from(contribution_id))
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L2, "the contribution", e))?;
        Ok(Sent {
            summary: format!(
                "voted to {} contribution {contribution_id}: it is {}",
                if accept { "accept" } else { "reject" },
                contribution_status::name(after.status)
            ),
            tx: receipt.transaction_hash,
        })
    }

    /// Registers a model owned by the user.
    pub async fn register_model(
        &self,
        artifact_hash: B256,
        parent_model_id: u64,
        datanets: &[u64],
        fee: U256,
        metadata_uri: &str,
    ) -> Result<Created> {
        self.account()?;
        let receipt = send(
            "registerModel",
            self.models().registerModel(
                artifact_hash,
                U256::from(parent_model_id),
                datanets.iter().map(|&d| U256::from(d)).collect(),
                fee,
                metadata_uri.to_string(),
            ),
        )
        .await?;
        let id = event::<ModelRegistry::ModelRegistered>(&receipt, "registerModel")?.modelId;
        let detail = format!(
            "fee {} OPEN per inference, datanets {datanets:?}",
            format_open(fee)
        );
        Ok(Created::new("model", id, &receipt, detail, None))
    }

    /// Authorises (or deauthorises) a provider of the user's model.
    pub async fn set_provider(
        &self,
        model_id: u64,
        provider: Address,
        authorised: bool,
    ) -> Result<Sent> {
        self.account()?;
        let receipt = send(
            "setProvider",
            self.models()
                .setProvider(U256::from(model_id), provider, authorised),
        )
        .await?;
        Ok(Sent {
            summary: format!(
                "{} {provider} as a provider of model {model_id}",
                if authorised {
                    "authorised"
                } else {
                    "deauthorised"
                }
            ),
            tx: receipt.transaction_hash,
        })
    }

    /// Adds `amount` to the user's prepaid balance.
    pub async fn prepay(&self, amount: U256) -> Result<Sent> {
        let account = self.account()?;
        let settlement = self.settlement();
        let receipt = send("deposit", settlement.deposit().value(amount)).await?;
        let balance = settlement
            .prepaid(account)
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L2, "the prepaid balance", e))?;
        Ok(Sent {
            summary: format!(
                "prepaid {} OPEN (balance {} OPEN)",
                format_open(amount),
                format_open(balance)
            ),
            tx: receipt.transaction_hash,
        })
    }

    /// Signs a request for `question` to `model_id` with `signer` under `terms` ([`QueryTerms`]:
    /// the deadline is the latest L2 block's timestamp plus `valid_for`) and sends it to the
    /// gateway.
    pub async fn query(
        &self,
        signer: &PrivateKeySigner,
        gateway: &Url,
        question: &str,
        model_id: u64,
        terms: QueryTerms,
    ) -> Result<QueryAnswer> {
        let QueryTerms {
            max_fee,
            nonce,
            valid_for,
        } = terms;
        let model = U256::from(model_id);
        let max_fee = match max_fee {
            Some(fee) => fee,
            None => {
                self.models()
                    .model(model)
                    .call()
                    .await
                    .map_err(|e| CliError::call(Layer::L2, "the model", e))?
                    .feePerInference
            }
        };
        let latest = self
            .l2
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .map_err(|e| CliError::rpc(Layer::L2, e))?
            .ok_or(CliError::L2BlockMissing { number: 0 })?;
        let deadline = U256::from(latest.header.timestamp + valid_for.as_secs());
        let nonce = nonce.unwrap_or_else(|| U256::from(clock_nonce()));
        let messages = vec![ChatMessage::user(question)];
        let payment = Payment::sign(
            signer,
            self.deployment.l2_chain_id,
            model,
            &messages,
            max_fee,
            nonce,
            deadline,
        )
        .map_err(|e| CliError::Sign(e.to_string()))?;
        let request = ChatRequest {
            model: format!("tributary/{model_id}"),
            messages,
            max_tokens: None,
            temperature: None,
            stream: None,
            tributary: Some(payment),
        };
        info!(target: "tributary", "asking model {model_id} through {gateway} (max fee {} OPEN, nonce {nonce})…", format_open(max_fee));
        let response = post(gateway, "v1/chat/completions", |r| r.json(&request)).await?;
        Ok(QueryAnswer {
            response,
            gateway: gateway.clone(),
        })
    }

    /// What `account` is owed in all three contracts.
    pub async fn earnings(&self, account: Address) -> Result<Earnings> {
        let settlement = self.settlement();
        let registry = self.registry();
        let read = |what| move |e| CliError::call(Layer::L2, what, e);
        let settlement_credits = settlement
            .credits(account)
            .call()
            .await
            .map_err(read("AttributionSettlement credits"))?;
        let prepaid = settlement
            .prepaid(account)
            .call()
            .await
            .map_err(read("the prepaid balance"))?;
        let registry_credits = registry
            .credits(account)
            .call()
            .await
            .map_err(read("DataNetRegistry credits"))?;
        let count = registry
            .datanetCount()
            .call()
            .await
            .map_err(read("the datanet count"))?;
        let mut pending_rewards = Vec::new();
        for id in 1..=count.saturating_to::<u64>() {
            let amount = registry
                .pendingRewards(U256::from(id), account)
                .call()
                .await
                .map_err(read("pending rewards"))?;
            if !amount.is_zero() {
                pending_rewards.push(PendingReward {
                    datanet_id: id,
                    amount,
                });
            }
        }
        let pending: U256 = pending_rewards.iter().map(|r| r.amount).sum();
        Ok(Earnings {
            account,
            settlement_credits,
            registry_credits,
            claimable: settlement_credits + registry_credits + pending,
            pending_rewards,
            prepaid,
        })
    }

    /// Claims everything the user is owed: AttributionSettlement credits, and DataNetRegistry
    /// credits with pending validator rewards settled first (`claimRewards`).
    pub async fn claim(&self) -> Result<ClaimReceipt> {
        let account = self.account()?;
        let owed = self.earnings(account).await?;
        let mut claims = Vec::new();
        if !owed.settlement_credits.is_zero() {
            let receipt = send("claim", self.settlement().claim()).await?;
            let amount = event::<AttributionSettlement::Claimed>(&receipt, "claim")?.amount;
            claims.push(Claimed {
                contract: "AttributionSettlement",
                amount,
                tx: receipt.transaction_hash,
            });
        }
        let registry = self.registry();
        if !owed.pending_rewards.is_empty() || !owed.registry_credits.is_zero() {
            let datanets: Vec<U256> = owed
                .pending_rewards
                .iter()
                .map(|r| U256::from(r.datanet_id))
                .collect();
            let call = registry.claimRewards(datanets);
            let receipt = send("claimRewards", call).await?;
            let amount = event::<DataNetRegistry::Claimed>(&receipt, "claimRewards")?.amount;
            claims.push(Claimed {
                contract: "DataNetRegistry",
                amount,
                tx: receipt.transaction_hash,
            });
        }
        if claims.is_empty() {
            return Err(CliError::NothingToClaim { account });
        }
        Ok(ClaimReceipt {
            account,
            total: claims.iter().map(|c| c.amount).sum(),
            claims,
        })
    }
}

/// The first `E` event of a receipt, or [`CliError::MissingEvent`].
fn event<E: SolEvent>(receipt: &TransactionReceipt, action: &'static str) -> Result<E> {
    receipt
        .decoded_log::<E>()
        .map(|log| log.data)
        .ok_or(CliError::MissingEvent {
            action,
            event: E::SIGNATURE,
            tx: receipt.transaction_hash,
        })
}

/// Uploads a contribution's bytes to the gateway.
pub async fn upload_content(gateway: &Url, bytes: Vec<u8>) -> Result<ContributionStatus> {
    info!(target: "tributary", "uploading {} bytes to {gateway}…", bytes.len());
    post(gateway, "v1/contributions", |r| {
        r.header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes)
    })
    .await
}

/// POSTs to the gateway's `path` the body `build` gives the request, and reads the answer.
async fn post<T: DeserializeOwned>(
    gateway: &Url,
    path: &str,
    build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Result<T> {
    let url = gateway
        .join(path)
        .map_err(|e| CliError::InvalidGateway(e.to_string()))?;
    let client = reqwest::Client::builder()
        .timeout(GATEWAY_TIMEOUT)
        .build()
        .unwrap_or_default();
    let response = build(client.post(url.clone()))
        .send()
        .await
        .map_err(|source| CliError::GatewayRequest {
            url: url.clone(),
            source,
        })?;
    read_json(url, response).await
}

/// The JSON body of a 2xx answer, or the gateway's error ([`CliError::Gateway`]).
async fn read_json<T: DeserializeOwned>(url: Url, response: reqwest::Response) -> Result<T> {
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|source| CliError::GatewayRequest {
            url: url.clone(),
            source,
        })?;
    if !status.is_success() {
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(e) => (e.error.code, e.error.message),
            Err(_) => (None, String::from_utf8_lossy(&body).into_owned()),
        };
        return Err(CliError::Gateway {
            status: status.as_u16(),
            code,
            message,
        });
    }
    serde_json::from_slice(&body).map_err(|e| CliError::Gateway {
        status: status.as_u16(),
        code: None,
        message: format!("unreadable answer from {url}: {e}"),
    })
}

/// A fresh nonce from the clock (nanoseconds since 1970): AttributionSettlement's nonces are
/// unordered, any unused one works once, and one user does not sign twice in a nanosecond.
fn clock_nonce() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(gateway: &str, outcome: &str, settled: bool) -> QueryAnswer {
        let hash = B256::repeat_byte(0xab);
        let response: ChatResponse = serde_json::from_value(serde_json::json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "tributary/1",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "The Rhine."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
            "tributary": {
                "settled": settled, "outcome": outcome, "model_id": 1, "user": Address::ZERO,
                "request_hash": hash, "output_hash": hash, "evidence_hash": hash,
                "evidence_url": format!("/v1/attributions/{hash}"),
                "inference_id": 4, "fee": "10000000000000000",
                "contributions": [{"id": 2, "datanet_id": 1, "contributor": Address::ZERO, "content_hash": hash, "weight_bps": 10000}],
                "spans": [], "retrieval": [],
            },
        }))
        .unwrap();
        QueryAnswer {
            response,
            gateway: gateway.parse().unwrap(),
        }
    }

    /// People get the evidence's full URL and the outcome; `--json` gets the gateway's response
    /// unchanged.
    #[test]
    fn query_answer_prints_the_full_evidence_url_and_the_outcome() {
        let hash = B256::repeat_byte(0xab);
        let a = answer("http://127.0.0.1:8550", "retrieved", true);
        let text = a.to_string();
        assert!(
            text.ends_with(&format!(
                "evidence {hash} at http://127.0.0.1:8550/v1/attributions/{hash}"
            )),
            "{text}"
        );
        assert!(text.contains("\nretrieved: "), "{text}");
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::to_value(&a.response).unwrap()
        );
        assert!(
            answer("http://127.0.0.1:8550", "attributed", true)
                .to_string()
                .contains("\nattributed: the answer quotes")
        );
        assert!(
            answer("http://127.0.0.1:8550", "unattributed", false)
                .to_string()
                .contains("not charged: the answer is unattributed")
        );
        // A gateway behind a path prefix keeps it, as the API calls do.
        assert_eq!(
            answer("https://example.org/tributary/", "attributed", true).evidence_url(),
            format!("https://example.org/tributary/v1/attributions/{hash}")
        );
    }
}
