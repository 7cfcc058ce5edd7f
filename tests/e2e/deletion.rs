//! Deletion through the finalizer: `Delete` deactivates, `Orphan` leaves, a failing
//! deactivation keeps the finalizer until it heals, a never-synced Credential goes at once.

use std::time::Duration;

use kube::ResourceExt;
use serde_json::json;

use segura_operator::simulator::{Endpoint, Faults};

use crate::harness::{Env, has_reason, is_synced, ready};
use crate::scenarios;

scenarios!(
    delete_policy_deactivates,
    orphan_policy_leaves_it_active,
    failing_deactivation_keeps_the_finalizer,
    never_synced_goes_at_once,
);

fn spec(identifier: &str, policy: &str) -> serde_json::Value {
    json!({"identifier": identifier, "username": format!("u-{identifier}"),
           "hostname": "w2016", "ip": "10.66.33.15", "deletionPolicy": policy})
}

/// Creates a Credential, waits until it is synced, returns its Segura id.
async fn synced(env: &Env, name: &str, spec: serde_json::Value) -> String {
    env.put_credential(name, spec).await;
    let c = env.wait_for(name, "Ready", is_synced).await;
    c.status.and_then(|s| s.id).expect("status.id")
}

async fn delete_policy_deactivates(mut env: Env) {
    env.start_default().await;
    let id = synced(&env, "doomed", spec("doomed", "Delete")).await;
    env.delete_credential("doomed").await;
    env.wait_gone("doomed").await;
    assert!(!env.sim.credential(&id).expect("kept in Segura").active);
    assert_eq!(env.sim.count(Endpoint::Deactivate), 1);
    let events = env.wait_event("doomed", "Deactivated", &id).await;
    assert_eq!(events[0].1, "Normal");
    env.finish().await;
}

async fn orphan_policy_leaves_it_active(mut env: Env) {
    env.start_default().await;
    let id = synced(&env, "kept", spec("kept", "Orphan")).await;
    env.delete_credential("kept").await;
    env.wait_gone("kept").await;
    assert!(env.sim.credential(&id).expect("in Segura").active);
    assert_eq!(env.sim.count(Endpoint::Deactivate), 0);
    env.wait_event("kept", "Orphaned", &id).await;
    env.finish().await;
}

async fn failing_deactivation_keeps_the_finalizer(mut env: Env) {
    let mut cfg = env.fast_config();
    cfg.retry.transient = (Duration::from_millis(1500), Duration::from_secs(3));
    env.start_ready(cfg).await;
    let id = synced(&env, "stuck", spec("stuck", "Delete")).await;
    env.sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    env.delete_credential("stuck").await;
    let c = env
        .wait_for("stuck", "DeletionFailed", |c| {
            has_reason(c, "DeletionFailed")
        })
        .await;
    let (status, _, message) = ready(&c).expect("Ready");
    assert_eq!(status, "False");
    assert!(message.contains("500"), "{message}");
    let st = c.status.clone().expect("status");
    assert_eq!(st.error_code, Some(500));
    assert_eq!(st.id.as_deref(), Some(id.as_str()), "the id is kept");
    assert!(c.metadata.deletion_timestamp.is_some());
    assert!(
        c.finalizers()
            .iter()
            .any(|f| f == "pam.segura.io/finalizer")
    );
    let events = env.wait_event("stuck", "DeletionFailed", "500").await;
    assert!(events.iter().all(|(_, t)| t == "Warning"));

    // The first retry waits for the backoff (1.5 s at least), even though the status write
    // woke the controller.
    assert_eq!(env.sim.count(Endpoint::Deactivate), 1);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        env.sim.count(Endpoint::Deactivate),
        1,
        "no retry before the backoff"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(env.creds().get_opt("stuck").await.expect("get").is_some());
    let tries = env.sim.count(Endpoint::Deactivate);
    assert!((2..=3).contains(&tries), "{tries} deactivations in 4 s");
    assert!(env.sim.credential(&id).expect("in Segura").active);

    env.sim.set_faults(Faults::default());
    env.wait_gone("stuck").await;
    assert!(!env.sim.credential(&id).expect("in Segura").active);
    env.wait_event("stuck", "Deactivated", &id).await;
    env.finish().await;
}

async fn never_synced_goes_at_once(mut env: Env) {
    env.start_default().await;
    let mut unregistered = spec("ghost", "Delete");
    unregistered["hostname"] = json!("nowhere");
    env.put_credential("ghost", unregistered).await;
    let mut secretless = spec("secretless", "Delete");
    secretless["contentFrom"] = json!({"secretKeyRef": {"name": "absent", "key": "pw"}});
    env.put_credential("secretless", secretless).await;
    env.wait_for("ghost", "DeviceNotFound", |c| {
        has_reason(c, "DeviceNotFound")
    })
    .await;
    env.wait_for("secretless", "SecretNotFound", |c| {
        has_reason(c, "SecretNotFound")
    })
    .await;
    for name in ["ghost", "secretless"] {
        env.delete_credential(name).await;
        env.wait_gone(name).await;
    }
    assert_eq!(env.sim.count(Endpoint::Deactivate), 0, "no DELETE sent");
    assert!(env.sim.credentials().is_empty());
    env.finish().await;
}
