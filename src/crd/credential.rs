//! The `Credential` custom resource (`pam.segura.io/v1alpha1`).

use kube::{CustomResource, KubeSchema};
use serde::{Deserialize, Serialize};

use super::jit::JitSettings;
use super::rules;
use super::secret_ref::SecretValueSource;
use super::settings::{AdditionalSettings, ExecutionSettings, SessionSettings};
use super::status::CredentialStatus;

/// A credential kept in sync with Segura PAM Core. Field names are the API's parameter names
/// in lowerCamelCase; secret values come from Secrets in the same namespace; comma-joined
/// lists are YAML lists. Fields left out are left out of the request, so Segura keeps its
/// defaults.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[kube(
    group = "pam.segura.io",
    version = "v1alpha1",
    kind = "Credential",
    doc = "A credential of Segura PAM Core, kept in sync by segura-operator: the spec is upserted into Segura by its identifier; status holds the id and identifier Segura returned and a Ready condition carrying Segura's error code on failure.",
    plural = "credentials",
    shortname = "segcred",
    category = "segura",
    namespaced,
    status = "CredentialStatus",
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"ID","type":"string","jsonPath":".status.id"}"#,
    printcolumn = r#"{"name":"IDENTIFIER","type":"string","jsonPath":".status.identifier"}"#,
    printcolumn = r#"{"name":"READY","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"REASON","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].reason"}"#,
    printcolumn = r#"{"name":"AGE","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct CredentialSpec {
    /// `identifier`: unique identifier of the credential in Segura. Letters, digits, `_`, `-`
    /// and `.` only. Left out, Segura generates a UUID, which the operator keeps in
    /// `status.identifier` and sends from then on. Changing it renames the credential (Segura
    /// finds it by hostname, ip and username).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = rules::IDENTIFIER_PATTERN), length(max = rules::IDENTIFIER_MAX_LEN))]
    pub identifier: Option<String>,
    /// `username`: name of the user of the credential. Always sent; empty means Segura's
    /// default `usr`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub username: String,
    /// `hostname`: hostname of the device, which must already exist in Segura (error 1011).
    #[schemars(length(min = 1))]
    pub hostname: String,
    /// `ip`: IP address of the device, which must already exist in Segura (error 1011).
    #[schemars(length(min = 1))]
    pub ip: String,
    /// `content`: the password, read from a Secret key in the same namespace. Left out,
    /// Segura's default (`-`) applies on creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_from: Option<SecretValueSource>,
    /// `additional`: additional credential information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional: Option<String>,
    /// `tags`: keywords of the credential, sent joined by commas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = rules::LIST_ITEM_PATTERN)))]
    pub tags: Option<Vec<String>>,
    /// `credential_type`: type of credential (Segura default `Local User`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_type: Option<String>,
    /// `domain`: name or abbreviation of the credential's domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `parent_password`: id of the parent credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_password: Option<i64>,
    /// `type`: type of device (created in Segura when new).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// `vendor`: device manufacturer (created in Segura when new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// `model`: device model (created in Segura when new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `site`: device location (created in Segura when new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// `device_domain`: device domains, each already registered in Segura (error 1029);
    /// sent joined by commas without spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = rules::LIST_ITEM_PATTERN)))]
    pub device_domain: Option<Vec<String>>,
    /// `device_tags`: keywords of the device, sent joined by commas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = rules::LIST_ITEM_PATTERN)))]
    pub device_tags: Option<Vec<String>>,
    /// `connectivities`: device connectivity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connectivities: Option<String>,
    /// `session_remote_config`: login expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_remote_config: Option<String>,
    /// `execution_settings`: automatic password change and reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_settings: Option<ExecutionSettings>,
    /// `session_settings`: session privileges (protocols, RemoteApp restrictions, macros).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_settings: Option<SessionSettings>,
    /// `additional_settings`: TOTP, owner, criticality, additional authentication, notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_settings: Option<Vec<AdditionalSettings>>,
    /// `jit_settings`: Just-in-Time settings, one of the two variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jit_settings: Option<JitSettings>,
    /// What happens in Segura when this resource is deleted: `Delete` deactivates the
    /// credential (Segura never hard-deletes), `Orphan` leaves it as it is.
    #[serde(default, deserialize_with = "null_as_default")]
    pub deletion_policy: DeletionPolicy,
    /// When the password is sent: `Enforce` on every sync (the Secret is the source of truth);
    /// `SeedOnly` on creation and when the Secret changes, never on a periodic resync, so
    /// Segura's own rotation is not overwritten.
    #[serde(default, deserialize_with = "null_as_default")]
    pub password_policy: PasswordPolicy,
}

/// A null where the field has a default reads as the default, as the API server does (it drops
/// a null in a field that is not `nullable` and applies the field's `default`): Helm renders
/// `username: {{ .Values.username }}` with an empty value as `username: null`.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// What the operator does in Segura when the resource is deleted.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, schemars::JsonSchema,
)]
pub enum DeletionPolicy {
    /// Deactivate the credential in Segura (`DELETE /pam/credential/{id}`).
    #[default]
    Delete,
    /// Leave the credential in Segura.
    Orphan,
}

/// When the operator sends the password.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, schemars::JsonSchema,
)]
pub enum PasswordPolicy {
    /// Send the password on every sync.
    #[default]
    Enforce,
    /// Send it on creation and when the referenced Secret changes only.
    SeedOnly,
}
