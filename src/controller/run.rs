//! Wiring of the kube-runtime `Controller`: Credentials (deserialized behind a guard, so one bad
//! object cannot stop the controller), Secrets watched as metadata only and mapped to the
//! Credentials that reference them, bounded concurrency, graceful shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kube::core::{DeserializeGuard, PartialObjectMeta};
use kube::runtime::controller::{Action, Config as ControllerConfig, Controller};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher;
use kube::{Api, ResourceExt};
use tokio::sync::watch;

use super::cleanup::deletion_key;
use super::context::{Context, Error};
use super::reconcile::reconcile;
use super::report::{publish, reference};
use crate::crd::Credential;
use crate::segura::api::ErrorClass;

/// The Credential as the controller sees it: parsed, or the reason it could not be.
pub type Guarded = DeserializeGuard<Credential>;

/// Runs one controller per watched namespace (all namespaces when the list is empty) until
/// `shutdown` turns true; in-flight reconciles finish first. `ready` turns true once every
/// controller's cache has synced.
pub async fn run(
    ctx: Arc<Context>,
    namespaces: &[String],
    concurrency: u16,
    shutdown: watch::Receiver<bool>,
    ready: Arc<AtomicBool>,
) {
    let scopes: Vec<Option<String>> = if namespaces.iter().all(|n| n.trim().is_empty()) {
        vec![None]
    } else {
        namespaces
            .iter()
            .filter(|n| !n.trim().is_empty())
            .map(|n| Some(n.trim().to_string()))
            .collect()
    };
    let mut stores = Vec::new();
    let mut runs = Vec::new();
    for scope in scopes {
        let (store, fut) = controller(ctx.clone(), scope, concurrency, shutdown.clone());
        stores.push(store);
        runs.push(fut);
    }
    let readiness = async move {
        for store in stores {
            if store.wait_until_ready().await.is_err() {
                return;
            }
        }
        ready.store(true, Ordering::SeqCst);
    };
    tokio::join!(futures::future::join_all(runs), readiness);
}

fn controller(
    ctx: Arc<Context>,
    namespace: Option<String>,
    concurrency: u16,
    mut shutdown: watch::Receiver<bool>,
) -> (Store<Guarded>, impl Future<Output = ()>) {
    let client = ctx.client.clone();
    let (creds, secrets): (Api<Guarded>, Api<PartialObjectMeta<Secret>>) = match &namespace {
        Some(ns) => (
            Api::namespaced(client.clone(), ns),
            Api::namespaced(client, ns),
        ),
        None => (Api::all(client.clone()), Api::all(client)),
    };
    let controller = Controller::new(creds, watcher::Config::default().any_semantic())
        .with_config(ControllerConfig::default().concurrency(concurrency));
    let store = controller.store();
    let lookup = store.clone();
    let controller = controller
        .watches(secrets, watcher::Config::default(), move |secret| {
            referencing(&lookup, &secret)
        })
        .graceful_shutdown_on(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        });
    let fut = async move {
        controller
            .run(reconcile_guarded, error_policy, ctx)
            .for_each(|res| async move {
                if let Err(e) = res {
                    tracing::debug!(error = %e, "controller event");
                }
            })
            .await;
    };
    (store, fut)
}

/// The Credentials (in the Secret's namespace) that reference the Secret.
fn referencing(
    store: &Store<Guarded>,
    secret: &PartialObjectMeta<Secret>,
) -> Vec<ObjectRef<Guarded>> {
    let ns = secret.namespace();
    let name = secret.name_any();
    store
        .state()
        .into_iter()
        .filter(|g| match &g.0 {
            Ok(c) => c.namespace() == ns && c.secret_names().contains(&name),
            Err(_) => false,
        })
        .map(|g| ObjectRef::from_obj(&*g))
        .collect()
}

async fn reconcile_guarded(guard: Arc<Guarded>, ctx: Arc<Context>) -> Result<Action, Error> {
    match &guard.0 {
        Ok(cred) => {
            let result = reconcile(Arc::new(cred.clone()), ctx.clone()).await;
            // A failure the reconcile could not write into the status (a refused status patch,
            // a finalizer that cannot be added) is shown as a Warning Event, not only logged.
            if let Err(e) = &result
                && let Some(reason) = e.event_reason()
            {
                publish(&ctx, &reference(cred), true, reason, "Sync", e.to_string()).await;
            }
            result
        }
        Err(invalid) => {
            let start = Instant::now();
            let meta = &invalid.metadata;
            tracing::warn!(
                namespace = meta.namespace.as_deref().unwrap_or_default(),
                name = meta.name.as_deref().unwrap_or_default(),
                error = %invalid.error,
                "Credential could not be read"
            );
            let reference = k8s_openapi::api::core::v1::ObjectReference {
                api_version: Some("pam.segura.io/v1alpha1".into()),
                kind: Some("Credential".into()),
                name: meta.name.clone(),
                namespace: meta.namespace.clone(),
                uid: meta.uid.clone(),
                resource_version: meta.resource_version.clone(),
                ..Default::default()
            };
            let note = format!("Credential does not match the CRD: {}", invalid.error);
            publish(&ctx, &reference, true, "InvalidObject", "Sync", note).await;
            ctx.metrics.reconciled("invalid_object", start.elapsed());
            Ok(Action::await_change())
        }
    }
}

fn error_policy(guard: Arc<Guarded>, err: &Error, ctx: Arc<Context>) -> Action {
    let meta = match &guard.0 {
        Ok(c) => c.metadata.clone(),
        Err(invalid) => invalid.metadata.clone(),
    };
    let key = format!(
        "{}/{}",
        meta.namespace.unwrap_or_default(),
        meta.name.unwrap_or_default()
    );
    tracing::warn!(key, error = %err, "reconcile failed");
    // A failed deactivation records its own backoff (before its status write wakes the
    // object again): wait for what is left of it.
    if let Error::BackingOff(left) = innermost(err) {
        return Action::requeue(*left);
    }
    if let Error::Deactivation(_) = innermost(err)
        && let Some(left) = ctx.backoffs.wait_left(&deletion_key(&key), Instant::now())
    {
        return Action::requeue(left);
    }
    let (class, retry_after) = match innermost(err) {
        Error::Deactivation(e) => (e.class(), e.retry_after()),
        _ => (ErrorClass::Transient, None),
    };
    // Even a permanent-looking error keeps a finalizer retried now and then.
    let delay = ctx
        .backoffs
        .failure(&key, class, retry_after, Instant::now())
        .unwrap_or(Duration::from_secs(600));
    Action::requeue(delay)
}

/// The error under the finalizer's wrapping.
fn innermost(err: &Error) -> &Error {
    use kube::runtime::finalizer::Error as F;
    match err {
        Error::Finalizer(inner) => match inner.as_ref() {
            F::ApplyFailed(e) | F::CleanupFailed(e) => innermost(e),
            _ => err,
        },
        other => other,
    }
}
