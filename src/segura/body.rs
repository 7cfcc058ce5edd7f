//! The request body of the upsert: a pure function from (spec, resolved secret values,
//! identifier to send) to exactly what Segura receives.

use std::fmt;

use serde_json::{Map, Value, json};

use super::secrets::SecretValues;
use crate::crd::{
    AdditionalSettings, CredentialSpec, ExecutionSettings, JitSettings, SecretKeySelector,
    SecretValueSource, SessionSettings,
};

/// What stands in place of a secret value in redacted bodies (dry runs, fingerprints, Debug).
pub const REDACTED: &str = "<redacted>";

/// A referenced Secret key that was not resolved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Secret {name:?} has no key {key:?} (referenced by {field})")]
pub struct MissingSecret {
    /// Secret name.
    pub name: String,
    /// Key in the Secret.
    pub key: String,
    /// Spec field that references it.
    pub field: String,
}

/// The upsert body: the JSON object sent to Segura, and the same object with secret values
/// replaced by [`REDACTED`]. `Debug` shows only the redacted one.
#[derive(Clone, PartialEq)]
pub struct RequestBody {
    full: Map<String, Value>,
    redacted: Map<String, Value>,
}

impl RequestBody {
    /// The body to send. Holds secret values: never log it.
    pub fn expose(&self) -> &Map<String, Value> {
        &self.full
    }

    /// The body with every secret value replaced by [`REDACTED`].
    pub fn redacted(&self) -> &Map<String, Value> {
        &self.redacted
    }
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestBody({})", Value::Object(self.redacted.clone()))
    }
}

/// Renders the body. `identifier` is the one to send (status, else spec, else none: Segura
/// then generates one); `Some("")` sends an empty identifier as the page's second example
/// does. `include_content` is false when `passwordPolicy: SeedOnly` withholds the password.
pub fn request_body(
    spec: &CredentialSpec,
    identifier: Option<&str>,
    include_content: bool,
    secrets: &SecretValues,
) -> Result<RequestBody, MissingSecret> {
    let full = render(spec, identifier, include_content, &mut |src, field| {
        secrets
            .get(&src.secret_key_ref)
            .map(|v| Value::String(v.expose().to_string()))
            .ok_or_else(|| missing(&src.secret_key_ref, field))
    })?;
    let redacted = redacted_body(spec, identifier, include_content);
    Ok(RequestBody { full, redacted })
}

/// The body with every secret value replaced by [`REDACTED`]; needs no Secret.
pub fn redacted_body(
    spec: &CredentialSpec,
    identifier: Option<&str>,
    include_content: bool,
) -> Map<String, Value> {
    let mut placeholder = |_: &SecretValueSource, _: &str| Ok(Value::String(REDACTED.into()));
    render(spec, identifier, include_content, &mut placeholder).unwrap_or_default()
}

fn missing(sel: &SecretKeySelector, field: &str) -> MissingSecret {
    MissingSecret {
        name: sel.name.clone(),
        key: sel.key.clone(),
        field: field.to_string(),
    }
}

type Lookup<'a> = dyn FnMut(&SecretValueSource, &str) -> Result<Value, MissingSecret> + 'a;

fn render(
    spec: &CredentialSpec,
    identifier: Option<&str>,
    include_content: bool,
    secret: &mut Lookup<'_>,
) -> Result<Map<String, Value>, MissingSecret> {
    let mut m = Map::new();
    if let Some(id) = identifier {
        m.insert("identifier".into(), json!(id));
    }
    m.insert("username".into(), json!(spec.username));
    m.insert("hostname".into(), json!(spec.hostname));
    m.insert("ip".into(), json!(spec.ip));
    if include_content && let Some(src) = &spec.content_from {
        m.insert("content".into(), secret(src, "spec.contentFrom")?);
    }
    put(&mut m, "additional", &spec.additional);
    put(&mut m, "tags", &joined(&spec.tags));
    put(&mut m, "credential_type", &spec.credential_type);
    put(&mut m, "domain", &spec.domain);
    put(&mut m, "parent_password", &spec.parent_password);
    put(&mut m, "type", &spec.type_);
    put(&mut m, "vendor", &spec.vendor);
    put(&mut m, "model", &spec.model);
    put(&mut m, "site", &spec.site);
    put(&mut m, "device_domain", &joined(&spec.device_domain));
    put(&mut m, "device_tags", &joined(&spec.device_tags));
    put(&mut m, "connectivities", &spec.connectivities);
    put(&mut m, "session_remote_config", &spec.session_remote_config);
    if let Some(e) = &spec.execution_settings {
        m.insert("execution_settings".into(), execution(e));
    }
    if let Some(s) = &spec.session_settings {
        m.insert("session_settings".into(), session(s));
    }
    if let Some(list) = &spec.additional_settings {
        let items = list
            .iter()
            .enumerate()
            .map(|(i, a)| additional(i, a, secret))
            .collect::<Result<Vec<_>, _>>()?;
        m.insert("additional_settings".into(), Value::Array(items));
    }
    if let Some(j) = &spec.jit_settings {
        m.insert("jit_settings".into(), jit(j));
    }
    Ok(m)
}

/// Inserts `value` under `key` unless it is absent.
fn put<T: serde::Serialize>(m: &mut Map<String, Value>, key: &str, value: &Option<T>) {
    if let Some(v) = value {
        m.insert(key.into(), json!(v));
    }
}

/// A YAML list as the page's comma-joined string, without spaces.
fn joined(list: &Option<Vec<String>>) -> Option<String> {
    list.as_ref().map(|items| items.join(","))
}

fn execution(e: &ExecutionSettings) -> Value {
    let mut m = Map::new();
    put(&mut m, "parent_credential", &e.parent_credential);
    put(&mut m, "parent_hostname", &e.parent_hostname);
    put(&mut m, "parent_ip", &e.parent_ip);
    put(&mut m, "automatic_change", &e.automatic_change);
    put(&mut m, "agent_based_password_change", &e.agent_based_password_change);
    put(&mut m, "change_plugin", &e.change_plugin);
    put(&mut m, "change_template", &e.change_template);
    put(&mut m, "use_own_credential_to_connect", &e.use_own_credential_to_connect);
    put(&mut m, "authentication_credential", &e.authentication_credential);
    put(&mut m, "authentication_hostname", &e.authentication_hostname);
    put(&mut m, "authentication_ip", &e.authentication_ip);
    put(&mut m, "status", &e.status);
    put(&mut m, "reconciliation_credential", &e.reconciliation_credential);
    put(&mut m, "reconciliation_hostname", &e.reconciliation_hostname);
    put(&mut m, "reconciliation_ip", &e.reconciliation_ip);
    put(&mut m, "reconciliation_plugin", &e.reconciliation_plugin);
    put(&mut m, "reconciliation_template", &e.reconciliation_template);
    Value::Object(m)
}

fn session(s: &SessionSettings) -> Value {
    let mut m = Map::new();
    put(&mut m, "SSH", &s.ssh);
    put(&mut m, "Telnet", &s.telnet);
    put(&mut m, "MySQL", &s.mysql);
    put(&mut m, "SQL Server", &s.sql_server);
    put(&mut m, "HTTP", &s.http);
    put(&mut m, "HTTPS", &s.https);
    put(&mut m, "RDP", &s.rdp);
    put(&mut m, "X11 Forward", &s.x11_forward);
    put(&mut m, "VNC", &s.vnc);
    put(
        &mut m,
        "restrict_access_to_remote_application",
        &s.restrict_access_to_remote_application,
    );
    if let Some(macros) = &s.macros {
        let items = macros
            .iter()
            .map(|mac| {
                let mut o = Map::new();
                put(&mut o, "remote_app", &mac.remote_app);
                put(&mut o, "connectivity", &mac.connectivity);
                Value::Object(o)
            })
            .collect();
        m.insert("macros".into(), Value::Array(items));
    }
    put(&mut m, "use_own_credential_to_connect", &s.use_own_credential_to_connect);
    put(&mut m, "authentication_credential", &s.authentication_credential);
    put(&mut m, "authentication_hostname", &s.authentication_hostname);
    put(&mut m, "authentication_ip", &s.authentication_ip);
    Value::Object(m)
}

fn additional(
    i: usize,
    a: &AdditionalSettings,
    secret: &mut Lookup<'_>,
) -> Result<Value, MissingSecret> {
    let mut m = Map::new();
    put(&mut m, "identifier", &a.identifier);
    put(&mut m, "user_credential_owner", &a.user_credential_owner);
    put(&mut m, "server_path", &a.server_path);
    if let Some(src) = &a.secret_key_from {
        let field = format!("spec.additionalSettings[{i}].secretKeyFrom");
        m.insert("secret_key".into(), secret(src, &field)?);
    }
    put(&mut m, "criticality", &a.criticality);
    if let Some(fields) = &a.additional_authentication_fields {
        let mut items = Vec::with_capacity(fields.len());
        for (j, f) in fields.iter().enumerate() {
            let mut o = Map::new();
            put(&mut o, "name", &f.name);
            put(&mut o, "short_name", &f.short_name);
            if let Some(src) = &f.value_from {
                let field =
                    format!("spec.additionalSettings[{i}].additionalAuthenticationFields[{j}].valueFrom");
                o.insert("value".into(), secret(src, &field)?);
            }
            items.push(Value::Object(o));
        }
        m.insert("additional_authentication_fields".into(), Value::Array(items));
    }
    put(&mut m, "notes", &a.notes);
    Ok(Value::Object(m))
}

fn jit(j: &JitSettings) -> Value {
    let mut m = Map::new();
    put(&mut m, "jit", &j.jit);
    put(&mut m, "credential_creation_and_deletion", &j.credential_creation_and_deletion);
    put(&mut m, "enable_disable_credential", &j.enable_disable_credential);
    put(&mut m, "use_own_credential_to_connect", &j.use_own_credential_to_connect);
    put(&mut m, "authentication_credential", &j.authentication_credential);
    put(&mut m, "authentication_hostname", &j.authentication_hostname);
    put(&mut m, "authentication_ip", &j.authentication_ip);
    put(&mut m, "credential_creation_plugin", &j.credential_creation_plugin);
    put(&mut m, "credential_creation_template", &j.credential_creation_template);
    put(&mut m, "credential_deletion_plugin", &j.credential_deletion_plugin);
    put(&mut m, "credential_deletion_template", &j.credential_deletion_template);
    put(&mut m, "credential_enable_plugin", &j.credential_enable_plugin);
    put(&mut m, "credential_enable_template", &j.credential_enable_template);
    put(&mut m, "credential_disable_plugin", &j.credential_disable_plugin);
    put(&mut m, "credential_disable_template", &j.credential_disable_template);
    Value::Object(m)
}
