//! Request bodies as the simulated server reads them: JSON, or form-encoded as the vendor's
//! Ansible module sends them (every value a string; PHP-style `a[b]=v` keys become nested
//! objects, `a[0][b]=v` arrays). Pure functions.

use serde_json::{Map, Value};

/// How a body is encoded, from its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json` or `*+json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// Anything else, or no content type.
    Other,
}

/// The body kind a `Content-Type` announces.
pub fn body_kind(content_type: Option<&str>) -> BodyKind {
    let essence = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|s| s.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if essence == "application/json" || essence.ends_with("+json") {
        BodyKind::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else {
        BodyKind::Other
    }
}

/// The parameters of a request body, read as the content type says (without one: JSON, else
/// form). A body that is not an object of parameters reads as no parameters.
pub fn body_params(content_type: Option<&str>, body: &[u8]) -> Map<String, Value> {
    let json = || match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    };
    let form = || std::str::from_utf8(body).ok().map(parse_form);
    match body_kind(content_type) {
        BodyKind::Json => json().unwrap_or_default(),
        BodyKind::Form => form().unwrap_or_default(),
        BodyKind::Other => json().or_else(form).unwrap_or_default(),
    }
}

/// A body as recorded for inspection: `null` when empty, else JSON or form as the content type
/// says, falling back to the other reading and finally to the raw text. Best effort: a form
/// body labelled JSON (the Ansible module's DELETE) is recorded as the form it is.
pub fn body_for_record(content_type: Option<&str>, body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    let text = String::from_utf8_lossy(body);
    let json = serde_json::from_slice::<Value>(body).ok();
    let looks_like_form = text.contains('=') && !text.trim_start().starts_with(['{', '[']);
    match (body_kind(content_type), json) {
        (BodyKind::Form, _) => Value::Object(parse_form(&text)),
        (_, Some(v)) => v,
        _ if looks_like_form => Value::Object(parse_form(&text)),
        _ => Value::String(text.into_owned()),
    }
}

/// Parses `application/x-www-form-urlencoded` text into parameters. Later duplicates win;
/// bracketed keys nest.
pub fn parse_form(text: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(k, true);
        let value = Value::String(percent_decode(v, true));
        insert_path(&mut out, &key_path(&key), value);
    }
    for v in out.values_mut() {
        arrays_from_indexed(v);
    }
    out
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_as_space`); invalid UTF-8 is replaced.
pub fn percent_decode(s: &str, plus_as_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_as_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// `a[b][]` → `["a", "b", ""]`; a key without brackets is one segment.
fn key_path(key: &str) -> Vec<String> {
    let Some(open) = key.find('[') else {
        return vec![key.to_string()];
    };
    if open == 0 || !key.ends_with(']') {
        return vec![key.to_string()];
    }
    let mut path = vec![key[..open].to_string()];
    path.extend(key[open + 1..key.len() - 1].split("][").map(str::to_string));
    path
}

fn insert_path(map: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let key = if first.is_empty() {
        map.len().to_string()
    } else {
        first.clone()
    };
    if rest.is_empty() {
        map.insert(key, value);
        return;
    }
    let slot = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(inner) = slot {
        insert_path(inner, rest, value);
    }
}

/// Objects keyed `0..n` become arrays, recursively.
fn arrays_from_indexed(v: &mut Value) {
    let Value::Object(m) = v else { return };
    for inner in m.values_mut() {
        arrays_from_indexed(inner);
    }
    let indexed = !m.is_empty() && (0..m.len()).all(|i| m.contains_key(&i.to_string()));
    if indexed {
        let items = (0..m.len())
            .filter_map(|i| m.remove(&i.to_string()))
            .collect();
        *v = Value::Array(items);
    }
}

/// A parameter as text, the way a form-reading server sees it: strings as they are, numbers
/// and booleans spelled out, `null`, objects and arrays as nothing.
pub fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A parameter as a boolean: `true`, non-zero numbers, and the strings `true`, `1`, `on`,
/// `yes` (any case; form bodies carry only strings).
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => {
            matches!(
                s.trim().to_ascii_lowercase().as_str(),
                "true" | "1" | "on" | "yes"
            )
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn form_values_are_strings_and_brackets_nest() {
        let m = parse_form(
            "username=a+b&parent_password=5&jit_settings%5Bjit%5D=true&jit_settings[x]=%C3%A9\
             &additional_settings[0][notes]=n&additional_settings[1][notes]=m&tags[]=a&tags[]=b",
        );
        assert_eq!(
            Value::Object(m),
            json!({
                "username": "a b",
                "parent_password": "5",
                "jit_settings": {"jit": "true", "x": "é"},
                "additional_settings": [{"notes": "n"}, {"notes": "m"}],
                "tags": ["a", "b"],
            })
        );
    }

    #[test]
    fn json_and_form_by_content_type() {
        let j = body_params(
            Some("application/json; charset=utf-8"),
            br#"{"username":"u"}"#,
        );
        assert_eq!(j.get("username"), Some(&json!("u")));
        let f = body_params(Some("application/x-www-form-urlencoded"), b"username=u");
        assert_eq!(f.get("username"), Some(&json!("u")));
        assert!(body_params(Some("application/json"), b"username=u").is_empty());
        assert_eq!(
            body_params(None, b"username=u").get("username"),
            Some(&json!("u"))
        );
    }

    #[test]
    fn recorded_bodies() {
        assert_eq!(body_for_record(Some("application/json"), b""), Value::Null);
        assert_eq!(
            body_for_record(Some("application/json"), b"identifier=x"),
            json!({"identifier": "x"})
        );
        assert_eq!(body_for_record(None, b"plain"), json!("plain"));
    }

    #[test]
    fn percent_edge_cases() {
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(percent_decode("%4", false), "%4");
        assert_eq!(percent_decode("a%40b+c", false), "a@b+c");
    }

    #[test]
    fn truthiness() {
        assert!(truthy(Some(&json!(true))));
        assert!(truthy(Some(&json!("True"))));
        assert!(truthy(Some(&json!(1))));
        assert!(!truthy(Some(&json!("false"))));
        assert!(!truthy(None));
    }
}
