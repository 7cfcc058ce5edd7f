//! Error classes, each end to end: missing dependency (long backoff), permanent (one request
//! per generation), authorization (backoff, heals), missing Secret (no request at all).

use std::time::Duration;

use serde_json::json;

use segura_operator::crd::Credential;
use segura_operator::segura::api::ErrorCode;
use segura_operator::simulator::{DEMO_CLIENT_ID, Endpoint, Permission};

use crate::harness::{Env, has_reason, is_synced, ready};
use crate::scenarios;

scenarios!(
    missing_device_backs_off_then_heals,
    unregistered_domain_keeps_id,
    permanent_error_costs_one_request_per_generation,
    permission_denied_backs_off_and_heals,
    missing_secret_sends_nothing_and_heals,
);

/// How long a scenario watches for requests that must not come.
const QUIET: Duration = Duration::from_secs(3);

fn error_code(c: &Credential) -> Option<i64> {
    c.status.as_ref().and_then(|s| s.error_code)
}

/// Asserts the Ready condition, `errorCode` and a Warning Event of a Segura error code.
async fn assert_failed(env: &Env, name: &str, code: ErrorCode) -> Credential {
    let c = env
        .wait_for(name, code.reason(), |c| has_reason(c, code.reason()))
        .await;
    let (status, reason, message) = ready(&c).expect("Ready condition");
    assert_eq!(
        (status.as_str(), reason.as_str(), message.as_str()),
        ("False", code.reason(), code.message().as_str())
    );
    assert_eq!(error_code(&c), Some(i64::from(code.number())));
    let events = env
        .wait_event(name, code.reason(), &code.number().to_string())
        .await;
    assert!(events.iter().all(|(_, t)| t == "Warning"), "{events:?}");
    c
}

fn unregistered_device() -> serde_json::Value {
    json!({"identifier": "legacy-db-app", "username": "legacy-app",
           "hostname": "legacy-db", "ip": "10.20.30.40", "tags": ["legacy"]})
}

async fn missing_device_backs_off_then_heals(mut env: Env) {
    env.start_default().await;
    env.put_credential("legacy", unregistered_device()).await;
    let c = assert_failed(&env, "legacy", ErrorCode::DeviceNotFound).await;
    assert_eq!(c.status.as_ref().and_then(|s| s.id.clone()), None);
    tokio::time::sleep(QUIET).await;
    assert_eq!(
        env.sim.count(Endpoint::Upsert),
        1,
        "one upsert, then a long backoff"
    );

    // The device appears; a spec change (new generation) syncs at once.
    env.sim.add_device("legacy-db", "10.20.30.40");
    let mut spec = unregistered_device();
    spec["additional"] = json!("device registered");
    env.put_credential("legacy", spec).await;
    let c = env
        .wait_for("legacy", "generation 2 synced", |c| {
            is_synced(c) && c.metadata.generation == Some(2)
        })
        .await;
    let stored = env.sim.credential("legacy-db-app").expect("in Segura");
    let st = c.status.expect("status");
    assert_eq!(st.id.as_deref(), Some(stored.id.as_str()));
    assert_eq!(st.error_code, Some(0));
    assert_eq!(env.sim.credentials().len(), 1, "no duplicate");
    assert_eq!(env.sim.count(Endpoint::Upsert), 2);
    env.finish().await;
}

async fn unregistered_domain_keeps_id(mut env: Env) {
    env.start_default().await;
    let spec = json!({"identifier": "dom-app", "username": "dom-app", "hostname": "w2016",
                      "ip": "10.66.33.15", "deviceDomain": ["testlab.com"]});
    env.put_credential("dom", spec.clone()).await;
    let synced = env.wait_for("dom", "Ready", is_synced).await;
    let st = synced.status.expect("status");

    let mut bad = spec;
    bad["deviceDomain"] = json!(["testlab.com", "nowhere.example"]);
    env.put_credential("dom", bad).await;
    let c = assert_failed(&env, "dom", ErrorCode::DomainNotRegistered).await;
    let failed = c.status.expect("status");
    assert_eq!(failed.id, st.id, "the id is kept");
    assert_eq!(failed.identifier, st.identifier, "the identifier is kept");
    assert_eq!(failed.observed_generation, Some(2));
    tokio::time::sleep(QUIET).await;
    assert_eq!(env.sim.count(Endpoint::Upsert), 2, "one failed upsert");
    assert!(env.sim.credential("dom-app").expect("kept").active);
    env.finish().await;
}

fn jit(plugin: &str) -> serde_json::Value {
    json!({
        "identifier": "jit-app", "username": "jit-user",
        "hostname": "API_DEVICE_1", "ip": "localhost",
        "jitSettings": {
            "jit": true, "credentialCreationAndDeletion": true,
            "enableDisableCredential": false, "useOwnCredentialToConnect": false,
            "authenticationCredential": "API_CREDENTIAL_1",
            "authenticationHostname": "API_DEVICE_1", "authenticationIp": "localhost",
            "credentialCreationPlugin": plugin,
            "credentialCreationTemplate": "Linux - Create User",
            "credentialDeletionPlugin": "SSH",
            "credentialDeletionTemplate": "Linux - Remove User",
        },
    })
}

async fn permanent_error_costs_one_request_per_generation(mut env: Env) {
    env.start_default().await;
    env.put_credential("jit", jit("Telepathy")).await;
    assert_failed(&env, "jit", ErrorCode::PluginNotInformed).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(env.sim.count(Endpoint::Upsert), 1);

    // Relists and metadata-only changes wake the controller, never Segura.
    if let Some(server) = &env.loopback {
        server.break_watches();
    }
    env.label("jit", "team", "a").await;
    env.label("jit", "tier", "gold").await;
    tokio::time::sleep(QUIET).await;
    let c = env.creds().get("jit").await.expect("get");
    assert_eq!(c.metadata.generation, Some(1), "labels keep the generation");
    assert!(has_reason(&c, "PluginNotInformed"));
    assert_eq!(
        env.sim.count(Endpoint::Upsert),
        1,
        "at most one upsert per generation"
    );

    env.put_credential("jit", jit("SSH")).await;
    let c = env.wait_for("jit", "fixed spec synced", is_synced).await;
    assert_eq!(error_code(&c), Some(0));
    assert_eq!(env.sim.count(Endpoint::Upsert), 2);
    assert_eq!(env.sim.credentials().len(), 1);
    env.finish().await;
}

async fn permission_denied_backs_off_and_heals(mut env: Env) {
    assert!(env.sim.set_permission(DEMO_CLIENT_ID, Permission::ReadOnly));
    env.start_ready(env.fast_config()).await;
    let spec = json!({"identifier": "ro-app", "username": "ro-app",
                      "hostname": "w2016", "ip": "10.66.33.15"});
    env.put_credential("ro", spec).await;
    assert_failed(&env, "ro", ErrorCode::PermissionDenied).await;
    tokio::time::sleep(QUIET).await;
    let tried = env.sim.count(Endpoint::Upsert);
    // Backoff from 0.5 s, doubling, jittered: a few retries in 3 s, not a hot loop.
    assert!((2..=5).contains(&tried), "{tried} upserts in {QUIET:?}");
    assert!(
        env.upsert_records()
            .iter()
            .all(|r| r.status != 200 && r.status != 201),
        "nothing written while read-only"
    );

    // Read-write again: the next retry succeeds, without any change to the resource.
    assert!(
        env.sim
            .set_permission(DEMO_CLIENT_ID, Permission::ReadWrite)
    );
    let c = env.wait_for("ro", "Ready", is_synced).await;
    assert_eq!(error_code(&c), Some(0));
    assert_eq!(c.metadata.generation, Some(1));
    let stored = env.sim.credential("ro-app").expect("created");
    assert_eq!(
        c.status.and_then(|s| s.id).as_deref(),
        Some(stored.id.as_str())
    );
    env.finish().await;
}

async fn missing_secret_sends_nothing_and_heals(mut env: Env) {
    env.put_secret("other", &[("username", "x")]).await;
    env.start_ready(env.fast_config()).await;
    let with = |secret: &str| {
        json!({"identifier": format!("sec-{secret}"), "username": format!("u-{secret}"),
               "hostname": "w2016", "ip": "10.66.33.15",
               "contentFrom": {"secretKeyRef": {"name": secret, "key": "password"}}})
    };
    env.put_credential("no-secret", with("absent")).await;
    env.put_credential("no-key", with("other")).await;
    for (name, secret) in [("no-secret", "absent"), ("no-key", "other")] {
        let c = env
            .wait_for(name, "SecretNotFound", |c| has_reason(c, "SecretNotFound"))
            .await;
        let (status, _, message) = ready(&c).expect("Ready");
        assert_eq!(status, "False");
        assert!(
            message.contains(&format!("{secret:?}")) && message.contains("\"password\""),
            "names the Secret and the key: {message}"
        );
        assert_eq!(error_code(&c), Some(-1), "no Segura code");
        let events = env.wait_event(name, "SecretNotFound", secret).await;
        assert!(events.iter().all(|(_, t)| t == "Warning"), "{events:?}");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        env.sim.requests().is_empty(),
        "no request to Segura: {:?}",
        env.sim.requests()
    );

    // The Secret (and the key) appear: both heal without touching the Credentials.
    env.put_secret("absent", &[("password", "N0w-1t-Exists!")])
        .await;
    env.put_secret("other", &[("username", "x"), ("password", "K3y-Added!")])
        .await;
    for name in ["no-secret", "no-key"] {
        let c = env.wait_for(name, "Ready", is_synced).await;
        assert_eq!(error_code(&c), Some(0));
    }
    assert_eq!(
        env.sim
            .credential("sec-absent")
            .and_then(|c| c.fields.get("content").cloned()),
        Some(json!("N0w-1t-Exists!"))
    );
    assert_eq!(env.sim.count(Endpoint::Upsert), 2);
    env.finish().await;
}
