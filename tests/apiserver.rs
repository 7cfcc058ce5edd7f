//! The loopback API server against the exchanges recorded from a real one (`fixtures/kube-wire`,
//! a copy of `/work/shared/kube-wire`), and driven by the real `kube::Client`.

#[path = "support/apiserver/mod.rs"]
mod apiserver;

use std::path::PathBuf;

use apiserver::{ApiServer, Rule};
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

// ---- driven by the real kube::Client ----

use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::watcher::{self, Event as WatchEvent};
use segura_operator::crd::{Credential, FINALIZER};

fn credential(name: &str) -> Credential {
    serde_json::from_value(json!({
        "apiVersion": "pam.segura.io/v1alpha1", "kind": "Credential",
        "metadata": {"name": name},
        "spec": {"username": "svc", "hostname": "w2016", "ip": "10.66.33.15", "identifier": name}
    }))
    .expect("a Credential")
}

fn api_code(err: &kube::Error) -> u16 {
    match err {
        kube::Error::Api(s) => s.code,
        other => panic!("not an API error: {other:?}"),
    }
}

/// Waits (up to 5 s) until `f` holds.
async fn eventually(what: &str, f: impl Fn() -> bool) {
    for _ in 0..100 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test]
async fn credential_crud_with_kube_client() {
    let server = ApiServer::start().await;
    let creds: Api<Credential> = Api::namespaced(server.client(), "team-a");
    let pp = PostParams::default();

    let created = creds.create(&pp, &credential("a")).await.expect("created");
    assert_eq!(created.metadata.generation, Some(1));
    assert!(created.metadata.uid.is_some() && created.metadata.creation_timestamp.is_some());
    assert_eq!(
        api_code(
            &creds
                .create(&pp, &credential("a"))
                .await
                .expect_err("exists")
        ),
        409
    );
    let mut bad = credential("b");
    bad.spec.identifier = Some("bad id!".into());
    let err = creds.create(&pp, &bad).await.expect_err("invalid");
    assert_eq!(api_code(&err), 422);

    let got = creds.get("a").await.expect("get");
    assert_eq!(
        got.metadata.resource_version,
        created.metadata.resource_version
    );
    assert_eq!(
        creds
            .list(&ListParams::default())
            .await
            .expect("list")
            .items
            .len(),
        1
    );
    let by_name = ListParams::default().fields("metadata.name=nope");
    assert!(creds.list(&by_name).await.expect("list").items.is_empty());
    assert_eq!(api_code(&creds.get("missing").await.expect_err("404")), 404);

    // replace: spec change bumps generation; a stale resourceVersion is a conflict.
    let mut changed = got.clone();
    changed.spec.username = "svc2".into();
    let replaced = creds.replace("a", &pp, &changed).await.expect("replaced");
    assert_eq!(replaced.metadata.generation, Some(2));
    assert_eq!(
        api_code(&creds.replace("a", &pp, &changed).await.expect_err("stale")),
        409
    );

    // status through server-side apply: no generation bump, spec untouched; again = no-op.
    let ssa = PatchParams::apply("segura-operator").force();
    let status = json!({"apiVersion": "pam.segura.io/v1alpha1", "kind": "Credential",
        "status": {"id": "152", "observedGeneration": 2}});
    let patched = creds
        .patch_status("a", &ssa, &Patch::Apply(&status))
        .await
        .expect("status applied");
    assert_eq!(patched.metadata.generation, Some(2));
    assert_eq!(
        patched.status.as_ref().and_then(|s| s.id.as_deref()),
        Some("152")
    );
    assert_eq!(patched.spec.username, "svc2");
    let again = creds
        .patch_status("a", &ssa, &Patch::Apply(&status))
        .await
        .expect("re-applied");
    assert_eq!(
        again.metadata.resource_version, patched.metadata.resource_version,
        "a no-op apply stores nothing"
    );
    // a field the manager stops applying goes away
    let fewer = json!({"apiVersion": "pam.segura.io/v1alpha1", "kind": "Credential", "status": {"id": "152"}});
    let pruned = creds
        .patch_status("a", &ssa, &Patch::Apply(&fewer))
        .await
        .expect("applied");
    assert_eq!(
        pruned.status.as_ref().and_then(|s| s.observed_generation),
        None
    );
    // writes to the main resource keep .status
    let merged = creds
        .patch(
            "a",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"id": "x"}, "metadata": {"labels": {"l": "v"}}})),
        )
        .await
        .expect("merge");
    assert_eq!(
        merged.status.as_ref().and_then(|s| s.id.as_deref()),
        Some("152")
    );
    assert_eq!(
        merged.metadata.generation,
        Some(2),
        "metadata-only writes keep generation"
    );
    assert_eq!(server.count("patch", "credentials", Some("status")), 3);
    assert_eq!(
        server.count_where(|r| r.is_patch_of("application/apply-patch")),
        3
    );

    // delete with a finalizer: marked, readable, gone when the finalizer is removed.
    let add = json!([{"op": "test", "path": "/metadata/finalizers", "value": null},
        {"op": "add", "path": "/metadata/finalizers", "value": [FINALIZER]}]);
    creds
        .patch(
            "a",
            &PatchParams::default(),
            &Patch::Json::<()>(serde_json::from_value(add).expect("a JSON patch")),
        )
        .await
        .expect("finalizer added");
    let deleting = creds
        .delete("a", &DeleteParams::default())
        .await
        .expect("delete");
    let obj = deleting.left().expect("the object, still there");
    assert!(obj.metadata.deletion_timestamp.is_some());
    assert_eq!(obj.metadata.generation, Some(3));
    assert!(
        creds
            .get("a")
            .await
            .expect("still readable")
            .metadata
            .deletion_timestamp
            .is_some()
    );
    let remove = json!([{"op": "test", "path": "/metadata/finalizers/0", "value": FINALIZER},
        {"op": "remove", "path": "/metadata/finalizers/0"}]);
    creds
        .patch(
            "a",
            &PatchParams::default(),
            &Patch::Json::<()>(serde_json::from_value(remove).expect("a JSON patch")),
        )
        .await
        .expect("finalizer removed");
    assert_eq!(api_code(&creds.get("a").await.expect_err("gone")), 404);

    // a plain delete answers with a Status
    creds.create(&pp, &credential("c")).await.expect("created");
    assert!(
        creds
            .delete("c", &DeleteParams::default())
            .await
            .expect("deleted")
            .is_right()
    );
}

#[tokio::test]
async fn watcher_sees_changes_and_survives_broken_watches() {
    let server = ApiServer::start().await;
    let creds: Api<Credential> = Api::namespaced(server.client(), "team-a");
    let pp = PostParams::default();
    creds.create(&pp, &credential("a")).await.expect("created");

    let mut stream = watcher::watcher(creds.clone(), watcher::Config::default()).boxed();
    let mut next = async || {
        loop {
            let ev = tokio::time::timeout(Duration::from_secs(5), stream.next())
                .await
                .expect("an event in time")
                .expect("the stream goes on");
            match ev {
                Ok(ev) => return ev,
                Err(_) => continue, // a broken watch shows as an error, then resumes
            }
        }
    };
    assert!(matches!(next().await, WatchEvent::Init));
    assert!(
        matches!(next().await, WatchEvent::InitApply(c) if c.metadata.name.as_deref() == Some("a"))
    );
    assert!(matches!(next().await, WatchEvent::InitDone));

    creds.create(&pp, &credential("b")).await.expect("created");
    assert!(
        matches!(next().await, WatchEvent::Apply(c) if c.metadata.name.as_deref() == Some("b"))
    );
    creds
        .patch(
            "b",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"username": "x"}})),
        )
        .await
        .expect("patched");
    assert!(matches!(next().await, WatchEvent::Apply(c) if c.spec.username == "x"));
    creds
        .delete("b", &DeleteParams::default())
        .await
        .expect("deleted");
    assert!(
        matches!(next().await, WatchEvent::Delete(c) if c.metadata.name.as_deref() == Some("b"))
    );

    // Break the watch: it resumes from its last version, and nothing is lost.
    eventually("a watch is open", || server.open_watches() == 1).await;
    server.break_watches();
    creds.create(&pp, &credential("c")).await.expect("created");
    assert!(
        matches!(next().await, WatchEvent::Apply(c) if c.metadata.name.as_deref() == Some("c"))
    );

    // Break it, write, and drop the history before it resumes (no await in between, on this
    // single-threaded runtime): its version is too old, 410, and the watcher lists again.
    eventually("a watch is open", || server.open_watches() == 1).await;
    server.break_watches();
    server.insert_json(
        "pam.segura.io",
        "credentials",
        serde_json::to_value(credential("d"))
            .map(|mut v| {
                v["metadata"]["namespace"] = json!("team-a");
                v
            })
            .expect("JSON"),
    );
    server.compact();
    assert!(matches!(next().await, WatchEvent::Init));
    let mut names = Vec::new();
    loop {
        match next().await {
            WatchEvent::InitApply(c) => names.push(c.metadata.name.expect("named")),
            WatchEvent::InitDone => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(names, ["a", "c", "d"]);
    assert!(server.count_where(|r| r.verb == "watch" && r.status == 200) >= 3);
}

#[tokio::test]
async fn metadata_watcher_over_secrets() {
    let server = ApiServer::start().await;
    let secrets: Api<Secret> = Api::namespaced(server.client(), "team-a");
    let secret: Secret = serde_json::from_value(
        json!({"metadata": {"name": "db-admin", "labels": {"app": "x"}},
        "stringData": {"password": "p"}, "data": {"k": "dg=="}}),
    )
    .expect("a Secret");
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .expect("created");

    let config = watcher::Config::default().labels("app=x");
    // kube 5's replacement for the deprecated `metadata_watcher`: same requests.
    let metas: Api<kube::core::PartialObjectMeta<Secret>> =
        Api::namespaced(server.client(), "team-a");
    let mut stream = watcher::watcher(metas, config).boxed();
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let ev = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
            .await
            .expect("in time")
            .expect("no error")
            .expect("an event");
        if let WatchEvent::InitApply(m) | WatchEvent::Apply(m) = &ev {
            seen.push(m.metadata.name.clone().expect("named"));
            if seen.len() == 1 {
                let other: Secret = serde_json::from_value(json!({"metadata": {"name": "other"}}))
                    .expect("a Secret");
                secrets
                    .create(&PostParams::default(), &other)
                    .await
                    .expect("created");
                let mut labelled = other.clone();
                labelled.metadata.name = Some("labelled".into());
                labelled.metadata.labels = Some([("app".to_string(), "x".to_string())].into());
                secrets
                    .create(&PostParams::default(), &labelled)
                    .await
                    .expect("created");
                secrets
                    .patch(
                        "other",
                        &PatchParams::default(),
                        &Patch::Merge(json!({"metadata": {"labels": {"app": "x"}}})),
                    )
                    .await
                    .expect("labelled");
                secrets
                    .patch(
                        "db-admin",
                        &PatchParams::default(),
                        &Patch::Merge(json!({"data": {"k": "dw=="}})),
                    )
                    .await
                    .expect("changed");
            }
        }
    }
    assert_eq!(seen, ["db-admin", "labelled", "other", "db-admin"]);
    let metadata_requests = server.count_where(|r| {
        r.accept
            .as_deref()
            .is_some_and(|a| a.contains("as=PartialObjectMetadata"))
    });
    assert!(
        metadata_requests >= 2,
        "list and watch ask for metadata only"
    );
}

#[tokio::test]
async fn recorder_publishes_events() {
    use kube::runtime::events::{Event, EventType, Recorder, Reporter};
    let server = ApiServer::start().await;
    let creds: Api<Credential> = Api::namespaced(server.client(), "team-a");
    let cred = creds
        .create(&PostParams::default(), &credential("a"))
        .await
        .expect("created");
    let reporter = Reporter {
        controller: "segura-operator".into(),
        instance: Some("segura-operator-0".into()),
    };
    let recorder = Recorder::new(server.client(), reporter);
    let ev = Event {
        type_: EventType::Normal,
        reason: "Created".into(),
        note: Some("created in Segura as id 152".into()),
        action: "Sync".into(),
        secondary: None,
    };
    let reference = kube::Resource::object_ref(&cred, &());
    recorder.publish(&ev, &reference).await.expect("published");
    recorder
        .publish(&ev, &reference)
        .await
        .expect("published again (a series)");
    let events = server.list::<k8s_openapi::api::events::v1::Event>(Some("team-a"));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["reason"], "Created");
    assert_eq!(events[0]["regarding"]["name"], "a");
    assert_eq!(events[0]["series"]["count"], 2);
    assert_eq!(server.count("create", "events", None), 1);
    assert_eq!(server.count("patch", "events", None), 1);
}

#[tokio::test]
async fn lease_create_and_replace() {
    let server = ApiServer::start().await;
    let leases: Api<Lease> = Api::default_namespaced(server.client());
    let lease: Lease = serde_json::from_value(json!({"metadata": {"name": "segura-operator"},
        "spec": {"holderIdentity": "pod-a", "leaseDurationSeconds": 15}}))
    .expect("a Lease");
    let created = leases
        .create(&PostParams::default(), &lease)
        .await
        .expect("created");
    assert_eq!(created.metadata.namespace.as_deref(), Some("default"));
    assert_eq!(created.metadata.generation, None);
    let mut renewed = created.clone();
    renewed.spec.as_mut().expect("spec").holder_identity = Some("pod-b".into());
    let replaced = leases
        .replace("segura-operator", &PostParams::default(), &renewed)
        .await
        .expect("replaced");
    assert_eq!(
        replaced.spec.and_then(|s| s.holder_identity).as_deref(),
        Some("pod-b")
    );
    let err = leases
        .replace("segura-operator", &PostParams::default(), &renewed)
        .await
        .expect_err("stale");
    assert_eq!(api_code(&err), 409);
    assert_eq!(
        server
            .get::<Lease>("default", "segura-operator")
            .expect("stored")["spec"]["holderIdentity"],
        "pod-b"
    );
}

#[tokio::test]
async fn controller_with_finalizer_runs_end_to_end() {
    use kube::runtime::controller::{Action, Controller};
    use kube::runtime::finalizer::{Event as Finalizer, finalizer};

    let server = ApiServer::start().await;
    let client = server.client();
    let creds: Api<Credential> = Api::namespaced(client.clone(), "team-a");

    async fn reconcile(
        obj: Arc<Credential>,
        api: Arc<Api<Credential>>,
    ) -> Result<Action, kube::runtime::finalizer::Error<kube::Error>> {
        let inner = api.clone();
        finalizer(&api, FINALIZER, obj, |event| async move {
            match event {
                Finalizer::Apply(obj) => {
                    let status = json!({"apiVersion": "pam.segura.io/v1alpha1", "kind": "Credential",
                        "status": {"id": "152", "observedGeneration": obj.metadata.generation}});
                    let name = obj.metadata.name.clone().expect("named");
                    inner
                        .patch_status(&name, &PatchParams::apply("segura-operator").force(), &Patch::Apply(&status))
                        .await?;
                    Ok(Action::await_change())
                }
                Finalizer::Cleanup(_) => Ok(Action::await_change()),
            }
        })
        .await
    }
    fn error_policy(
        _: Arc<Credential>,
        _: &kube::runtime::finalizer::Error<kube::Error>,
        _: Arc<Api<Credential>>,
    ) -> Action {
        Action::requeue(Duration::from_millis(200))
    }
    let controller = tokio::spawn(
        Controller::new(creds.clone(), watcher::Config::default())
            .run(reconcile, error_policy, Arc::new(creds.clone()))
            .for_each(|_| async {}),
    );

    creds
        .create(&PostParams::default(), &credential("a"))
        .await
        .expect("created");
    eventually("finalizer and status", || {
        server.get::<Credential>("team-a", "a").is_some_and(|o| {
            o["metadata"]["finalizers"][0] == FINALIZER && o["status"]["id"] == "152"
        })
    })
    .await;
    // Settled: no hot loop of writes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let writes = server.count_where(|r| r.verb == "patch");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        server.count_where(|r| r.verb == "patch"),
        writes,
        "the controller settles"
    );

    creds
        .delete("a", &DeleteParams::default())
        .await
        .expect("deleted");
    eventually("gone", || server.get::<Credential>("team-a", "a").is_none()).await;
    controller.abort();
}

#[tokio::test]
async fn pages_streaming_lists_and_selectors() {
    let server = ApiServer::start().await;
    let creds: Api<Credential> = Api::namespaced(server.client(), "team-a");
    for name in ["a", "b", "c"] {
        creds
            .create(&PostParams::default(), &credential(name))
            .await
            .expect("created");
    }
    // Pages: limit + continue, consistent at the first page's version.
    let first = creds
        .list(&ListParams::default().limit(2))
        .await
        .expect("page 1");
    assert_eq!(first.items.len(), 2);
    let token = first.metadata.continue_.clone().expect("a continue token");
    creds
        .delete("c", &DeleteParams::default())
        .await
        .expect("deleted");
    let second = creds
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .expect("page 2");
    assert_eq!(
        second.items[0].metadata.name.as_deref(),
        Some("c"),
        "the snapshot of page 1"
    );
    assert_eq!(second.metadata.continue_.as_deref(), Some(""));

    // The watcher's paged initial list and its streaming-list mode both see a and b.
    for config in [
        watcher::Config::default().page_size(1),
        watcher::Config::default().streaming_lists(),
    ] {
        let mut stream = watcher::watcher(creds.clone(), config).boxed();
        let mut names = Vec::new();
        loop {
            let ev = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
                .await
                .expect("in time")
                .expect("no error")
                .expect("an event");
            match ev {
                WatchEvent::InitApply(c) => names.push(c.metadata.name.expect("named")),
                WatchEvent::InitDone => break,
                _ => {}
            }
        }
        assert_eq!(names, ["a", "b"]);
    }
    assert!(server.count_where(|r| r.query.contains("sendInitialEvents=true")) == 1);

    // Label selectors on lists.
    creds
        .patch(
            "a",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"tier": "db"}}})),
        )
        .await
        .expect("labelled");
    for (selector, want) in [
        ("tier=db", 1),
        ("tier!=db", 1),
        ("tier in (db,web)", 1),
        ("!tier", 1),
        ("tier", 1),
    ] {
        let got = creds
            .list(&ListParams::default().labels(selector))
            .await
            .expect("list");
        assert_eq!(got.items.len(), want, "{selector}");
    }
    let all: Api<Credential> = Api::all(server.client());
    assert_eq!(
        all.list(&ListParams::default())
            .await
            .expect("all namespaces")
            .items
            .len(),
        2
    );
}
