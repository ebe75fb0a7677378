//! Socket frames: oversized, too many, unknown, malformed and with ids no conversation has.
use crate::common::*;
use futures_util::SinkExt;
use switchboard::live::{ClientFrame, ServerFrame};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// Frames over the size limit get 1009 with a reason; too many frames a second get 1008;
/// unknown, malformed and oversized-id frames get a typed error and the socket stays.
async fn hostile_frames_are_refused_cleanly(backend: Backend) {
    let db = Db::new(backend).await;
    let server = Server::process(&db).await;
    let (visitor, _) = start_chat(&server, "Frames", "hi").await;

    let mut socket = visitor.socket().await;
    for text in [
        "{\"type\":\"launch_missiles\"}",
        "not json at all",
        "{\"type\":\"subscribe\",\"conversation_id\":7}",
    ] {
        socket.send_text(text).await;
        let code = socket
            .expect(|frame| match frame {
                ServerFrame::Error { code, .. } => Some(code),
                _ => None,
            })
            .await;
        assert_eq!(code, "bad_frame", "{text}");
    }
    let huge_id = "9".repeat(10_000);
    socket.send(&subscribe(&huge_id, Some(-5))).await;
    let code = socket
        .expect(|frame| match frame {
            ServerFrame::Error { code, .. } => Some(code),
            _ => None,
        })
        .await;
    assert_eq!(code, "not_found");

    for size in [17 * 1024, 1 << 20, 20 << 20] {
        // The server stops reading an oversized frame: read its answer while the frame is
        // still going out, as a browser does.
        let socket = visitor.socket().await;
        let (mut sink, mut stream) = futures_util::StreamExt::split(socket.ws);
        let frame = WsMessage::Text("x".repeat(size).into());
        let sending = tokio::spawn(async move { sink.send(frame).await });
        let code = tokio::time::timeout(WAIT, async {
            while let Some(Ok(message)) = futures_util::StreamExt::next(&mut stream).await {
                if let WsMessage::Close(close) = message {
                    return close.map(|c| u16::from(c.code));
                }
            }
            None
        })
        .await
        .expect("the server answers");
        sending.abort();
        assert_eq!(code, Some(1009), "a {size}-byte frame");
    }

    let mut socket = visitor.socket().await;
    let ping = serde_json::to_string(&ClientFrame::Away { away: false }).unwrap();
    for _ in 0..100 {
        if socket
            .ws
            .send(WsMessage::Text(ping.clone().into()))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(
        socket.close_code().await,
        Some(1008),
        "too many frames a second"
    );
}

on_both_stores!(hostile_frames_are_refused_cleanly,);
