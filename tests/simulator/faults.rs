//! Each fault switch: latency, error rate (seeded), 429 bursts, both timeout modes.

use std::time::{Duration, Instant};

use segura_operator::simulator::{Faults, SimulatorConfig, TimeoutMode};
use serde_json::{Value, json};

use crate::support::{Harness, assert_created, assert_error};

fn body(user: &str) -> Value {
    json!({"username": user, "hostname": "w2016", "ip": "10.66.33.15"})
}

#[tokio::test]
async fn latency_delays_every_call() {
    let h = Harness::demo().await;
    h.sim.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    let t = Instant::now();
    let (s, _) = h.upsert(&body("a")).await;
    assert_eq!(s, 201);
    assert!(t.elapsed() >= Duration::from_millis(150));
    let t = Instant::now();
    h.fetch_token("demo-client", "demo-secret").await;
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn error_rate_one_always_fails_and_zero_never() {
    let h = Harness::demo().await;
    h.sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    for _ in 0..3 {
        let (s, b) = h.upsert(&body("a")).await;
        assert_error(s, &b, 500, "Unexpected error.", 0);
    }
    assert!(h.sim.credentials().is_empty());
    // Tokens are not affected.
    h.fetch_token("demo-client", "demo-secret").await;
    h.sim.set_faults(Faults::default());
    let (s, b) = h.upsert(&body("a")).await;
    assert_created(s, &b);
}

async fn seeded_statuses(seed: u64) -> Vec<u16> {
    let mut cfg = SimulatorConfig::demo();
    cfg.faults = Faults {
        error_rate: 0.5,
        seed: Some(seed),
        ..Faults::default()
    };
    let h = Harness::with(cfg).await;
    let mut out = Vec::new();
    for _ in 0..24 {
        out.push(h.list().await.0);
    }
    out
}

#[tokio::test]
async fn seeded_error_rate_is_repeatable() {
    let a = seeded_statuses(11).await;
    assert_eq!(a, seeded_statuses(11).await);
    assert!(a.contains(&500) && a.contains(&200), "{a:?}");
}

#[tokio::test]
async fn burst_of_429_with_retry_after() {
    let h = Harness::demo().await;
    h.sim.set_faults(Faults {
        burst_429: 2,
        retry_after_secs: 3,
        ..Faults::default()
    });
    for _ in 0..2 {
        let resp = h
            .http
            .post(h.url("/api/pam/credential"))
            .bearer_auth(&h.token)
            .json(&body("a"))
            .send()
            .await
            .expect("sent");
        assert_eq!(resp.status().as_u16(), 429);
        assert_eq!(
            resp.headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("3")
        );
    }
    assert_eq!(h.sim.faults().burst_429, 0);
    let (s, b) = h.upsert(&body("a")).await;
    assert_created(s, &b);
}

#[tokio::test]
async fn gateway_timeout_answers_504_after_the_delay() {
    let h = Harness::demo().await;
    h.sim.set_faults(Faults {
        timeout_rate: 1.0,
        timeout_delay_ms: 200,
        timeout_mode: TimeoutMode::GatewayTimeout,
        ..Faults::default()
    });
    let t = Instant::now();
    let (s, b) = h.upsert(&body("a")).await;
    assert!(t.elapsed() >= Duration::from_millis(200));
    assert_error(s, &b, 504, "Request timed out.", 0);
    assert!(h.sim.credentials().is_empty());
}

#[tokio::test]
async fn hang_outlasts_the_client_and_still_applies() {
    let h = Harness::demo().await;
    h.sim.set_faults(Faults {
        timeout_rate: 1.0,
        timeout_delay_ms: 300,
        timeout_mode: TimeoutMode::Hang,
        ..Faults::default()
    });
    let err = h
        .http
        .post(h.url("/api/pam/credential"))
        .bearer_auth(&h.token)
        .json(&body("a"))
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .expect_err("client times out");
    assert!(err.is_timeout(), "{err}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let applied = h.sim.credential("a@w2016").is_some();
    assert!(applied, "the hung request is processed after the delay");
    // Switch faults off; a patient client gets through.
    h.sim.set_faults(Faults::default());
    let (s, b) = h.upsert(&body("b")).await;
    assert_created(s, &b);
}

#[tokio::test]
async fn faults_from_config_and_from_http() {
    let mut cfg = SimulatorConfig::demo();
    cfg.faults.burst_429 = 1;
    let h = Harness::with(cfg).await;
    assert_eq!(h.list().await.0, 429);
    assert_eq!(h.list().await.0, 200);
    let req = h
        .http
        .put(h.url("/__simulator/faults"))
        .json(&json!({"error_rate": 1.0}));
    let (s, b) = h.send(req).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(h.sim.faults().error_rate, 1.0);
    assert_eq!(h.list().await.0, 500);
}
