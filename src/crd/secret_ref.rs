//! References from a Credential to values held in Secrets of its own namespace.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Selects one key of a Secret in the Credential's own namespace.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeySelector {
    /// Name of the Secret, in the same namespace as the Credential.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Key inside the Secret's `data` (or `stringData`) whose value is used.
    #[schemars(length(min = 1))]
    pub key: String,
}

/// Where a secret value comes from. Secrets never stand in the spec as plain text.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretValueSource {
    /// The Secret key holding the value.
    pub secret_key_ref: SecretKeySelector,
}
