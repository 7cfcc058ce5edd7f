//! The Kubernetes side of a scenario: Secrets and Credentials of its namespace, waiting for
//! their states, and the Events on them.

use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::events::v1::Event;
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams};
use serde_json::{Value, json};

use segura_operator::crd::Credential;

use crate::harness::{Env, WAIT};

impl Env {
    /// Credentials of the namespace.
    pub fn creds(&self) -> Api<Credential> {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    /// Creates or replaces a Secret with string data.
    pub async fn put_secret(&self, name: &str, data: &[(&str, &str)]) {
        let data: serde_json::Map<String, Value> = data
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect();
        let secret: Secret = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": self.ns},
            "stringData": data,
        }))
        .expect("secret");
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &self.ns);
        api.patch(
            name,
            &PatchParams::apply("segura-e2e").force(),
            &Patch::Apply(&secret),
        )
        .await
        .expect("secret applies");
    }

    /// Creates or updates a Credential from its spec.
    pub async fn put_credential(&self, name: &str, spec: Value) -> Credential {
        let obj = json!({
            "apiVersion": "pam.segura.io/v1alpha1", "kind": "Credential",
            "metadata": {"name": name, "namespace": self.ns},
            "spec": spec,
        });
        self.creds()
            .patch(
                name,
                &PatchParams::apply("segura-e2e").force(),
                &Patch::Apply(&obj),
            )
            .await
            .expect("credential applies")
    }

    /// Deletes a Credential.
    pub async fn delete_credential(&self, name: &str) {
        self.creds()
            .delete(name, &DeleteParams::default())
            .await
            .expect("delete");
    }

    /// Waits until the Credential satisfies `pred`; returns it.
    pub async fn wait_for(
        &self,
        name: &str,
        what: &str,
        pred: impl Fn(&Credential) -> bool,
    ) -> Credential {
        let api = self.creds();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let c = api.get_opt(name).await.expect("get credential");
            if let Some(c) = c {
                if pred(&c) {
                    return c;
                }
                if tokio::time::Instant::now() > deadline {
                    panic!(
                        "{name}: timed out waiting for {what}; status: {:?}",
                        c.status
                    );
                }
            } else if tokio::time::Instant::now() > deadline {
                panic!("{name}: timed out waiting for {what}; it does not exist");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the Credential is gone.
    pub async fn wait_gone(&self, name: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.creds().get_opt(name).await.expect("get").is_some() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{name} was not deleted"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Events on a Credential (reason, note, type), oldest first.
    pub async fn events(&self, name: &str) -> Vec<(String, String, String)> {
        let api: Api<Event> = Api::namespaced(self.client.clone(), &self.ns);
        let mut list: Vec<Event> = api
            .list(&Default::default())
            .await
            .expect("events")
            .items
            .into_iter()
            .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name))
            .collect();
        list.sort_by_key(|e| {
            e.metadata
                .resource_version
                .clone()
                .unwrap_or_default()
                .parse::<u64>()
                .unwrap_or(0)
        });
        list.into_iter()
            .map(|e| {
                (
                    e.reason.unwrap_or_default(),
                    e.note.unwrap_or_default(),
                    e.type_.unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Creates `app-0..count` from `spec(i)` and waits until every one is Ready.
    pub async fn put_all_ready(&self, count: usize, spec: impl Fn(usize) -> Value) {
        for i in 0..count {
            self.put_credential(&format!("app-{i}"), spec(i)).await;
        }
        for i in 0..count {
            self.wait_for(&format!("app-{i}"), "Ready", crate::harness::is_synced)
                .await;
        }
    }
}
