//! More than one replica: two `tillit serve` processes, as an operator runs them behind a load
//! balancer, on one database and one Redis (a Redis of the test's own, so it can be stopped). The
//! login rate limit holds across both (counted in Redis), a session made through one is accepted
//! by the other (sessions are rows in PostgreSQL), with Redis away each still answers logins,
//! limiting by its own count, and with Redis back the count is shared again. Two `tillit worker` processes sharing jobs, each sent once, are in
//! `jobs::two_workers_share_a_thousand_due_jobs_and_send_each_once`.

use crate::access::{Browser, STRONG, onboarded};
use crate::common;

use common::process::Replica;
use common::services::RedisServer;
use common::{TestApp, totp_code, totp_secret_in};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;

/// Logins per minute for one account in these tests.
const PER_ACCOUNT: usize = 4;

/// A replica of the test app's deployment with the login limits of these tests.
async fn replica(app: &TestApp, redis_url: &str) -> Replica {
    Replica::start(
        app,
        redis_url,
        &[
            (
                "TILLIT_RATE_LIMITS__LOGIN_PER_ACCOUNT",
                PER_ACCOUNT.to_string(),
            ),
            ("TILLIT_RATE_LIMITS__LOGIN_PER_ADDRESS", "100".to_owned()),
        ],
    )
    .await
}

/// A browser of its own at `replica`.
fn browser(replica: &Replica) -> Browser {
    Browser::at(&replica.base)
}

async fn metric(replica: &Replica, name: &str) -> f64 {
    let text = reqwest::get(format!("{}/metrics", replica.base))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// The calls Redis has served, by command (`INFO commandstats`), without the `INFO` calls.
fn redis_calls(redis: &RedisServer) -> BTreeMap<String, u64> {
    let out = std::process::Command::new("redis-cli")
        .args(["-p", &redis.port.to_string(), "INFO", "commandstats"])
        .output()
        .expect("redis-cli");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(":calls=")?;
            let calls = rest.split(',').next()?.parse().ok()?;
            (name != "info").then(|| (name.to_owned(), calls))
        })
        .collect()
}

async fn login(browser: &mut Browser, password: &str) -> (StatusCode, String) {
    browser.get("/login").await;
    browser
        .post(
            "/login",
            &[("email", "admin@fjordvik.example"), ("password", password)],
        )
        .await
}

#[tokio::test]
async fn two_servers_share_the_login_limit_and_the_sessions_and_limit_alone_without_redis() {
    let mut redis = RedisServer::start();
    let app = TestApp::spawn_with(&[("redis_url", json!(redis.url()))]).await;
    onboarded(&app, "fjordvik").await;
    let a = replica(&app, &redis.url()).await;
    let b = replica(&app, &redis.url()).await;

    // A password through A; the second factor's enrolment, which the service asks for, through
    // B (the pending login is a cookie signed with the key both share); the session B made is
    // accepted by A.
    let mut at_a = browser(&a);
    let (status, location) = login(&mut at_a, STRONG).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login/enrol")
    );
    let mut at_b = at_a.same_at(&b.base);
    let (status, page) = at_b.get("/login/enrol").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let code = totp_code(&totp_secret_in(&page), 0);
    let (status, page) = at_b.post("/login/enrol", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::OK, "the recovery codes: {page}");
    let (status, page) = at_b.get("/admin").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut at_a = at_b.same_at(&a.base);
    let (status, page) = at_a.get("/admin").await;
    assert_eq!(status, StatusCode::OK, "A accepts B's session: {page}");
    let mut stranger = browser(&b);
    let (status, _) = stranger.get("/admin").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "without the cookie B asks to log in"
    );

    // Guesses spread over both servers: the account's quota holds in total, the login above
    // counted in it. Each check is one call to Redis, and nothing else is asked of it.
    let before = redis_calls(&redis);
    let mut guesser_a = browser(&a);
    let mut guesser_b = browser(&b);
    for i in 1..PER_ACCOUNT {
        let guesser = if i % 2 == 0 {
            &mut guesser_a
        } else {
            &mut guesser_b
        };
        let (status, _) = login(guesser, "guess guess guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "guess {i} is answered");
    }
    for guesser in [&mut guesser_a, &mut guesser_b] {
        let (status, page) = login(guesser, STRONG).await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "{PER_ACCOUNT} attempts in all, on either server: {page}"
        );
        assert!(page.contains("For mange forsøk"), "{page}");
    }
    let after = redis_calls(&redis);
    let asked: BTreeMap<&str, u64> = after
        .iter()
        .map(|(name, n)| (name.as_str(), n - before.get(name).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    // The script's own reads and writes count as commands too (TIME once a run, GET and SET per
    // bucket); besides them, one EVALSHA per login and nothing else.
    let checks = (PER_ACCOUNT + 1) as u64;
    assert_eq!(asked.get("evalsha"), Some(&checks), "{asked:?}");
    assert_eq!(asked.get("time"), Some(&checks), "{asked:?}");
    assert!(
        asked
            .keys()
            .all(|name| ["evalsha", "time", "get", "set"].contains(name)),
        "one script call per login: {asked:?}"
    );
    assert_eq!(
        metric(&a, "tillit_rate_limit_local_checks_total").await,
        0.0
    );

    // No address and no email in Redis' keys.
    let keys = std::process::Command::new("redis-cli")
        .args(["-p", &redis.port.to_string(), "--scan"])
        .output()
        .expect("redis-cli");
    let keys = String::from_utf8(keys.stdout).expect("utf-8");
    let limit_keys: Vec<&str> = keys.lines().filter(|k| k.contains(":limit:")).collect();
    assert!(limit_keys.len() >= 2, "{keys}");
    for key in &limit_keys {
        assert!(
            !key.contains("127.0.0.1") && !key.contains("fjordvik"),
            "{key}"
        );
    }

    // Redis away: each server answers logins with their real result and limits by its own count.
    redis.stop();
    let mut at_a = browser(&a);
    let (status, location) = login(&mut at_a, STRONG).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login/factor"),
        "without Redis A takes the password and asks for the code"
    );
    for replica in [&a, &b] {
        let mut guesser = browser(replica);
        let allowed = if replica.base == a.base {
            PER_ACCOUNT - 1
        } else {
            PER_ACCOUNT
        };
        for i in 0..allowed {
            let (status, page) = login(&mut guesser, "guess guess guess").await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "guess {i} at {} without Redis: {page}",
                replica.base
            );
        }
        let (status, _) = login(&mut guesser, STRONG).await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "{} limits by its own count",
            replica.base
        );
    }
    let local_a = metric(&a, "tillit_rate_limit_local_checks_total").await;
    let local_b = metric(&b, "tillit_rate_limit_local_checks_total").await;
    assert!(local_a >= PER_ACCOUNT as f64, "{local_a}");
    assert!(local_b >= (PER_ACCOUNT + 1) as f64, "{local_b}");

    // Redis back (empty), and the time each server leaves it alone past: the count is shared
    // again. Each server's own bucket for the account is still empty, so a guess answered is one
    // counted in Redis.
    redis.resume();
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let mut guesser_a = browser(&a);
    let mut guesser_b = browser(&b);
    for i in 0..PER_ACCOUNT {
        let guesser = if i % 2 == 0 {
            &mut guesser_a
        } else {
            &mut guesser_b
        };
        let (status, page) = login(guesser, "guess guess guess").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "guess {i} with Redis back: {page}"
        );
    }
    for guesser in [&mut guesser_a, &mut guesser_b] {
        let (status, _) = login(guesser, STRONG).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "shared again");
    }
    assert_eq!(
        metric(&a, "tillit_rate_limit_local_checks_total").await,
        local_a
    );
    assert_eq!(
        metric(&b, "tillit_rate_limit_local_checks_total").await,
        local_b
    );
}
