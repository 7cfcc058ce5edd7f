//! Transient failures: a 429 burst (Retry-After honoured), a Segura that answers 500 to
//! everything (exponential backoff, then healing), and an expired token (renewed, unseen).

use std::time::{Duration, Instant};

use serde_json::json;

use segura_operator::simulator::{Endpoint, Faults};

use crate::harness::{Env, eventually, has_reason, is_synced, ready};
use crate::scenarios;

scenarios!(
    rate_limit_honours_retry_after,
    server_errors_back_off_exponentially,
    expired_token_is_renewed_once,
);

fn spec(identifier: &str) -> serde_json::Value {
    json!({"identifier": identifier, "username": format!("u-{identifier}"),
           "hostname": "w2016", "ip": "10.66.33.15"})
}

/// When each of the next upserts reached the simulator, polled for `window`.
async fn arrivals(env: &Env, window: Duration) -> Vec<Instant> {
    let end = Instant::now() + window;
    let mut seen = env.sim.count(Endpoint::Upsert);
    let mut at = Vec::new();
    while Instant::now() < end {
        let n = env.sim.count(Endpoint::Upsert);
        at.extend((seen..n).map(|_| Instant::now()));
        seen = n;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    at
}

async fn rate_limit_honours_retry_after(mut env: Env) {
    env.sim.set_faults(Faults {
        burst_429: 1,
        retry_after_secs: 1,
        ..Faults::default()
    });
    // Backoff from 0.3 s: only the Retry-After can make the operator wait a whole second.
    env.start_ready(env.fast_config()).await;
    env.put_credential("limited", spec("limited")).await;
    let first = eventually("the first upsert is answered", || {
        let records = env.upsert_records();
        (records.first()?.status == 429).then(Instant::now)
    })
    .await;
    let second = eventually("the second upsert arrives", || {
        (env.sim.count(Endpoint::Upsert) >= 2).then(Instant::now)
    })
    .await;
    assert!(
        second - first >= Duration::from_millis(950),
        "retried {:?} after the 429, before its Retry-After",
        second - first
    );
    let c = env.wait_for("limited", "Ready", is_synced).await;
    assert_eq!(c.status.and_then(|s| s.error_code), Some(0));
    let events = env.wait_event("limited", "RateLimited", "429").await;
    assert!(events.iter().all(|(_, t)| t == "Warning"));
    assert_eq!(env.sim.count(Endpoint::Upsert), 2);
    env.finish().await;
}

async fn server_errors_back_off_exponentially(mut env: Env) {
    env.sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    env.start_ready(env.fast_config()).await;
    env.put_credential("flaky", spec("flaky")).await;
    let c = env
        .wait_for("flaky", "SeguraUnavailable", |c| {
            has_reason(c, "SeguraUnavailable")
        })
        .await;
    let (status, _, message) = ready(&c).expect("Ready");
    assert_eq!(status, "False");
    assert!(message.starts_with("HTTP 500"), "{message}");
    assert_eq!(c.status.as_ref().and_then(|s| s.error_code), Some(500));
    env.wait_event("flaky", "SeguraUnavailable", "500").await;

    // Backoff from 0.3 s, doubling, jitter up to the delay again: 3 to 5 retries in 5 s,
    // each gap at least the one before it (less polling noise).
    let at = arrivals(&env, Duration::from_secs(5)).await;
    assert!((3..=6).contains(&at.len()), "{} retries in 5 s", at.len());
    let gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
    for pair in gaps.windows(2) {
        assert!(
            pair[1] + Duration::from_millis(150) >= pair[0],
            "backoff shrank: {gaps:?}"
        );
    }
    assert!(
        gaps.last() >= Some(&Duration::from_millis(1000)),
        "{gaps:?}"
    );

    env.sim.set_faults(Faults::default());
    let c = env.wait_for("flaky", "Ready", is_synced).await;
    assert_eq!(c.status.and_then(|s| s.error_code), Some(0));
    assert_eq!(env.sim.credentials().len(), 1);
    env.finish().await;
}

async fn expired_token_is_renewed_once(mut env: Env) {
    env.start_default().await;
    env.put_credential("tok", spec("tok")).await;
    env.wait_for("tok", "Ready", is_synced).await;
    assert_eq!(env.sim.count(Endpoint::Token), 1);

    env.sim.expire_tokens();
    let mut changed = spec("tok");
    changed["additional"] = json!("after expiry");
    env.put_credential("tok", changed).await;
    let c = env
        .wait_for("tok", "generation 2 synced", |c| {
            is_synced(c) && c.metadata.generation == Some(2)
        })
        .await;
    assert_eq!(c.status.and_then(|s| s.error_code), Some(0));
    assert_eq!(env.sim.count(Endpoint::Token), 2, "renewed once");
    let statuses: Vec<u16> = env.upsert_records().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![201, 401, 200],
        "refused once, retried at once"
    );
    assert_eq!(env.warnings("tok").await, vec![], "no failure visible");
    env.finish().await;
}
