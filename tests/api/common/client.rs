//! One browser: server-function calls over HTTP with a cookie jar, and its sockets.
use super::{ADMIN_EMAIL, ADMIN_PASSWORD, WAIT};
use futures_util::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use switchboard::error::AppError;
use switchboard::live::{ClientFrame, ServerFrame};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
/// One browser: a cookie jar, server-function calls and sockets. Clone it for a second tab.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    http: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

impl Client {
    /// A fresh browser with an empty cookie jar.
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_string(),
            http: reqwest::Client::new(),
            cookies: HashMap::new(),
        }
    }

    /// The same browser (cookies and all) talking to another node.
    pub fn at(&self, base: &str) -> Client {
        Client {
            base: base.to_string(),
            ..self.clone()
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Like `call`, but `None` when the server cannot be reached (it may be down).
    pub async fn try_call<T: DeserializeOwned>(
        &mut self,
        endpoint: &str,
        args: &[(&str, &str)],
    ) -> Option<Result<T, AppError>> {
        let response = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Cookie", self.cookie_header())
            // As a browser does on every POST: the page's origin.
            .header("Origin", &self.base)
            .form(args)
            .send()
            .await
            .ok()?;
        let status = response.status();
        let body = response.text().await.ok()?;
        Some(if status.is_success() {
            Ok(serde_json::from_str(&body).ok()?)
        } else {
            Err(serde_json::from_str(&body).ok()?)
        })
    }

    /// Calls a server function the way the browser does (form-encoded POST).
    pub async fn call<T: DeserializeOwned>(
        &mut self,
        endpoint: &str,
        args: &[(&str, &str)],
    ) -> Result<T, AppError> {
        let response = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Cookie", self.cookie_header())
            // As a browser does on every POST: the page's origin.
            .header("Origin", &self.base)
            .header("Accept", "application/json")
            .form(args)
            .send()
            .await
            .expect("server answers");
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_string(), value.to_string());
        }
        let status = response.status();
        let body = response.text().await.unwrap();
        if status.is_success() {
            Ok(serde_json::from_str(&body).unwrap_or_else(|e| panic!("{endpoint}: {e}: {body}")))
        } else {
            Err(serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("{endpoint} {status}: {e}: {body}")))
        }
    }

    /// Calls a server function that takes JSON (nested settings).
    pub async fn call_json<T: DeserializeOwned>(
        &mut self,
        endpoint: &str,
        args: serde_json::Value,
    ) -> Result<T, AppError> {
        let response = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Cookie", self.cookie_header())
            // As a browser does on every POST: the page's origin.
            .header("Origin", &self.base)
            .header("Accept", "application/json")
            .json(&args)
            .send()
            .await
            .expect("server answers");
        let status = response.status();
        let body = response.text().await.unwrap();
        if status.is_success() {
            Ok(serde_json::from_str(&body).unwrap_or_else(|e| panic!("{endpoint}: {e}: {body}")))
        } else {
            Err(serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("{endpoint} {status}: {e}: {body}")))
        }
    }

    pub async fn sign_in(&mut self) -> switchboard::model::Agent {
        self.call(
            "sign_in",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
        )
        .await
        .expect("admin signs in")
    }

    pub async fn socket(&self) -> Socket {
        self.try_socket(None).await.expect("socket opens")
    }

    pub async fn try_socket(
        &self,
        origin: Option<&str>,
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let (ws, _) = tokio_tungstenite::connect_async(self.socket_request(origin)).await?;
        Ok(Socket::ready(ws).await)
    }

    /// A socket naming these subprotocols, as the widget does when framed on another site
    /// (`switchboard, visitor.<token>`); also returns the protocol the server chose.
    pub async fn try_socket_with_protocols(
        &self,
        protocols: &str,
    ) -> Result<(Socket, Option<String>), tokio_tungstenite::tungstenite::Error> {
        let mut request = self.socket_request(None);
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", protocols.parse().unwrap());
        let (ws, response) = tokio_tungstenite::connect_async(request).await?;
        let chosen = response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok((Socket::ready(ws).await, chosen))
    }

    fn socket_request(
        &self,
        origin: Option<&str>,
    ) -> tokio_tungstenite::tungstenite::handshake::client::Request {
        let url = self.base.replace("http://", "ws://") + "/ws";
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Cookie", self.cookie_header().parse().unwrap());
        // Browsers always name the page's origin on an upgrade; `origin` stands in for a page
        // elsewhere.
        let origin = origin.unwrap_or(&self.base);
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
        request
    }

    /// A socket whose kernel receive buffer is tiny, so a reader that stops reading
    /// pushes back on the server quickly.
    pub async fn small_buffer_socket(&self) -> Socket {
        let addr: std::net::SocketAddr = self.base.trim_start_matches("http://").parse().unwrap();
        let tcp = tokio::net::TcpSocket::new_v4().unwrap();
        tcp.set_recv_buffer_size(4096).unwrap();
        let stream = tcp.connect(addr).await.unwrap();
        let (ws, _) = tokio_tungstenite::client_async(
            self.socket_request(None),
            MaybeTlsStream::Plain(stream),
        )
        .await
        .unwrap();
        Socket::ready(ws).await
    }
}

pub struct Socket {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The server's first frame: who it thinks this is, and its limits.
    pub ready: ServerFrame,
}

impl Socket {
    async fn ready(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Socket {
        let mut socket = Socket {
            ws,
            ready: ServerFrame::Pong,
        };
        match socket.next_frame().await {
            ready @ ServerFrame::Ready { .. } => Socket { ready, ..socket },
            other => panic!("expected ready, got {other:?}"),
        }
    }

    pub async fn send(&mut self, frame: &ClientFrame) {
        self.send_text(&serde_json::to_string(frame).unwrap()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(WsMessage::Text(text.into())).await.unwrap();
    }

    /// The next protocol frame, skipping transport pings and presence updates (which arrive
    /// whenever agents come and go; `next_presence` and `next_team_presence` read those).
    pub async fn next_frame(&mut self) -> ServerFrame {
        loop {
            match self.next_any_frame().await {
                ServerFrame::Presence { .. } | ServerFrame::TeamPresence { .. } => continue,
                frame => return frame,
            }
        }
    }

    /// Agents: the next update of every connected agent's presence.
    pub async fn next_team_presence(&mut self) -> Vec<switchboard::model::AgentPresence> {
        loop {
            if let ServerFrame::TeamPresence { agents } = self.next_any_frame().await {
                return agents;
            }
        }
    }

    /// Agents: the presence update arriving within `within`, if any.
    pub async fn presence_change_within(
        &mut self,
        within: std::time::Duration,
    ) -> Option<Vec<switchboard::model::AgentPresence>> {
        tokio::time::timeout(within, self.next_team_presence())
            .await
            .ok()
    }

    /// Agents: reads presence updates until one satisfies `done`.
    pub async fn team_presence_until(
        &mut self,
        done: impl Fn(&[switchboard::model::AgentPresence]) -> bool,
    ) -> Vec<switchboard::model::AgentPresence> {
        loop {
            let agents = self.next_team_presence().await;
            if done(&agents) {
                return agents;
            }
        }
    }

    /// The next presence update: the names of the agents online.
    pub async fn next_presence(&mut self) -> Vec<String> {
        loop {
            if let ServerFrame::Presence { agents } = self.next_any_frame().await {
                return agents;
            }
        }
    }

    async fn next_any_frame(&mut self) -> ServerFrame {
        tokio::time::timeout(WAIT, async {
            loop {
                match self.ws.next().await {
                    Some(Ok(WsMessage::Text(text))) => {
                        return serde_json::from_str(text.as_str()).unwrap()
                    }
                    Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
                    other => panic!("socket ended: {other:?}"),
                }
            }
        })
        .await
        .expect("a frame arrives within 10 s")
    }

    /// Reads frames until one matches, returning it.
    pub async fn expect<T>(&mut self, mut pick: impl FnMut(ServerFrame) -> Option<T>) -> T {
        loop {
            if let Some(found) = pick(self.next_frame().await) {
                return found;
            }
        }
    }

    /// Reads until the server closes the socket; the close code, if it sent one.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match self.next_raw().await {
                Some(WsMessage::Close(close)) => return close.map(|c| u16::from(c.code)),
                None => return None,
                _ => continue,
            }
        }
    }

    /// The next raw transport message (text, close…), for protocol-level checks.
    pub async fn next_raw(&mut self) -> Option<WsMessage> {
        tokio::time::timeout(WAIT, async {
            loop {
                match self.ws.next().await {
                    Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
                    Some(Ok(message)) => return Some(message),
                    _ => return None,
                }
            }
        })
        .await
        .expect("socket answers within 10 s")
    }
}

/// Sends a binary frame, which the protocol does not allow.
pub trait SendBinary {
    async fn send_binary_frame(&mut self);
}

impl SendBinary for WebSocketStream<MaybeTlsStream<TcpStream>> {
    async fn send_binary_frame(&mut self) {
        self.send(WsMessage::Binary(vec![1, 2, 3].into()))
            .await
            .unwrap();
    }
}
