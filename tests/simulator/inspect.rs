//! The in-process inspection and the `/__simulator/` view, which redacts every secret.

use segura_operator::simulator::{DEMO_CLIENT_SECRET, Endpoint};
use serde_json::json;

use crate::support::{Harness, assert_created};

const PASSWORD: &str = "pa55-w0rd-value";
const TOTP: &str = "295B3LA1M6LRAHI2S7G1A36LMK6I4IWW";
const EXTRA: &str = "extra-auth-value";

#[tokio::test]
async fn http_view_redacts_secrets() {
    let h = Harness::demo().await;
    let (s, b) = h
        .upsert(&json!({
            "identifier": "secretive", "username": "u", "hostname": "API-Testing",
            "ip": "128.0.0.1", "content": PASSWORD,
            "additional_settings": [{"secret_key": TOTP, "criticality": "High",
                "additional_authentication_fields": [{"name": "n", "short_name": "s",
                                                      "value": EXTRA}]}]
        }))
        .await;
    assert_created(s, &b);

    // In process, everything is there.
    let c = h.sim.credential("secretive").expect("stored");
    assert_eq!(c.fields["content"], PASSWORD);
    assert_eq!(c.fields["additional_settings"][0]["secret_key"], TOTP);
    assert!(!format!("{c:?}").contains(PASSWORD), "Debug redacts");
    let everything = format!("{:?} {:?}", h.sim, h.sim.requests());
    for secret in [PASSWORD, TOTP, EXTRA, DEMO_CLIENT_SECRET, h.token.as_str()] {
        assert!(!everything.contains(secret), "Debug leaks {secret}");
    }

    for path in [
        "/__simulator/",
        "/__simulator/state",
        "/__simulator/requests",
        "/__simulator/faults",
    ] {
        let (s, view) = h.send(h.http.get(h.url(path))).await;
        assert_eq!(s, 200, "{path}");
        let text = view.to_string();
        for secret in [PASSWORD, TOTP, EXTRA, DEMO_CLIENT_SECRET, h.token.as_str()] {
            assert!(!text.contains(secret), "{path} leaks {secret}: {text}");
        }
    }
    let (_, state) = h.send(h.http.get(h.url("/__simulator/state"))).await;
    let cred = &state["credentials"][0];
    assert_eq!(cred["identifier"], "secretive");
    assert_eq!(cred["fields"]["content"], "<redacted>");
    assert_eq!(
        cred["fields"]["additional_settings"][0]["secret_key"],
        "<redacted>"
    );
    assert_eq!(
        cred["fields"]["additional_settings"][0]["criticality"],
        "High"
    );
    assert_eq!(
        cred["fields"]["additional_settings"][0]["additional_authentication_fields"][0]["value"],
        "<redacted>"
    );
    assert_eq!(state["counters"]["upsert"], 1);
    assert_eq!(state["counters"]["token"], 1);
    assert_eq!(
        state["clients"],
        json!([{"client_id": "demo-client", "permission": "read_write"}])
    );
    let (_, reqs) = h.send(h.http.get(h.url("/__simulator/requests"))).await;
    assert_eq!(reqs[1]["body"]["content"], "<redacted>");
    assert_eq!(reqs[1]["status"], 201);
}

#[tokio::test]
async fn counters_and_reset() {
    let h = Harness::demo().await;
    assert_eq!(h.sim.count(Endpoint::Token), 1);
    h.list().await;
    h.send(h.http.get(h.url("/__simulator/state"))).await;
    assert_eq!(h.sim.count(Endpoint::List), 1);
    // The inspection view is not recorded.
    assert!(
        h.sim
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/__simulator"))
    );
    let reqs = h.sim.requests();
    assert_eq!(
        reqs.last().map(|r| (r.method.as_str(), r.status)),
        Some(("GET", 200))
    );
    h.sim.reset_counters();
    assert_eq!(h.sim.count(Endpoint::List), 0);
    assert!(h.sim.requests().is_empty());
    let (s, _) = h.send(h.http.get(h.url("/nowhere"))).await;
    assert_eq!(s, 404);
    assert_eq!(h.sim.count(Endpoint::NotFound), 1);
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let h = Harness::demo().await;
    let url = h.url("/api/pam/credential");
    h.sim.shutdown().await;
    assert!(h.http.get(url).send().await.is_err());
}
