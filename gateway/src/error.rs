//! Errors of the gateway, and their HTTP form: OpenAI's error body with a stable `code`.
//!
//! Every variant maps to one status and code ([`GatewayError::status`], [`GatewayError::code`]),
//! listed in docs/gateway.md. Faults of the machine or of the chain (internal, chain, backend)
//! answer with a generic message; the detail goes to the log only.

use alloy::primitives::{Address, B256, U256};
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use tracing::error;
use tributary_attribution::AttributionError;
use tributary_cli::gateway_api::{ErrorBody, ErrorObject};
use tributary_contracts::{
    AttributionSettlement::AttributionSettlementErrors as Settle, ContractRevert,
};

/// Result alias with [`GatewayError`].
pub type Result<T, E = GatewayError> = std::result::Result<T, E>;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The body is not the JSON the endpoint takes.
    #[error("malformed request body: {0}")]
    MalformedJson(#[source] serde_json::Error),
    /// A field is missing or wrong.
    #[error("{message}")]
    InvalidRequest {
        /// The field.
        param: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The request carries no `tributary` payment object.
    #[error("payment required: add a signed `tributary` object (docs/gateway.md)")]
    PaymentRequired,
    /// No model with this id on chain.
    #[error("model {model} is not registered")]
    ModelNotFound {
        /// The model id.
        model: U256,
    },
    /// The model is retired.
    #[error("model {model} is retired")]
    ModelRetired {
        /// The model id.
        model: U256,
    },
    /// This gateway's key is not an authorised provider of the model.
    #[error("this gateway ({provider}) is not an authorised provider of model {model}")]
    NotProvider {
        /// The model id.
        model: U256,
        /// The gateway's address.
        provider: Address,
    },
    /// The signed request's deadline has passed.
    #[error("the signed request expired at {deadline}")]
    RequestExpired {
        /// The deadline (L2 timestamp).
        deadline: U256,
    },
    /// The signature is not the user's signature of this request.
    #[error(
        "the signature is not the user's signature of this request (model, messages, maxFee, nonce, deadline)"
    )]
    InvalidSignature,
    /// The nonce was used (or cancelled): a replayed request.
    #[error("nonce {nonce} of {user} is already used: this request was paid for or cancelled")]
    NonceUsed {
        /// The user.
        user: Address,
        /// The nonce.
        nonce: U256,
    },
    /// The request hash was settled already.
    #[error("request {request_hash} is already settled (inference {inference_id})")]
    AlreadySettled {
        /// The request hash.
        request_hash: B256,
        /// Its inference.
        inference_id: U256,
    },
    /// The model's fee is above the user's `maxFee`.
    #[error("the model's fee {fee} wei is above maxFee {max_fee} wei")]
    FeeAboveMax {
        /// The fee.
        fee: U256,
        /// The user's limit.
        max_fee: U256,
    },
    /// The user's prepaid balance does not cover the fee.
    #[error("prepaid balance of {user} is {balance} wei, the fee is {fee} wei: prepay first")]
    InsufficientPrepaid {
        /// The user.
        user: Address,
        /// The balance.
        balance: U256,
        /// The fee.
        fee: U256,
    },
    /// Nothing in the model's DataNets answers the question (extractive responder).
    #[error("no contribution in the model's datanets answers this question")]
    NoAnswer,
    /// The engine refused uploaded content (not registered, not text...).
    #[error("{0}")]
    ContentRefused(#[source] Box<AttributionError>),
    /// No stored contribution with this content hash.
    #[error("no contribution with content hash {0} is stored here")]
    ContributionNotFound(B256),
    /// No evidence with this hash.
    #[error("no evidence with hash {0}")]
    EvidenceNotFound(B256),
    /// No such endpoint.
    #[error("no such endpoint: {0}")]
    NotFound(String),
    /// The settlement reverted for a reason not listed above.
    #[error("settlement reverted: {0}")]
    SettlementReverted(Box<ContractRevert>),
    /// The settlement transaction was mined but failed.
    #[error("settlement transaction {0} reverted")]
    SettlementFailed(B256),
    /// The L2 node failed or could not be reached.
    #[error("l2 rpc ({what}): {detail}")]
    Chain {
        /// What was asked.
        what: &'static str,
        /// The transport's error.
        detail: String,
    },
    /// The LLM backend failed (before anything was settled): what happened, without the
    /// backend's address or error body (those go to the log).
    #[error(
        "the LLM backend {0}: nothing was charged, and the same signed request can be sent again"
    )]
    Backend(String),
    /// A fault of the gateway (disk, index, a bug).
    #[error("internal error: {0}")]
    Internal(String),
}

impl GatewayError {
    /// An L2 call failed: a decoded revert becomes its own variant ([`Self::from_revert`]),
    /// anything else is [`Self::Chain`].
    pub(crate) fn from_call(what: &'static str, e: alloy::contract::Error) -> Self {
        match ContractRevert::from_contract_error(&e) {
            Some(revert) => Self::from_revert(revert),
            None => Self::Chain {
                what,
                detail: e.to_string(),
            },
        }
    }

    /// The user-facing meaning of a settlement revert (the order `settleSigned` checks in is in
    /// docs/attribution.md).
    pub(crate) fn from_revert(revert: ContractRevert) -> Self {
        let ContractRevert::AttributionSettlement(e) = &revert else {
            return Self::SettlementReverted(Box::new(revert));
        };
        match e {
            Settle::ModelNotFound(e) => Self::ModelNotFound { model: e.modelId },
            Settle::ModelNotActive(e) => Self::ModelRetired { model: e.modelId },
            Settle::UnauthorizedProvider(e) => Self::NotProvider {
                model: e.modelId,
                provider: e.caller,
            },
            Settle::RequestExpired(e) => Self::RequestExpired {
                deadline: e.deadline,
            },
            Settle::NonceUsed(e) => Self::NonceUsed {
                user: e.user,
                nonce: e.nonce,
            },
            Settle::InvalidSignature(_) => Self::InvalidSignature,
            Settle::FeeAboveMax(e) => Self::FeeAboveMax {
                fee: e.fee,
                max_fee: e.maxFee,
            },
            Settle::InsufficientPrepaid(e) => Self::InsufficientPrepaid {
                user: e.user,
                balance: e.balance,
                fee: e.amount,
            },
            Settle::RequestAlreadySettled(e) => Self::AlreadySettled {
                request_hash: e.requestHash,
                inference_id: e.inferenceId,
            },
            _ => Self::SettlementReverted(Box::new(revert)),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_) | Self::InvalidRequest { .. } => StatusCode::BAD_REQUEST,
            Self::PaymentRequired | Self::FeeAboveMax { .. } | Self::InsufficientPrepaid { .. } => {
                StatusCode::PAYMENT_REQUIRED
            }
            Self::RequestExpired { .. } | Self::InvalidSignature => StatusCode::UNAUTHORIZED,
            Self::NotProvider { .. } => StatusCode::FORBIDDEN,
            Self::ModelNotFound { .. }
            | Self::ContributionNotFound(_)
            | Self::EvidenceNotFound(_)
            | Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::ModelRetired { .. } => StatusCode::GONE,
            Self::NonceUsed { .. } | Self::AlreadySettled { .. } => StatusCode::CONFLICT,
            Self::NoAnswer | Self::ContentRefused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::SettlementReverted(_)
            | Self::SettlementFailed(_)
            | Self::Chain { .. }
            | Self::Backend(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable error code (docs/gateway.md).
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) => "invalid_json",
            Self::InvalidRequest { .. } => "invalid_request",
            Self::PaymentRequired => "payment_required",
            Self::ModelNotFound { .. } => "model_not_found",
            Self::ModelRetired { .. } => "model_retired",
            Self::NotProvider { .. } => "provider_not_authorised",
            Self::RequestExpired { .. } => "request_expired",
            Self::InvalidSignature => "invalid_signature",
            Self::NonceUsed { .. } => "nonce_used",
            Self::AlreadySettled { .. } => "request_already_settled",
            Self::FeeAboveMax { .. } => "fee_above_max",
            Self::InsufficientPrepaid { .. } => "insufficient_prepaid",
            Self::NoAnswer => "no_answer",
            Self::ContentRefused(e) => match **e {
                AttributionError::NotRegistered { .. } => "content_not_registered",
                AttributionError::NotUtf8 { .. } => "content_not_text",
                _ => "content_refused",
            },
            Self::ContributionNotFound(_) => "contribution_not_found",
            Self::EvidenceNotFound(_) => "evidence_not_found",
            Self::NotFound(_) => "not_found",
            Self::SettlementReverted(_) | Self::SettlementFailed(_) => "settlement_failed",
            Self::Chain { .. } => "chain_unavailable",
            Self::Backend(_) => "backend_error",
            Self::Internal(_) => "internal_error",
        }
    }

    /// OpenAI's error class of the status.
    fn kind(&self) -> &'static str {
        match self.status() {
            StatusCode::UNAUTHORIZED => "authentication_error",
            StatusCode::FORBIDDEN => "permission_error",
            StatusCode::NOT_FOUND | StatusCode::GONE => "not_found_error",
            StatusCode::PAYMENT_REQUIRED => "payment_error",
            StatusCode::CONFLICT => "conflict_error",
            s if s.is_server_error() => "server_error",
            _ => "invalid_request_error",
        }
    }

    /// The offending request field, when there is one.
    fn param(&self) -> Option<&'static str> {
        match self {
            Self::InvalidRequest { param, .. } => Some(param),
            Self::ModelNotFound { .. } | Self::ModelRetired { .. } => Some("model"),
            Self::PaymentRequired => Some("tributary"),
            Self::RequestExpired { .. } => Some("tributary.deadline"),
            Self::InvalidSignature => Some("tributary.signature"),
            Self::NonceUsed { .. } => Some("tributary.nonce"),
            Self::FeeAboveMax { .. } => Some("tributary.maxFee"),
            Self::InsufficientPrepaid { .. } => Some("tributary.user"),
            _ => None,
        }
    }

    /// The body sent: faults of the gateway keep their detail in the log.
    pub fn body(&self) -> ErrorBody {
        let message = match self {
            Self::Internal(_) => "internal error (see the gateway's log)".to_string(),
            Self::ContentRefused(e) if !e.is_bad_input() => {
                "internal error (see the gateway's log)".to_string()
            }
            other => other.to_string(),
        };
        ErrorBody {
            error: ErrorObject {
                message,
                kind: self.kind().to_string(),
                param: self.param().map(str::to_string),
                code: Some(self.code().to_string()),
            },
        }
    }
}

impl From<AttributionError> for GatewayError {
    fn from(e: AttributionError) -> Self {
        if e.is_bad_input() {
            Self::ContentRefused(Box::new(e))
        } else {
            Self::Internal(e.to_string())
        }
    }
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        if self.status().is_server_error() {
            error!(target: "gateway::http", code = self.code(), "{self}");
        }
        (self.status(), Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tributary_contracts::AttributionSettlement;

    #[test]
    fn reverts_map_to_codes() {
        let decode = |data: Vec<u8>| GatewayError::from_revert(ContractRevert::decode(&data));
        use alloy::sol_types::SolError;
        let e = decode(
            AttributionSettlement::NonceUsed {
                user: Address::ZERO,
                nonce: U256::from(7),
            }
            .abi_encode(),
        );
        assert_eq!((e.status(), e.code()), (StatusCode::CONFLICT, "nonce_used"));
        let e = decode(AttributionSettlement::InvalidSignature {}.abi_encode());
        assert_eq!(e.code(), "invalid_signature");
        let e = decode(
            AttributionSettlement::FeeAboveMax {
                fee: U256::from(2),
                maxFee: U256::from(1),
            }
            .abi_encode(),
        );
        assert_eq!(
            (e.status(), e.code()),
            (StatusCode::PAYMENT_REQUIRED, "fee_above_max")
        );
        let e = decode(
            AttributionSettlement::WeightsDoNotSum {
                total: U256::from(1),
            }
            .abi_encode(),
        );
        assert_eq!(e.code(), "settlement_failed");
        assert!(e.to_string().contains("WeightsDoNotSum"), "{e}");
        let body = GatewayError::Internal("disk on fire".into()).body();
        assert!(
            !body.error.message.contains("disk"),
            "internals stay in the log"
        );
        assert_eq!(body.error.kind, "server_error");
    }
}
