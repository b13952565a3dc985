//! Answering a question from retrieved chunks: an OpenAI-compatible LLM backend (llama.cpp's
//! server, vLLM, Ollama: `POST {url}/v1/chat/completions`), or without one the engine's
//! deterministic extractive responder ([`tributary_attribution::respond`]).
//!
//! The responder also says what the chunks were to the answer ([`Responder::grounding`]): an LLM
//! is given them as its context ([`Grounding::Context`]: a paraphrase of them is credited by
//! their retrieval scores), the extractive responder quotes them ([`Grounding::Spans`]: only its
//! verbatim spans credit).

use std::time::Duration;

use alloy::transports::http::reqwest::{self, Url};
use serde::Deserialize;
use serde_json::json;
use tracing::warn;
use tributary_attribution::{Grounding, RetrievedChunk, respond};
use tributary_cli::gateway_api::ChatRequest;

use crate::error::{GatewayError, Result};

/// Instructions given to an LLM backend with the retrieved passages. Verbatim spans of at least
/// `min_span_tokens` words credit exactly the contributions quoted, so the model is asked to
/// quote; an answer that paraphrases is credited to the passages by their retrieval scores.
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
    /// What the retrieved chunks are to this responder's answers, for the attribution: the
    /// context of an LLM, or the sentences the extractive responder quotes (credited only
    /// through the spans they leave: a quote that credits no one, like boilerplate, is not paid
    /// by retrieval score).
    pub(crate) fn grounding(&self) -> Grounding {
        match self {
            Self::Extractive { .. } => Grounding::Spans,
            Self::Backend(_) => Grounding::Context,
        }
    }

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
            .map_err(|e| failed(&self.url, "is misconfigured", e))?;
        let mut post = reqwest::Client::new()
            .post(url.clone())
            .timeout(self.timeout)
            .json(&body);
        if let Some(key) = &self.api_key {
            post = post.bearer_auth(key);
        }
        let response = post
            .send()
            .await
            .map_err(|e| failed(&url, "did not answer", e))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(failed(
                &url,
                &format!("answered HTTP {status}"),
                excerpt(&text),
            ));
        }
        let parsed: BackendResponse = response
            .json()
            .await
            .map_err(|e| failed(&url, "sent an unreadable answer", e))?;
        parsed
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| failed(&url, "sent an empty answer", "no choice with content"))
    }
}

/// A backend failure: the detail (its URL, its error body) goes to the log, the user gets what
/// happened (`what`), without the backend's address or internals.
fn failed(url: &Url, what: &str, detail: impl std::fmt::Display) -> GatewayError {
    warn!(target: "gateway::chat", %url, "the backend {what}: {detail}");
    GatewayError::Backend(what.to_string())
}

/// The start of a backend's error body, for the log (a server may send a whole page).
fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 200;
    let text = text.trim();
    match text.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grounding_follows_the_responder() {
        assert_eq!(
            Responder::Extractive { max_sentences: 2 }.grounding(),
            Grounding::Spans
        );
        let backend = Backend {
            url: "http://127.0.0.1:1".parse().unwrap(),
            model: "m".into(),
            api_key: None,
            timeout: Duration::from_secs(1),
        };
        assert_eq!(Responder::Backend(backend).grounding(), Grounding::Context);
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("  boom \n"), "boom");
        let long = "é".repeat(500);
        assert_eq!(excerpt(&long).chars().count(), 201);
    }
}
