//! Single calls over HTTP: success, errors, request validation, content types, CORS.

use serde_json::{Value, json};
use tributary_rpc::{CorsConfig, ServerConfig};

use crate::utils::{call, error_of, post, post_with, spawn, spawn_default};

#[tokio::test]
async fn single_call_echoes_the_id() {
    let (server, _) = spawn_default().await;
    let response = call(&server, "test_add", json!([2, 3])).await;
    assert_eq!(response, json!({"jsonrpc": "2.0", "id": 1, "result": 5}));

    for id in [json!("abc"), json!(null), json!(-7), json!(1.5)] {
        let body = json!({"jsonrpc": "2.0", "id": id, "method": "test_echo", "params": {"k": 1}});
        let response = post(&server, body.to_string()).await.json();
        assert_eq!(
            response,
            json!({"jsonrpc": "2.0", "id": id, "result": {"k": 1}})
        );
    }
    // Absent params and explicit null params are the same.
    let response = post(&server, r#"{"jsonrpc":"2.0","id":2,"method":"test_echo"}"#)
        .await
        .json();
    assert_eq!(response["result"], Value::Null);
}

#[tokio::test]
async fn optional_trailing_params() {
    let (server, _) = spawn_default().await;
    assert_eq!(call(&server, "test_add", json!([2])).await["result"], 2);
    assert_eq!(
        call(&server, "test_add", json!([2, null])).await["result"],
        2
    );

    let response = call(&server, "test_add", json!([])).await;
    assert_eq!(
        error_of(&response, -32602)["message"],
        "missing value for required argument 0"
    );
    let response = call(&server, "test_add", json!([1, 2, 3])).await;
    assert_eq!(
        error_of(&response, -32602)["message"],
        "too many arguments, want at most 2"
    );
    let response = call(&server, "test_add", json!(["x"])).await;
    let message = error_of(&response, -32602)["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.starts_with("invalid argument 0: "), "{message}");
    let response = call(&server, "test_add", json!({"a": 1})).await;
    assert_eq!(error_of(&response, -32602)["message"], "non-array args");
}

#[tokio::test]
async fn handler_errors() {
    let (server, _) = spawn_default().await;
    let response = call(&server, "test_fail", json!(["server"])).await;
    assert_eq!(
        response["error"],
        json!({"code": -32000, "message": "nonce too low"})
    );
    let response = call(&server, "test_fail", json!(["revert"])).await;
    assert_eq!(
        response["error"],
        json!({"code": 3, "message": "execution reverted: no", "data": "0xdead"})
    );
    let response = call(&server, "test_fail", json!(["internal"])).await;
    assert_eq!(
        response["error"],
        json!({"code": -32603, "message": "internal error"})
    );
    assert!(!response.to_string().contains("secret"));

    let response = call(&server, "test_panic", json!([])).await;
    assert_eq!(
        response["error"],
        json!({"code": -32603, "message": "internal error"})
    );
    // The server survived the panic.
    assert_eq!(call(&server, "test_add", json!([1, 1])).await["result"], 2);
}

#[tokio::test]
async fn unknown_method() {
    let (server, _) = spawn_default().await;
    let response = call(&server, "eth_nope", json!([])).await;
    assert_eq!(
        response,
        json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "the method eth_nope does not exist/is not available"}})
    );
}

#[tokio::test]
async fn invalid_json_is_a_parse_error() {
    let (server, _) = spawn_default().await;
    for body in [
        "{",
        "not json",
        "",
        r#"{"jsonrpc":"2.0","id":1,"method":"test_echo""#,
    ] {
        let answer = post(&server, body).await;
        assert_eq!(answer.status, 200);
        assert_eq!(
            answer.json(),
            json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "parse error"}})
        );
    }
}

#[tokio::test]
async fn invalid_request_shapes() {
    let (server, _) = spawn_default().await;
    let cases = [
        (json!(1), Value::Null),
        (json!("x"), Value::Null),
        (json!(null), Value::Null),
        (json!({"jsonrpc": "2.0", "id": 4}), json!(4)),
        (json!({"jsonrpc": "2.0", "id": 4, "method": 12}), json!(4)),
        (
            json!({"jsonrpc": "1.0", "id": 5, "method": "test_echo"}),
            json!(5),
        ),
        (json!({"id": 6, "method": "test_echo"}), json!(6)),
        (
            json!({"jsonrpc": "2.0", "id": 7, "method": "test_echo", "params": 3}),
            json!(7),
        ),
        (
            json!({"jsonrpc": "2.0", "id": 8, "method": "test_echo", "params": "a"}),
            json!(8),
        ),
        (
            json!({"jsonrpc": "2.0", "id": {"a": 1}, "method": "test_echo"}),
            Value::Null,
        ),
        // Without an id the request is still invalid, and invalid requests are answered.
        (
            json!({"jsonrpc": "2.0", "method": "test_echo", "params": true}),
            Value::Null,
        ),
    ];
    for (request, id) in cases {
        let answer = post(&server, request.to_string()).await;
        assert_eq!(answer.status, 200, "{request}");
        let response = answer.json();
        assert_eq!(response["id"], id, "{request} -> {response}");
        error_of(&response, -32600);
    }
}

#[tokio::test]
async fn notification_gets_no_body() {
    let (server, _) = spawn_default().await;
    let answer = post(
        &server,
        r#"{"jsonrpc":"2.0","method":"test_add","params":[1]}"#,
    )
    .await;
    assert_eq!((answer.status, answer.body.as_str()), (200, ""));
    // Even failing notifications stay silent.
    let answer = post(&server, r#"{"jsonrpc":"2.0","method":"nope"}"#).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, ""));
}

#[tokio::test]
async fn subscribe_over_http_is_not_supported() {
    let (server, _) = spawn_default().await;
    for method in ["test_subscribe", "test_unsubscribe"] {
        let response = call(&server, method, json!(["count"])).await;
        assert_eq!(
            error_of(&response, -32601)["message"],
            "notifications not supported"
        );
    }
}

#[tokio::test]
async fn content_types() {
    let (server, _) = spawn_default().await;
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"test_add","params":[1]}"#;
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "application/json-rpc",
    ] {
        let answer = post_with(&server, body, &[("content-type", content_type)]).await;
        assert_eq!(answer.status, 200, "{content_type}");
        assert_eq!(answer.json()["result"], 1);
        assert!(
            answer.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
    }
    // Lenient about a missing content type (curl -d without -H).
    let answer = post_with(&server, body, &[]).await;
    assert_eq!(answer.json()["result"], 1);

    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let answer = post_with(&server, body, &[("content-type", content_type)]).await;
        assert_eq!(answer.status, 415, "{content_type}");
        error_of(&answer.json(), -32600);
    }
}

#[tokio::test]
async fn get_without_upgrade_is_a_probe_and_other_methods_are_refused() {
    let (server, _) = spawn_default().await;
    let client = reqwest::Client::new();
    let response = client.get(server.http_url()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "");
    let response = client
        .put(server.http_url())
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let response = client
        .post(format!("{}/other", server.http_url()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn many_concurrent_requests() {
    let (server, _) = spawn_default().await;
    // Every rendezvous call blocks until RENDEZVOUS of them run at once: this only finishes
    // if requests are served concurrently.
    let calls = (0..crate::utils::RENDEZVOUS).map(|_| call(&server, "test_rendezvous", json!([])));
    let responses = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        futures::future::join_all(calls),
    )
    .await
    .expect("requests were not served concurrently");
    assert!(responses.iter().all(|response| response["result"] == true));

    // And plenty of ordinary ones in parallel, each answered with its own id.
    let calls = (0..200).map(|i| {
        let server = &server;
        async move {
            let request =
                json!({"jsonrpc": "2.0", "id": i, "method": "test_add", "params": [i, 1]});
            let response = post(server, request.to_string()).await.json();
            assert_eq!(
                response,
                json!({"jsonrpc": "2.0", "id": i, "result": i + 1})
            );
        }
    });
    futures::future::join_all(calls).await;
}

#[tokio::test]
async fn cors_with_an_origin_list() {
    let cors = CorsConfig::Origins(vec!["https://app.example".to_owned()]);
    let (server, _) = spawn(ServerConfig::test().with_cors(cors)).await;
    let client = reqwest::Client::new();

    let preflight = client
        .request(reqwest::Method::OPTIONS, server.http_url())
        .header("origin", "https://app.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    let headers = preflight.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://app.example"
    );
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert!(headers.contains_key("access-control-allow-headers"));
    assert_eq!(headers["access-control-max-age"], "600");

    let body = r#"{"jsonrpc":"2.0","id":1,"method":"test_add","params":[1]}"#;
    let answer = post_with(
        &server,
        body,
        &[
            ("content-type", "application/json"),
            ("origin", "https://app.example"),
        ],
    )
    .await;
    assert_eq!(
        answer.headers["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(answer.json()["result"], 1);

    let answer = post_with(
        &server,
        body,
        &[
            ("content-type", "application/json"),
            ("origin", "https://evil.example"),
        ],
    )
    .await;
    assert!(!answer.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn cors_any_and_disabled() {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"test_add","params":[1]}"#;
    let headers = [
        ("content-type", "application/json"),
        ("origin", "https://anything.example"),
    ];

    let (server, _) = spawn(ServerConfig::test().with_cors(CorsConfig::Any)).await;
    let answer = post_with(&server, body, &headers).await;
    assert_eq!(answer.headers["access-control-allow-origin"], "*");
    // Error answers carry the header too, so a browser can read them.
    let answer = post_with(
        &server,
        "x".repeat(10),
        &[
            ("content-type", "text/plain"),
            ("origin", "https://a.example"),
        ],
    )
    .await;
    assert_eq!(answer.status, 415);
    assert_eq!(answer.headers["access-control-allow-origin"], "*");

    let (server, _) = spawn(ServerConfig::test()).await;
    let answer = post_with(&server, body, &headers).await;
    assert!(!answer.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn invalid_cors_origin_is_a_start_error() {
    let cors = CorsConfig::Origins(vec!["bad\norigin".to_owned()]);
    let err = tributary_rpc::start(
        ServerConfig::test().with_cors(cors),
        tributary_rpc::Methods::new(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, tributary_rpc::ServerError::InvalidCorsOrigin(_)),
        "{err}"
    );
}

#[tokio::test]
async fn stop_closes_the_port() {
    let (server, _) = spawn_default().await;
    let url = server.http_url();
    assert_eq!(call(&server, "test_add", json!([1])).await["result"], 1);
    server.stop().await;
    assert!(
        reqwest::Client::new()
            .post(url)
            .body("{}")
            .send()
            .await
            .is_err()
    );
}
