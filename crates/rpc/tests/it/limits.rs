//! Size limits on requests and responses.

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tributary_rpc::ServerConfig;

use crate::utils::{call, error_of, post, spawn};

#[tokio::test]
async fn body_over_the_limit_is_413_with_a_json_rpc_error() {
    let (server, _) = spawn(ServerConfig::test().with_max_request_body_size(1024)).await;
    let fits =
        json!({"jsonrpc": "2.0", "id": 1, "method": "test_echo", "params": ["x".repeat(900)]});
    assert_eq!(post(&server, fits.to_string()).await.status, 200);

    let big =
        json!({"jsonrpc": "2.0", "id": 1, "method": "test_echo", "params": ["x".repeat(2000)]});
    let answer = post(&server, big.to_string()).await;
    assert_eq!(answer.status, 413);
    let message = error_of(&answer.json(), -32600)["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("too large"), "{message}");
}

#[tokio::test]
async fn default_limit_is_five_mebibytes() {
    let (server, _) = spawn(ServerConfig::test()).await;
    // Above axum's own 2 MB default, below ours.
    let payload = "x".repeat(4 * 1024 * 1024);
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "test_echo", "params": [payload]});
    let answer = post(&server, request.to_string()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json()["result"][0].as_str().map(str::len),
        Some(payload.len())
    );

    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "test_echo", "params": ["x".repeat(5 * 1024 * 1024)]});
    assert_eq!(post(&server, request.to_string()).await.status, 413);
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_413() {
    let (server, _) = spawn(ServerConfig::test().with_max_request_body_size(1024)).await;
    // No Content-Length: only the streaming cap can catch it.
    let mut stream = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .unwrap();
    let chunk = "x".repeat(600);
    let request = format!(
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
         {len:x}\r\n{chunk}\r\n{len:x}\r\n{chunk}\r\n0\r\n\r\n",
        len = chunk.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = vec![0u8; 4096];
    let n = stream.read(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response[..n]);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("-32600"), "{response}");
}

#[tokio::test]
async fn response_over_the_limit_becomes_an_error() {
    let (server, _) = spawn(ServerConfig::test().with_max_response_body_size(300)).await;
    let response = call(&server, "test_echo", json!(["x".repeat(200)])).await;
    assert_eq!(response["result"], json!(["x".repeat(200)]));
    let response = call(&server, "test_echo", json!(["x".repeat(400)])).await;
    assert_eq!(error_of(&response, -32003)["message"], "response too large");
    assert_eq!(response["id"], 1);

    // In a batch, answers that would push the body over the limit are replaced.
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "test_echo", "params": ["x".repeat(100)]},
        {"jsonrpc": "2.0", "id": 2, "method": "test_echo", "params": ["y".repeat(250)]},
        {"jsonrpc": "2.0", "id": 3, "method": "test_add", "params": [1]},
    ]);
    let responses = post(&server, batch.to_string()).await.json();
    let responses = responses.as_array().unwrap();
    assert_eq!(responses[0]["result"], json!(["x".repeat(100)]));
    error_of(&responses[1], -32003);
    assert_eq!(responses[1]["id"], 2);
    // Small answers after the overflow are replaced too: the client sees where it stopped.
    error_of(&responses[2], -32003);
}

#[tokio::test]
async fn huge_and_deeply_nested_json_does_not_crash() {
    let (server, _) = spawn(ServerConfig::test()).await;
    // serde_json's recursion limit turns this into a parse error instead of a stack overflow.
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let answer = post(&server, nested).await;
    assert_eq!(answer.status, 200);
    error_of(&answer.json(), -32700);
    assert_eq!(
        call(&server, "test_add", json!([1])).await["result"],
        Value::from(1)
    );
}
