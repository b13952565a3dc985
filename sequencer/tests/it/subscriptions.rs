//! eth_subscribe over WebSocket (newHeads, logs, newPendingTransactions) and the debug tracers
//! over HTTP, against the real binary.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::utils::{Sequencer, recipient, transfer};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn request(ws: &mut Ws, id: u64, method: &str, params: Value) -> Value {
    let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    ws.send(Message::Text(msg.to_string().into()))
        .await
        .unwrap();
    loop {
        let v = next(ws).await;
        if v["id"] == json!(id) {
            return v;
        }
    }
}

async fn next(ws: &mut Ws) -> Value {
    let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
        .await
        .expect("no message within 30 s")
        .unwrap()
        .unwrap();
    serde_json::from_str(msg.to_text().unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn websocket_subscriptions_follow_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let seq = Sequencer::start(dir.path());
    let ws_url = seq.url.replace("http://", "ws://");
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await.unwrap();
    let heads = request(&mut ws, 1, "eth_subscribe", json!(["newHeads"])).await["result"].clone();
    let pending = request(
        &mut ws,
        2,
        "eth_subscribe",
        json!(["newPendingTransactions"]),
    )
    .await["result"]
        .clone();
    let logs = request(
        &mut ws,
        3,
        "eth_subscribe",
        json!(["logs", {"address": recipient(1)}]),
    )
    .await["result"]
        .clone();
    assert!(heads.is_string() && pending.is_string() && logs.is_string());

    // a short blocking HTTP call; the multi-threaded runtime keeps the socket served meanwhile
    let hash = seq.send_batch(&[transfer(7, 0, recipient(7), 1)])[0]
        .clone()
        .unwrap();
    let (mut saw_pending, mut saw_head) = (false, false);
    while !(saw_pending && saw_head) {
        let n = next(&mut ws).await;
        assert_eq!(n["method"], json!("eth_subscription"));
        let sub = &n["params"]["subscription"];
        let result = &n["params"]["result"];
        if *sub == pending {
            saw_pending |= *result == json!(hash);
        } else if *sub == heads {
            assert!(result["stateRoot"].is_string() && result["hash"].is_string());
            saw_head = true;
        } else {
            panic!("unexpected notification {n} (no logs match the filter)");
        }
    }
    let r = request(&mut ws, 4, "eth_unsubscribe", json!([heads])).await;
    assert_eq!(r["result"], json!(true));
}

#[test]
fn debug_tracers_answer_over_rpc() {
    let dir = tempfile::tempdir().unwrap();
    let seq = Sequencer::start(dir.path());
    let hash = seq.send_batch(&[transfer(8, 0, recipient(8), 5)])[0]
        .clone()
        .unwrap();
    seq.wait_receipt(hash);
    let call = seq.call(
        "debug_traceTransaction",
        json!([hash, {"tracer": "callTracer"}]),
    );
    assert_eq!(call["type"], json!("CALL"));
    assert_eq!(call["value"], json!("0x5"));
    assert_eq!(call["gasUsed"], json!("0x5208"));
    let logs = seq.call("debug_traceTransaction", json!([hash]));
    assert_eq!(logs["gas"], json!(21_000));
    assert_eq!(logs["failed"], json!(false));
    let traced = seq.call(
        "debug_traceCall",
        json!([{"from": recipient(8), "to": recipient(9), "value": "0x1"}, "latest", {"tracer": "callTracer"}]),
    );
    assert_eq!(traced["to"], json!(recipient(9)));
    let e = seq.call_err(
        "debug_traceTransaction",
        json!([hash, {"tracer": "jsTracer"}]),
    );
    assert_eq!(e["code"], json!(-32602), "{e}");
}
