//! `make bench`'s "floor" setup: the fastest reverse proxy this stack makes, to read the
//! gateway's figures against (issue 17). hyper on Tokio with one single-threaded runtime per
//! core, as Gatehouse's HTTP workers, each with its own pool of keep-alive connections to one
//! upstream, and nothing else: no routing, policies, log line, metrics, deadlines or connection
//! cap. Unlike the gateway (one listener handing connections to the workers in turn), each
//! worker accepts on its own `SO_REUSEPORT` listener, as nginx's do. Not for traffic: it buffers
//! each response whole (bench-sized bodies only) and trusts every client.
//!
//!   bench_floor LISTEN UPSTREAM WORKERS    e.g. bench_floor 127.0.0.1:3313 127.0.0.1:3300 2

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpSocket, TcpStream};

// The gateway's allocator, so that the two allocate alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A worker's idle upstream connections, newest last.
type Pool = Arc<Mutex<Vec<SendRequest<Incoming>>>>;

fn main() -> anyhow::Result<()> {
    let usage = "usage: bench_floor LISTEN UPSTREAM WORKERS";
    let mut args = std::env::args().skip(1);
    let listen: SocketAddr = args.next().context(usage)?.parse().context(usage)?;
    let upstream: SocketAddr = args.next().context(usage)?.parse().context(usage)?;
    let workers: usize = args.next().context(usage)?.parse().context(usage)?;
    let threads: Vec<_> = (0..workers.max(1))
        .map(|_| std::thread::spawn(move || worker(listen, upstream)))
        .collect();
    for thread in threads {
        thread
            .join()
            .map_err(|_| anyhow::anyhow!("a worker panicked"))??;
    }
    Ok(())
}

fn worker(listen: SocketAddr, upstream: SocketAddr) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let socket = TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.set_reuseport(true)?;
        socket.bind(listen)?;
        let listener = socket.listen(1024)?;
        let pool = Pool::default();
        loop {
            // Out of descriptors and the like: the worker goes on, as the gateway's acceptor.
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    eprintln!("bench_floor: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let pool = Arc::clone(&pool);
                    async move { Ok::<_, Infallible>(forward(&pool, upstream, request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

/// The upstream's answer, or a bare 502.
async fn forward(
    pool: &Pool,
    upstream: SocketAddr,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    match proxy(pool, upstream, request).await {
        Ok(response) => response,
        Err(e) => {
            eprintln!("bench_floor: {e:#}");
            let mut response = Response::new(Full::default());
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        }
    }
}

async fn proxy(
    pool: &Pool,
    upstream: SocketAddr,
    request: Request<Incoming>,
) -> anyhow::Result<Response<Full<Bytes>>> {
    let idle = pool.lock().unwrap_or_else(PoisonError::into_inner).pop();
    let (mut sender, reused) = match idle {
        Some(sender) if sender.is_ready() => (sender, true),
        _ => (connect(upstream).await?, false),
    };
    // As the gateway's pool: a request that an idle connection closing under it never sent goes
    // out once more on a new connection.
    let response = match sender.try_send_request(request).await {
        Ok(response) => response,
        Err(mut e) => match e.take_message() {
            Some(request) if reused => {
                sender = connect(upstream).await?;
                sender.send_request(request).await?
            }
            _ => return Err(e.into_error().into()),
        },
    };
    let (parts, body) = response.into_parts();
    let body = body.collect().await?.to_bytes();
    // Read to the end: the connection is free for the next request.
    pool.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(sender);
    Ok(Response::from_parts(parts, Full::new(body)))
}

async fn connect(upstream: SocketAddr) -> anyhow::Result<SendRequest<Incoming>> {
    let stream = TcpStream::connect(upstream).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}
