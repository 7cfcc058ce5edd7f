//! What an operator instance exposes: probes, and metrics whose series follow successes,
//! failures, healing and deletion, with labels from bounded sets only.

use std::time::Duration;

use serde_json::json;

use crate::harness::{Env, eventually, has_reason, is_synced};
use crate::probe::{self, Sample, parse, scrape, value};
use crate::scenarios;

scenarios!(metrics_follow_the_credentials);

/// Every `result` label the controller writes.
const RESULTS: &[&str] = &[
    "synced",
    "up_to_date",
    "failed",
    "invalid_spec",
    "secret_not_found",
    "backing_off",
    "await_change",
    "deleted",
    "deletion_failed",
    "invalid_object",
    "kubernetes_error",
    "finalizer_error",
    "missing_metadata",
    "deactivation_failed",
];

const ENDPOINTS: &[&str] = &["token", "upsert", "deactivate", "list"];

const OUTCOMES: &[&str] = &[
    "ok", "http_429", "http_5xx", "http_4xx", "timeout", "connect", "decode", "config",
];

fn spec(identifier: &str, username: &str, hostname: &str, ip: &str) -> serde_json::Value {
    json!({
        "identifier": identifier,
        "username": username,
        "hostname": hostname,
        "ip": ip,
        "contentFrom": {"secretKeyRef": {"name": "obs-pw", "key": "password"}},
    })
}

/// Asserts that every label of every series comes from a bounded set: no object name,
/// namespace, identifier or free text.
fn assert_bounded(samples: &[Sample], forbidden: &[&str]) {
    for s in samples {
        assert!(s.name.starts_with("segura_operator_"), "{}", s.name);
        for (k, v) in &s.labels {
            let ok = match k.as_str() {
                "result" => RESULTS.contains(&v.as_str()),
                "endpoint" => ENDPOINTS.contains(&v.as_str()),
                "outcome" => {
                    OUTCOMES.contains(&v.as_str())
                        || (v.len() == 4 && v.chars().all(|c| c.is_ascii_digit()))
                }
                "reason" => {
                    v.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                        && v.chars().all(|c| c.is_ascii_alphanumeric())
                }
                "le" => v == "+Inf" || v.parse::<f64>().is_ok(),
                _ => false,
            };
            assert!(ok, "{}: label {k}={v:?} is not from a bounded set", s.name);
            for f in forbidden {
                assert!(!v.contains(f), "{}: label {k}={v:?} holds {f:?}", s.name);
            }
        }
    }
}

/// Waits until the instance's `/metrics` shows `name{with} == want`; returns the samples.
async fn until(env: &Env, name: &str, with: &[(&str, &str)], want: f64) -> Vec<Sample> {
    let addr = env.operator(0).addr;
    let deadline = tokio::time::Instant::now() + crate::harness::WAIT;
    loop {
        let samples = parse(&scrape(addr).await);
        let got = value(&samples, name, with).unwrap_or(0.0);
        if got == want {
            return samples;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name}{with:?} is {got}, want {want}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn metrics_follow_the_credentials(mut env: Env) {
    env.put_secret("obs-pw", &[("password", "0bserved-Passw0rd!")])
        .await;
    let i = env.start_default().await;
    let addr = env.operator(i).addr;
    assert_eq!(probe::get(addr, "/healthz").await.0, 200);
    assert_eq!(
        probe::get(addr, "/readyz").await.0,
        200,
        "ready once synced"
    );

    env.put_credential(
        "good-1",
        spec("obs-good-1", "svc-1", "w2016", "10.66.33.15"),
    )
    .await;
    env.put_credential(
        "good-2",
        spec("obs-good-2", "svc-2", "w2016", "10.66.33.15"),
    )
    .await;
    // legacy-db is not registered in Segura: 1011 Device not found.
    env.put_credential("bad", spec("obs-bad", "svc-3", "legacy-db", "10.20.30.40"))
        .await;
    env.wait_for("good-1", "Ready", is_synced).await;
    env.wait_for("good-2", "Ready", is_synced).await;
    env.wait_for("bad", "DeviceNotFound", |c| has_reason(c, "DeviceNotFound"))
        .await;

    let synced = [("reason", "Synced")];
    let missing = [("reason", "DeviceNotFound")];
    until(&env, "segura_operator_credentials", &synced, 2.0).await;
    let s = until(&env, "segura_operator_credentials", &missing, 1.0).await;
    let get = |name: &str, with: &[(&str, &str)]| value(&s, name, with).unwrap_or(0.0);
    assert_eq!(
        get("segura_operator_reconciles_total", &[("result", "synced")]),
        2.0
    );
    assert!(get("segura_operator_reconciles_total", &[("result", "failed")]) >= 1.0);
    assert!(
        get("segura_operator_reconcile_duration_seconds_count", &[]) >= 3.0,
        "every reconcile is timed"
    );
    assert!(s.iter().any(|x| {
        x.name == "segura_operator_reconcile_duration_seconds_bucket"
            && x.labels.get("le").map(String::as_str) == Some("+Inf")
    }));
    let upsert = |outcome| [("endpoint", "upsert"), ("outcome", outcome)];
    assert_eq!(
        get("segura_operator_segura_requests_total", &upsert("ok")),
        2.0
    );
    assert_eq!(
        get("segura_operator_segura_requests_total", &upsert("1011")),
        1.0
    );
    assert!(
        get(
            "segura_operator_segura_requests_total",
            &[("endpoint", "token"), ("outcome", "ok")]
        ) >= 1.0
    );
    assert!(
        get(
            "segura_operator_segura_request_duration_seconds_count",
            &[("endpoint", "upsert")]
        ) >= 3.0
    );
    assert_eq!(
        get("segura_operator_leader", &[]),
        1.0,
        "without election it leads"
    );
    let forbidden = [
        env.ns.as_str(),
        "good-1",
        "good-2",
        "bad",
        "obs-",
        "svc-",
        "legacy-db",
        "w2016",
        "Device not found",
    ];
    assert_bounded(&s, &forbidden);

    // Heal: the device is registered and the Credential touched (a new generation is retried
    // at once, whatever the backoff).
    env.sim.add_device("legacy-db", "10.20.30.40");
    let mut healed = spec("obs-bad", "svc-3", "legacy-db", "10.20.30.40");
    healed["additional"] = json!("device registered");
    env.put_credential("bad", healed).await;
    env.wait_for("bad", "healed", is_synced).await;
    until(&env, "segura_operator_credentials", &synced, 3.0).await;
    until(&env, "segura_operator_credentials", &missing, 0.0).await;

    // Deletion: one fewer in sync.
    env.delete_credential("good-1").await;
    env.wait_gone("good-1").await;
    let s = until(&env, "segura_operator_credentials", &synced, 2.0).await;
    assert_eq!(
        value(
            &s,
            "segura_operator_reconciles_total",
            &[("result", "deleted")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &s,
            "segura_operator_segura_requests_total",
            &[("endpoint", "deactivate"), ("outcome", "ok")]
        ),
        Some(1.0)
    );
    assert_bounded(&s, &forbidden);
    eventually("the instance stays ready", || {
        env.operator(i)
            .handles
            .ready
            .load(std::sync::atomic::Ordering::SeqCst)
            .then_some(())
    })
    .await;
    env.finish().await;
}
