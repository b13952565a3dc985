//! The gateway with an LLM backend that paraphrases, on a real devnet.
//!
//! The backend is a small OpenAI-compatible server started here (axum on a free loopback port):
//! it records the prompts it gets and answers with a paraphrase of the Rhine and harbour
//! contributions that quotes no run of 8 words, or fails with HTTP 500 when told to. The gateway
//! runs in process ([`Gateway`]) with `Responder::Backend` pointing at it, as `--backend-url`
//! configures the binary.
//!
//! A failing backend gives a clear 502 and charges nothing (the nonce stays unused: the same
//! signed request then succeeds). The paraphrase is settled as `retrieved`: the contributions
//! given to the model as context are credited by their BM25 scores, the on-chain credits are the
//! fee split by the returned weights, and the served evidence hashes to the settled hash.

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    transports::http::reqwest,
};
use axum::{Json, Router, extract::State, http::StatusCode, response::IntoResponse, routing::post};
use serde_json::{Value, json};
use tributary_attribution::{largest_remainder_bps, score_units, tokenize};
use tributary_cli::{
    Client, ClientConfig, DeploymentFile,
    attribution::QueryTerms,
    gateway_api::{ChatRequest, ChatResponse},
};
use tributary_contracts::AttributionSettlement;
use tributary_gateway::{Backend, Gateway, GatewayConfig, Responder};
use tributary_primitives::predeploys::ATTRIBUTION_SETTLEMENT;
use tributary_testkit::{Devnet, dev_signer, test_dir};

use crate::utils::{evidence_weights, paid_request, post_json};

const RHINE: &str = "The river Rhine rises in the Swiss Alps and flows north through Germany before it reaches the North Sea near Rotterdam. Barges have carried coal and grain along its banks for centuries.";
const HARBOUR: &str = "Rotterdam harbour handles more cargo than any other port in Europe, about four hundred million tonnes in a typical year. Its container terminals are almost fully automated.";
/// Accepted, but shares no word with the question: never retrieved, never credited.
const BEES: &str = "Honey bees tell their hive mates about flowers by performing a waggle dance on a comb. Its angle points relative to sunlight.";

const QUESTION: &str = "Where does the Rhine reach the North Sea, and how much cargo does the Rotterdam harbour handle?";
/// The backend's answer: both passages reworded, no run of 8 words quoted (checked).
const PARAPHRASE: &str = "Starting high in the Alps of Switzerland, the Rhine crosses Germany and ends in the North Sea close to Rotterdam. That city's port moves more freight than any rival in Europe: roughly 400 million tonnes per year.";

/// The fake LLM: its prompts, and whether it fails.
#[derive(Default)]
struct Llm {
    fail: AtomicBool,
    prompts: Mutex<Vec<Value>>,
}

async fn completions(State(llm): State<Arc<Llm>>, Json(body): Json<Value>) -> impl IntoResponse {
    llm.prompts.lock().unwrap().push(body);
    if llm.fail.load(Ordering::SeqCst) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": {"message": "CUDA out of memory"}})),
        );
    }
    (
        StatusCode::OK,
        Json(json!({
            "id": "cmpl-1", "object": "chat.completion", "created": 0, "model": "fake",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": PARAPHRASE}, "finish_reason": "stop"}],
        })),
    )
}

/// Whether `a` and `b` share a run of `n` words (the engine's words), by brute force.
fn shares_run(a: &str, b: &str, n: usize) -> bool {
    let words = |s: &str| -> Vec<String> { tokenize(s).into_iter().map(|t| t.text).collect() };
    let (a, b) = (words(a), words(b));
    a.windows(n).any(|w| b.windows(n).any(|v| v == w))
}

/// An L2 client of the attribution commands signing as `signer`.
async fn client(file: &DeploymentFile, l2: &str, signer: &PrivateKeySigner) -> Client {
    let config = ClientConfig::new(
        l2.parse().unwrap(),
        l2.parse().unwrap(),
        file.deployment.clone(),
    )
    .with_signer(signer.clone());
    Client::connect_l2(config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paraphrasing_backend_is_settled_by_retrieval_and_a_failing_one_charges_nothing() {
    for text in [RHINE, HARBOUR, BEES] {
        assert!(!shares_run(PARAPHRASE, text, 8), "the paraphrase quotes");
    }
    let devnet = Devnet::start(&[]);
    let l2_rpc = devnet.get("l2_rpc");
    let l2 = ProviderBuilder::new().connect_http(l2_rpc.parse().unwrap());
    let chain_id = l2.get_chain_id().await.unwrap();
    let file = DeploymentFile::load(Some(devnet.path("devnet.json"))).unwrap();
    let (owner, validator, alice, bob, carol, provider, model_owner, user) = (
        dev_signer(1),
        dev_signer(2),
        dev_signer(3),
        dev_signer(4),
        dev_signer(6),
        dev_signer(5),
        dev_signer(8),
        dev_signer(9),
    );
    let settlement = AttributionSettlement::new(ATTRIBUTION_SETTLEMENT, &l2);

    // ---- the fake LLM and the gateway using it
    let llm = Arc::new(Llm::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backend_url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(llm.clone());
    let backend_server = tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = test_dir("gateway-backend");
    let config = GatewayConfig::new(
        l2_rpc.parse().unwrap(),
        provider.clone(),
        dir.path().join("gateway"),
    )
    .with_listen("127.0.0.1:0".parse().unwrap())
    .with_sync_interval(Duration::from_millis(300))
    .with_responder(Responder::Backend(Backend {
        url: backend_url.parse().unwrap(),
        model: "fake".into(),
        api_key: None,
        timeout: Duration::from_secs(10),
    }));
    let gateway = Gateway::open(config).await.unwrap();
    assert_eq!(gateway.provider(), provider.address());
    let handle = gateway.serve().await.unwrap();
    let gateway_url = format!("http://{}", handle.addr());

    // ---- a DataNet, three contributions accepted and uploaded, a model served by the gateway
    let as_owner = client(&file, &l2_rpc, &owner).await;
    let datanet = as_owner
        .create_datanet("rivers", "", U256::from(1000), 5000)
        .await
        .unwrap()
        .id;
    let as_validator = client(&file, &l2_rpc, &validator).await;
    as_validator
        .stake(datanet, tributary_testkit::open(10))
        .await
        .unwrap();
    let files = dir.path().join("contributions");
    std::fs::create_dir_all(&files).unwrap();
    let mut ids = BTreeMap::new();
    for (name, who, text) in [
        ("rhine", &alice, RHINE),
        ("harbour", &bob, HARBOUR),
        ("bees", &carol, BEES),
    ] {
        let path = files.join(name);
        std::fs::write(&path, text).unwrap();
        let id = client(&file, &l2_rpc, who)
            .await
            .contribute(&path, datanet, None, "CC-BY-4.0", None)
            .await
            .unwrap()
            .id;
        as_validator.vote(id, true).await.unwrap();
        // Accepted: the upload indexes it at once.
        let response = reqwest::Client::new()
            .post(format!("{gateway_url}/v1/contributions"))
            .body(text)
            .send()
            .await
            .unwrap();
        let status: Value = response.json().await.unwrap();
        assert_eq!(status["status"], "indexed", "{status}");
        ids.insert(id, (who.address(), text));
    }
    let fee = U256::from(10u64).pow(U256::from(16));
    let as_model_owner = client(&file, &l2_rpc, &model_owner).await;
    let model = as_model_owner
        .register_model(keccak256("weights"), 0, &[datanet], fee, "")
        .await
        .unwrap()
        .id;
    as_model_owner
        .set_provider(model, provider.address(), true)
        .await
        .unwrap();
    let as_user = client(&file, &l2_rpc, &user).await;
    as_user.prepay(tributary_testkit::open(1)).await.unwrap();
    let prepaid = settlement.prepaid(user.address()).call().await.unwrap();

    // ---- one signed request, first while the backend fails
    let nonce = U256::from(1);
    let far = U256::from(u64::MAX / 2);
    let body = serde_json::to_string(&ChatRequest {
        model: format!("tributary/{model}"),
        max_tokens: Some(200),
        ..paid_request(&user, chain_id, model, QUESTION, fee, nonce, far)
    })
    .unwrap();
    let completions_url = format!("{gateway_url}/v1/chat/completions");
    llm.fail.store(true, Ordering::SeqCst);
    let (status, error) = post_json(&completions_url, body.clone()).await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (502, &json!("backend_error"))
    );
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("500") && message.contains("nothing was charged"),
        "{message}"
    );
    assert_eq!(
        settlement.prepaid(user.address()).call().await.unwrap(),
        prepaid
    );
    assert!(
        !settlement
            .nonceUsed(user.address(), nonce)
            .call()
            .await
            .unwrap()
    );

    // ---- the same signed request once the backend answers: settled by retrieval
    llm.fail.store(false, Ordering::SeqCst);
    let (status, answer) = post_json(&completions_url, body.clone()).await;
    assert_eq!(status, 200, "{answer}");
    let answer: ChatResponse = serde_json::from_value(answer).unwrap();
    let receipt = &answer.tributary;
    println!(
        "receipt: {}",
        serde_json::to_string_pretty(receipt).unwrap()
    );
    assert_eq!(answer.choices[0].message.content, PARAPHRASE);
    assert!(receipt.settled, "{receipt:?}");
    assert_eq!(receipt.outcome, "retrieved");
    assert!(receipt.spans.is_empty());
    assert_eq!(receipt.fee, fee);
    assert_eq!(
        settlement.prepaid(user.address()).call().await.unwrap(),
        prepaid - fee
    );

    // The backend got the retrieved chunks in its prompt, and the question.
    let prompts = llm.prompts.lock().unwrap().clone();
    assert_eq!(prompts.len(), 2, "one failed call, one answered");
    let prompt = &prompts[1];
    assert_eq!(prompt["model"], "fake");
    assert_eq!(prompt["max_tokens"], 200);
    let sent = prompt["messages"].as_array().unwrap();
    assert_eq!(sent[0]["role"], "system");
    let context = sent[0]["content"].as_str().unwrap();
    for chunk in [RHINE, HARBOUR] {
        assert!(
            ["[1] ", "[2] "]
                .iter()
                .any(|n| context.contains(&format!("{n}{chunk}"))),
            "{context}"
        );
    }
    assert!(!context.contains(BEES));
    assert_eq!(sent.last().unwrap()["content"], QUESTION);

    // Credited: exactly the contributions whose chunks were given to the model, by their
    // scores (micro-units, largest remainder), every chunk used.
    let mut units: BTreeMap<u64, u64> = BTreeMap::new();
    for chunk in &receipt.retrieval {
        assert!(chunk.used, "{chunk:?}");
        *units.entry(chunk.contribution_id).or_default() += score_units(chunk.score);
    }
    let (rhine, harbour) = (
        ids.keys().copied().next().unwrap(),
        *ids.keys().nth(1).unwrap(),
    );
    assert_eq!(units.keys().copied().collect::<Vec<_>>(), [rhine, harbour]);
    let entries: Vec<(u64, u64)> = units.into_iter().collect();
    let expected: Vec<(u64, Address, u16)> = entries
        .iter()
        .zip(largest_remainder_bps(&entries))
        .map(|((id, _), bps)| (*id, ids[id].0, bps))
        .collect();
    assert_eq!(
        receipt
            .contributions
            .iter()
            .map(|c| (c.id, c.contributor, c.weight_bps))
            .collect::<Vec<_>>(),
        expected
    );
    // Ordered like the scores.
    let (hi, lo) = if entries[0].1 >= entries[1].1 {
        (0, 1)
    } else {
        (1, 0)
    };
    assert!(expected[hi].2 >= expected[lo].2, "{:?}", receipt.retrieval);

    // On chain: each contributor's credits are its part of the contributor pool.
    let split = settlement.feeSplit().call().await.unwrap();
    let bps = U256::from(10_000);
    let pool = fee
        - fee * split.modelOwnerBps / bps
        - fee * split.validatorBps / bps
        - fee * split.protocolBps / bps;
    for c in &receipt.contributions {
        assert_eq!(
            settlement.credits(c.contributor).call().await.unwrap(),
            pool * U256::from(c.weight_bps) / bps,
            "contribution {}",
            c.id
        );
    }
    assert_eq!(
        settlement.credits(carol.address()).call().await.unwrap(),
        U256::ZERO
    );
    assert_eq!(
        settlement
            .credits(model_owner.address())
            .call()
            .await
            .unwrap(),
        fee * split.modelOwnerBps / bps
    );

    // The evidence: served bytes hash to the hash InferenceSettled recorded; they state the
    // outcome, the grounding, the settled weights and the chunks with their scores.
    let evidence = reqwest::get(format!("{gateway_url}{}", receipt.evidence_url))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(keccak256(&evidence), receipt.evidence_hash);
    let mined = l2
        .get_transaction_receipt(receipt.settlement_tx.unwrap())
        .await
        .unwrap()
        .unwrap();
    let settled = mined
        .decoded_log::<AttributionSettlement::InferenceSettled>()
        .unwrap();
    assert_eq!(settled.evidenceHash, receipt.evidence_hash);
    assert_eq!(settled.outputHash, keccak256(PARAPHRASE));
    let parsed: Value = serde_json::from_slice(&evidence).unwrap();
    assert_eq!(
        (&parsed["version"], &parsed["grounding"], &parsed["outcome"]),
        (&json!(2), &json!("context"), &json!("retrieved"))
    );
    assert_eq!(
        evidence_weights(&parsed),
        expected
            .iter()
            .map(|(id, _, bps)| (*id, u64::from(*bps)))
            .collect::<Vec<_>>()
    );
    for (chunk, given) in parsed["retrieval"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&receipt.retrieval)
    {
        assert_eq!(chunk["weight"].as_u64().unwrap(), score_units(given.score));
        assert_eq!(chunk["used"], true);
    }

    // The nonce is now used.
    let (status, replay) = post_json(&completions_url, body).await;
    assert_eq!(
        (status, &replay["error"]["code"]),
        (409, &json!("nonce_used"))
    );

    // ---- `tributary query`: the outcome and the evidence's full URL for people
    let gateway_base: alloy::transports::http::reqwest::Url = gateway_url.parse().unwrap();
    let answer = as_user
        .query(
            &user,
            &gateway_base,
            QUESTION,
            model,
            QueryTerms {
                max_fee: None,
                nonce: None,
                valid_for: Duration::from_secs(300),
            },
        )
        .await
        .unwrap();
    let printed = answer.to_string();
    let hash: B256 = answer.response.tributary.evidence_hash;
    assert!(printed.contains("\nretrieved: "), "{printed}");
    assert!(
        printed.ends_with(&format!(
            "evidence {hash} at {gateway_url}/v1/attributions/{hash}"
        )),
        "{printed}"
    );

    handle.stop().await;
    backend_server.abort();
}
