//! The bounds of Try it that protect the portal server: clients offered at most, and calls one
//! user may have waiting for the gateway at once.

mod support;

use std::time::Duration;

use app::api::try_it::in_flight::InFlight;
use app::api::try_it::service;
use app::domain::refs::VersionRef;
use app::domain::try_it::{MAX_TRY_CLIENTS, MAX_TRY_IN_FLIGHT, TryRequest};
use app::error::AppError;
use app::store::PgPool;
use support::*;

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn at_most_a_hundred_clients_are_offered(pool: PgPool) {
    echo_world(&pool, &[]).await;
    let cap = usize::try_from(MAX_TRY_CLIENTS).expect("cap");
    // App plus 100 more: one past the cap.
    for n in 0..cap {
        client(&pool, &format!("C{n:03}"), &[("Echo", "Gold")], &[]).await;
    }
    let api = VersionRef::new(ORG, "Echo", "");
    let target = service::target(&pool, &portal_user("david"), "http://gw", &api)
        .await
        .expect("target");
    assert_eq!(target.clients.len(), cap);
    // The first by name: App comes first, the last one (C099) is left out.
    assert_eq!(target.clients[0].client.id, "App");
    assert_eq!(target.clients[cap - 1].client.id, "C098");
}

fn slow(path: &str) -> TryRequest {
    TryRequest {
        method: "GET".into(),
        path: path.into(),
        ..TryRequest::default()
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn one_user_has_at_most_four_calls_waiting(pool: PgPool) {
    let up = serve(axum::Router::new().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_millis(800)).await;
            "late"
        }),
    ))
    .await;
    org(&pool).await;
    api(&pool, "Open", &format!("http://{up}"), true, &[], &[]).await;
    let (_gw, addr) = gateway_with(&pool, None, Duration::from_secs(5)).await;
    let gw = format!("http://{addr}");
    let open = VersionRef::new(ORG, "Open", "1.0");
    let relay = try_relay(Duration::from_secs(5), 1024);
    let in_flight = InFlight::default();
    let david = portal_user("david");
    let call = |who| {
        let (pool, gw, open) = (pool.clone(), gw.clone(), open.clone());
        let (relay, in_flight) = (&relay, &in_flight);
        async move {
            let prepared = service::prepare(&pool, &who, &gw, &open, None, &slow("/slow")).await?;
            service::send(relay, in_flight, &who, prepared).await
        }
    };

    let waiting: Vec<_> = (0..MAX_TRY_IN_FLIGHT)
        .map(|_| Box::pin(call(david.clone())))
        .collect();
    let all = futures_util::future::join_all(waiting);
    let one_more = async {
        // Once the four have reached the relay.
        while in_flight.running("david") < MAX_TRY_IN_FLIGHT {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let refused = call(david.clone()).await.expect_err("a fifth at once");
        let other = call(portal_user("eve")).await;
        (refused, other)
    };
    let (answers, (refused, other)) = tokio::join!(all, one_more);
    assert!(
        matches!(&refused, AppError::Field(f) if f.field == "send" && f.message.contains("wait for one")),
        "{refused:?}"
    );
    assert_eq!(other.expect("another user is not held up").status, 200);
    for answer in answers {
        assert_eq!(answer.expect("each of the four").status, 200);
    }
    assert_eq!(in_flight.running("david"), 0);
    let again = call(david.clone()).await.expect("after they ended");
    assert_eq!(again.body, "late");
}
