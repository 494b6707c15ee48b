//! Analytics never slow traffic: a full buffer, a failing database and a batch that takes too
//! long drop (and count) records; shutdown flushes what is buffered.

mod support;

use std::time::Duration;

use app::store::PgPool;
use server::gateway::analytics::AnalyticsConfig;
use support::analytics::*;
use support::*;

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_full_buffer_drops_and_counts_and_shutdown_flushes_the_rest(pool: PgPool) {
    let key = echo_world(&pool, &[]).await;
    // Room for 10 entries: the first request takes a log record and a rollup row, each later
    // one (same minute, same key) a log record only: 9 requests fit.
    let config = AnalyticsConfig {
        max_buffered: 10,
        ..slow_flush()
    };
    let (gw, base) = gateway_analytics(&pool, config).await;
    let http = http();
    // Start inside a minute so that all 20 share one rollup row.
    let second = chrono::Utc::now().timestamp() % 60;
    if second > 55 {
        tokio::time::sleep(Duration::from_secs((61 - second) as u64)).await;
    }
    for _ in 0..20 {
        let a = get(&http, &format!("{base}/Echo/1.0/"), Some(&key)).await;
        assert_eq!(a.status, 200, "traffic goes on whatever analytics do");
    }
    assert_eq!(dropped(&gw).await, 11);
    gw.flush_analytics().await;
    let [minutes, _, log] = stored(&pool).await;
    assert_eq!(minutes.get(&200), Some(&9));
    assert_eq!(log.get(&200), Some(&9));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_failing_database_costs_records_not_requests(pool: PgPool) {
    let key = echo_world(&pool, &[]).await;
    let (gw, base) = gateway_analytics(&pool, slow_flush()).await;
    sqlx::query("ALTER TABLE analytics_log RENAME TO analytics_log_away")
        .execute(&pool)
        .await
        .expect("rename");
    let http = http();
    for _ in 0..5 {
        let a = get(&http, &format!("{base}/Echo/1.0/"), Some(&key)).await;
        assert_eq!(a.status, 200);
    }
    gw.flush_analytics().await;
    assert_eq!(dropped(&gw).await, 5);
    sqlx::query("ALTER TABLE analytics_log_away RENAME TO analytics_log")
        .execute(&pool)
        .await
        .expect("rename back");
    // The batch is one transaction: no rollup without its log rows.
    let [minutes, hours, log] = stored(&pool).await;
    assert!(minutes.is_empty() && hours.is_empty() && log.is_empty());
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_batch_past_its_time_limit_is_dropped_and_the_next_one_goes_in(pool: PgPool) {
    let key = echo_world(&pool, &[]).await;
    let config = AnalyticsConfig {
        write_timeout: Duration::from_millis(300),
        ..slow_flush()
    };
    let (gw, base) = gateway_analytics(&pool, config).await;
    let http = http();
    let send = |n: usize| {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        async move {
            for _ in 0..n {
                let a = get(&http, &format!("{base}/Echo/1.0/"), Some(&key)).await;
                assert_eq!(a.status, 200);
            }
        }
    };
    // The partitions exist already; another session holds the log, so the COPY waits.
    send(1).await;
    gw.flush_analytics().await;
    let mut blocker = pool.begin().await.expect("tx");
    sqlx::query("LOCK TABLE analytics_log IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .expect("lock");
    send(3).await;
    let started = std::time::Instant::now();
    gw.flush_analytics().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(dropped(&gw).await, 3);
    blocker.commit().await.expect("unlock");

    // Nothing of the batch given up stays behind: the next batches go in whole.
    for _ in 0..3 {
        send(2).await;
        gw.flush_analytics().await;
    }
    assert_eq!(dropped(&gw).await, 3);
    let [minutes, _, log] = stored(&pool).await;
    assert_eq!(minutes.get(&200), Some(&7));
    assert_eq!(log.get(&200), Some(&7));
}
