//! Postgres restarts under traffic: the gateway keeps serving from memory, reconnects its
//! listener, reloads, and serves a registration made after the restart. The test owns its
//! Postgres cluster (the system's initdb/pg_ctl in a temporary directory on a free port, as
//! scripts/db.sh starts its private one), so restarting it disturbs no one.

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::postgres::PgPoolOptions;
use support::*;

/// A throwaway Postgres cluster, stopped and deleted when dropped.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

/// The newest installed PostgreSQL's programs (Debian's layout), else those on PATH.
fn pg_bin() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    dirs.retain(|d| d.join("initdb").exists());
    dirs.sort_by_key(|d| {
        let v = d
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str());
        v.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0)
    });
    dirs.pop().unwrap_or_else(|| {
        let out = Command::new("sh")
            .args(["-c", "command -v initdb"])
            .output()
            .expect("sh");
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            !path.is_empty(),
            "no initdb: install postgresql (scripts/db.sh does)"
        );
        PathBuf::from(path).parent().expect("bin dir").to_path_buf()
    })
}

fn root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

impl Cluster {
    /// A server program, run as the owner of the cluster (pg_ctl refuses to run as root).
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut cmd = if root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        cmd.current_dir("/");
        cmd
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().expect(program);
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn start() -> Cluster {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let dir =
            std::env::temp_dir().join(format!("gatehouse-restart-{}-{port}", std::process::id()));
        std::fs::create_dir_all(dir.join("sock")).expect("dir");
        if root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(ok.success(), "chown");
        }
        let cluster = Cluster {
            bin: pg_bin(),
            dir,
            port,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        );
        let conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\nfsync = off\nsynchronous_commit = off\n",
            cluster.dir.join("sock").display()
        );
        let path = Path::new(&data).join("postgresql.conf");
        let mut text = std::fs::read_to_string(&path).expect("conf");
        text.push_str(&conf);
        std::fs::write(&path, text).expect("conf");
        cluster.pg_ctl(&["start"]);
        cluster
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn pg_ctl(&self, action: &[&str]) {
        let log = self.dir.join("log").display().to_string();
        let data = self.data();
        let mut args = vec!["-D", &data, "-l", &log, "-w", "-t", "60", "-m", "fast"];
        args.extend_from_slice(action);
        self.run("pg_ctl", &args);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl")
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_keeps_serving_through_a_postgres_restart_and_hears_changes_after_it() {
    let cluster = Cluster::start();
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .connect(&cluster.url())
        .await
        .expect("connect");
    app::store::MIGRATOR.run(&pool).await.expect("migrate");
    let key = echo_world(&pool, &[]).await;
    let (gw, addr) = gateway(&pool, None).await;
    let target = format!("http://{addr}/gateway/{ORG}/Echo/1.0/");

    // Traffic for the whole test: every answer must be 200.
    let (served, refused, stop) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let traffic = {
        let (served, refused, stop) = (served.clone(), refused.clone(), stop.clone());
        let (http, target, key) = (http(), target.clone(), key.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match get(&http, &target, Some(&key)).await.status {
                    200 => served.fetch_add(1, Ordering::Relaxed),
                    _ => refused.fetch_add(1, Ordering::Relaxed),
                };
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let loads_before = gw.feed_stats.full_loads.load(Ordering::Relaxed);

    // Down for two seconds: the listener's connection dies and cannot come back at once.
    let cluster_ref = &cluster;
    tokio::task::block_in_place(|| cluster_ref.pg_ctl(&["stop"]));
    let during = served.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        served.load(Ordering::Relaxed) > during,
        "requests are served while Postgres is down"
    );
    tokio::task::block_in_place(|| cluster_ref.pg_ctl(&["start"]));

    // A registration after the restart reaches the gateway. First, until the pool has
    // replaced the connections that died with the server:
    let started = Instant::now();
    while sqlx::query("SELECT 1").execute(&pool).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the database never came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = client(&pool, "After", &[("Echo", "Gold")], &[]).await;
    let http = http();
    let deadline = Instant::now() + Duration::from_secs(10);
    while get(&http, &target, Some(&after)).await.status != 200 {
        assert!(
            Instant::now() < deadline,
            "the change made after the restart was never served"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        gw.feed_stats.full_loads.load(Ordering::Relaxed) > loads_before,
        "reconnecting the listener loads everything"
    );
    stop.store(true, Ordering::Relaxed);
    traffic.await.expect("traffic");
    assert_eq!(
        refused.load(Ordering::Relaxed),
        0,
        "every request was served"
    );
    assert!(served.load(Ordering::Relaxed) > 50);
}
