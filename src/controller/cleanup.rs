//! Deletion of a Credential (through the finalizer): `deletionPolicy: Delete` deactivates it in
//! Segura (Segura never hard-deletes; "not found" counts as done), `Orphan` leaves it.

use std::time::Instant;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::controller::Action;

use super::conditions::{REASON_DELETION_FAILED, Readiness};
use super::context::{Context, Error};
use super::report::{ns_name, publish, reference};
use super::status::failure_status;
use crate::crd::{Credential, DeletionPolicy};
use crate::segura::client::Deactivated;
use crate::segura::error::SeguraError;

/// Cleans up before the finalizer is removed. An error keeps the finalizer (and is retried).
pub async fn cleanup(cred: &Credential, ctx: &Context) -> Result<Action, Error> {
    let start = Instant::now();
    let (ns, name) = ns_name(cred)?;
    let key = format!("{ns}/{name}");
    let deletion = deletion_key(&key);
    let id = cred.status.as_ref().and_then(|s| s.id.clone());
    match (cred.spec.deletion_policy, id) {
        (DeletionPolicy::Orphan, Some(id)) => {
            let note = format!("Left credential {id} in Segura (deletionPolicy: Orphan)");
            publish(ctx, &reference(cred), false, "Orphaned", "Delete", note).await;
        }
        (DeletionPolicy::Delete, Some(id)) => match deactivate(ctx, &deletion, &id).await? {
            Ok(outcome) => {
                let note = match outcome {
                    Deactivated::Deactivated => format!("Deactivated credential {id} in Segura"),
                    Deactivated::AlreadyGone => {
                        format!("Credential {id} was already gone from Segura")
                    }
                };
                publish(ctx, &reference(cred), false, "Deactivated", "Delete", note).await;
            }
            Err(err) => {
                // Recorded before the status write, whose watch event wakes this object again.
                ctx.backoffs
                    .failure(&deletion, err.class(), err.retry_after(), Instant::now());
                let readiness = Readiness::failed(REASON_DELETION_FAILED, err.to_string());
                let old = cred.status.as_ref();
                let new = failure_status(
                    old,
                    &readiness,
                    err.code(),
                    None,
                    cred.metadata.generation,
                    Time(Timestamp::now()),
                );
                super::report::patch_status(ctx, cred, &new).await?;
                publish(
                    ctx,
                    &reference(cred),
                    true,
                    REASON_DELETION_FAILED,
                    "Delete",
                    readiness.message.clone(),
                )
                .await;
                ctx.metrics.set_reason(&key, Some(REASON_DELETION_FAILED));
                ctx.metrics.reconciled("deletion_failed", start.elapsed());
                return Err(Error::Deactivation(err));
            }
        },
        // Never synced: nothing in Segura to clean up.
        (_, None) => {}
    }
    ctx.backoffs.reset(&key);
    ctx.backoffs.reset(&deletion);
    ctx.applied.forget(cred.metadata.uid.as_deref());
    ctx.metrics.set_reason(&key, None);
    ctx.metrics.reconciled("deleted", start.elapsed());
    Ok(Action::await_change())
}

/// The backoff key of an object's deactivation (apart from its syncs' backoff, so that a
/// sync that was failing does not delay the deletion).
pub fn deletion_key(key: &str) -> String {
    format!("{key}#deletion")
}

/// Deactivates, unless a failed deactivation is still backing off (an error keeps the
/// finalizer; the error policy requeues after the time left).
async fn deactivate(
    ctx: &Context,
    key: &str,
    id: &str,
) -> Result<Result<Deactivated, SeguraError>, Error> {
    if let Some(left) = ctx.backoffs.wait_left(key, Instant::now()) {
        return Err(Error::BackingOff(left));
    }
    Ok(ctx.segura.deactivate(id).await)
}
