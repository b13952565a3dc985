//! Answering a question from retrieved chunks: an OpenAI-compatible LLM backend (llama.cpp's
//! server, vLLM, Ollama: `POST {url}/v1/chat/completions`), or without one the engine's
//! deterministic extractive responder ([`tributary_attribution::respond`]).

use std::time::Duration;

use alloy::transports::http::reqwest::{self, Url};
use serde::Deserialize;
use serde_json::json;
use tributary_attribution::{RetrievedChunk, respond};
use tributary_cli::gateway_api::ChatRequest;

use crate::error::{GatewayError, Result};

/// Instructions given to an LLM backend with the retrieved passages. Attribution credits verbatim
/// spans of at least `min_span_tokens` words, so the model is asked to quote.
const SYSTEM_PROMPT: &str = "Answer the question using only the numbered passages below. \
Quote the sentences you rely on verbatim. If the passages do not answer it, say so.";

/// An OpenAI-compatible chat backend.
#[derive(Debug, Clone)]
pub struct Backend {
    /// Base URL (`http://127.0.0.1:8080`): requests go to `{url}/v1/chat/completions`.
    pub url: Url,
    /// The backend's model name.
    pub model: String,
    /// Bearer token, if the backend wants one.
    pub api_key: Option<String>,
    /// Request timeout.
    pub timeout: Duration,
}

/// How the gateway answers.
#[derive(Debug, Clone)]
pub enum Responder {
    /// Quote the best `max_sentences` sentences of the chunks ([`respond`]).
    Extractive {
        /// Sentences per answer.
        max_sentences: usize,
    },
    /// Ask an LLM with the chunks as context.
    Backend(Backend),
}

#[derive(Deserialize)]
struct BackendResponse {
    choices: Vec<BackendChoice>,
}

#[derive(Deserialize)]
struct BackendChoice {
    message: BackendMessage,
}

#[derive(Deserialize)]
struct BackendMessage {
    content: Option<String>,
}

impl Responder {
    /// The answer to the request's `question` (its last message) from `chunks`; `None` when the
    /// extractive responder finds nothing related.
    pub(crate) async fn answer(
        &self,
        request: &ChatRequest,
        question: &str,
        chunks: &[RetrievedChunk],
    ) -> Result<Option<String>> {
        match self {
            Self::Extractive { max_sentences } => Ok(respond(question, chunks, *max_sentences)),
            Self::Backend(backend) => backend.complete(request, chunks).await.map(Some),
        }
    }
}

impl Backend {
    async fn complete(&self, request: &ChatRequest, chunks: &[RetrievedChunk]) -> Result<String> {
        let context: String = chunks
            .iter()
            .enumerate()
            .map(|(i, c)| format!("[{}] {}\n\n", i + 1, c.text))
            .collect();
        let mut messages = vec![json!({
            "role": "system",
            "content": format!("{SYSTEM_PROMPT}\n\n{context}"),
        })];
        messages.extend(
            request
                .messages
                .iter()
                .map(|m| json!({ "role": m.role, "content": m.content })),
        );
        let mut body = json!({ "model": self.model, "messages": messages, "stream": false });
        if let Some(max_tokens) = request.max_tokens {
            body["max_tokens"] = json!(max_tokens);
        }
        if let Some(temperature) = request.temperature {
            body["temperature"] = json!(temperature);
        }
        let url = self
            .url
            .join("v1/chat/completions")
            .map_err(|e| GatewayError::Backend(e.to_string()))?;
        let mut post = reqwest::Client::new()
            .post(url)
            .timeout(self.timeout)
            .json(&body);
        if let Some(key) = &self.api_key {
            post = post.bearer_auth(key);
        }
        let response = post
            .send()
            .await
            .map_err(|e| GatewayError::Backend(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(GatewayError::Backend(format!("{status}: {text}")));
        }
        let parsed: BackendResponse = response
            .json()
            .await
            .map_err(|e| GatewayError::Backend(format!("unreadable answer: {e}")))?;
        parsed
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| GatewayError::Backend("empty answer".into()))
    }
}
