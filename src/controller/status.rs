//! Pure builders of the status the operator writes. A failed sync keeps what the status
//! already held (id, identifier, last sync time): nothing is lost.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::conditions::{Readiness, ready_condition};
use crate::crd::CredentialStatus;

/// `errorCode` of a failure that happened before Segura answered (invalid spec, missing
/// Secret, network error).
pub const NO_SEGURA_CODE: i64 = -1;

/// What a sync applied, for the success status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// Id Segura returned.
    pub id: String,
    /// Identifier Segura returned.
    pub identifier: String,
    /// Fingerprint of the desired state that was applied.
    pub fingerprint: String,
    /// Fingerprint of the referenced Secrets that were applied.
    pub secrets_fingerprint: String,
    /// Message of the Ready condition.
    pub message: String,
}

/// The status after a successful upsert.
pub fn success_status(
    old: Option<&CredentialStatus>,
    applied: &Applied,
    generation: Option<i64>,
    now: Time,
) -> CredentialStatus {
    let previous = old.map(|s| s.conditions.as_slice()).unwrap_or_default();
    let readiness = Readiness::synced(applied.message.clone());
    CredentialStatus {
        id: Some(applied.id.clone()),
        identifier: Some(applied.identifier.clone()),
        observed_generation: generation,
        last_sync_time: Some(now.clone()),
        error_code: Some(0),
        fingerprint: Some(applied.fingerprint.clone()),
        secrets_fingerprint: Some(applied.secrets_fingerprint.clone()),
        conditions: vec![ready_condition(previous, &readiness, generation, now)],
    }
}

/// The status after a failure. `fingerprint` is that of the attempt when a request was made
/// (so the same failing state is not retried before its backoff), else the old one is kept.
pub fn failure_status(
    old: Option<&CredentialStatus>,
    readiness: &Readiness,
    error_code: i64,
    fingerprint: Option<&str>,
    generation: Option<i64>,
    now: Time,
) -> CredentialStatus {
    let base = old.cloned().unwrap_or_default();
    let condition = ready_condition(&base.conditions, readiness, generation, now);
    CredentialStatus {
        observed_generation: generation,
        error_code: Some(error_code),
        fingerprint: fingerprint.map(str::to_string).or(base.fingerprint.clone()),
        conditions: vec![condition],
        ..base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::jiff::Timestamp;

    #[test]
    fn failure_keeps_id_identifier_and_last_sync() {
        let t0 = Time(Timestamp::now());
        let applied = Applied {
            id: "152".into(),
            identifier: "abc".into(),
            fingerprint: "f1".into(),
            secrets_fingerprint: "s1".into(),
            message: "Created".into(),
        };
        let ok = success_status(None, &applied, Some(1), t0.clone());
        let failed = failure_status(
            Some(&ok),
            &Readiness::failed("DeviceNotFound", "1011: Device not found"),
            1011,
            Some("f2"),
            Some(2),
            t0.clone(),
        );
        assert_eq!(failed.id.as_deref(), Some("152"));
        assert_eq!(failed.identifier.as_deref(), Some("abc"));
        assert_eq!(failed.last_sync_time, Some(t0));
        assert_eq!(failed.secrets_fingerprint.as_deref(), Some("s1"));
        assert_eq!(failed.error_code, Some(1011));
        assert_eq!(failed.observed_generation, Some(2));
        assert_eq!(failed.conditions[0].reason, "DeviceNotFound");
        assert_eq!(failed.conditions[0].message, "1011: Device not found");
    }
}
