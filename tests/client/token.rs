//! Token cache: reuse, sharing, renewal, refusal.

use super::*;

#[tokio::test]
async fn upsert_creates_then_updates_with_one_token() {
    let sim = start(SimulatorConfig::demo());
    let rec = Arc::new(Recorder::default());
    let c = client(&sim).with_observer(rec.clone());
    let first = c.upsert(&device_body("app-db")).await.unwrap();
    assert_eq!(
        (first.http_status, first.identifier.as_str(), first.changed),
        (201, "app-db", true)
    );
    let clone = c.clone();
    let again = clone.upsert(&device_body("app-db")).await.unwrap();
    assert_eq!(
        (again.id.as_str(), again.http_status, again.changed),
        (first.id.as_str(), 200, false)
    );
    let stored = sim.credential("app-db").unwrap();
    assert_eq!(stored.fields["content"], json!(PASSWORD));
    assert_eq!(
        sim.count(SimEndpoint::Token),
        1,
        "token reused across calls and clones"
    );
    let upserts = sim
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == SimEndpoint::Upsert);
    for r in upserts {
        assert_eq!(
            (r.path.as_str(), r.content_type.as_deref()),
            ("/api/pam/credential", Some("application/json"))
        );
    }
    let seen = rec.0.lock().unwrap().clone();
    let want = [
        (Endpoint::Token, "ok"),
        (Endpoint::Upsert, "ok"),
        (Endpoint::Upsert, "ok"),
    ];
    assert_eq!(seen, want.map(|(e, o)| (e, o.to_string())));
}

#[tokio::test]
async fn concurrent_callers_share_one_token_fetch() {
    let sim = start(SimulatorConfig::demo());
    sim.set_faults(Faults {
        latency_ms: 100,
        ..Faults::default()
    });
    let c = client(&sim);
    let calls = (0..8).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.list().await })
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(sim.count(SimEndpoint::Token), 1);
}

#[tokio::test]
async fn token_is_renewed_before_it_expires() {
    let sim = start(SimulatorConfig {
        token_lifetime_secs: 2,
        ..SimulatorConfig::demo()
    });
    let c = client(&sim);
    c.list().await.unwrap();
    c.list().await.unwrap();
    assert_eq!(sim.count(SimEndpoint::Token), 1);
    // 1.9 s into a 2 s lifetime: inside the renewal margin (a tenth of the lifetime).
    tokio::time::sleep(Duration::from_millis(1900)).await;
    c.list().await.unwrap();
    assert_eq!(sim.count(SimEndpoint::Token), 2);
    assert_eq!(
        statuses(&sim, SimEndpoint::List),
        [200, 200, 200],
        "never sent an expired token"
    );
}

#[tokio::test]
async fn refused_token_is_renewed_once_and_the_call_retried() {
    let sim = start(SimulatorConfig::demo());
    let rec = Arc::new(Recorder::default());
    let c = client(&sim).with_observer(rec.clone());
    c.upsert(&device_body("a")).await.unwrap();
    sim.expire_tokens();
    let up = c.upsert(&device_body("a")).await.unwrap();
    assert_eq!(up.identifier, "a");
    assert_eq!(sim.count(SimEndpoint::Token), 2);
    assert_eq!(statuses(&sim, SimEndpoint::Upsert), [201, 401, 200]);
    assert!(
        rec.0
            .lock()
            .unwrap()
            .contains(&(Endpoint::Upsert, "http_4xx".into()))
    );
}

#[tokio::test]
async fn a_token_refused_twice_is_an_authorization_error_after_one_renewal() {
    // Tokens that expire as they are issued: every API call answers 401.
    let sim = start(SimulatorConfig {
        token_lifetime_secs: 0,
        ..SimulatorConfig::demo()
    });
    let err = client(&sim).upsert(&device_body("a")).await.unwrap_err();
    assert_eq!(
        (err.class(), err.reason(), err.code()),
        (ErrorClass::Authorization, "Unauthorized", 401)
    );
    assert_eq!(sim.count(SimEndpoint::Token), 2);
    assert_eq!(statuses(&sim, SimEndpoint::Upsert), [401, 401]);
}

#[tokio::test]
async fn bad_client_is_an_authorization_error() {
    let sim = start(SimulatorConfig::demo());
    let mut cfg = config(&sim);
    cfg.client_secret = SecretValue::new("wrong-S3cret-value");
    let err = upsert_err(cfg).await;
    assert_eq!(
        (err.class(), err.reason(), err.code()),
        (ErrorClass::Authorization, "Unauthorized", 401)
    );
    assert!(
        err.to_string().contains("Client authentication failed."),
        "{err}"
    );
    assert!(!format!("{err} {err:?}").contains("wrong-S3cret-value"));
    assert_eq!(
        sim.count(SimEndpoint::Token),
        1,
        "a refused client is not retried"
    );
    assert_eq!(sim.count(SimEndpoint::Upsert), 0);
}
