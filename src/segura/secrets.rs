//! Secret values resolved from Kubernetes Secrets. Every type here redacts itself in `Debug`
//! and has no `Display`, so a value cannot reach a log line by accident.

use std::collections::BTreeMap;
use std::fmt;

use crate::crd::SecretKeySelector;

/// One secret value (a password, TOTP key or additional-authentication value).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the request body only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

/// The values a Credential references, keyed by Secret name and key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretValues(BTreeMap<SecretKeySelector, SecretValue>);

impl SecretValues {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the value of `name`/`key`.
    pub fn insert(&mut self, name: &str, key: &str, value: SecretValue) {
        let sel = SecretKeySelector {
            name: name.to_string(),
            key: key.to_string(),
        };
        self.0.insert(sel, value);
    }

    /// The value of a reference, if resolved.
    pub fn get(&self, sel: &SecretKeySelector) -> Option<&SecretValue> {
        self.0.get(sel)
    }

    /// Every value held, to scan outputs for leaks in tests and audits.
    pub fn values(&self) -> impl Iterator<Item = &SecretValue> {
        self.0.values()
    }
}

impl fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.keys().map(|k| format!("{}/{}", k.name, k.key)))
            .finish()
    }
}
