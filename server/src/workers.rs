//! Serving HTTP on one single-threaded Tokio runtime per core. One task per listener accepts
//! connections and hands each to the next worker in turn, where it stays: a request, the
//! gateway's call to the upstream (over that worker's own connection pool) and the answer run
//! on one thread, without the cross-thread wake-ups and work stealing of a shared runtime.
//! nginx and Envoy workers are laid out the same way. Redis and signals stay on the main runtime;
//! the gateway's registry is kept current on a thread of its own (`gateway/feed.rs`).
//!
//! Every connection is bounded (see [`Limits`] and `connection.rs`): a process-wide cap on open
//! connections, deadlines for request heads, idle keep-alive and stalled bodies, and a cap on
//! the size of a request head.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};

pub use crate::connection::{App, Limits};

/// The number of workers when none is configured: one per core.
pub fn default_count() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// One listener and what serves it (built once per worker).
pub struct Site {
    /// For log lines: "console", "gateway", "metrics".
    pub name: &'static str,
    pub listener: TcpListener,
    pub app: Box<dyn Fn() -> App + Send + Sync>,
}

/// An accepted connection on its way to a worker: which site, the socket, the peer, and its
/// place under the connection cap (given back when the connection ends).
struct Accepted {
    site: usize,
    stream: std::net::TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
}

/// Serves each site's router on its listener with `workers` threads until `shutdown` resolves;
/// then lets in-flight requests finish (for up to `limits.body_idle`).
pub async fn serve(
    sites: Vec<Site>,
    workers: usize,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let (listeners, apps): (Vec<_>, Vec<_>) = sites
        .into_iter()
        .map(|s| ((s.name, s.listener), s.app))
        .unzip();
    let apps = Arc::new(apps);
    let (stop, stopping) = watch::channel(false);
    let mut queues = Vec::with_capacity(workers);
    let mut threads = Vec::with_capacity(workers);
    for n in 0..workers.max(1) {
        let (queue, connections) = mpsc::channel(1024);
        queues.push(queue);
        let apps = Arc::clone(&apps);
        let stopping = stopping.clone();
        let limits = limits.clone();
        let thread = std::thread::Builder::new()
            .name(format!("gatehouse-worker-{n}"))
            .spawn(move || -> anyhow::Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async move {
                    // Inside the runtime: building Leptos' routes spawns on it.
                    let apps: Vec<App> = apps.iter().map(|app| app()).collect();
                    work(connections, apps, limits, stopping).await;
                });
                Ok(())
            })?;
        threads.push(thread);
    }

    let cap = Arc::new(Semaphore::new(limits.max_connections));
    let (done, mut finished) = mpsc::channel::<anyhow::Error>(1);
    let acceptors: Vec<_> = listeners
        .into_iter()
        .enumerate()
        .map(|(site, (name, listener))| {
            let queues = queues.clone();
            let cap = Arc::clone(&cap);
            let done = done.clone();
            tokio::spawn(async move {
                if let Err(e) = accept(site, name, listener, queues, cap).await {
                    let _ = done.send(e).await;
                }
            })
        })
        .collect();
    drop(queues);
    let failure = tokio::select! {
        () = shutdown => None,
        e = finished.recv() => e,
    };
    for acceptor in &acceptors {
        acceptor.abort();
    }
    let _ = stop.send(true);
    tokio::task::spawn_blocking(move || {
        for thread in threads {
            match thread.join() {
                Ok(result) => result?,
                Err(_) => anyhow::bail!("an HTTP worker panicked"),
            }
        }
        Ok(())
    })
    .await??;
    failure.map_or(Ok(()), Err)
}

/// Accepts connections on one listener and hands them round-robin to the workers. Beyond the
/// connection cap a new connection gets a short 503 and is closed at once.
async fn accept(
    site: usize,
    name: &'static str,
    listener: TcpListener,
    queues: Vec<mpsc::Sender<Accepted>>,
    cap: Arc<Semaphore>,
) -> anyhow::Result<()> {
    let mut next = 0;
    let mut last_warning: Option<Instant> = None;
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors and the like: wait a little instead of spinning.
                tracing::warn!(error = %e, listener = name, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&cap).try_acquire_owned() else {
            // Non-blocking and best effort: the client learns why before the socket closes.
            let _ = stream.try_write(crate::connection::OVERLOADED);
            if last_warning.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
                tracing::warn!(
                    listener = name,
                    "connection cap reached: refusing new connections (GATEHOUSE_MAX_CONNECTIONS)"
                );
                last_warning = Some(Instant::now());
            }
            continue;
        };
        let stream = match stream.into_std() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, %peer, "cannot hand over a connection");
                continue;
            }
        };
        let accepted = Accepted {
            site,
            stream,
            peer,
            permit,
        };
        if queues[next].send(accepted).await.is_err() {
            anyhow::bail!("HTTP worker {next} has stopped");
        }
        next = (next + 1) % queues.len();
    }
}

/// One worker: serves the connections handed to it until told to stop, then waits for the
/// requests in flight (bounded by the stalled-body deadline).
async fn work(
    mut connections: mpsc::Receiver<Accepted>,
    apps: Vec<App>,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            _ = stopping.wait_for(|stop| *stop) => break,
            accepted = connections.recv() => accepted,
        };
        let Some(Accepted {
            site,
            stream,
            peer,
            permit,
        }) = accepted
        else {
            break;
        };
        // Registers the socket with this worker's own reactor.
        let stream = match tokio::net::TcpStream::from_std(stream) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, %peer, "cannot adopt an accepted connection");
                continue;
            }
        };
        // Responses and upstream requests go out whole: no reason to wait.
        let _ = stream.set_nodelay(true);
        let app = apps[site].clone();
        let connection = crate::connection::serve(stream, peer, app, &limits, &graceful);
        tokio::spawn(async move {
            connection.await;
            drop(permit);
        });
    }
    let grace = limits.body_idle;
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {grace:?}: closing them");
    }
}
