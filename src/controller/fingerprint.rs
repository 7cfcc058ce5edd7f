//! Fingerprints of what a sync applies, computed without any secret value: the request body
//! with secrets redacted (and without the identifier Segura may have generated), the spec's own
//! identifier, and the referenced Secrets' names and resourceVersions.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::crd::CredentialSpec;
use crate::segura::body::redacted_body;

/// A referenced Secret's name and resourceVersion, as read from the API server.
pub type SecretVersion = (String, String);

/// Fingerprint of the desired state: changes when the spec or a referenced Secret changes.
pub fn spec_fingerprint(spec: &CredentialSpec, secrets: &[SecretVersion]) -> String {
    let mut body = redacted_body(spec, None, true);
    body.remove("identifier");
    let mut h = Sha256::new();
    h.update(Value::Object(body).to_string());
    h.update(b"\0identifier=");
    h.update(spec.identifier.as_deref().unwrap_or("\u{1}none"));
    h.update(b"\0");
    h.update(secrets_fingerprint(secrets));
    short_hex(&h.finalize())
}

/// Fingerprint of the referenced Secrets alone (names and resourceVersions, sorted).
pub fn secrets_fingerprint(secrets: &[SecretVersion]) -> String {
    let mut sorted = secrets.to_vec();
    sorted.sort();
    let mut h = Sha256::new();
    for (name, rv) in &sorted {
        h.update(name.as_bytes());
        h.update(b"=");
        h.update(rv.as_bytes());
        h.update(b"\0");
    }
    short_hex(&h.finalize())
}

fn short_hex(bytes: &[u8]) -> String {
    bytes[..16].iter().map(|b| format!("{b:02x}")).collect()
}
