//! The reconcile of one Credential: validate, read its Secrets, decide, upsert, report.
//! Deciding is pure (see `decide`, `status`); this file only does the I/O around it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event as FinalizerEvent, finalizer};
use kube::{Api, ResourceExt};

use super::cleanup::cleanup;
use super::conditions::{REASON_INVALID_SPEC, REASON_SECRET_NOT_FOUND, Readiness};
use super::context::{Context, Error};
use super::decide::{Decision, SyncPlan, decide};
use super::fingerprint::{SecretVersion, secrets_fingerprint, spec_fingerprint};
use super::report::{condition_changed, ns_name, patch_status, publish, reference};
use super::status::{Applied, NO_SEGURA_CODE, failure_status, success_status};
use crate::crd::validate::{describe, validate_spec};
use crate::crd::{Credential, FINALIZER};
use crate::resolve::resolve_secrets;
use crate::segura::body::request_body;
use crate::segura::error::SeguraError;

/// Reconciles one Credential (through the finalizer: apply, or clean up on deletion).
pub async fn reconcile(cred: Arc<Credential>, ctx: Arc<Context>) -> Result<Action, Error> {
    let start = Instant::now();
    let (ns, _) = ns_name(&cred)?;
    let api: Api<Credential> = Api::namespaced(ctx.client.clone(), &ns);
    let result = finalizer(&api, FINALIZER, cred, |event| async {
        match event {
            FinalizerEvent::Apply(c) => apply(&c, &ctx).await,
            FinalizerEvent::Cleanup(c) => cleanup(&c, &ctx).await,
        }
    })
    .await
    .map_err(|e| Error::Finalizer(Box::new(e)));
    if let Err(e) = &result {
        ctx.metrics.reconciled(e.label(), start.elapsed());
    }
    result
}

/// Jittered periodic resync: the interval plus up to a tenth of it.
pub fn jittered(interval: Duration) -> Duration {
    let tenth = interval.as_millis() as u64 / 10;
    interval + Duration::from_millis(fastrand::u64(0..=tenth))
}

fn now() -> Time {
    Time(Timestamp::now())
}

/// Brings one live Credential in sync.
async fn apply(cred: &Credential, ctx: &Context) -> Result<Action, Error> {
    let start = Instant::now();
    let (ns, name) = ns_name(cred)?;
    let key = format!("{ns}/{name}");
    let generation = cred.metadata.generation;
    let status = cred.status.as_ref();

    let violations = validate_spec(&cred.spec);
    if !violations.is_empty() {
        let message = describe(&violations);
        let readiness = Readiness::failed(REASON_INVALID_SPEC, message);
        fail(ctx, cred, &key, &readiness, NO_SEGURA_CODE, None).await?;
        ctx.metrics.reconciled("invalid_spec", start.elapsed());
        return Ok(Action::await_change());
    }

    // Read the referenced Secrets (same namespace only).
    let secrets_api: Api<Secret> = Api::namespaced(ctx.client.clone(), &ns);
    let mut secrets = Vec::new();
    for secret_name in cred.secret_names() {
        if let Some(s) = secrets_api.get_opt(&secret_name).await? {
            secrets.push(s);
        }
    }
    let values = match resolve_secrets(cred, |n| secrets.iter().find(|s| s.name_any() == n)) {
        Ok(v) => v,
        Err(missing) => {
            let readiness = Readiness::failed(REASON_SECRET_NOT_FOUND, missing.to_string());
            fail(ctx, cred, &key, &readiness, NO_SEGURA_CODE, None).await?;
            ctx.metrics.reconciled("secret_not_found", start.elapsed());
            // The Secret watch wakes the Credential when the Secret appears.
            return Ok(Action::requeue(jittered(ctx.resync)));
        }
    };
    let versions: Vec<SecretVersion> = secrets
        .iter()
        .map(|s| (s.name_any(), s.resource_version().unwrap_or_default()))
        .collect();
    let fp = spec_fingerprint(&cred.spec, &versions);
    let sfp = secrets_fingerprint(&versions);

    // A failing state is not retried before its backoff, even when our own status write wakes us.
    let same_attempt = status.and_then(|s| s.fingerprint.as_deref()) == Some(fp.as_str());
    if same_attempt && let Some(left) = ctx.backoffs.wait_left(&key, Instant::now()) {
        ctx.metrics.reconciled("backing_off", start.elapsed());
        return Ok(Action::requeue(left));
    }

    // This very state was applied a moment ago and the cache has not seen that status yet;
    // the watch event of the status write wakes the object again.
    let uid = cred.metadata.uid.as_deref();
    let cached_fp = status.and_then(|s| s.fingerprint.as_deref());
    if ctx.applied.applied_ahead_of_cache(uid, &fp, cached_fp) {
        ctx.metrics.reconciled("up_to_date", start.elapsed());
        return Ok(Action::requeue(jittered(ctx.resync)));
    }

    let plan: SyncPlan = match decide(&cred.spec, status, &fp, &sfp, Timestamp::now(), ctx.resync) {
        Decision::UpToDate { requeue_after } => {
            ctx.metrics.reconciled("up_to_date", start.elapsed());
            ctx.metrics.set_reason(
                &key,
                status
                    .and_then(|s| s.conditions.first())
                    .map(|c| c.reason.as_str()),
            );
            return Ok(Action::requeue(requeue_after));
        }
        Decision::AwaitChange => {
            ctx.metrics.reconciled("await_change", start.elapsed());
            return Ok(Action::await_change());
        }
        Decision::Sync(plan) => plan,
    };

    let body = match request_body(
        &cred.spec,
        plan.identifier.as_deref(),
        plan.include_content,
        &values,
    ) {
        Ok(b) => b,
        Err(missing) => {
            let readiness = Readiness::failed(REASON_SECRET_NOT_FOUND, missing.to_string());
            fail(ctx, cred, &key, &readiness, NO_SEGURA_CODE, None).await?;
            return Ok(Action::requeue(jittered(ctx.resync)));
        }
    };
    match ctx.segura.upsert(&body).await {
        Ok(up) => {
            let created = status.and_then(|s| s.id.as_ref()).is_none();
            let (reason, note) = if created {
                (
                    "Created",
                    format!("Created credential {} ({}) in Segura", up.id, up.identifier),
                )
            } else if plan.periodic && up.changed {
                (
                    "Updated",
                    format!(
                        "Resync found drift in Segura and corrected credential {}",
                        up.id
                    ),
                )
            } else {
                (
                    "Updated",
                    format!("Updated credential {} ({}) in Segura", up.id, up.identifier),
                )
            };
            let applied = Applied {
                id: up.id.clone(),
                identifier: up.identifier.clone(),
                fingerprint: fp.clone(),
                secrets_fingerprint: sfp,
                message: note.clone(),
            };
            let new = success_status(status, &applied, generation, now());
            patch_status(ctx, cred, &new).await?;
            ctx.applied.record(uid, &fp);
            ctx.backoffs.reset(&key);
            ctx.metrics
                .set_reason(&key, Some(super::conditions::REASON_SYNCED));
            if !plan.periodic || up.changed {
                publish(ctx, &reference(cred), false, reason, "Sync", note).await;
            }
            ctx.metrics.reconciled("synced", start.elapsed());
            Ok(Action::requeue(jittered(ctx.resync)))
        }
        Err(err) => {
            let readiness = Readiness::failed(err.reason(), err.to_string());
            fail(ctx, cred, &key, &readiness, err.code(), Some(&fp)).await?;
            ctx.metrics.reconciled("failed", start.elapsed());
            Ok(retry(ctx, &key, &err))
        }
    }
}

/// The requeue after a Segura failure, per the error's class.
fn retry(ctx: &Context, key: &str, err: &SeguraError) -> Action {
    match ctx
        .backoffs
        .failure(key, err.class(), err.retry_after(), Instant::now())
    {
        Some(delay) => Action::requeue(delay),
        None => Action::await_change(),
    }
}

/// Reports a failure: status (keeping what it held), a Warning Event when the condition
/// changed, and the reason gauge.
async fn fail(
    ctx: &Context,
    cred: &Credential,
    key: &str,
    readiness: &Readiness,
    code: i64,
    attempted: Option<&str>,
) -> Result<(), Error> {
    ctx.applied.forget(cred.metadata.uid.as_deref());
    let old = cred.status.as_ref();
    let new = failure_status(
        old,
        readiness,
        code,
        attempted,
        cred.metadata.generation,
        now(),
    );
    patch_status(ctx, cred, &new).await?;
    if condition_changed(old, &new) {
        publish(
            ctx,
            &reference(cred),
            true,
            &readiness.reason,
            "Sync",
            readiness.message.clone(),
        )
        .await;
    }
    ctx.metrics.set_reason(key, Some(&readiness.reason));
    Ok(())
}
