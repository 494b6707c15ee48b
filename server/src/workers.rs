//! Serving HTTP on one single-threaded Tokio runtime per core. One task accepts connections and
//! hands each to the next worker in turn, where it stays: a request, the gateway's call to the
//! upstream (over that worker's own connection pool) and the answer run on one thread, without
//! the cross-thread wake-ups and work stealing of a shared runtime. nginx and Envoy workers are
//! laid out the same way. The database feed, Redis and signals stay on the main runtime.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::serve::{Listener, ListenerExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

/// The number of workers when none is configured: one per core.
pub fn default_count() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The connections the acceptor hands to one worker.
struct Handoff {
    connections: mpsc::Receiver<(std::net::TcpStream, SocketAddr)>,
    local: SocketAddr,
}

impl Listener for Handoff {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let Some((stream, peer)) = self.connections.recv().await else {
                // The acceptor has stopped; shutdown ends this worker's server.
                return std::future::pending().await;
            };
            // Registers the socket with this worker's own reactor.
            match TcpStream::from_std(stream) {
                Ok(stream) => return (stream, peer),
                Err(e) => tracing::warn!(error = %e, %peer, "cannot adopt an accepted connection"),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

/// Serves the router that `app` builds (once per worker) on `listener` with `workers` threads,
/// until `shutdown` resolves; then lets in-flight requests finish.
pub async fn serve<F>(
    listener: TcpListener,
    workers: usize,
    app: F,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()>
where
    F: Fn() -> Router + Send + Sync + 'static,
{
    let local = listener.local_addr()?;
    let app = Arc::new(app);
    let (stop, stopping) = watch::channel(false);
    let mut queues = Vec::with_capacity(workers);
    let mut threads = Vec::with_capacity(workers);
    for n in 0..workers.max(1) {
        let (queue, connections) = mpsc::channel(1024);
        queues.push(queue);
        let app = Arc::clone(&app);
        let mut stopping = stopping.clone();
        let thread = std::thread::Builder::new()
            .name(format!("gatehouse-worker-{n}"))
            .spawn(move || -> anyhow::Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async move {
                    let listener = Handoff { connections, local }.tap_io(|stream| {
                        // Responses and upstream requests go out whole: no reason to wait.
                        let _ = stream.set_nodelay(true);
                    });
                    axum::serve(
                        listener,
                        app().into_make_service_with_connect_info::<SocketAddr>(),
                    )
                    .with_graceful_shutdown(async move {
                        let _ = stopping.wait_for(|stop| *stop).await;
                    })
                    .await
                })?;
                Ok(())
            })?;
        threads.push(thread);
    }

    tokio::pin!(shutdown);
    let mut next = 0;
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors and the like: wait a little instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let stream = match stream.into_std() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, %peer, "cannot hand over a connection");
                continue;
            }
        };
        if queues[next].send((stream, peer)).await.is_err() {
            anyhow::bail!("HTTP worker {next} has stopped");
        }
        next = (next + 1) % queues.len();
    }

    let _ = stop.send(true);
    drop(queues);
    tokio::task::spawn_blocking(move || {
        for thread in threads {
            match thread.join() {
                Ok(result) => result?,
                Err(_) => anyhow::bail!("an HTTP worker panicked"),
            }
        }
        Ok(())
    })
    .await?
}
