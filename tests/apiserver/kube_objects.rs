//! CRUD, watches and metadata watches with the real `kube::Client`.

use crate::apiserver::ApiServer;
use crate::kube_common::*;
use futures::StreamExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::watcher::{self, Event as WatchEvent};
use segura_operator::crd::{Credential, FINALIZER};
use serde_json::json;
use std::time::Duration;

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
