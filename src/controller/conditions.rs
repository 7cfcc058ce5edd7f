//! The `Ready` condition: its type, its reasons as named constants, and a builder that keeps
//! `lastTransitionTime` unless the status flips.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

/// The one condition type the operator writes.
pub const READY: &str = "Ready";
/// Reason: the credential is in sync with Segura.
pub const REASON_SYNCED: &str = "Synced";
/// Reason: the spec breaks a rule of the CRD (checked before any request).
pub const REASON_INVALID_SPEC: &str = "InvalidSpec";
/// Reason: a referenced Secret or key does not exist.
pub const REASON_SECRET_NOT_FOUND: &str = "SecretNotFound";
/// Reason: deactivating the credential in Segura failed; the finalizer stays.
pub const REASON_DELETION_FAILED: &str = "DeletionFailed";
/// Reason: the Kubernetes API failed while reading what the sync needs.
pub const REASON_KUBERNETES_ERROR: &str = "KubernetesError";

/// What the `Ready` condition should say now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// Whether the credential is in sync.
    pub ready: bool,
    /// PascalCase reason (bounded set: usable as a metric label).
    pub reason: String,
    /// Human message, e.g. `1011: Device not found`. Never holds a secret.
    pub message: String,
}

impl Readiness {
    /// In sync.
    pub fn synced(message: impl Into<String>) -> Self {
        Self {
            ready: true,
            reason: REASON_SYNCED.to_string(),
            message: message.into(),
        }
    }

    /// Not in sync, for `reason`.
    pub fn failed(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            ready: false,
            reason: reason.into(),
            message: message.into(),
        }
    }
}

/// The new `Ready` condition: `lastTransitionTime` is carried over from `previous` unless the
/// status flips (or there was none).
pub fn ready_condition(
    previous: &[Condition],
    readiness: &Readiness,
    generation: Option<i64>,
    now: Time,
) -> Condition {
    let status = if readiness.ready { "True" } else { "False" };
    let old = previous.iter().find(|c| c.type_ == READY);
    let last_transition_time = match old {
        Some(c) if c.status == status => c.last_transition_time.clone(),
        _ => now,
    };
    Condition {
        type_: READY.to_string(),
        status: status.to_string(),
        reason: readiness.reason.clone(),
        message: readiness.message.clone(),
        observed_generation: generation,
        last_transition_time,
    }
}

/// The current `Ready` condition of a status's conditions, if any.
pub fn current_ready(conditions: &[Condition]) -> Option<&Condition> {
    conditions.iter().find(|c| c.type_ == READY)
}
