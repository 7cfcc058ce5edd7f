//! Redaction of secret values (passwords, TOTP keys, additional-authentication values, client
//! secrets, tokens) for the HTTP inspection view and `Debug` output.

use serde_json::{Map, Value};

use crate::segura::body::REDACTED;

/// Keys whose values are secret wherever they appear.
const SECRET_KEYS: [&str; 6] = [
    "content",
    "password",
    "secret_key",
    "client_secret",
    "access_token",
    "authorization",
];

/// Key of the list whose items' `value` is secret.
const AUTH_FIELDS: &str = "additional_authentication_fields";

/// A copy of `v` with every secret value replaced by `<redacted>`. A bare string (a body that
/// could not be parsed) is redacted whole, since it may hold anything.
pub fn redact(v: &Value) -> Value {
    match v {
        Value::String(_) => Value::String(REDACTED.into()),
        other => redact_inner(other, false),
    }
}

fn redact_inner(v: &Value, in_auth_fields: bool) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                let secret = SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str())
                    || (in_auth_fields && k == "value");
                let new = if secret && !val.is_null() {
                    Value::String(REDACTED.into())
                } else {
                    redact_inner(val, k == AUTH_FIELDS)
                };
                out.insert(k.clone(), new);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| redact_inner(i, in_auth_fields))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_secrets() {
        let v = json!({
            "content": "pw",
            "username": "u",
            "additional_settings": [{
                "secret_key": "totp",
                "additional_authentication_fields": [{"name": "n", "value": "v"}],
            }],
            "value": "not secret here",
        });
        assert_eq!(
            redact(&v),
            json!({
                "content": REDACTED,
                "username": "u",
                "additional_settings": [{
                    "secret_key": REDACTED,
                    "additional_authentication_fields": [{"name": "n", "value": REDACTED}],
                }],
                "value": "not secret here",
            })
        );
        assert_eq!(redact(&json!("a=b")), json!(REDACTED));
    }
}
