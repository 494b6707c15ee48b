use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;
use crate::gateway::tls::Trust;

fn connector() -> Connector {
    let trust = Trust::from_system().expect("system trust");
    hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(rustls::ClientConfig::clone(&trust.config()))
        .https_or_http()
        .enable_http1()
        .wrap_connector(GuardedConnector::new(
            Duration::from_secs(2),
            Arc::default(),
        ))
}

/// An upstream that answers every request with `body` (or `size` bytes of it), keeping
/// connections open; counts the connections it accepted.
async fn upstream(size: usize) -> (Uri, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let service = hyper::service::service_fn(move |_| async move {
                let body = Body::from(vec![b'x'; size]);
                Ok::<_, std::convert::Infallible>(Response::new(body))
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
            );
        }
    });
    (endpoint(addr), accepted)
}

fn endpoint(addr: SocketAddr) -> Uri {
    format!("http://{addr}/").parse().expect("uri")
}

fn get() -> Request<Body> {
    Request::get("/").body(Body::empty()).expect("request")
}

async fn read(response: Response<Body>) -> usize {
    let body = response.into_body().collect().await.expect("body");
    body.to_bytes().len()
}

#[tokio::test]
async fn a_connection_is_reused_once_its_response_has_been_read() {
    let (up, accepted) = upstream(100).await;
    let (pool, c) = (Arc::new(Pool::default()), connector());
    for _ in 0..5 {
        let response = pool
            .send(|| c.clone(), &up, None, get())
            .await
            .expect("sent");
        assert_eq!(pool.idle_count(), 0, "in use until read");
        assert_eq!(read(response).await, 100);
        assert_eq!(pool.idle_count(), 1, "back once read");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_connection_whose_response_is_unread_is_not_lent_again() {
    let (up, accepted) = upstream(10).await;
    let (pool, c) = (Arc::new(Pool::default()), connector());
    let first = pool
        .send(|| c.clone(), &up, None, get())
        .await
        .expect("sent");
    let second = pool
        .send(|| c.clone(), &up, None, get())
        .await
        .expect("sent");
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
    assert_eq!((read(first).await, read(second).await), (10, 10));
    assert_eq!(pool.idle_count(), 2);
}

#[tokio::test]
async fn concurrent_requests_get_connections_of_their_own_then_share_them() {
    let (up, accepted) = upstream(10).await;
    let (pool, c) = (Arc::new(Pool::default()), connector());
    for _ in 0..3 {
        let sent = futures_util::future::join_all(
            (0..8).map(|_| pool.send(|| c.clone(), &up, None, get())),
        );
        let responses: Vec<_> = sent.await.into_iter().map(|r| r.expect("sent")).collect();
        for response in responses {
            assert_eq!(read(response).await, 10);
        }
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 8);
    assert_eq!(pool.idle_count(), 8);
}

#[tokio::test]
async fn at_most_the_cap_of_connections_wait_per_upstream() {
    let (up, accepted) = upstream(1).await;
    let (pool, c) = (Arc::new(Pool::default()), connector());
    let n = MAX_IDLE_PER_HOST + 1;
    let sent =
        futures_util::future::join_all((0..n).map(|_| pool.send(|| c.clone(), &up, None, get())));
    let responses: Vec<_> = sent.await.into_iter().map(|r| r.expect("sent")).collect();
    assert_eq!(accepted.load(Ordering::SeqCst), n);
    for response in responses {
        read(response).await;
    }
    assert_eq!(pool.idle_count(), MAX_IDLE_PER_HOST);
    pool.sweep(Instant::now());
    assert_eq!(pool.idle_count(), MAX_IDLE_PER_HOST, "fresh ones stay");
    // Past their idle time they are closed.
    pool.sweep(Instant::now() + IDLE_TIMEOUT);
    assert_eq!(pool.idle_count(), 0);
}

#[tokio::test]
async fn a_response_dropped_unread_takes_its_connection_with_it() {
    let (up, accepted) = upstream(1 << 20).await;
    let (pool, c) = (Arc::new(Pool::default()), connector());
    let response = pool
        .send(|| c.clone(), &up, None, get())
        .await
        .expect("sent");
    let mut body = response.into_body();
    body.frame().await.expect("a frame").expect("data");
    drop(body);
    assert_eq!(pool.idle_count(), 0);
    let response = pool
        .send(|| c.clone(), &up, None, get())
        .await
        .expect("sent");
    assert_eq!(read(response).await, 1 << 20);
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn connections_for_other_upstreams_or_trust_are_not_shared() {
    let (one, one_accepted) = upstream(1).await;
    let (two, two_accepted) = upstream(1).await;
    let (pool, c) = (Arc::new(Pool::default()), connector());
    for (up, trust) in [
        (&one, None),
        (&two, None),
        (&one, Some([7; 32])),
        (&one, None),
    ] {
        let response = pool
            .send(|| c.clone(), up, trust, get())
            .await
            .expect("sent");
        read(response).await;
    }
    assert_eq!(
        one_accepted.load(Ordering::SeqCst),
        2,
        "system trust, then a CA"
    );
    assert_eq!(two_accepted.load(Ordering::SeqCst), 1);
}

/// Answers the first request of each connection with keep-alive, then hands the connection to
/// the test, which closes it when it likes.
async fn handing_upstream() -> (Uri, tokio::sync::mpsc::Receiver<tokio::net::TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (hand, handed) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let hand = hand.clone();
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                let _ = stream.write_all(answer).await;
                let _ = hand.send(stream).await;
            });
        }
    });
    (endpoint(addr), handed)
}

#[tokio::test]
async fn a_connection_the_upstream_closed_while_idle_is_not_lent_again() {
    let (up, mut handed) = handing_upstream().await;
    let (pool, c) = (Arc::new(Pool::default()), connector());
    for _ in 0..10 {
        let response = pool
            .send(|| c.clone(), &up, None, get())
            .await
            .expect("sent");
        assert_eq!(read(response).await, 2);
        assert_eq!(pool.idle_count(), 1);
        drop(handed.recv().await.expect("the connection"));
        // Once its connection task has seen the close (the runtime polls the socket before
        // it resumes a task that yielded), the next request gets a new connection.
        tokio::task::yield_now().await;
        let response = pool.send(|| c.clone(), &up, None, get()).await;
        let response = response.unwrap_or_else(|e| panic!("{:?}", e.error()));
        assert_eq!(read(response).await, 2);
        // Each round starts from an empty pool.
        drop(handed.recv().await.expect("the new connection"));
        while pool.take(&key(&up)).is_some() {}
    }
}

fn key(up: &Uri) -> Key {
    Key {
        https: false,
        authority: up.authority().expect("authority").clone(),
        trust: None,
    }
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_connect_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let (pool, c) = (Arc::new(Pool::default()), connector());
    let failed = pool.send(|| c.clone(), &endpoint(addr), None, get()).await;
    assert!(matches!(failed, Err(Failure::Connect(_))), "{failed:?}");
    assert_eq!(pool.idle_count(), 0);
}
