//! `jit_settings`: both variants of the page (create/delete and enable/disable) in one object;
//! CEL rules pick exactly one and require its plugins and templates.

use kube::KubeSchema;
use serde::{Deserialize, Serialize};

use super::rules;

/// `jit_settings`: Just-in-Time use of the credential through proxy sessions.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, KubeSchema)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new(rules::AUTH_REQUIRED).message(rules::AUTH_REQUIRED_MSG),
    validation = Rule::new(rules::JIT_ONE_VARIANT).message(rules::JIT_ONE_VARIANT_MSG),
    validation = Rule::new(rules::JIT_CREATE_DELETE_PLUGINS).message(rules::JIT_CREATE_DELETE_PLUGINS_MSG),
    validation = Rule::new(rules::JIT_CREATE_DELETE_TEMPLATES).message(rules::JIT_CREATE_DELETE_TEMPLATES_MSG),
    validation = Rule::new(rules::JIT_ENABLE_DISABLE_PLUGINS).message(rules::JIT_ENABLE_DISABLE_PLUGINS_MSG),
    validation = Rule::new(rules::JIT_ENABLE_DISABLE_TEMPLATES).message(rules::JIT_ENABLE_DISABLE_TEMPLATES_MSG)
)]
pub struct JitSettings {
    /// `jit`: enables JIT settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jit: Option<bool>,
    /// `credential_creation_and_deletion`: create the credential when a proxy session starts and
    /// delete it when the session ends (variant 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_creation_and_deletion: Option<bool>,
    /// `enable_disable_credential`: enable the credential when a proxy session starts and
    /// disable it when the session ends (variant 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_disable_credential: Option<bool>,
    /// `use_own_credential_to_connect`: connect with the credential itself. When not true, the
    /// three `authentication*` fields are required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_own_credential_to_connect: Option<bool>,
    /// `authentication_credential`: the authentication credential (typed "boolean" in one list
    /// of the page, a string everywhere else; a string here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_credential: Option<String>,
    /// `authentication_hostname`: hostname of the authentication device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_hostname: Option<String>,
    /// `authentication_ip`: IP address of the authentication device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_ip: Option<String>,
    /// `credential_creation_plugin`: plugin registered in Segura that creates the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_creation_plugin: Option<String>,
    /// `credential_creation_template`: template registered in Segura that creates the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_creation_template: Option<String>,
    /// `credential_deletion_plugin`: plugin registered in Segura that deletes the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_deletion_plugin: Option<String>,
    /// `credential_deletion_template`: template registered in Segura that deletes the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_deletion_template: Option<String>,
    /// `credential_enable_plugin`: plugin registered in Segura that enables the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_enable_plugin: Option<String>,
    /// `credential_enable_template`: template registered in Segura that enables the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_enable_template: Option<String>,
    /// `credential_disable_plugin`: plugin registered in Segura that disables the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_disable_plugin: Option<String>,
    /// `credential_disable_template`: template registered in Segura that disables the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_disable_template: Option<String>,
}
