//! Replays of the exchanges recorded from a real API server, and RBAC.

use std::path::PathBuf;

use crate::apiserver::{ApiServer, Rule};
use axum::http;
use serde_json::{Value, json};

/// One recorded exchange.
struct Recording {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    status: u16,
    /// Parsed body, or the watch lines as an array.
    response: Value,
}

fn recording(file: &str) -> Recording {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kube-wire")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("the recording exists");
    let v: Value = serde_json::from_str(&text).expect("a recording is JSON");
    let req = &v["request"];
    let resp = &v["response"];
    let response = match resp.get("lines") {
        Some(lines) => Value::Array(
            lines
                .as_array()
                .expect("lines")
                .iter()
                .map(|l| serde_json::from_str(l.as_str().expect("a line")).expect("a JSON line"))
                .collect(),
        ),
        None => serde_json::from_str(resp["body"].as_str().expect("a body")).expect("a JSON body"),
    };
    Recording {
        method: req["method"].as_str().expect("method").into(),
        path: req["path"].as_str().expect("path").into(),
        headers: req["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().into()))
                    .collect()
            })
            .unwrap_or_default(),
        body: req["body"].as_str().map(String::from),
        status: resp["status"].as_u64().expect("status") as u16,
        response,
    }
}

/// Sends a recording's request (path rewritten by `fix`) and returns status and parsed body
/// (for a watch, the array of events).
async fn send(
    client: &kube::Client,
    rec: &Recording,
    fix: impl Fn(&str) -> String,
) -> (u16, Value) {
    let mut req = http::Request::builder()
        .method(rec.method.as_str())
        .uri(fix(&rec.path));
    for (k, v) in &rec.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let body = rec.body.clone().unwrap_or_default().into_bytes();
    let resp = client
        .send(req.body(kube::client::Body::from(body)).expect("a request"))
        .await
        .expect("the server answers");
    let status = resp.status().as_u16();
    let bytes = resp
        .into_body()
        .collect_bytes()
        .await
        .expect("a whole body");
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    let value = if rec.path.contains("watch=") {
        Value::Array(
            text.lines()
                .map(|l| serde_json::from_str(l).expect("a JSON line"))
                .collect(),
        )
    } else {
        serde_json::from_str(&text).expect("a JSON body")
    };
    (status, value)
}

/// The parts of an answer that matter for the wire behaviour.
fn shape(v: &Value) -> Value {
    let m = &v["metadata"];
    let mut causes: Vec<&str> = v["details"]["causes"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["field"].as_str()).collect())
        .unwrap_or_default();
    causes.retain(|f| *f != "<nil>");
    json!({
        "kind": v["kind"],
        "apiVersion": v["apiVersion"],
        "status": if v["kind"] == "Status" { v["status"].clone() } else { Value::Null },
        "reason": v["reason"],
        "code": v["code"],
        "causes": causes,
        "name": m["name"],
        "generation": m["generation"],
        "deleting": m.get("deletionTimestamp").is_some(),
        "grace": m["deletionGracePeriodSeconds"],
        "finalizers": m["finalizers"],
        "spec": v["spec"],
        "status.id": v["status"]["id"],
        "hasData": v.get("data").is_some(),
        "items": v["items"].as_array().map(|i| i.iter().map(shape).collect::<Vec<_>>()),
        "list.hasRV": v["kind"].as_str().is_some_and(|k| k.ends_with("List")) && m["resourceVersion"].is_string(),
    })
}

/// A watch stream's events: type and shape.
fn events(v: &Value) -> Vec<(String, Value)> {
    v.as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["type"].as_str().expect("a type").to_string(),
                shape(&e["object"]),
            )
        })
        .collect()
}

async fn check(client: &kube::Client, file: &str, fix: impl Fn(&str) -> String) -> Value {
    let rec = recording(file);
    let (status, got) = send(client, &rec, fix).await;
    assert_eq!(status, rec.status, "{file}: status; got {got}");
    if rec.path.contains("watch=") {
        assert_eq!(events(&got), events(&rec.response), "{file}: events");
    } else {
        assert_eq!(
            shape(&got),
            shape(&rec.response),
            "{file}: shape; got {got}"
        );
    }
    got
}

fn same(p: &str) -> String {
    p.to_string()
}

#[tokio::test]
async fn replays_the_recorded_exchanges() {
    let server = ApiServer::start().await;
    let client = server.client();

    check(&client, "01-create.json", same).await;
    let after_create = server.resource_version();
    check(&client, "02-get.json", same).await;
    check(&client, "03-list.json", same).await;
    check(&client, "04-create-already-exists.json", same).await;
    let got = check(&client, "05-create-invalid-cel.json", same).await;
    assert_eq!(got["details"]["causes"][0]["field"], "spec.identifier");
    let got = check(&client, "06-create-invalid-required.json", same).await;
    assert_eq!(got["details"]["causes"][2]["field"], "<nil>");
    check(&client, "07-get-not-found.json", same).await;
    check(&client, "08-update-conflict.json", same).await;
    check(&client, "09-merge-patch-spec.json", same).await;
    check(&client, "10-json-patch-spec.json", same).await;
    check(&client, "11-apply-patch-status.json", same).await;
    let got = check(&client, "12-merge-patch-status-invalid.json", same).await;
    assert_eq!(got["details"]["causes"][1]["field"], "<nil>");
    check(&client, "13-add-finalizer.json", same).await;
    // `c` appears in the recorded watch between 13 and 14.
    let c = json!({"apiVersion": "pam.segura.io/v1alpha1", "kind": "Credential",
        "metadata": {"name": "c", "namespace": "team-a"},
        "spec": {"hostname": "w2016", "ip": "10.66.33.15", "username": "svc"}});
    server.insert_json("pam.segura.io", "credentials", c);
    let before_delete = server.resource_version();
    check(&client, "14-delete-with-finalizer.json", same).await;
    check(&client, "15-get-while-deleting.json", same).await;
    let got = check(&client, "16-remove-finalizer.json", same).await;
    assert_eq!(
        got["metadata"]["resourceVersion"],
        (before_delete + 1).to_string(),
        "16: the update is not stored"
    );
    assert!(
        server
            .get_raw("pam.segura.io", "credentials", "team-a", "a")
            .is_none(),
        "16: a is gone"
    );
    check(&client, "17-delete-plain.json", same).await;

    let rv = after_create.to_string();
    let fix = |p: &str| p.replace("resourceVersion=496", &format!("resourceVersion={rv}"));
    let got = check(&client, "18-watch-stream.json", |p| {
        fix(p).replace("timeoutSeconds=12", "timeoutSeconds=1")
    })
    .await;
    let last = got.as_array().and_then(|a| a.last()).expect("a bookmark");
    assert_eq!(
        last["object"]["metadata"]["resourceVersion"],
        server.resource_version().to_string()
    );
    check(&client, "26-watch-too-old.json", |p| {
        fix(p).replace("timeoutSeconds=5", "timeoutSeconds=1")
    })
    .await;

    // Secrets: a metadata-only list, then a full get.
    let secret = recording("20-secret-get.json").response;
    let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(client.clone(), "team-a");
    secrets
        .create(
            &Default::default(),
            &serde_json::from_value(
                json!({"metadata": {"name": "db-admin"}, "data": secret["data"], "type": "Opaque"}),
            )
            .expect("a Secret"),
        )
        .await
        .expect("secret created");
    let got = check(&client, "19-secrets-metadata-list.json", same).await;
    assert!(got["items"][0].get("data").is_none());
    check(&client, "20-secret-get.json", same).await;
    check(&client, "21-event-create.json", same).await;
    check(&client, "22-lease-create.json", same).await;

    // Too old once the watch cache no longer holds the version.
    server.compact();
    check(&client, "27-list-too-old.json", fix).await;
    check(&client, "28-watch-expired-410.json", |p| {
        p.replace("timeoutSeconds=3", "timeoutSeconds=1")
    })
    .await;

    server.enable_auth();
    server.add_user("nobody-token", "nobody", vec![]);
    let got = check(&client, "23-anonymous-forbidden.json", same).await;
    assert_eq!(
        got["message"],
        recording("23-anonymous-forbidden.json").response["message"]
    );
    check(
        &server.client_with_token("not-a-token"),
        "24-bad-token-unauthorized.json",
        same,
    )
    .await;
    let got = check(
        &server.client_with_token("nobody-token"),
        "25-user-without-rbac.json",
        same,
    )
    .await;
    assert_eq!(
        got["message"],
        recording("25-user-without-rbac.json").response["message"]
    );
}

#[tokio::test]
async fn rbac_rules_allow_what_they_name() {
    let server = ApiServer::start().await;
    server.enable_auth();
    server.add_user(
        "op",
        "system:serviceaccount:segura:operator",
        vec![
            Rule::new("pam.segura.io", "credentials", &["get", "list", "watch"])
                .in_namespace("team-a"),
            Rule::new("pam.segura.io", "credentials/status", &["patch"]),
        ],
    );
    let client = server.client_with_token("op");
    let creds: kube::Api<segura_operator::crd::Credential> =
        kube::Api::namespaced(client.clone(), "team-a");
    assert!(creds.list(&Default::default()).await.is_ok());
    let other: kube::Api<segura_operator::crd::Credential> =
        kube::Api::namespaced(client.clone(), "team-b");
    let err = other
        .list(&Default::default())
        .await
        .expect_err("not in team-b");
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 403),
        "{err:?}"
    );
    let err = creds
        .delete("a", &Default::default())
        .await
        .expect_err("no delete");
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 403 && s.message.contains("cannot delete resource \"credentials\"")),
        "{err:?}"
    );
    assert_eq!(server.count_where(|r| r.status == 403), 2);
}
