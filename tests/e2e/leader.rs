//! Two operator instances with leader election: one leads and reconciles, the other stands by
//! (ready); a crash hands over once the lease expires, a graceful stop hands over at once.

use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use serde_json::json;

use segura_operator::simulator::Endpoint;

use crate::harness::{Env, eventually, is_synced};
use crate::probe::{self, parse, scrape, value};
use crate::scenarios;

scenarios!(
    one_leader_reconciles,
    crash_hands_over_after_the_lease,
    graceful_stop_hands_over_at_once,
    lost_lease_exits,
);

/// Extra time a takeover after a crash may take beyond the lease duration: the lease's
/// whole-second clock, one retry period, one round trip.
const TAKEOVER_MARGIN: Duration = Duration::from_secs(3);

fn spec_of(identifier: &str) -> serde_json::Value {
    json!({
        "identifier": identifier,
        "username": "svc-app",
        "hostname": "w2016",
        "ip": "10.66.33.15",
        "contentFrom": {"secretKeyRef": {"name": "app-pw", "key": "password"}},
    })
}

/// Starts instances `a` and `b` with leader election; returns their indexes.
async fn start_pair(env: &mut Env) -> [usize; 2] {
    let mut out = [0; 2];
    for (slot, id) in out.iter_mut().zip(["a", "b"]) {
        let mut cfg = env.config();
        cfg.instance = id.to_string();
        cfg.leader = Some(env.leader(id));
        *slot = env.start(cfg).await;
    }
    out
}

fn leads(env: &Env, i: usize) -> bool {
    *env.operator(i).handles.leader.borrow()
}

/// Waits until exactly one of `candidates` leads; returns (leader, follower).
async fn one_leader(env: &Env, [a, b]: [usize; 2]) -> (usize, usize) {
    eventually("exactly one instance leads", || {
        match (leads(env, a), leads(env, b)) {
            (true, false) => Some((a, b)),
            (false, true) => Some((b, a)),
            _ => None,
        }
    })
    .await
}

async fn lease_holder(env: &Env) -> Option<String> {
    let api: Api<Lease> = Api::namespaced(env.client.clone(), &env.ns);
    api.get_opt("segura-operator")
        .await
        .expect("get lease")
        .and_then(|l| l.spec)
        .and_then(|s| s.holder_identity)
}

/// (reason, reporting instance) of every Event on the Credential `name`.
async fn reporters(env: &Env, name: &str) -> Vec<(String, String)> {
    let api: Api<Event> = Api::namespaced(env.client.clone(), &env.ns);
    api.list(&Default::default())
        .await
        .expect("events")
        .items
        .into_iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name))
        .map(|e| {
            (
                e.reason.unwrap_or_default(),
                e.reporting_instance.unwrap_or_default(),
            )
        })
        .collect()
}

fn upserts(env: &Env) -> usize {
    env.sim.count(Endpoint::Upsert)
}

async fn readyz(env: &Env, i: usize) -> u16 {
    probe::get(env.operator(i).addr, "/readyz").await.0
}

async fn one_leader_reconciles(mut env: Env) {
    env.put_secret("app-pw", &[("password", "L3ader-Passw0rd!")])
        .await;
    let pair = start_pair(&mut env).await;
    let (leader, follower) = one_leader(&env, pair).await;
    let leader_id = ["a", "b"][leader];
    assert_eq!(lease_holder(&env).await.as_deref(), Some(leader_id));
    for (i, want) in [(leader, 1.0), (follower, 0.0)] {
        let addr = env.operator(i).addr;
        let mut got = None;
        for _ in 0..100 {
            got = probe::leader_gauge(addr).await;
            if got == Some(want) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(got, Some(want), "segura_operator_leader of instance {i}");
    }
    // The standby is ready (it can take over at once); the leader once its caches synced.
    assert_eq!(readyz(&env, follower).await, 200, "standby is ready");
    let ready = env.operator(leader).handles.ready.clone();
    eventually("the leader is ready", || {
        ready
            .load(std::sync::atomic::Ordering::SeqCst)
            .then_some(())
    })
    .await;
    assert_eq!(readyz(&env, leader).await, 200);

    env.put_all_ready(3, |i| spec_of(&format!("lead-{i}")))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        upserts(&env),
        3,
        "one upsert per Credential: none synced twice"
    );
    for i in 0..3 {
        let events = reporters(&env, &format!("app-{i}")).await;
        assert!(!events.is_empty(), "app-{i} has Events");
        for (reason, by) in events {
            assert_eq!(
                by, leader_id,
                "app-{i}: {reason} reported by the leader only"
            );
        }
    }
    let lead = parse(&scrape(env.operator(leader).addr).await);
    let follow = parse(&scrape(env.operator(follower).addr).await);
    let synced = [("result", "synced")];
    assert_eq!(
        value(&lead, "segura_operator_reconciles_total", &synced),
        Some(3.0)
    );
    assert!(
        !follow
            .iter()
            .any(|s| s.name == "segura_operator_reconciles_total" && s.value > 0.0),
        "the standby reconciled nothing"
    );
    assert_eq!(
        value(&follow, "segura_operator_segura_requests_total", &[]),
        None,
        "the standby sent nothing to Segura"
    );
    env.finish().await;
}

async fn crash_hands_over_after_the_lease(mut env: Env) {
    env.put_secret("app-pw", &[("password", "L3ader-Passw0rd!")])
        .await;
    let pair = start_pair(&mut env).await;
    let (leader, follower) = one_leader(&env, pair).await;
    let follower_id = ["a", "b"][follower];
    env.put_credential("before", spec_of("crash-before")).await;
    env.wait_for("before", "Ready", is_synced).await;

    env.kill(leader);
    let killed = Instant::now();
    let lease = env.leader(follower_id).lease_duration;
    eventually("the standby takes over", || {
        leads(&env, follower).then_some(())
    })
    .await;
    let took = killed.elapsed();
    assert!(
        took <= lease + TAKEOVER_MARGIN,
        "took over after {took:?}, lease {lease:?}"
    );
    assert_eq!(lease_holder(&env).await.as_deref(), Some(follower_id));
    assert_eq!(
        probe::leader_gauge(env.operator(follower).addr).await,
        Some(1.0)
    );

    env.put_credential("after", spec_of("crash-after")).await;
    env.wait_for("after", "Ready", is_synced).await;
    let events = reporters(&env, "after").await;
    assert!(
        events
            .iter()
            .any(|(r, by)| r == "Created" && by == follower_id),
        "the new leader created it: {events:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The new leader found `before` in sync: one upsert per Credential in all.
    assert_eq!(upserts(&env), 2);
    env.finish().await;
}

async fn graceful_stop_hands_over_at_once(mut env: Env) {
    env.put_secret("app-pw", &[("password", "L3ader-Passw0rd!")])
        .await;
    let pair = start_pair(&mut env).await;
    let (leader, follower) = one_leader(&env, pair).await;
    let follower_id = ["a", "b"][follower];
    env.stop(leader).await.expect("a graceful stop is no error");
    let stopped = Instant::now();
    eventually("the standby takes over", || {
        leads(&env, follower).then_some(())
    })
    .await;
    let took = stopped.elapsed();
    // Released, so no waiting for the lease to expire: without the release this takes at
    // least the lease duration minus one retry period after the last renewal.
    let bound = env.leader(follower_id).lease_duration - Duration::from_secs(1);
    assert!(
        took < bound,
        "took over after {took:?}: was the lease released?"
    );
    assert_eq!(lease_holder(&env).await.as_deref(), Some(follower_id));
    env.put_credential("after", spec_of("graceful-after")).await;
    env.wait_for("after", "Ready", is_synced).await;
    assert_eq!(upserts(&env), 1);
    env.finish().await;
}

async fn lost_lease_exits(mut env: Env) {
    env.put_secret("app-pw", &[("password", "L3ader-Passw0rd!")])
        .await;
    let pair = start_pair(&mut env).await;
    let (leader, follower) = one_leader(&env, pair).await;
    let follower_id = ["a", "b"][follower];
    // Another holder takes the lease (as after a long pause of the leader's renewals).
    let api: Api<Lease> = Api::namespaced(env.client.clone(), &env.ns);
    let mut lease = api.get("segura-operator").await.expect("lease");
    let spec = lease.spec.as_mut().expect("lease spec");
    spec.holder_identity = Some("intruder".into());
    spec.renew_time = Some(MicroTime(Timestamp::now()));
    api.replace("segura-operator", &Default::default(), &lease)
        .await
        .expect("lease replaced");
    eventually("the old leader stops leading", || {
        (!leads(&env, leader)).then_some(())
    })
    .await;
    eventually("the old leader's run returns (the process exits)", || {
        env.exited(leader).then_some(())
    })
    .await;
    let err = env
        .stop(leader)
        .await
        .expect_err("losing the lease is an error");
    assert!(err.to_string().contains("lost leadership"), "{err}");
    // Once the intruder's lease expires, the standby leads and reconciles.
    eventually("the standby takes over", || {
        leads(&env, follower).then_some(())
    })
    .await;
    assert_eq!(lease_holder(&env).await.as_deref(), Some(follower_id));
    env.put_credential("after", spec_of("lost-after")).await;
    env.wait_for("after", "Ready", is_synced).await;
    env.finish().await;
}
