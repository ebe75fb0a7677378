//! The accept loop: the router on hyper's connection builder, as `axum::serve` does, plus what
//! it cannot set: a time-out on reading a request's headers, so a client that opens
//! connections and trickles headers (slowloris) cannot hold them open. `request_secs`
//! (`guards::harden`) takes over once the headers are in.
use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

/// Serves `app` on `listener` until `shutdown` completes, then lets every connection finish
/// its request in flight (upgraded sockets are the hub's to close) and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_time: Duration,
    shutdown: impl Future<Output = ()>,
) {
    // One builder for every connection (each takes a copy).
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_time);
    builder
        .http2()
        .timer(TokioTimer::new())
        .enable_connect_protocol();
    // Connections hold a receiver each: when all are dropped, every connection has ended.
    let (stopping, stop_seen) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    // Out of file descriptors, most likely: wait rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        tokio::spawn(connection(
            tcp,
            peer,
            app.clone(),
            builder.clone(),
            stop_seen.clone(),
        ));
    }
    drop(listener);
    drop(stop_seen);
    let _ = stopping.send(true);
    stopping.closed().await;
}

async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    app: Router,
    builder: Builder<TokioExecutor>,
    mut stop: watch::Receiver<bool>,
) {
    // Pages stream in several chunks and socket frames are small: without TCP_NODELAY a
    // chunk can wait ~40 ms for the peer's delayed ACK (Nagle), which showed in the inbox
    // page's p95.
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "TCP_NODELAY not set");
    }
    // What `into_make_service_with_connect_info` gives: the peer for the limits.
    let service = app.map_request(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    });
    let serving = builder
        .serve_connection_with_upgrades(TokioIo::new(tcp), TowerToHyperService::new(service));
    let mut serving = std::pin::pin!(serving);
    loop {
        tokio::select! {
            outcome = serving.as_mut() => {
                if let Err(error) = outcome {
                    tracing::trace!(%peer, %error, "connection ended");
                }
                break;
            }
            changed = stop.changed(), if !*stop.borrow() => {
                if changed.is_ok() {
                    serving.as_mut().graceful_shutdown();
                }
            }
        }
    }
}
