//! More of the environment: short retry delays, operators started with a configuration,
//! and what scenarios read back (upserts, Events) or change (labels).

use std::time::Duration;

use kube::api::{Patch, PatchParams};
use serde_json::{Value, json};

use segura_operator::controller::backoff::RetrySchedule;
use segura_operator::operator::OperatorConfig;
use segura_operator::simulator::{Endpoint, RequestRecord};

use crate::harness::{Env, WAIT};

/// Retry delays short enough that a scenario can watch an object heal (the shapes of the
/// default schedule, scaled down).
pub fn fast_retry() -> RetrySchedule {
    RetrySchedule {
        transient: (Duration::from_millis(300), Duration::from_secs(3)),
        authorization: (Duration::from_millis(500), Duration::from_secs(3)),
        missing_dependency: (Duration::from_secs(1), Duration::from_secs(4)),
    }
}

impl Env {
    /// The default configuration with [`fast_retry`] delays.
    pub fn fast_config(&self) -> OperatorConfig {
        OperatorConfig {
            retry: fast_retry(),
            ..self.config()
        }
    }

    /// Bodies of the upserts the simulator received (every answer), oldest first.
    pub fn upserts(&self) -> Vec<Value> {
        self.upsert_records().into_iter().map(|r| r.body).collect()
    }

    /// The upserts the simulator received, with the status it answered.
    pub fn upsert_records(&self) -> Vec<RequestRecord> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| r.endpoint == Endpoint::Upsert)
            .collect()
    }

    /// Warning Events on a Credential, as (reason, note).
    pub async fn warnings(&self, name: &str) -> Vec<(String, String)> {
        self.events(name)
            .await
            .into_iter()
            .filter(|(_, _, t)| t == "Warning")
            .map(|(r, n, _)| (r, n))
            .collect()
    }

    /// Waits for an Event of `reason` (and `kind`, `Normal` or `Warning`) on a Credential
    /// whose note holds `needle`; returns every Event of that reason, as (note, type).
    pub async fn wait_event(
        &self,
        name: &str,
        reason: &str,
        needle: &str,
    ) -> Vec<(String, String)> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let found: Vec<(String, String)> = self
                .events(name)
                .await
                .into_iter()
                .filter(|(r, _, _)| r == reason)
                .map(|(_, n, t)| (n, t))
                .collect();
            if found.iter().any(|(n, _)| n.contains(needle)) {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{name}: no {reason} Event with {needle:?}; Events: {:?}",
                self.events(name).await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Adds labels to a Credential (a metadata-only change: same generation).
    pub async fn label(&self, name: &str, key: &str, value: &str) {
        let patch = json!({"metadata": {"labels": {key: value}}});
        self.creds()
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .expect("labels patch");
    }
}
