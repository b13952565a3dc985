//! `POST /v1/chat/completions`: one paid, attributed, settled answer.
//!
//! ```text
//! body ─► ChatRequest (400 invalid_json / invalid_request, 402 payment_required)
//!      ─► ModelRegistry.settlementTerms + linkedDataNets   (404 / 410 / 403)
//!      ─► pre-flight settleSigned(empty attribution)        (401 / 402 / 409: the user's request)
//!      ─► retrieve(model's DataNets, question, top_k) ─► answer (backend or extractive; 422 no_answer,
//!                                                           502 backend_error)
//!      ─► attribute (spans; or, for a backend's paraphrase, the context's retrieval scores)
//!      ─► keep contributions Accepted in linked DataNets (≤ 32), re-normalised
//!      ─► evidence bytes stored, evidence hash
//!      ─► settleSigned (simulated, sent, receipt)          (or unattributed: not settled, not charged)
//!      ─► chat.completion + tributary receipt
//! ```
//!
//! An answer is paid when it is `attributed` (verbatim spans of contributions) or `retrieved`
//! (a backend's answer quoting nothing, credited to the chunks it was given by their BM25
//! scores); an extractive answer is only ever paid through its spans (docs/gateway.md,
//! "Attributed, retrieved and unattributed answers").

use std::{collections::HashMap, time::SystemTime};

use alloy::primitives::{Address, U256, hex};
use axum::{Json, body::Bytes, extract::State};
use tracing::{info, instrument};
use tributary_attribution::{Attribution, Outcome, tokenize};
use tributary_cli::gateway_api::{
    ChatMessage, ChatRequest, ChatResponse, Choice, CreditedContribution, InferenceReceipt,
    Payment, RetrievalRef, SpanRef, Usage, parse_model_id, request_hash,
};
use tributary_contracts::AttributionSettlement;

use crate::{
    AppState, blocking,
    chain::{Chain, ModelTerms},
    error::{GatewayError, Result},
};

/// Most contributions one settlement credits (AttributionSettlement.MAX_CONTRIBUTIONS).
pub(crate) const MAX_CONTRIBUTIONS: usize = 32;

/// Roles a message may have.
const ROLES: [&str; 3] = ["system", "user", "assistant"];

/// A request that passed the checks that need no chain.
#[derive(Debug)]
struct Checked<'a> {
    model: u64,
    question: &'a str,
    payment: &'a Payment,
}

fn invalid(param: &'static str, message: impl Into<String>) -> GatewayError {
    GatewayError::InvalidRequest {
        param,
        message: message.into(),
    }
}

fn check(request: &ChatRequest) -> Result<Checked<'_>> {
    let model = parse_model_id(&request.model).ok_or_else(|| {
        invalid(
            "model",
            format!(
                "model {:?} is not a model id: use the on-chain id, \"7\" or \"tributary/7\"",
                request.model
            ),
        )
    })?;
    if request.stream == Some(true) {
        return Err(invalid(
            "stream",
            "streaming is not supported: an answer is attributed and settled as a whole",
        ));
    }
    if let Some(m) = request
        .messages
        .iter()
        .find(|m| !ROLES.contains(&m.role.as_str()))
    {
        return Err(invalid(
            "messages",
            format!("unknown role {:?} (system, user or assistant)", m.role),
        ));
    }
    let question = match request.messages.last() {
        Some(ChatMessage { role, content }) if role == "user" && !content.trim().is_empty() => {
            content.as_str()
        }
        Some(_) => {
            return Err(invalid(
                "messages",
                "the last message must be a non-empty user message (the question)",
            ));
        }
        None => return Err(invalid("messages", "messages is empty")),
    };
    let payment = request
        .tributary
        .as_ref()
        .ok_or(GatewayError::PaymentRequired)?;
    Ok(Checked {
        model,
        question,
        payment,
    })
}

/// The handler.
pub(crate) async fn completions(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<ChatResponse>> {
    let request: ChatRequest =
        serde_json::from_slice(&body).map_err(GatewayError::MalformedJson)?;
    let checked = check(&request)?;
    complete(&state, &request, checked).await.map(Json)
}

#[instrument(target = "gateway::chat", skip_all, fields(model = %checked.model, user = %checked.payment.user))]
async fn complete(
    state: &AppState,
    request: &ChatRequest,
    checked: Checked<'_>,
) -> Result<ChatResponse> {
    let Checked {
        model: model_id,
        question,
        payment,
    } = checked;
    let model_id = U256::from(model_id);
    let request_hash = request_hash(model_id, payment.nonce, &request.messages);
    let model = state.chain.model(model_id).await?;
    state
        .chain
        .preflight(model_id, request_hash, payment)
        .await?;

    let library = state.library.clone();
    let (datanets, query, k) = (model.datanets.clone(), question.to_string(), state.top_k);
    let chunks = blocking(move || library.retrieve(&datanets, &query, k)).await?;
    let answer = state
        .responder
        .answer(request, question, &chunks)
        .await?
        .ok_or(GatewayError::NoAnswer)?;
    let library = state.library.clone();
    let (datanets, output, retrieved) = (model.datanets.clone(), answer.clone(), chunks);
    let grounding = state.responder.grounding();
    let mut attribution =
        blocking(move || library.attribute(&datanets, &output, &retrieved, grounding)).await?;
    let credited = creditable(&state.chain, &model, &mut attribution, &answer).await?;
    let evidence = attribution.canonical_json()?;
    let evidence_hash = state.evidence.put(&evidence)?;

    let settled = if credited.is_empty() {
        // Nothing to pay anyone for: the contract cannot settle an empty attribution, and the
        // user's nonce stays unused (docs/gateway.md, "Attributed, retrieved and unattributed
        // answers").
        info!(target: "gateway::chat", %request_hash, "unattributed answer: not settled");
        None
    } else {
        info!(target: "gateway::chat", %request_hash, outcome = outcome_name(attribution.outcome), contributions = credited.len(), "settling");
        let settlement = AttributionSettlement::Settlement {
            modelId: model_id,
            requestHash: request_hash,
            outputHash: attribution.output_hash,
            evidenceHash: evidence_hash,
            contributions: credited.iter().map(|c| U256::from(c.id)).collect(),
            weightsBps: credited.iter().map(|c| U256::from(c.weight_bps)).collect(),
        };
        Some(
            state
                .chain
                .settle(
                    settlement,
                    payment.user_request(model_id, request_hash),
                    payment.signature.clone(),
                )
                .await?,
        )
    };

    let prompt_tokens: u64 = request
        .messages
        .iter()
        .map(|m| tokenize(&m.content).len() as u64)
        .sum();
    let completion_tokens = u64::from(attribution.output_tokens);
    Ok(ChatResponse {
        id: format!("chatcmpl-{}", hex::encode(request_hash)),
        object: "chat.completion".into(),
        created: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        model: format!("tributary/{model_id}"),
        choices: vec![Choice {
            index: 0,
            message: ChatMessage {
                role: "assistant".into(),
                content: answer,
            },
            finish_reason: "stop".into(),
        }],
        usage: Usage {
            prompt_tokens,
            completion_tokens,
            total_tokens: prompt_tokens + completion_tokens,
        },
        tributary: InferenceReceipt {
            settled: settled.is_some(),
            outcome: outcome_name(attribution.outcome).into(),
            model_id: model_id.saturating_to(),
            user: payment.user,
            request_hash,
            output_hash: attribution.output_hash,
            evidence_hash,
            evidence_url: format!("/v1/attributions/{evidence_hash}"),
            inference_id: settled.map(|s| s.inference_id.saturating_to()),
            settlement_tx: settled.map(|s| s.tx),
            block_number: settled.map(|s| s.block),
            gas_used: settled.map(|s| s.gas_used),
            fee: settled.map_or(U256::ZERO, |s| s.fee),
            contributions: credited,
            spans: attribution
                .spans
                .iter()
                .map(|s| SpanRef {
                    contribution_id: s.contribution_id,
                    output: s.output.clone(),
                    source: s.source.clone(),
                    tokens: s.tokens,
                })
                .collect(),
            retrieval: attribution
                .retrieval
                .iter()
                .map(|r| RetrievalRef {
                    contribution_id: r.contribution_id,
                    chunk: r.chunk.clone(),
                    score: r.score,
                    used: r.used,
                })
                .collect(),
        },
    })
}

/// The receipt's `outcome`: the evidence's own word for it.
fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Attributed => "attributed",
        Outcome::Retrieved => "retrieved",
        Outcome::Unattributed => "unattributed",
    }
}

/// The contributions the settlement may credit: Accepted, in a DataNet linked to the model (the
/// engine only indexes Accepted contributions and retrieves from the linked DataNets, but the
/// model's links can change under it), at most [`MAX_CONTRIBUTIONS`] (the largest shares). When
/// one is left out the attribution is re-normalised over the rest
/// ([`Attribution::retain_contributions`]), so the served evidence states the settled weights.
async fn creditable(
    chain: &Chain,
    model: &ModelTerms,
    attribution: &mut Attribution,
    output: &str,
) -> Result<Vec<CreditedContribution>> {
    let ids: Vec<u64> = attribution
        .weights
        .iter()
        .map(|w| w.contribution_id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let on_chain = chain.accepted(&ids).await?;
    let mut allowed: HashMap<u64, (Address, u64)> = ids
        .iter()
        .zip(on_chain)
        .filter_map(|(&id, found)| {
            found
                .filter(|(_, datanet)| model.datanets.contains(datanet))
                .map(|f| (id, f))
        })
        .collect();
    if allowed.len() > MAX_CONTRIBUTIONS {
        let mut by_share: Vec<(u16, u64)> = attribution
            .weights
            .iter()
            .filter(|w| allowed.contains_key(&w.contribution_id))
            .map(|w| (w.bps, w.contribution_id))
            .collect();
        by_share.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, id) in by_share.into_iter().skip(MAX_CONTRIBUTIONS) {
            allowed.remove(&id);
        }
    }
    if allowed.len() < ids.len() {
        info!(target: "gateway::chat", kept = allowed.len(), of = ids.len(), "re-normalising the attribution over the creditable contributions");
        attribution.retain_contributions(output, |id| allowed.contains_key(&id));
    }
    Ok(attribution
        .weights
        .iter()
        .filter_map(|w| {
            let (contributor, datanet_id) = *allowed.get(&w.contribution_id)?;
            Some(CreditedContribution {
                id: w.contribution_id,
                datanet_id,
                contributor,
                content_hash: w.content_hash,
                weight_bps: w.bps,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> ChatRequest {
        serde_json::from_value(json).unwrap()
    }

    fn payment() -> serde_json::Value {
        serde_json::json!({
            "user": Address::ZERO, "maxFee": "1", "nonce": 1, "deadline": 1, "signature": "0x00"
        })
    }

    /// The receipt's words are the evidence's (its canonical JSON names the outcome).
    #[test]
    fn outcome_names_match_the_evidence() {
        for outcome in [
            Outcome::Attributed,
            Outcome::Retrieved,
            Outcome::Unattributed,
        ] {
            assert_eq!(
                serde_json::to_value(outcome).unwrap(),
                outcome_name(outcome)
            );
        }
    }

    #[test]
    fn checks_without_the_chain() {
        let ok = request(serde_json::json!({
            "model": "tributary/3",
            "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "why?"}],
            "tributary": payment(), "top_p": 0.5,
        }));
        let checked = check(&ok).unwrap();
        assert_eq!((checked.model, checked.question), (3, "why?"));

        let code = |json: serde_json::Value| check(&request(json)).unwrap_err().code();
        let msgs = serde_json::json!([{"role": "user", "content": "q"}]);
        assert_eq!(
            code(serde_json::json!({"model": "gpt-4", "messages": msgs, "tributary": payment()})),
            "invalid_request"
        );
        assert_eq!(
            code(serde_json::json!({"model": "1", "messages": [], "tributary": payment()})),
            "invalid_request"
        );
        assert_eq!(
            code(
                serde_json::json!({"model": "1", "messages": [{"role": "assistant", "content": "a"}], "tributary": payment()})
            ),
            "invalid_request"
        );
        assert_eq!(
            code(
                serde_json::json!({"model": "1", "messages": [{"role": "tool", "content": "a"}], "tributary": payment()})
            ),
            "invalid_request"
        );
        assert_eq!(
            code(
                serde_json::json!({"model": "1", "messages": msgs, "stream": true, "tributary": payment()})
            ),
            "invalid_request"
        );
        assert_eq!(
            code(serde_json::json!({"model": "1", "messages": msgs})),
            "payment_required"
        );
    }
}
