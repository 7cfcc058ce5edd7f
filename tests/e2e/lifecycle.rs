//! Create, update, rename, Secret rotation, steady state.

use std::time::Duration;

use kube::ResourceExt;
use serde_json::json;

use segura_operator::simulator::Endpoint;

use crate::harness::{Env, is_synced, ready};
use crate::scenarios;

scenarios!(
    create_update_rename,
    secret_rotation_resyncs,
    steady_state_costs_nothing,
    generated_identifier_is_kept,
);

fn spec(identifier: &str) -> serde_json::Value {
    json!({
        "identifier": identifier,
        "username": "svc-app",
        "hostname": "w2016",
        "ip": "10.66.33.15",
        "contentFrom": {"secretKeyRef": {"name": "app-pw", "key": "password"}},
        "tags": ["prod", "db"],
    })
}

/// The upsert bodies the simulator received.
fn upserts(env: &Env) -> Vec<serde_json::Value> {
    env.sim
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == Endpoint::Upsert)
        .map(|r| r.body)
        .collect()
}

async fn create_update_rename(mut env: Env) {
    env.put_secret("app-pw", &[("password", "F1rst-Passw0rd!")])
        .await;
    env.start_default().await;
    env.put_credential("app", spec("app-db")).await;
    let c = env.wait_for("app", "Ready", is_synced).await;
    let st = c.status.clone().expect("status");
    let stored = env.sim.credential("app-db").expect("created in Segura");
    assert_eq!(
        st.id.as_deref(),
        Some(stored.id.as_str()),
        "status.id is Segura's id"
    );
    assert_eq!(st.identifier.as_deref(), Some("app-db"));
    assert_eq!(st.error_code, Some(0));
    assert!(
        c.finalizers()
            .iter()
            .any(|f| f == "pam.segura.io/finalizer")
    );
    assert_eq!(
        upserts(&env),
        vec![
            json!({"identifier": "app-db", "username": "svc-app", "hostname": "w2016",
                    "ip": "10.66.33.15", "content": "F1rst-Passw0rd!", "tags": "prod,db"})
        ],
        "one upsert with exactly the rendered body"
    );
    let (status, reason, _) = ready(&c).expect("Ready condition");
    assert_eq!((status.as_str(), reason.as_str()), ("True", "Synced"));
    assert!(
        env.events("app")
            .await
            .iter()
            .any(|(r, _, _)| r == "Created")
    );

    // Update: same id, new body.
    let mut s = spec("app-db");
    s["additional"] = json!("owned by team-a");
    env.put_credential("app", s).await;
    let c = env
        .wait_for("app", "generation 2 synced", |c| {
            is_synced(c) && c.metadata.generation == Some(2)
        })
        .await;
    assert_eq!(c.status.as_ref().and_then(|s| s.id.clone()), st.id);
    assert_eq!(upserts(&env).len(), 2);
    assert_eq!(upserts(&env)[1]["additional"], json!("owned by team-a"));

    // Rename: Segura finds it by hostname, ip and username and renames it; same id.
    let mut s = spec("app-db-renamed");
    s["additional"] = json!("owned by team-a");
    env.put_credential("app", s).await;
    let c = env
        .wait_for("app", "renamed", |c| {
            is_synced(c)
                && c.status.as_ref().and_then(|s| s.identifier.as_deref()) == Some("app-db-renamed")
        })
        .await;
    assert_eq!(
        c.status.as_ref().and_then(|s| s.id.clone()),
        st.id,
        "same credential"
    );
    assert_eq!(env.sim.credentials().len(), 1, "no duplicate in Segura");
    assert!(env.sim.credential("app-db").is_none());
    env.finish().await;
}

async fn secret_rotation_resyncs(mut env: Env) {
    env.put_secret("app-pw", &[("password", "F1rst-Passw0rd!")])
        .await;
    env.start_default().await;
    env.put_credential("app", spec("rotating")).await;
    env.wait_for("app", "Ready", is_synced).await;
    let before = upserts(&env).len();
    env.put_secret("app-pw", &[("password", "S3cond-Passw0rd!")])
        .await;
    let start = std::time::Instant::now();
    crate::harness::eventually("the new password reaches Segura", || {
        let c = env.sim.credential("rotating")?;
        (c.fields.get("content").and_then(|v| v.as_str()) == Some("S3cond-Passw0rd!")).then_some(())
    })
    .await;
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "re-synced within seconds"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        upserts(&env).len(),
        before + 1,
        "exactly one re-sync for one rotation"
    );
    env.finish().await;
}

async fn steady_state_costs_nothing(mut env: Env) {
    env.put_secret("app-pw", &[("password", "F1rst-Passw0rd!")])
        .await;
    env.start_default().await;
    env.put_all_ready(3, |i| spec(&format!("steady-{i}"))).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    env.sim.reset_counters();
    let requests_before = env.sim.requests().len();
    if let Some(server) = &env.loopback {
        // Watches restart (and relist) without waking anything up.
        server.break_watches();
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        env.sim.requests().len(),
        requests_before,
        "no request to Segura in steady state"
    );
    for ep in [
        Endpoint::Upsert,
        Endpoint::Token,
        Endpoint::List,
        Endpoint::Get,
    ] {
        assert_eq!(env.sim.count(ep), 0, "{ep:?}");
    }
    env.finish().await;
}

async fn generated_identifier_is_kept(mut env: Env) {
    env.start_default().await;
    env.put_credential(
        "gen",
        json!({"username": "svc-gen", "hostname": "w2016", "ip": "10.66.33.15"}),
    )
    .await;
    let c = env.wait_for("gen", "Ready", is_synced).await;
    let generated = c
        .status
        .and_then(|s| s.identifier)
        .expect("identifier in status");
    assert_eq!(generated.len(), 36, "Segura generated a UUID: {generated}");
    // A spec change sends the generated identifier, so Segura updates the same credential.
    env.put_credential(
        "gen",
        json!({"username": "svc-gen", "hostname": "w2016", "ip": "10.66.33.15", "additional": "x"}),
    )
    .await;
    env.wait_for("gen", "generation 2 synced", |c| {
        is_synced(c) && c.metadata.generation == Some(2)
    })
    .await;
    let bodies = upserts(&env);
    assert!(
        bodies[0].get("identifier").is_none(),
        "first sync leaves the identifier out"
    );
    assert_eq!(bodies[1]["identifier"], json!(generated));
    assert_eq!(env.sim.credentials().len(), 1);
    env.finish().await;
}
