//! Batch requests: order, notifications, limits, concurrency and batched handlers.

use serde_json::{Value, json};
use tributary_rpc::ServerConfig;

use crate::utils::{RENDEZVOUS, call, error_of, post, spawn, spawn_default};

fn request(id: Option<u64>, method: &str, params: Value) -> Value {
    match id {
        Some(id) => json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        None => json!({"jsonrpc": "2.0", "method": method, "params": params}),
    }
}

#[tokio::test]
async fn answers_in_request_order_without_notifications() {
    let (server, _) = spawn_default().await;
    let batch = json!([
        request(Some(1), "test_add", json!([1, 2])),
        request(None, "test_add", json!([5])),
        request(Some(2), "nope", json!([])),
        42,
        request(Some(3), "test_add", json!(["x"])),
        request(None, "nope", json!([])),
        request(Some(4), "test_echo", json!(["e"])),
    ]);
    let answer = post(&server, batch.to_string()).await;
    assert_eq!(answer.status, 200);
    let responses = answer.json();
    let responses = responses.as_array().unwrap();
    assert_eq!(responses.len(), 5, "{responses:?}");
    assert_eq!(
        responses[0],
        json!({"jsonrpc": "2.0", "id": 1, "result": 3})
    );
    error_of(&responses[1], -32601);
    assert_eq!(responses[1]["id"], 2);
    error_of(&responses[2], -32600);
    assert_eq!(responses[2]["id"], Value::Null);
    error_of(&responses[3], -32602);
    assert_eq!(responses[3]["id"], 3);
    assert_eq!(
        responses[4],
        json!({"jsonrpc": "2.0", "id": 4, "result": ["e"]})
    );
}

#[tokio::test]
async fn only_notifications_get_no_body() {
    let (server, ctx) = spawn_default().await;
    let batch = json!([
        request(None, "test_add", json!([1])),
        request(None, "test_record", json!([1]))
    ]);
    let answer = post(&server, batch.to_string()).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, ""));
    // The notification still ran.
    assert_eq!(*ctx.record_invocations.lock().unwrap(), vec![1]);
}

#[tokio::test]
async fn empty_batch_is_one_invalid_request() {
    let (server, _) = spawn_default().await;
    let response = post(&server, "[]").await.json();
    assert!(response.is_object(), "{response}");
    assert_eq!(response["id"], Value::Null);
    assert_eq!(error_of(&response, -32600)["message"], "empty batch");
}

#[tokio::test]
async fn batch_over_the_limit_is_one_error() {
    let (server, ctx) = spawn(ServerConfig::test().with_max_batch_size(3)).await;
    let ok: Vec<Value> = (1..=3)
        .map(|i| request(Some(i), "test_record", json!([i])))
        .collect();
    let responses = post(&server, Value::Array(ok).to_string()).await.json();
    assert_eq!(responses.as_array().unwrap().len(), 3);

    let too_many: Vec<Value> = std::iter::once(request(None, "test_record", json!([0])))
        .chain((7..=10).map(|i| request(Some(i), "test_record", json!([i]))))
        .collect();
    let responses = post(&server, Value::Array(too_many).to_string())
        .await
        .json();
    let responses = responses.as_array().unwrap();
    assert_eq!(responses.len(), 1, "{responses:?}");
    assert_eq!(
        error_of(&responses[0], -32600)["message"],
        "batch too large"
    );
    // geth's convention: the first call's id, so a client matching by id notices.
    assert_eq!(responses[0]["id"], 7);
    // Nothing of the refused batch ran.
    assert_eq!(*ctx.record_invocations.lock().unwrap(), vec![3]);
}

#[tokio::test]
async fn entries_run_concurrently() {
    let (server, _) = spawn_default().await;
    let batch: Vec<Value> = (0..RENDEZVOUS as u64)
        .map(|i| request(Some(i), "test_rendezvous", json!([])))
        .collect();
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        post(&server, Value::Array(batch).to_string()),
    )
    .await
    .expect("batch entries were not run concurrently");
    let responses = answer.json();
    assert!(
        responses
            .as_array()
            .unwrap()
            .iter()
            .all(|response| response["result"] == true)
    );
}

#[tokio::test]
async fn batched_handler_gets_all_calls_at_once_and_answers_land_in_place() {
    let (server, ctx) = spawn_default().await;
    let batch = json!([
        request(Some(1), "test_record", json!(["a"])),
        request(Some(2), "test_add", json!([1])),
        request(Some(3), "test_record", json!(["b"])),
        request(None, "test_record", json!(["notified"])),
        request(Some(5), "test_record", json!([])),
        request(Some(6), "test_echo", json!([6])),
        request(Some(7), "test_record", json!(["d"])),
    ]);
    let responses = post(&server, batch.to_string()).await.json();
    let responses = responses.as_array().unwrap();
    assert_eq!(
        *ctx.record_invocations.lock().unwrap(),
        vec![5],
        "one invocation for all five calls"
    );
    let ids: Vec<_> = responses
        .iter()
        .map(|response| response["id"].clone())
        .collect();
    assert_eq!(
        ids,
        [json!(1), json!(2), json!(3), json!(5), json!(6), json!(7)]
    );
    assert_eq!(responses[0]["result"], "a");
    assert_eq!(responses[1]["result"], 1);
    assert_eq!(responses[2]["result"], "b");
    // Per-call errors of a batched handler stay with their call.
    assert_eq!(
        error_of(&responses[3], -32602)["message"],
        "missing value for required argument 0"
    );
    assert_eq!(responses[4]["result"], json!([6]));
    assert_eq!(responses[5]["result"], "d");

    // A single call is a batch of one.
    assert_eq!(
        call(&server, "test_record", json!(["solo"])).await["result"],
        "solo"
    );
    assert_eq!(*ctx.record_invocations.lock().unwrap(), vec![5, 1]);
}

#[tokio::test]
async fn large_batch_of_batched_calls() {
    let (server, ctx) = spawn_default().await;
    let batch: Vec<Value> = (0..1000)
        .map(|i| request(Some(i), "test_record", json!([i])))
        .collect();
    let responses = post(&server, Value::Array(batch).to_string()).await.json();
    let responses = responses.as_array().unwrap();
    assert_eq!(responses.len(), 1000);
    for (i, response) in responses.iter().enumerate() {
        assert_eq!(response["id"], i);
        assert_eq!(response["result"], i);
    }
    assert_eq!(*ctx.record_invocations.lock().unwrap(), vec![1000]);
}
