//! Thin I/O that reports an outcome: the status patch (server-side apply on the status
//! subresource, one field manager) and Events.

use k8s_openapi::api::core::v1::ObjectReference;
use kube::api::{Patch, PatchParams};
use kube::runtime::events::{Event, EventType};
use kube::{Api, Resource, ResourceExt};
use serde_json::json;

use super::context::{Context, Error, FIELD_MANAGER};
use crate::crd::{Credential, CredentialStatus};

/// Writes `status` unless it equals what is stored (a no-op write would wake the controller
/// again for nothing).
pub async fn patch_status(
    ctx: &Context,
    cred: &Credential,
    status: &CredentialStatus,
) -> Result<(), Error> {
    if cred.status.as_ref() == Some(status) {
        return Ok(());
    }
    let (ns, name) = ns_name(cred)?;
    let api: Api<Credential> = Api::namespaced(ctx.client.clone(), &ns);
    let patch = json!({
        "apiVersion": "pam.segura.io/v1alpha1",
        "kind": "Credential",
        "status": status,
    });
    let params = PatchParams::apply(FIELD_MANAGER).force();
    api.patch_status(&name, &params, &Patch::Apply(&patch))
        .await?;
    Ok(())
}

/// Publishes an Event on the Credential. A failure to publish is logged, never fatal.
pub async fn publish(
    ctx: &Context,
    reference: &ObjectReference,
    warning: bool,
    reason: &str,
    action: &str,
    note: String,
) {
    let event = Event {
        type_: if warning {
            EventType::Warning
        } else {
            EventType::Normal
        },
        reason: reason.to_string(),
        note: Some(note),
        action: action.to_string(),
        secondary: None,
    };
    if let Err(e) = ctx.recorder.publish(&event, reference).await {
        tracing::warn!(error = %e, reason, "could not publish Event");
    }
}

/// The reference Events point at.
pub fn reference(cred: &Credential) -> ObjectReference {
    cred.object_ref(&())
}

/// Namespace and name of a Credential.
pub fn ns_name(cred: &Credential) -> Result<(String, String), Error> {
    match (cred.namespace(), cred.meta().name.clone()) {
        (Some(ns), Some(name)) => Ok((ns, name)),
        _ => Err(Error::MissingMetadata),
    }
}

/// Whether the Ready condition changed in a way worth an Event (reason, message or status).
pub fn condition_changed(old: Option<&CredentialStatus>, new: &CredentialStatus) -> bool {
    let pick = |s: Option<&CredentialStatus>| {
        s.and_then(|s| s.conditions.first()).map(|c| {
            (
                c.status.clone(),
                c.reason.clone(),
                c.message.clone(),
                c.observed_generation,
            )
        })
    };
    pick(old) != pick(Some(new))
}
