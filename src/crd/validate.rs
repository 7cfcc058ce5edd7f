//! The CRD's validation rules (patterns, required fields and the CEL rules of
//! [`crate::crd::rules`]) run inside the operator and `sync`, so a resource that slipped past
//! admission still gets a clear message and no request is made.

use std::fmt;

use super::credential::CredentialSpec;
use super::rules;
use super::secret_ref::SecretValueSource;

/// One broken rule: the field path (as the API server would name it) and the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Path of the offending field, e.g. `spec.jitSettings`.
    pub field: String,
    /// The rule it breaks.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Checks a spec against every rule the CRD carries; empty when valid.
pub fn validate_spec(spec: &CredentialSpec) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut bad = |field: &str, message: &str| {
        out.push(Violation {
            field: field.to_string(),
            message: message.to_string(),
        })
    };
    if let Some(id) = &spec.identifier {
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            bad("spec.identifier", rules::IDENTIFIER_MSG);
        } else if id.chars().count() > rules::IDENTIFIER_MAX_LEN {
            bad("spec.identifier", rules::IDENTIFIER_TOO_LONG_MSG);
        }
    }
    if spec.hostname.is_empty() {
        bad("spec.hostname", "is required (Segura 1004)");
    }
    if spec.ip.is_empty() {
        bad("spec.ip", "is required (Segura 1005)");
    }
    for (field, list) in [
        ("spec.tags", &spec.tags),
        ("spec.deviceDomain", &spec.device_domain),
        ("spec.deviceTags", &spec.device_tags),
    ] {
        if list.iter().flatten().any(|item| !is_list_item(item)) {
            bad(field, rules::LIST_ITEM_MSG);
        }
    }
    for (field, source) in secret_sources(spec) {
        for (part, value) in [
            ("name", &source.secret_key_ref.name),
            ("key", &source.secret_key_ref.key),
        ] {
            if value.is_empty() {
                bad(
                    &format!("{field}.secretKeyRef.{part}"),
                    rules::SECRET_REF_EMPTY_MSG,
                );
            }
        }
    }
    if let Some(e) = &spec.execution_settings
        && !auth_given(
            e.use_own_credential_to_connect,
            [
                &e.authentication_credential,
                &e.authentication_hostname,
                &e.authentication_ip,
            ],
        )
    {
        bad("spec.executionSettings", rules::AUTH_REQUIRED_MSG);
    }
    if let Some(s) = &spec.session_settings
        && !auth_given(
            s.use_own_credential_to_connect,
            [
                &s.authentication_credential,
                &s.authentication_hostname,
                &s.authentication_ip,
            ],
        )
    {
        bad("spec.sessionSettings", rules::AUTH_REQUIRED_MSG);
    }
    if let Some(j) = &spec.jit_settings {
        let field = "spec.jitSettings";
        if !auth_given(
            j.use_own_credential_to_connect,
            [
                &j.authentication_credential,
                &j.authentication_hostname,
                &j.authentication_ip,
            ],
        ) {
            bad(field, rules::AUTH_REQUIRED_MSG);
        }
        let create_delete = j.credential_creation_and_deletion == Some(true);
        let enable_disable = j.enable_disable_credential == Some(true);
        if j.jit == Some(true) && create_delete == enable_disable {
            bad(field, rules::JIT_ONE_VARIANT_MSG);
        }
        if create_delete {
            if j.credential_creation_plugin.is_none() || j.credential_deletion_plugin.is_none() {
                bad(field, rules::JIT_CREATE_DELETE_PLUGINS_MSG);
            }
            if j.credential_creation_template.is_none() || j.credential_deletion_template.is_none()
            {
                bad(field, rules::JIT_CREATE_DELETE_TEMPLATES_MSG);
            }
        }
        if enable_disable {
            if j.credential_enable_plugin.is_none() || j.credential_disable_plugin.is_none() {
                bad(field, rules::JIT_ENABLE_DISABLE_PLUGINS_MSG);
            }
            if j.credential_enable_template.is_none() || j.credential_disable_template.is_none() {
                bad(field, rules::JIT_ENABLE_DISABLE_TEMPLATES_MSG);
            }
        }
    }
    out
}

/// The [`rules::AUTH_REQUIRED`] rule: own credential, or all three authentication fields.
fn auth_given(use_own: Option<bool>, fields: [&Option<String>; 3]) -> bool {
    use_own == Some(true) || fields.iter().all(|f| f.is_some())
}

/// Every secret reference of the spec with its field path (`minLength: 1` on name and key).
fn secret_sources(spec: &CredentialSpec) -> Vec<(String, &SecretValueSource)> {
    let mut out = Vec::new();
    if let Some(s) = &spec.content_from {
        out.push(("spec.contentFrom".to_string(), s));
    }
    for (i, a) in spec.additional_settings.iter().flatten().enumerate() {
        if let Some(s) = &a.secret_key_from {
            out.push((format!("spec.additionalSettings[{i}].secretKeyFrom"), s));
        }
        for (j, f) in a
            .additional_authentication_fields
            .iter()
            .flatten()
            .enumerate()
        {
            if let Some(s) = &f.value_from {
                out.push((
                    format!(
                        "spec.additionalSettings[{i}].additionalAuthenticationFields[{j}].valueFrom"
                    ),
                    s,
                ));
            }
        }
    }
    out
}

/// The [`rules::LIST_ITEM_PATTERN`] rule, without a regex engine. Its `\s` is the API
/// server's (Go RE2): exactly tab, newline, form feed, carriage return and space, not
/// Rust's Unicode `trim`, so the operator accepts every item admission accepts.
fn is_list_item(item: &str) -> bool {
    let space = |c: char| matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ');
    !item.contains(',')
        && item.chars().next().is_some_and(|c| !space(c))
        && item.chars().last().is_some_and(|c| !space(c))
}
