//! Resolving a Credential's secret references against Kubernetes Secrets of its namespace.
//! Shared by `sync` (Secrets from files) and the controller (Secrets from the API server).

use k8s_openapi::api::core::v1::Secret;

use crate::crd::{Credential, SecretKeySelector};
use crate::segura::body::MissingSecret;
use crate::segura::secrets::{SecretValue, SecretValues};

/// The value of `key` in a Secret: `data` (already base64-decoded by k8s-openapi) first,
/// then `stringData` (set in manifests, never returned by an API server).
pub fn secret_key_value(secret: &Secret, key: &str) -> Option<SecretValue> {
    if let Some(bytes) = secret.data.as_ref().and_then(|d| d.get(key)) {
        return Some(SecretValue::new(
            String::from_utf8_lossy(&bytes.0).into_owned(),
        ));
    }
    secret
        .string_data
        .as_ref()
        .and_then(|d| d.get(key))
        .map(|s| SecretValue::new(s.clone()))
}

/// Resolves every reference of `credential` with `lookup` (Secret by name, same namespace).
/// The first missing Secret or key is reported, naming the spec field that references it.
pub fn resolve_secrets<'a>(
    credential: &Credential,
    lookup: impl Fn(&str) -> Option<&'a Secret>,
) -> Result<SecretValues, MissingSecret> {
    let mut values = SecretValues::new();
    for (field, sel) in credential.secret_refs_with_fields() {
        let value = lookup(&sel.name).and_then(|s| secret_key_value(s, &sel.key));
        match value {
            Some(v) => values.insert(&sel.name, &sel.key, v),
            None => return Err(missing(sel, &field)),
        }
    }
    Ok(values)
}

fn missing(sel: &SecretKeySelector, field: &str) -> MissingSecret {
    MissingSecret {
        name: sel.name.clone(),
        key: sel.key.clone(),
        field: field.to_string(),
    }
}
