//! The client's typed error: what Segura (or the network) answered, how it is retried
//! ([`ErrorClass`]), and a bounded reason for conditions, events and metric labels.
//!
//! Parsing is pure: [`SeguraError::from_answer`] turns a status, a body and a `Retry-After`
//! header into an error, whatever shape the body has (the envelope, a bare `{"message"}`, an
//! OAuth-style `{"error", "error_description"}`, or plain text).

use std::time::Duration;

use serde_json::Value;

use super::api::{
    Envelope, ErrorClass, ErrorCode, MSG_CLIENT_AUTH_FAILED, MSG_INVALID_SIGNATURE, MSG_NO_ROUTE,
    MSG_NOT_AUTHORIZED, MSG_TIMED_OUT, OAUTH_AUTH_ERRORS, REASON_REJECTED, code_in_message,
};

/// How many characters of a non-JSON body an error keeps.
pub const MAX_TEXT_BODY: usize = 200;

/// A failed call to Segura.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SeguraError {
    /// Segura or its gateway answered with an error status (or an error envelope).
    #[error("{}", api_display(*.status, *.code, .message))]
    Api {
        /// The HTTP status of the answer.
        status: u16,
        /// Segura's error number (`error_code`/`cod_erro`, or read from the message).
        code: Option<u32>,
        /// Segura's text (never the request body), non-JSON bodies cut to 200 characters.
        message: String,
        /// The `Retry-After` delay of a 429 or 503 answer.
        retry_after: Option<Duration>,
        /// The answer came from the token endpoint (a 4xx there is a credentials problem).
        token_endpoint: bool,
    },
    /// No answer within the configured request timeout.
    #[error("timeout after {}s", .0.as_secs())]
    Timeout(Duration),
    /// The connection could not be made or broke before an answer came.
    #[error("connection failed: {0}")]
    Connect(String),
    /// A success status whose body is not the expected answer.
    #[error("HTTP {status}: unexpected answer: {message}")]
    Decode {
        /// The HTTP status of the answer.
        status: u16,
        /// What was wrong with it.
        message: String,
    },
    /// The client configuration cannot be used (bad URL, unreadable CA bundle, ...).
    #[error("invalid Segura client configuration: {0}")]
    Config(String),
}

fn api_display(status: u16, code: Option<u32>, message: &str) -> String {
    match code {
        Some(n) if code_in_message(message) == Some(n) => message.to_string(),
        Some(n) => format!("{n}: {message}"),
        None => format!("HTTP {status}: {message}"),
    }
}

impl SeguraError {
    /// Builds the error for an answer with `status` and `body` (pure; any body shape).
    pub fn from_answer(
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
        token_endpoint: bool,
    ) -> Self {
        let (code, message) = parse_body(status, body);
        Self::Api {
            status,
            code,
            message,
            retry_after,
            token_endpoint,
        }
    }

    /// Segura's error number, if the answer carried one.
    pub fn segura_code(&self) -> Option<u32> {
        match self {
            Self::Api { code, .. } => *code,
            _ => None,
        }
    }

    /// The HTTP status, if an answer came.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Segura's message, or a description of the local failure.
    pub fn message(&self) -> String {
        match self {
            Self::Api { message, .. } | Self::Decode { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// How long Segura asked to wait (`Retry-After` of a 429 or 503).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The known error code, if any.
    pub fn known_code(&self) -> Option<ErrorCode> {
        self.segura_code().and_then(ErrorCode::from_number)
    }

    /// How the failure is retried (the design's table).
    pub fn class(&self) -> ErrorClass {
        if let Some(code) = self.known_code() {
            return code.class();
        }
        if self.is_auth_failure_text() {
            return ErrorClass::Authorization;
        }
        match self {
            Self::Api {
                status,
                code,
                token_endpoint,
                ..
            } => classify_status(*status, code.is_some(), *token_endpoint),
            _ => ErrorClass::Transient,
        }
    }

    /// A bounded PascalCase reason for the `Ready` condition, events and metric labels.
    pub fn reason(&self) -> &'static str {
        if let Some(code) = self.known_code() {
            return code.reason();
        }
        match self {
            Self::Timeout(_) => "Timeout",
            Self::Connect(_) => "ConnectionFailed",
            Self::Decode { .. } => "UnexpectedAnswer",
            Self::Config(_) => "InvalidConfiguration",
            Self::Api {
                status, message, ..
            } => match self.class() {
                ErrorClass::Authorization => "Unauthorized",
                ErrorClass::InvalidSpec | ErrorClass::MissingDependency => REASON_REJECTED,
                ErrorClass::Transient => match *status {
                    429 => "RateLimited",
                    404 => "EndpointNotFound",
                    408 | 504 => "Timeout",
                    _ if message.contains(MSG_TIMED_OUT) => "Timeout",
                    _ => "SeguraUnavailable",
                },
            },
        }
    }

    /// The number for the status's `errorCode`: Segura's code, else the HTTP status, else -1.
    pub fn code(&self) -> i64 {
        match (self.segura_code(), self.http_status()) {
            (Some(n), _) => i64::from(n),
            (None, Some(s)) => i64::from(s),
            (None, None) => -1,
        }
    }

    /// A bounded label for metrics: the Segura code, else the HTTP class, else the failure kind.
    pub fn outcome(&self) -> String {
        if let Some(code) = self.known_code() {
            return code.number().to_string();
        }
        match self {
            Self::Timeout(_) => "timeout".into(),
            Self::Connect(_) => "connect".into(),
            Self::Decode { .. } => "decode".into(),
            Self::Config(_) => "config".into(),
            Self::Api { status: 429, .. } => "http_429".into(),
            Self::Api { status, .. } if *status >= 500 => "http_5xx".into(),
            Self::Api { .. } => "http_4xx".into(),
        }
    }

    /// Whether the answer says the token was refused, so it is renewed once and the call
    /// retried: a 401, or Segura's `Client authentication failed.`.
    pub fn is_token_rejected(&self) -> bool {
        match self {
            Self::Api {
                status, message, ..
            } => *status == 401 || message.contains(MSG_CLIENT_AUTH_FAILED),
            _ => false,
        }
    }

    fn is_auth_failure_text(&self) -> bool {
        let Self::Api {
            status, message, ..
        } = self
        else {
            return false;
        };
        [MSG_CLIENT_AUTH_FAILED, MSG_NO_ROUTE, MSG_INVALID_SIGNATURE]
            .iter()
            .any(|m| message.contains(m))
            || (*status >= 500 && message.contains(MSG_NOT_AUTHORIZED))
            || OAUTH_AUTH_ERRORS.iter().any(|e| message.starts_with(e))
    }
}

/// The class of an answer that carries no known code and no authorization text.
pub fn classify_status(status: u16, has_code: bool, token_endpoint: bool) -> ErrorClass {
    match status {
        401 | 403 => ErrorClass::Authorization,
        400..=499 if token_endpoint && status != 429 => ErrorClass::Authorization,
        404 | 408 | 429 => ErrorClass::Transient,
        400 | 422 => ErrorClass::InvalidSpec,
        400..=499 if has_code => ErrorClass::InvalidSpec,
        _ => ErrorClass::Transient,
    }
}

/// Reads the Segura code and message from an error body of any shape.
pub fn parse_body(status: u16, body: &[u8]) -> (Option<u32>, String) {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return (None, text_message(status, body));
    };
    if json.get("response").is_some_and(Value::is_object)
        && let Ok(env) = serde_json::from_value::<Envelope>(json.clone())
    {
        let r = &env.response;
        let message = [&r.message, &r.mensagem, &r.detail]
            .into_iter()
            .find(|m| !m.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| fallback_text(status));
        return (env.error_number(), message);
    }
    let text = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(m) = text("message").or_else(|| text("mensagem")) {
        let code = ["error_code", "cod_erro"]
            .into_iter()
            .filter_map(|k| json.get(k).and_then(lenient_number))
            .find(|n| *n != 0)
            .or_else(|| code_in_message(&m));
        return (code, m);
    }
    if let Some(e) = text("error") {
        let message = match text("error_description") {
            Some(d) if !d.is_empty() => format!("{e}: {d}"),
            _ => e,
        };
        return (code_in_message(&message), message);
    }
    (None, text_message(status, body))
}

fn lenient_number(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A non-JSON body, trimmed and cut to [`MAX_TEXT_BODY`] characters.
fn text_message(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return fallback_text(status);
    }
    let mut out: String = text.chars().take(MAX_TEXT_BODY).collect();
    if text.chars().count() > MAX_TEXT_BODY {
        out.push('…');
    }
    out
}

fn fallback_text(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("no message")
        .to_string()
}

/// Parses a `Retry-After` header given in seconds (the HTTP-date form is not used by Segura
/// and yields `None`).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Describes a transport error without its URL, walking its sources.
pub(crate) fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
