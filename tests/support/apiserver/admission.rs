//! Admission: names, the Credential CRD's structural schema (types, required fields, enums,
//! lengths, its two patterns) and its CEL rules (through
//! `segura_operator::crd::validate::validate_spec`), answering as the real server does.

use std::sync::OnceLock;

use kube::CustomResourceExt;
use segura_operator::crd::{Credential, CredentialSpec, rules, validate::validate_spec};
use serde_json::Value;

use super::errors::Cause;

/// Message of the cause the real server adds when schema errors keep CEL rules from running.
const NOT_CHECKED: &str = "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

/// The CRD's `openAPIV3Schema`, as JSON.
fn credential_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let crd = serde_json::to_value(Credential::crd()).expect("the CRD serializes");
        crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
    })
}

/// JSON type name as the server's messages give it.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value as it is quoted in "Invalid value: ..." messages.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => format!("{:?}", type_name(other)),
    }
}

fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// The CRD's patterns, checked without a regex engine; unknown patterns pass.
fn pattern_ok(pattern: &str, s: &str) -> bool {
    if pattern == rules::IDENTIFIER_PATTERN {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    } else if pattern == rules::LIST_ITEM_PATTERN {
        !s.is_empty() && !s.contains(',') && s.trim() == s
    } else {
        true
    }
}

/// Walks a value against a structural schema, collecting causes.
pub fn check_schema(v: &Value, schema: &Value, path: &str, out: &mut Vec<Cause>) {
    if v.is_null() {
        return; // nulls of non-nullable fields are dropped by the server before validation
    }
    if schema.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        return;
    }
    let last = path.rsplit('.').next().unwrap_or(path);
    if let Some(want) = schema.get("type").and_then(Value::as_str) {
        let got = type_name(v);
        let fits = got == want || (want == "number" && got == "integer");
        if !fits {
            let msg = format!(
                "Invalid value: \"{got}\": {last} in body must be of type {want}: \"{got}\""
            );
            out.push(Cause::new("FieldValueTypeInvalid", path, msg));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(v)
    {
        let list: Vec<String> = options
            .iter()
            .filter(|o| !o.is_null())
            .map(|o| o.to_string())
            .collect();
        let msg = format!(
            "Unsupported value: {v}: supported values: {}",
            list.join(", ")
        );
        out.push(Cause::new("FieldValueNotSupported", path, msg));
    }
    match v {
        Value::String(s) => {
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
                && (s.chars().count() as u64) < min
            {
                let msg = format!(
                    "Invalid value: {}: {path} in body should be at least {min} chars long",
                    shown(v)
                );
                out.push(Cause::new("FieldValueInvalid", path, msg));
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
                && (s.chars().count() as u64) > max
            {
                let msg = format!("Too long: may not be more than {max} bytes");
                out.push(Cause::new("FieldValueTooLong", path, msg));
            }
            if let Some(p) = schema.get("pattern").and_then(Value::as_str)
                && !pattern_ok(p, s)
            {
                let msg = format!(
                    "Invalid value: {}: {path} in body should match '{p}'",
                    shown(v)
                );
                out.push(Cause::new("FieldValueInvalid", path, msg));
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check_schema(item, item_schema, &format!("{path}[{i}]"), out);
                }
            }
        }
        Value::Object(map) => {
            for req in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if map.get(req).is_none_or(Value::is_null) {
                    out.push(Cause::new(
                        "FieldValueRequired",
                        &child(path, req),
                        "Required value",
                    ));
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties").filter(|a| a.is_object());
            for (k, val) in map {
                if path.is_empty() && matches!(k.as_str(), "metadata" | "apiVersion" | "kind") {
                    continue;
                }
                if let Some(s) = props.and_then(|p| p.get(k)).or(extra) {
                    check_schema(val, s, &child(path, k), out);
                }
            }
        }
        _ => {}
    }
}

/// The value at a dotted field path (no list indexes), for messages.
fn at_path<'a>(v: &'a Value, field: &str) -> Option<&'a Value> {
    field.split('.').try_fold(v, |cur, part| cur.get(part))
}

/// Admission for a whole `Credential`: schema first; only when it passes, the CEL rules.
pub fn validate_credential(obj: &Value, out: &mut Vec<Cause>) {
    let before = out.len();
    check_schema(obj, credential_schema(), "", out);
    if out.len() > before {
        out.push(Cause::new("FieldValueInvalid", "<nil>", NOT_CHECKED));
        return;
    }
    let spec: CredentialSpec = match serde_json::from_value(obj["spec"].clone()) {
        Ok(spec) => spec,
        Err(e) => {
            out.push(Cause::new(
                "FieldValueInvalid",
                "spec",
                format!("Invalid value: \"object\": {e}"),
            ));
            return;
        }
    };
    for v in validate_spec(&spec) {
        let value = at_path(obj, &v.field)
            .map(shown)
            .unwrap_or_else(|| "\"object\"".into());
        let msg = format!("Invalid value: {value}: {}", v.message);
        out.push(Cause::new("FieldValueInvalid", &v.field, msg));
    }
}

/// A DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', alphanumeric at both ends.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// The message of a failed DNS-1123 subdomain check.
pub fn dns_subdomain_msg(value: &str) -> String {
    format!(
        "Invalid value: {value:?}: a lowercase RFC 1123 subdomain must consist of lower case \
         alphanumeric characters, '-' or '.', and must start and end with an alphanumeric \
         character (e.g. 'example.com', regex used for validation is \
         '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    )
}

/// Checks `metadata.name` / `metadata.generateName` (a prefix may end with '-').
pub fn validate_names(name: &str, generate_name: Option<&str>, out: &mut Vec<Cause>) {
    if let Some(prefix) = generate_name {
        let masked = prefix
            .strip_suffix('-')
            .map(|p| format!("{p}a"))
            .unwrap_or(prefix.to_string());
        if !is_dns_subdomain(&masked) {
            out.push(Cause::new(
                "FieldValueInvalid",
                "metadata.generateName",
                dns_subdomain_msg(prefix),
            ));
            return;
        }
    }
    if !is_dns_subdomain(name) {
        out.push(Cause::new(
            "FieldValueInvalid",
            "metadata.name",
            dns_subdomain_msg(name),
        ));
    }
}

/// A random suffix for `generateName`, from the server's alphabet.
pub fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}
