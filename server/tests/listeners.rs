//! Every listener's bounds, on real sockets: header, keep-alive and stalled-body deadlines,
//! the request-head size cap (431), the connection cap, and the console's body cap (413).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use server::workers::{Limits, Site, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn limits() -> Limits {
    Limits {
        header_read: Duration::from_secs(1),
        keep_alive: Duration::from_secs(3),
        body_idle: Duration::from_secs(1),
        max_header_bytes: 8192,
        max_connections: 100,
    }
}

/// Serves a small app with `limits` on one worker; returns its address.
async fn start(limits: Limits) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = || {
        Router::new().route("/", get(|| async { "ok" })).route(
            "/upload",
            post(|body: axum::body::Bytes| async move { body.len().to_string() }),
        )
    };
    let sites = vec![Site {
        name: "test",
        listener,
        app: Box::new(move || server::workers::App::Router(app())),
    }];
    tokio::spawn(serve(sites, 1, limits, std::future::pending()));
    addr
}

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n";

/// Reads one response head and body of "ok" (or whatever fits), returning the text.
async fn read_some(stream: &mut TcpStream) -> String {
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("answer in time")
        .unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// How long until the server closes `stream` (EOF or reset), at most `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(
            limit.saturating_sub(started.elapsed()),
            stream.read(&mut buf),
        )
        .await
        {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn a_head_that_never_ends_is_cut_off_and_so_is_a_silent_connection() {
    let addr = start(limits()).await;
    let mut slow = TcpStream::connect(addr).await.expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n")
        .await
        .expect("write");
    let mut silent = TcpStream::connect(addr).await.expect("connect");
    let started = Instant::now();
    for stream in [&mut slow, &mut silent] {
        closed_within(stream, Duration::from_secs(4))
            .await
            .expect("closed by the header deadline");
    }
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(800), "{took:?}");
}

#[tokio::test]
async fn idle_keep_alive_has_its_own_deadline() {
    let addr = start(limits()).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(GET).await.expect("write");
    assert!(read_some(&mut stream).await.starts_with("HTTP/1.1 200"));
    // Past the 1 s header deadline, within the 3 s keep-alive one: still usable.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stream.write_all(GET).await.expect("write");
    assert!(read_some(&mut stream).await.starts_with("HTTP/1.1 200"));
    let took = closed_within(&mut stream, Duration::from_secs(6))
        .await
        .expect("closed when idle");
    assert!(took >= Duration::from_millis(2500), "{took:?}");
}

#[tokio::test]
async fn a_stalled_upload_is_cut_off() {
    let addr = start(limits()).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789")
        .await
        .expect("write");
    assert!(
        closed_within(&mut stream, Duration::from_secs(4))
            .await
            .is_some()
    );
    // A whole upload goes through.
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789")
        .await
        .expect("write");
    let answer = read_some(&mut stream).await;
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("10"),
        "{answer}"
    );
}

/// A request whose head is `size` bytes long.
fn head_of(size: usize) -> Vec<u8> {
    let start = "GET / HTTP/1.1\r\nHost: t\r\nX-Pad: ";
    let pad = size - start.len() - 4;
    let mut head = start.as_bytes().to_vec();
    head.extend(std::iter::repeat_n(b'a', pad));
    head.extend(b"\r\n\r\n");
    assert_eq!(head.len(), size);
    head
}

#[tokio::test]
async fn heads_over_the_cap_get_431() {
    let addr = start(limits()).await;
    let mut fits = TcpStream::connect(addr).await.expect("connect");
    fits.write_all(&head_of(8192)).await.expect("write");
    let answer = read_some(&mut fits).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let mut over = TcpStream::connect(addr).await.expect("connect");
    over.write_all(&head_of(8193)).await.expect("write");
    let answer = read_some(&mut over).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    let mut huge = TcpStream::connect(addr).await.expect("connect");
    // The server answers and closes before all 200 KB are written; closing with unread bytes
    // may reset the connection before the 431 is read, so a reset counts as refused too.
    let _ = huge.write_all(&head_of(200 * 1024)).await;
    let answer = read_some(&mut huge).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{answer}"
    );
}

#[tokio::test]
async fn beyond_the_connection_cap_new_connections_get_503() {
    let addr = start(Limits {
        max_connections: 2,
        header_read: Duration::from_secs(30),
        ..limits()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(GET).await.expect("write");
        assert!(read_some(&mut s).await.starts_with("HTTP/1.1 200"));
        held.push(s);
    }
    let mut third = TcpStream::connect(addr).await.expect("connect");
    assert!(read_some(&mut third).await.starts_with("HTTP/1.1 503"));
    assert!(
        closed_within(&mut third, Duration::from_secs(2))
            .await
            .is_some()
    );
    // A place frees up when a connection ends.
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let _ = s.write_all(GET).await;
        if read_some(&mut s).await.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "no place freed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
