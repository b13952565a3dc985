//! WebSocket: calls, batches, subscriptions, slow consumers, limits and closing.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{
    self, Message, client::IntoClientRequest, protocol::frame::coding::CloseCode,
};
use tributary_rpc::{CorsConfig, ServerConfig};

use crate::utils::{
    RENDEZVOUS, Ws, error_of, spawn, spawn_default, ws_call, ws_connect, ws_next, ws_response,
    ws_send,
};

fn is_subscription_id(id: &Value) -> bool {
    let Some(id) = id.as_str() else { return false };
    let Some(digits) = id.strip_prefix("0x") else {
        return false;
    };
    (1..=32).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_hexdigit())
        && (digits == "0" || !digits.starts_with('0'))
}

/// Reads until the connection ends; returns the close code if the server sent one.
async fn read_until_closed(ws: &mut Ws) -> Option<CloseCode> {
    let deadline = Duration::from_secs(30);
    tokio::time::timeout(deadline, async {
        while let Some(message) = ws.next().await {
            match message {
                Ok(Message::Close(frame)) => return frame.map(|frame| frame.code),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .expect("the connection was not closed")
}

#[tokio::test]
async fn calls_and_batches() {
    let (server, _) = spawn_default().await;
    let mut ws = ws_connect(&server).await;
    assert_eq!(
        ws_call(&mut ws, 1, "test_add", json!([2, 2])).await,
        json!({"jsonrpc": "2.0", "id": 1, "result": 4})
    );
    let response = ws_call(&mut ws, 2, "nope", json!([])).await;
    error_of(&response, -32601);

    ws_send(
        &mut ws,
        json!([
            {"jsonrpc": "2.0", "id": 3, "method": "test_record", "params": ["a"]},
            {"jsonrpc": "2.0", "method": "test_add", "params": [1]},
            {"jsonrpc": "2.0", "id": 4, "method": "test_record", "params": ["b"]},
        ]),
    )
    .await;
    let responses = ws_next(&mut ws).await;
    assert_eq!(
        responses,
        json!([{"jsonrpc": "2.0", "id": 3, "result": "a"}, {"jsonrpc": "2.0", "id": 4, "result": "b"}])
    );

    ws.send(Message::text("{not json")).await.unwrap();
    error_of(&ws_next(&mut ws).await, -32700);
    // Binary frames carry JSON-RPC too.
    ws.send(Message::binary(
        br#"{"jsonrpc":"2.0","id":5,"method":"test_add","params":[5]}"#.to_vec(),
    ))
    .await
    .unwrap();
    assert_eq!(ws_next(&mut ws).await["result"], 5);
}

#[tokio::test]
async fn pipelined_requests_are_served_concurrently() {
    let (server, _) = spawn_default().await;
    let mut ws = ws_connect(&server).await;
    for id in 0..RENDEZVOUS {
        ws_send(
            &mut ws,
            json!({"jsonrpc": "2.0", "id": id, "method": "test_rendezvous"}),
        )
        .await;
    }
    let mut ids = Vec::new();
    for _ in 0..RENDEZVOUS {
        let response = ws_next(&mut ws).await;
        assert_eq!(response["result"], true);
        ids.push(response["id"].as_u64().unwrap());
    }
    ids.sort_unstable();
    assert_eq!(ids, (0..RENDEZVOUS as u64).collect::<Vec<_>>());
}

#[tokio::test]
async fn subscription_delivers_items_then_ends() {
    let (server, _) = spawn_default().await;
    let mut ws = ws_connect(&server).await;
    let response = ws_call(&mut ws, 1, "test_subscribe", json!(["count", 3])).await;
    let id = response["result"].clone();
    assert!(is_subscription_id(&id), "{response}");
    for item in 0..3 {
        assert_eq!(
            ws_next(&mut ws).await,
            json!({"jsonrpc": "2.0", "method": "test_subscription", "params": {"subscription": id, "result": item}})
        );
    }
    // Unknown ids are not an error, just false.
    assert_eq!(
        ws_call(&mut ws, 2, "test_unsubscribe", json!(["0x1234"])).await["result"],
        false
    );
    let response = ws_call(&mut ws, 3, "test_subscribe", json!(["bogus"])).await;
    error_of(&response, -32602);
}

#[tokio::test]
async fn unsubscribe_stops_notifications() {
    let (server, ctx) = spawn_default().await;
    let mut ws = ws_connect(&server).await;
    let id = ws_call(&mut ws, 1, "test_subscribe", json!(["ticker"])).await["result"].clone();
    ws_send(
        &mut ws,
        json!({"jsonrpc": "2.0", "id": 2, "method": "test_subscribe", "params": ["ticker"]}),
    )
    .await;
    let other = ws_response(&mut ws, 2).await["result"].clone();
    assert!(is_subscription_id(&other));
    assert_ne!(id, other);
    let mut seen = 0;
    while seen < 2 {
        if ws_next(&mut ws).await["params"]["subscription"] == id {
            seen += 1;
        }
    }
    ws_send(
        &mut ws,
        json!({"jsonrpc": "2.0", "id": 3, "method": "test_unsubscribe", "params": [id]}),
    )
    .await;
    assert_eq!(ws_response(&mut ws, 3).await["result"], true);
    ctx.wait_live_tickers(1).await;
    // After the answer, only the other subscription's notifications arrive.
    for _ in 0..5 {
        let message = ws_next(&mut ws).await;
        assert_eq!(message["params"]["subscription"], other, "{message}");
    }
    ws_send(
        &mut ws,
        json!({"jsonrpc": "2.0", "id": 4, "method": "test_unsubscribe", "params": [id]}),
    )
    .await;
    assert_eq!(
        ws_response(&mut ws, 4).await["result"],
        false,
        "a second unsubscribe finds nothing"
    );
}

#[tokio::test]
async fn subscribe_inside_a_batch_answers_before_notifying() {
    let (server, _) = spawn_default().await;
    let mut ws = ws_connect(&server).await;
    ws_send(
        &mut ws,
        json!([
            {"jsonrpc": "2.0", "id": 1, "method": "test_subscribe", "params": ["count", 2]},
            {"jsonrpc": "2.0", "id": 2, "method": "test_add", "params": [1, 1]},
        ]),
    )
    .await;
    let responses = ws_next(&mut ws).await;
    let id = responses[0]["result"].clone();
    assert!(is_subscription_id(&id), "{responses}");
    assert_eq!(responses[1]["result"], 2);
    for item in 0..2 {
        let notification = ws_next(&mut ws).await;
        assert_eq!(
            notification["params"],
            json!({"subscription": id, "result": item})
        );
    }
}

#[tokio::test]
async fn closing_the_connection_ends_its_subscriptions_and_frees_its_slot() {
    let (server, ctx) = spawn(ServerConfig::test().with_max_ws_connections(1)).await;
    let mut ws = ws_connect(&server).await;
    for id in 1..=3 {
        ws_send(
            &mut ws,
            json!({"jsonrpc": "2.0", "id": id, "method": "test_subscribe", "params": ["ticker"]}),
        )
        .await;
        assert!(is_subscription_id(
            &ws_response(&mut ws, id).await["result"]
        ));
    }
    ctx.wait_live_tickers(3).await;

    match tokio_tungstenite::connect_async(server.ws_url()).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 503),
        other => panic!("second connection over the limit: {:?}", other.map(|_| ())),
    }

    ws.close(None).await.unwrap();
    drop(ws);
    ctx.wait_live_tickers(0).await;
    // The slot comes back once the server has torn the connection (and its ticker) down.
    let reconnected = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok((ws, _)) = tokio_tungstenite::connect_async(server.ws_url()).await {
                return ws;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the closed connection's slot was not released");
    let mut ws = reconnected;
    assert_eq!(
        ws_call(&mut ws, 2, "test_add", json!([1])).await["result"],
        1
    );
}

#[tokio::test]
async fn slow_consumer_is_disconnected() {
    let (server, _) = spawn(ServerConfig::test().with_ws_queue_capacity(4)).await;
    let mut ws = ws_connect(&server).await;
    let response = ws_call(&mut ws, 1, "test_subscribe", json!(["flood"])).await;
    assert!(is_subscription_id(&response["result"]));
    // Not reading lets the queue overflow.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(read_until_closed(&mut ws).await, Some(CloseCode::Policy));

    // The server itself is fine.
    let mut ws = ws_connect(&server).await;
    assert_eq!(
        ws_call(&mut ws, 2, "test_add", json!([3])).await["result"],
        3
    );
}

#[tokio::test]
async fn oversized_message_closes_the_connection() {
    let (server, _) = spawn(ServerConfig::test().with_ws_max_message_size(1024)).await;
    let mut ws = ws_connect(&server).await;
    let big =
        json!({"jsonrpc": "2.0", "id": 1, "method": "test_echo", "params": ["x".repeat(2048)]});
    ws_send(&mut ws, big).await;
    read_until_closed(&mut ws).await;
}

#[tokio::test]
async fn server_stop_closes_websockets_with_going_away() {
    let (server, _) = spawn_default().await;
    let mut ws = ws_connect(&server).await;
    ws_call(&mut ws, 1, "test_subscribe", json!(["ticker"])).await;
    let stopping = tokio::spawn(server.stop());
    assert_eq!(read_until_closed(&mut ws).await, Some(CloseCode::Away));
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("stop hung")
        .unwrap();
}

#[tokio::test]
async fn origin_list_applies_to_websocket_upgrades() {
    let cors = CorsConfig::Origins(vec!["https://app.example".to_owned()]);
    let (server, _) = spawn(ServerConfig::test().with_cors(cors)).await;

    let mut request = server.ws_url().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("foreign origin: {:?}", other.map(|_| ())),
    }

    let mut request = server.ws_url().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", "https://app.example".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        ws_call(&mut ws, 1, "test_add", json!([1])).await["result"],
        1
    );
    // Clients without an Origin (scripts, cast) are not browsers and pass.
    let mut ws = ws_connect(&server).await;
    assert_eq!(
        ws_call(&mut ws, 1, "test_add", json!([1])).await["result"],
        1
    );
}
