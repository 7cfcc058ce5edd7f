//! `Status` error bodies, shaped like the real API server's (see `kube-wire/`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::resources::ResourceDef;

/// One entry of `details.causes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// `FieldValueRequired`, `FieldValueInvalid`, `FieldValueTypeInvalid`, ...
    pub reason: String,
    /// Message without the field.
    pub message: String,
    /// Field path, e.g. `spec.identifier`.
    pub field: String,
}

impl Cause {
    /// A cause with the given reason, field and message.
    pub fn new(reason: &str, field: &str, message: impl Into<String>) -> Self {
        Self {
            reason: reason.to_string(),
            message: message.into(),
            field: field.to_string(),
        }
    }
}

/// An error answer: HTTP code and a `Status` body.
#[derive(Clone, Debug)]
pub struct ApiError {
    /// HTTP status code, also `Status.code`.
    pub code: u16,
    /// The `Status` object.
    pub body: Value,
}

/// `details` naming one object of a resource type (`kind` is the plural, as the server does).
fn details(res: &ResourceDef, name: &str) -> Value {
    let mut d = Map::new();
    if !name.is_empty() {
        d.insert("name".into(), json!(name));
    }
    if !res.group.is_empty() {
        d.insert("group".into(), json!(res.group));
    }
    d.insert("kind".into(), json!(res.plural));
    Value::Object(d)
}

impl ApiError {
    /// A failure `Status` with the given code, reason, message and optional details.
    pub fn new(
        code: u16,
        reason: &str,
        message: impl Into<String>,
        details: Option<Value>,
    ) -> Self {
        let mut body = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message.into(),
            "reason": reason,
        });
        if let Some(d) = details {
            body["details"] = d;
        }
        body["code"] = json!(code);
        Self { code, body }
    }

    /// 404 `NotFound` for one object.
    pub fn not_found(res: &ResourceDef, name: &str) -> Self {
        let msg = format!("{} \"{name}\" not found", res.qualified_plural());
        Self::new(404, "NotFound", msg, Some(details(res, name)))
    }

    /// 404 for a path the server does not serve.
    pub fn no_route() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
            None,
        )
    }

    /// 409 `AlreadyExists` on create.
    pub fn already_exists(res: &ResourceDef, name: &str) -> Self {
        let msg = format!("{} \"{name}\" already exists", res.qualified_plural());
        Self::new(409, "AlreadyExists", msg, Some(details(res, name)))
    }

    /// 409 `Conflict` on a stale `resourceVersion` (or a failed precondition).
    pub fn conflict(res: &ResourceDef, name: &str) -> Self {
        let msg = format!(
            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; \
             please apply your changes to the latest version and try again",
            res.qualified_plural()
        );
        Self::new(409, "Conflict", msg, Some(details(res, name)))
    }

    /// 422 `Invalid` listing its causes, as admission and validation answer.
    pub fn invalid(res: &ResourceDef, name: &str, causes: &[Cause]) -> Self {
        let parts: Vec<String> = causes
            .iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect();
        let joined = if parts.len() == 1 {
            parts[0].clone()
        } else {
            format!("[{}]", parts.join(", "))
        };
        let msg = format!("{} \"{name}\" is invalid: {joined}", res.qualified_kind());
        let mut d = Map::new();
        d.insert("name".into(), json!(name));
        if !res.group.is_empty() && res.custom {
            d.insert("group".into(), json!(res.group));
        }
        d.insert("kind".into(), json!(res.kind));
        let causes: Vec<Value> = causes
            .iter()
            .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
            .collect();
        d.insert("causes".into(), Value::Array(causes));
        Self::new(422, "Invalid", msg, Some(Value::Object(d)))
    }

    /// 410 `Expired`.
    pub fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message, None)
    }

    /// 400 `BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message, None)
    }

    /// 401 `Unauthorized`.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized", None)
    }

    /// 403 `Forbidden` for a user lacking a rule.
    pub fn forbidden(
        res: &ResourceDef,
        user: &str,
        verb: &str,
        resource: &str,
        name: Option<&str>,
        namespace: Option<&str>,
    ) -> Self {
        let what = match name {
            Some(n) => format!("{} \"{n}\"", res.qualified_plural()),
            None => res.qualified_plural(),
        };
        let scope = match namespace {
            Some(ns) => format!("in the namespace \"{ns}\""),
            None => "at the cluster scope".to_string(),
        };
        let msg = format!(
            "{what} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" \
             in API group \"{}\" {scope}",
            res.group
        );
        Self::new(
            403,
            "Forbidden",
            msg,
            Some(details(res, name.unwrap_or(""))),
        )
    }

    /// 405 for a verb the path does not take.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            None,
        )
    }

    /// 415 for a patch content type the server does not know.
    pub fn unsupported_media_type(ct: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml; got {ct}"
            ),
            None,
        )
    }

    /// Reason of the `Status`, for logs and tests.
    pub fn reason(&self) -> &str {
        self.body["reason"].as_str().unwrap_or_default()
    }
}

/// A JSON response with the real server's trailing newline.
pub fn json_response(code: u16, body: &Value) -> Response {
    let mut text = serde_json::to_string(body).expect("a JSON value serializes");
    text.push('\n');
    let status = StatusCode::from_u16(code).expect("a valid status code");
    (status, [("content-type", "application/json")], text).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.code, &self.body)
    }
}
