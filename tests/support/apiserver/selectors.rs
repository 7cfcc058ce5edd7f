//! Label and field selectors, as list and watch take them.

use serde_json::Value;

use super::errors::ApiError;

/// One requirement of a label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Req {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector plus field selector; empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    labels: Vec<Req>,
    /// (field path, wanted value, equal?)
    fields: Vec<(String, String, bool)>,
}

/// Splits on commas outside parentheses.
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn set_values(s: &str) -> Option<Vec<String>> {
    let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.split(',').map(|v| v.trim().to_string()).collect())
}

fn parse_label(part: &str) -> Result<Req, ApiError> {
    let bad = || ApiError::bad_request(format!("unable to parse requirement: {part:?}"));
    if let Some(k) = part.strip_prefix('!') {
        return Ok(Req::NotExists(k.trim().to_string()));
    }
    if let Some((k, v)) = part.split_once("!=") {
        return Ok(Req::NotEq(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(Req::Eq(k.trim().into(), v.trim().into()));
    }
    if let Some((k, rest)) = part.split_once(" notin ") {
        return Ok(Req::NotIn(
            k.trim().into(),
            set_values(rest).ok_or_else(bad)?,
        ));
    }
    if let Some((k, rest)) = part.split_once(" in ") {
        return Ok(Req::In(k.trim().into(), set_values(rest).ok_or_else(bad)?));
    }
    if part.contains(' ') || part.contains('(') {
        return Err(bad());
    }
    Ok(Req::Exists(part.to_string()))
}

impl Selector {
    /// Parses `labelSelector` and `fieldSelector` query values. Field selectors take
    /// `metadata.name` and `metadata.namespace` (and `type` for Secrets), `=`, `==` or `!=`.
    pub fn parse(
        labels: Option<&str>,
        fields: Option<&str>,
        plural: &str,
    ) -> Result<Self, ApiError> {
        let mut sel = Self::default();
        for part in split_top(labels.unwrap_or_default()) {
            sel.labels.push(parse_label(&part)?);
        }
        for part in split_top(fields.unwrap_or_default()) {
            let (field, value, eq) = if let Some((f, v)) = part.split_once("!=") {
                (f, v, false)
            } else if let Some((f, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (f, v, true)
            } else {
                return Err(ApiError::bad_request(format!("invalid selector: {part:?}")));
            };
            let field = field.trim();
            let known = matches!(field, "metadata.name" | "metadata.namespace")
                || (plural == "secrets" && field == "type");
            if !known {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {field}"
                )));
            }
            sel.fields
                .push((field.to_string(), value.trim().to_string(), eq));
        }
        Ok(sel)
    }

    /// Whether an object matches.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels = &obj["metadata"]["labels"];
        let label = |k: &str| labels.get(k).and_then(Value::as_str);
        let labels_ok = self.labels.iter().all(|r| match r {
            Req::Eq(k, v) => label(k) == Some(v.as_str()),
            Req::NotEq(k, v) => label(k) != Some(v.as_str()),
            Req::In(k, vs) => label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            Req::NotIn(k, vs) => label(k).is_none_or(|l| vs.iter().all(|v| v != l)),
            Req::Exists(k) => label(k).is_some(),
            Req::NotExists(k) => label(k).is_none(),
        });
        labels_ok
            && self.fields.iter().all(|(field, want, eq)| {
                let got = field
                    .split('.')
                    .try_fold(obj, |cur, p| cur.get(p))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                (got == want) == *eq
            })
    }
}
