//! Helpers of the tests that drive the loopback server with the real `kube::Client`.

use std::time::Duration;

use segura_operator::crd::Credential;
use serde_json::json;

pub fn credential(name: &str) -> Credential {
    serde_json::from_value(json!({
        "apiVersion": "pam.segura.io/v1alpha1", "kind": "Credential",
        "metadata": {"name": name},
        "spec": {"username": "svc", "hostname": "w2016", "ip": "10.66.33.15", "identifier": name}
    }))
    .expect("a Credential")
}

pub fn api_code(err: &kube::Error) -> u16 {
    match err {
        kube::Error::Api(s) => s.code,
        other => panic!("not an API error: {other:?}"),
    }
}

/// Waits (up to 5 s) until `f` holds.
pub async fn eventually(what: &str, f: impl Fn() -> bool) {
    for _ in 0..100 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}
