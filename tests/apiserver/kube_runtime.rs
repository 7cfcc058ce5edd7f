//! Events, Leases, a Controller with a finalizer, pages and selectors.

use crate::apiserver::ApiServer;
use crate::kube_common::*;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::watcher::{self, Event as WatchEvent};
use segura_operator::crd::{Credential, FINALIZER};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

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
