//! The nested objects of the create call: `execution_settings`, `session_settings`,
//! `additional_settings` and `jit_settings`, with the page's names in lowerCamelCase.

use kube::KubeSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::rules;
use super::secret_ref::SecretValueSource;

/// `execution_settings`: automatic password change and reconciliation.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, KubeSchema)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = kube::core::Rule::new(rules::AUTH_REQUIRED).message(rules::AUTH_REQUIRED_MSG))]
pub struct ExecutionSettings {
    /// `parent_credential`: parent credential selected for this credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_credential: Option<String>,
    /// `parent_hostname`: hostname of the parent credential's device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_hostname: Option<String>,
    /// `parent_ip`: IP address of the parent credential's device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_ip: Option<String>,
    /// `automatic_change`: enables automatic password change (Segura default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic_change: Option<bool>,
    /// `agent_based_password_change`: password change through a software agent (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_based_password_change: Option<bool>,
    /// `change_plugin`: plugin used to rotate the credential on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_plugin: Option<String>,
    /// `change_template`: template used to rotate the credential on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_template: Option<String>,
    /// `use_own_credential_to_connect`: connect with the credential itself (default `false`).
    /// When not true, the three `authentication*` fields are required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_own_credential_to_connect: Option<bool>,
    /// `authentication_credential`: credential used to authenticate during rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_credential: Option<String>,
    /// `authentication_hostname`: hostname of the authentication device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_hostname: Option<String>,
    /// `authentication_ip`: IP address (or address) of the authentication device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_ip: Option<String>,
    /// `status`: enables reconciliation after a rotation failure (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<bool>,
    /// `reconciliation_credential`: credential used in the reconciliation process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation_credential: Option<String>,
    /// `reconciliation_hostname`: hostname of the reconciliation device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation_hostname: Option<String>,
    /// `reconciliation_ip`: IP address of the reconciliation device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation_ip: Option<String>,
    /// `reconciliation_plugin`: execution plugin for reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation_plugin: Option<String>,
    /// `reconciliation_template`: execution template for reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation_template: Option<String>,
}

/// `session_settings`: session privileges. Protocol keys map to the page's keys
/// (`sqlServer` is sent as `SQL Server`, `x11Forward` as `X11 Forward`, `ssh` as `SSH`, ...).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, KubeSchema)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = kube::core::Rule::new(rules::AUTH_REQUIRED).message(rules::AUTH_REQUIRED_MSG))]
pub struct SessionSettings {
    /// `SSH`: enables the SSH protocol (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<bool>,
    /// `Telnet`: enables the Telnet protocol (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telnet: Option<bool>,
    /// `MySQL`: enables MySQL connections (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mysql: Option<bool>,
    /// `SQL Server`: enables SQL Server connections (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_server: Option<bool>,
    /// `HTTP`: enables the HTTP protocol (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<bool>,
    /// `HTTPS`: enables HTTPS connections (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https: Option<bool>,
    /// `RDP`: enables RDP connections (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rdp: Option<bool>,
    /// `X11 Forward`: enables X11 forwarding (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x11_forward: Option<bool>,
    /// `VNC`: enables VNC connections (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnc: Option<bool>,
    /// `restrict_access_to_remote_application`: use the credential only in RemoteApp proxy
    /// sessions (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_access_to_remote_application: Option<bool>,
    /// `macros`: RemoteApp automations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub macros: Option<Vec<SessionMacro>>,
    /// `use_own_credential_to_connect`: connect with the credential itself (default `false`).
    /// When not true, the three `authentication*` fields are required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_own_credential_to_connect: Option<bool>,
    /// `authentication_credential`: the authentication credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_credential: Option<String>,
    /// `authentication_hostname`: hostname of the authentication device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_hostname: Option<String>,
    /// `authentication_ip`: IP address (or URL) of the authentication device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_ip: Option<String>,
}

/// One entry of `session_settings.macros`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionMacro {
    /// `remote_app`: RemoteApp automation associated with the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_app: Option<String>,
    /// `connectivity`: connectivity used by the RemoteApp automation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connectivity: Option<String>,
}

/// Criticality of a credential. The page documents `low|medium|high`; its example sends
/// `High`. The documented lowercase values are the ones accepted.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
}

/// One entry of `additional_settings` (an array of objects on the page).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdditionalSettings {
    /// `identifier`: identifier used to retrieve the credential through A2A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// `user_credential_owner`: username of the credential's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_credential_owner: Option<String>,
    /// `server_path`: path of the script or file where the credential is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_path: Option<String>,
    /// `secret_key`: the TOTP secret key, read from a Secret in the same namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_from: Option<SecretValueSource>,
    /// `criticality`: `low`, `medium` or `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criticality: Option<Criticality>,
    /// `additional_authentication_fields`: extra authentication steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_authentication_fields: Option<Vec<AdditionalAuthenticationField>>,
    /// `notes`: general notes about the credential. The page's parameter list puts it here;
    /// its example puts it at the top level of the body. The parameter list is followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// One entry of `additional_authentication_fields`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdditionalAuthenticationField {
    /// `name`: name of the additional authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `short_name`: short name of the additional authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// `value`: the value filled in during the additional authentication, read from a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<SecretValueSource>,
}
