//! Restarts while an upsert is in flight: a crash (the simulator completes the request, the
//! status is never written) is healed by the next operator without a duplicate; a graceful stop
//! finishes the sync first.

use serde_json::json;

use segura_operator::simulator::{Endpoint, Faults};

use crate::harness::{Env, eventually, is_synced};
use crate::scenarios;

scenarios!(
    crash_mid_flight_leaves_no_duplicate,
    graceful_stop_finishes_the_sync,
);

/// Enough latency that a scenario can act while the upsert is in flight.
fn slow() -> Faults {
    Faults {
        latency_ms: 1500,
        ..Faults::default()
    }
}

/// Waits until `n` upserts are in flight (received, not yet answered).
async fn in_flight(env: &Env, n: usize) {
    eventually("upserts are in flight", || {
        let pending = env
            .upsert_records()
            .iter()
            .filter(|r| r.status == 0)
            .count();
        (pending == n).then_some(())
    })
    .await;
}

async fn crash_mid_flight_leaves_no_duplicate(mut env: Env) {
    env.sim.set_faults(slow());
    let first = env.start_default().await;
    env.put_credential(
        "with-id",
        json!({"identifier": "crash-with", "username": "svc-with",
               "hostname": "w2016", "ip": "10.66.33.15"}),
    )
    .await;
    env.put_credential(
        "without-id",
        json!({"username": "svc-without", "hostname": "w2016", "ip": "10.66.33.15"}),
    )
    .await;
    in_flight(&env, 2).await;
    env.kill(first);

    // Segura completes both requests; the operator never learns their answers.
    eventually("Segura completes the upserts", || {
        let done = env.upsert_records().iter().all(|r| r.status != 0);
        (done && env.sim.credentials().len() == 2).then_some(())
    })
    .await;
    for name in ["with-id", "without-id"] {
        let c = env.creds().get(name).await.expect("get");
        assert_eq!(
            c.status.and_then(|s| s.id),
            None,
            "{name}: no status written"
        );
    }

    env.sim.set_faults(Faults::default());
    env.start_default().await;
    for name in ["with-id", "without-id"] {
        let c = env.wait_for(name, "Ready", is_synced).await;
        let st = c.status.expect("status");
        let id = st.id.expect("id");
        let stored = env
            .sim
            .credential(&id)
            .expect("the status names Segura's credential");
        assert_eq!(st.identifier.as_deref(), Some(stored.identifier.as_str()));
    }
    assert_eq!(
        env.sim.credentials().len(),
        2,
        "one credential in Segura per Credential"
    );
    let without = env.creds().get("without-id").await.expect("get");
    let generated = without
        .status
        .and_then(|s| s.identifier)
        .expect("identifier");
    assert_eq!(
        generated.len(),
        36,
        "the identifier Segura generated: {generated}"
    );
    assert_eq!(
        env.sim.count(Endpoint::Upsert),
        4,
        "one upsert per Credential and run"
    );
    env.finish().await;
}

async fn graceful_stop_finishes_the_sync(mut env: Env) {
    env.sim.set_faults(slow());
    let i = env.start_default().await;
    env.put_credential(
        "graceful",
        json!({"identifier": "graceful", "username": "svc-graceful",
               "hostname": "w2016", "ip": "10.66.33.15"}),
    )
    .await;
    in_flight(&env, 1).await;
    env.stop(i).await.expect("a clean stop");

    // Nothing runs any more: what is stored is what the stopping operator wrote.
    let c = env.creds().get("graceful").await.expect("get");
    assert!(
        is_synced(&c),
        "status written before the stop: {:?}",
        c.status
    );
    let stored = env.sim.credential("graceful").expect("in Segura");
    assert_eq!(
        c.status.and_then(|s| s.id).as_deref(),
        Some(stored.id.as_str())
    );
    assert_eq!(env.sim.count(Endpoint::Upsert), 1);
    env.finish().await;
}
