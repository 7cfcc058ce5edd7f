//! The pure decision of a reconcile: given what is stored and what is desired, sync or not,
//! with which identifier, and whether the password goes along.

use std::time::Duration;

use k8s_openapi::jiff::Timestamp;

use super::conditions::{REASON_INVALID_SPEC, REASON_SYNCED, current_ready};
use crate::crd::{CredentialSpec, CredentialStatus, PasswordPolicy};
use crate::segura::api::{ErrorClass, ErrorCode, REASON_REJECTED};

/// What a reconcile does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// In sync and the resync interval has not passed: no request; look again after this.
    UpToDate {
        /// Time left until the periodic resync.
        requeue_after: Duration,
    },
    /// The last attempt of exactly this state failed permanently: no request until it changes.
    AwaitChange,
    /// Upsert into Segura.
    Sync(SyncPlan),
}

/// How to upsert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncPlan {
    /// Identifier to send (`None`: leave it out, Segura looks the credential up by username).
    pub identifier: Option<String>,
    /// Whether `content` goes along (`passwordPolicy: SeedOnly` withholds it).
    pub include_content: bool,
    /// True for a periodic resync of an unchanged resource.
    pub periodic: bool,
}

/// The identifier to send: the spec's when set (a change renames the credential in Segura),
/// else the one Segura returned earlier, else the spec's (absent, or empty as on the page).
pub fn identifier_to_send(
    spec: &CredentialSpec,
    status: Option<&CredentialStatus>,
) -> Option<String> {
    match spec.identifier.as_deref() {
        Some(id) if !id.is_empty() => Some(id.to_string()),
        _ => status
            .and_then(|s| s.identifier.clone())
            .filter(|id| !id.is_empty())
            .or_else(|| spec.identifier.clone()),
    }
}

/// Whether a `Ready` reason means "retrying cannot help until the resource changes".
pub fn is_permanent_reason(reason: &str) -> bool {
    reason == REASON_INVALID_SPEC
        || reason == REASON_REJECTED
        || ErrorCode::ALL
            .iter()
            .any(|c| c.reason() == reason && c.class() == ErrorClass::InvalidSpec)
}

/// Decides what to do. `fingerprint`/`secrets_fingerprint` describe the desired state now.
pub fn decide(
    spec: &CredentialSpec,
    status: Option<&CredentialStatus>,
    fingerprint: &str,
    secrets_fingerprint: &str,
    now: Timestamp,
    resync: Duration,
) -> Decision {
    let unchanged = status.and_then(|s| s.fingerprint.as_deref()) == Some(fingerprint);
    let ready = status.and_then(|s| current_ready(&s.conditions));
    let mut periodic = false;
    if unchanged && let Some(cond) = ready {
        if cond.status == "True" && cond.reason == REASON_SYNCED {
            let last = status.and_then(|s| s.last_sync_time.as_ref()).map(|t| t.0);
            let elapsed = last
                .map(|t| now.duration_since(t).unsigned_abs())
                .unwrap_or(Duration::MAX);
            if elapsed < resync {
                return Decision::UpToDate {
                    requeue_after: resync - elapsed,
                };
            }
            periodic = true;
        } else if is_permanent_reason(&cond.reason) {
            return Decision::AwaitChange;
        }
    }
    let include_content = match spec.password_policy {
        PasswordPolicy::Enforce => true,
        PasswordPolicy::SeedOnly => {
            let created = status.and_then(|s| s.id.as_ref()).is_some();
            let secrets_changed =
                status.and_then(|s| s.secrets_fingerprint.as_deref()) != Some(secrets_fingerprint);
            !created || secrets_changed
        }
    };
    Decision::Sync(SyncPlan {
        identifier: identifier_to_send(spec, status),
        include_content,
        periodic,
    })
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
