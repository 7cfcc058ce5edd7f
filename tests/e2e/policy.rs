//! `passwordPolicy` on the periodic resync (`Enforce` resends the password and corrects drift;
//! `SeedOnly` leaves Segura's own rotation alone), and robust watching (an object the operator
//! cannot read gets an Event; the others keep syncing).

use std::time::Duration;

use serde_json::{Value, json};

use segura_operator::crd::CredentialSpec;
use segura_operator::segura::body::request_body;
use segura_operator::segura::secrets::{SecretValue, SecretValues};
use segura_operator::simulator::Endpoint;

use crate::harness::{Env, eventually, is_synced};
use crate::scenarios;

scenarios!(
    enforce_resends_and_corrects_drift,
    seed_only_leaves_segura_rotation_alone,
    unreadable_object_does_not_stop_the_controller,
);

const SEED: &str = "S33d-Passw0rd!";
const ROTATED: &str = "R0tated-by-Segura!";

fn spec(identifier: &str, policy: &str) -> Value {
    json!({"identifier": identifier, "username": format!("u-{identifier}"),
           "hostname": "w2016", "ip": "10.66.33.15", "passwordPolicy": policy,
           "contentFrom": {"secretKeyRef": {"name": "pw", "key": "password"}}})
}

/// Starts an operator that resyncs every 2 s.
async fn start_resyncing(env: &mut Env) {
    let mut cfg = env.config();
    cfg.resync = Duration::from_secs(2);
    env.start_ready(cfg).await;
}

/// Segura rotates the password itself (here: another API client sets it).
async fn rotate_in_segura(env: &Env, identifier: &str, policy: &str) {
    let spec: CredentialSpec = serde_json::from_value(spec(identifier, policy)).expect("spec");
    let mut values = SecretValues::new();
    values.insert("pw", "password", SecretValue::new(ROTATED));
    let body = request_body(&spec, Some(identifier), true, &values).expect("body");
    env.segura()
        .upsert(&body)
        .await
        .expect("rotation in Segura");
}

fn content(env: &Env, identifier: &str) -> Option<Value> {
    env.sim
        .credential(identifier)?
        .fields
        .get("content")
        .cloned()
}

/// Waits for the `n`-th upsert; returns its body.
async fn nth_upsert(env: &Env, n: usize) -> Value {
    eventually(&format!("upsert #{n}"), || {
        env.upserts().get(n - 1).cloned()
    })
    .await
}

async fn enforce_resends_and_corrects_drift(mut env: Env) {
    env.put_secret("pw", &[("password", SEED)]).await;
    start_resyncing(&mut env).await;
    env.put_credential("enf", spec("enf", "Enforce")).await;
    env.wait_for("enf", "Ready", is_synced).await;
    let resync = nth_upsert(&env, 2).await;
    assert_eq!(
        resync["content"],
        json!(SEED),
        "the resync sends the password"
    );

    rotate_in_segura(&env, "enf", "Enforce").await;
    assert_eq!(content(&env, "enf"), Some(json!(ROTATED)));
    let corrected = nth_upsert(&env, 4).await;
    assert_eq!(corrected["content"], json!(SEED));
    assert_eq!(content(&env, "enf"), Some(json!(SEED)), "Segura corrected");
    let id = env.sim.credential("enf").expect("stored").id;
    let drift = env.wait_event("enf", "Updated", "drift").await;
    assert!(
        drift.iter().any(|(n, t)| t == "Normal" && n.contains(&id)),
        "{drift:?}"
    );
    // A resync that changes nothing is silent.
    let updated = env.events("enf").await;
    assert_eq!(
        updated.iter().filter(|(r, _, _)| r == "Updated").count(),
        1,
        "{updated:?}"
    );
    env.finish().await;
}

async fn seed_only_leaves_segura_rotation_alone(mut env: Env) {
    env.put_secret("pw", &[("password", SEED)]).await;
    start_resyncing(&mut env).await;
    env.put_credential("seed", spec("seed", "SeedOnly")).await;
    env.wait_for("seed", "Ready", is_synced).await;
    assert_eq!(nth_upsert(&env, 1).await["content"], json!(SEED), "seeded");

    rotate_in_segura(&env, "seed", "SeedOnly").await;
    let resync = nth_upsert(&env, 3).await;
    assert!(
        resync.get("content").is_none(),
        "resync without password: {resync}"
    );
    assert_eq!(content(&env, "seed"), Some(json!(ROTATED)), "rotation kept");

    // A new Secret value is sent once, then resyncs go without it again.
    env.put_secret("pw", &[("password", "N3w-Secret-Value!")])
        .await;
    let changed = nth_upsert(&env, 4).await;
    assert_eq!(changed["content"], json!("N3w-Secret-Value!"));
    let resync = nth_upsert(&env, 5).await;
    assert!(
        resync.get("content").is_none(),
        "resync without password: {resync}"
    );
    assert_eq!(content(&env, "seed"), Some(json!("N3w-Secret-Value!")));
    let events = env.events("seed").await;
    assert!(
        !events.iter().any(|(_, n, _)| n.contains("drift")),
        "nothing to correct: {events:?}"
    );
    env.finish().await;
}

async fn unreadable_object_does_not_stop_the_controller(mut env: Env) {
    env.start_default().await;
    let Some(server) = &env.loopback else {
        // A real API server's admission refuses such an object: nothing to insert.
        env.finish().await;
        return;
    };
    server.insert_unchecked(
        "pam.segura.io",
        "credentials",
        json!({"apiVersion": "pam.segura.io/v1alpha1", "kind": "Credential",
               "metadata": {"name": "garbled", "namespace": env.ns},
               "spec": {"username": "u-garbled", "hostname": "w2016", "ip": "10.66.33.15",
                        "deletionPolicy": "Sometimes"}}),
    );
    let events = env
        .wait_event("garbled", "InvalidObject", "Sometimes")
        .await;
    assert!(events.iter().all(|(_, t)| t == "Warning"), "{events:?}");

    // Other Credentials sync as ever, before and after a relist that re-reads the bad one.
    env.put_credential(
        "fine",
        json!({"identifier": "fine", "username": "u-fine",
                                      "hostname": "w2016", "ip": "10.66.33.15"}),
    )
    .await;
    env.wait_for("fine", "Ready", is_synced).await;
    if let Some(server) = &env.loopback {
        server.break_watches();
    }
    let mut later = json!({"identifier": "fine", "username": "u-fine",
                           "hostname": "w2016", "ip": "10.66.33.15"});
    later["additional"] = json!("after the relist");
    env.put_credential("fine", later).await;
    env.wait_for("fine", "generation 2 synced", |c| {
        is_synced(c) && c.metadata.generation == Some(2)
    })
    .await;
    assert_eq!(
        env.sim.count(Endpoint::Upsert),
        2,
        "nothing sent for the bad one"
    );
    assert!(env.sim.credential("u-garbled@w2016").is_none());
    env.finish().await;
}
