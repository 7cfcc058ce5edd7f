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
mod tests {
    use super::*;
    use crate::segura::api::{Envelope, MSG_RESOURCE_NOT_FOUND, MSG_UNEXPECTED};

    fn api(status: u16, body: &str) -> SeguraError {
        SeguraError::from_answer(status, body.as_bytes(), None, false)
    }

    fn envelope(status: u16, message: &str, code: Option<u32>) -> String {
        serde_json::to_string(&Envelope::error(status, message, code)).unwrap()
    }

    #[test]
    fn every_known_code_from_the_envelope() {
        for code in ErrorCode::ALL {
            for filled in [Some(code.number()), None] {
                let e = api(400, &envelope(400, &code.message(), filled));
                assert_eq!(e.segura_code(), Some(code.number()));
                assert_eq!(e.class(), code.class(), "{code:?}");
                assert_eq!(e.reason(), code.reason());
                assert_eq!(e.code(), i64::from(code.number()));
                assert_eq!(e.to_string(), code.message());
                assert_eq!(e.outcome(), code.number().to_string());
            }
        }
    }

    #[test]
    fn portuguese_keys_and_string_codes() {
        let body =
            r#"{"code":400,"response":{"mensagem":"1011: Device not found","cod_erro":"1011"}}"#;
        let e = api(400, body);
        assert_eq!(e.segura_code(), Some(1011));
        assert_eq!(e.to_string(), "1011: Device not found");
        assert_eq!(e.class(), ErrorClass::MissingDependency);
    }

    #[test]
    fn bare_message_bodies() {
        let e = api(401, r#"{"message":"No route matched with those values."}"#);
        let got = (e.class(), e.reason(), e.code());
        assert_eq!(got, (ErrorClass::Authorization, "Unauthorized", 401));
        assert_eq!(
            e.to_string(),
            "HTTP 401: No route matched with those values."
        );
        let e = api(400, r#"{"message":"1029: It is not possible"}"#);
        assert_eq!(e.segura_code(), Some(1029));
        let e = api(400, r#"{"message":"Invalid signature"}"#);
        assert_eq!(e.class(), ErrorClass::Authorization);
    }

    #[test]
    fn oauth_error_bodies() {
        let body =
            r#"{"error":"invalid_client","error_description":"Client authentication failed."}"#;
        let e = SeguraError::from_answer(401, body.as_bytes(), None, true);
        assert_eq!(e.message(), "invalid_client: Client authentication failed.");
        assert_eq!(e.class(), ErrorClass::Authorization);
        assert!(e.is_token_rejected());
        let e = SeguraError::from_answer(400, br#"{"error":"invalid_grant"}"#, None, true);
        assert_eq!(
            (e.class(), e.reason()),
            (ErrorClass::Authorization, "Unauthorized")
        );
        // Any 4xx of the token endpoint is a credentials problem, except 429.
        let e = SeguraError::from_answer(400, b"bad", None, true);
        assert_eq!(e.class(), ErrorClass::Authorization);
        let e = SeguraError::from_answer(429, b"", None, true);
        assert_eq!(e.class(), ErrorClass::Transient);
    }

    #[test]
    fn text_bodies_are_truncated() {
        let long = "x".repeat(1000);
        let e = api(502, &format!("<html>{long}</html>"));
        assert_eq!(e.message().chars().count(), MAX_TEXT_BODY + 1);
        let got = (e.class(), e.reason(), e.code());
        assert_eq!(got, (ErrorClass::Transient, "SeguraUnavailable", 502));
        assert_eq!(api(503, "").message(), "Service Unavailable");
        assert_eq!(api(503, "  ").outcome(), "http_5xx");
    }

    #[test]
    fn classification_of_uncoded_answers() {
        use ErrorClass::*;
        let cases: &[(u16, &str, ErrorClass, &str)] = &[
            (401, "", Authorization, "Unauthorized"),
            (403, "Forbidden", Authorization, "Unauthorized"),
            (400, MSG_CLIENT_AUTH_FAILED, Authorization, "Unauthorized"),
            (500, MSG_NOT_AUTHORIZED, Authorization, "Unauthorized"),
            (500, MSG_UNEXPECTED, Transient, "SeguraUnavailable"),
            (504, MSG_TIMED_OUT, Transient, "Timeout"),
            (408, MSG_TIMED_OUT, Transient, "Timeout"),
            (429, "", Transient, "RateLimited"),
            (404, MSG_RESOURCE_NOT_FOUND, Transient, "EndpointNotFound"),
            (400, "9999: something new", InvalidSpec, "Rejected"),
            (400, "what?", InvalidSpec, "Rejected"),
            (422, "", InvalidSpec, "Rejected"),
            (409, "", Transient, "SeguraUnavailable"),
            (500, "9999: odd", Transient, "SeguraUnavailable"),
        ];
        for (status, message, class, reason) in cases {
            let e = api(*status, &envelope(*status, message, None));
            let got = (e.class(), e.reason());
            assert_eq!(got, (*class, *reason), "{status} {message:?}");
        }
    }

    #[test]
    fn local_failures() {
        let e = SeguraError::Timeout(Duration::from_secs(30));
        assert_eq!(e.to_string(), "timeout after 30s");
        let got = (e.class(), e.reason(), e.code(), e.outcome());
        assert_eq!(
            got,
            (ErrorClass::Transient, "Timeout", -1, "timeout".into())
        );
        let e = SeguraError::Connect("refused".into());
        let got = (e.class(), e.reason(), e.code(), e.outcome());
        let want = (
            ErrorClass::Transient,
            "ConnectionFailed",
            -1,
            "connect".into(),
        );
        assert_eq!(got, want);
        let e = SeguraError::Decode {
            status: 200,
            message: "x".into(),
        };
        assert_eq!((e.reason(), e.code()), ("UnexpectedAnswer", 200));
    }

    #[test]
    fn display_shapes() {
        let e = api(500, &envelope(500, MSG_UNEXPECTED, None));
        assert_eq!(e.to_string(), "HTTP 500: Unexpected error.");
        let body = r#"{"code":400,"response":{"message":"Device not found","error_code":1011}}"#;
        assert_eq!(api(400, body).to_string(), "1011: Device not found");
        // The page's 1053 text starts with a quote.
        let e = api(400, &envelope(400, "\"1053: The identifier\"", None));
        assert_eq!(e.segura_code(), Some(1053));
    }

    #[test]
    fn token_rejection() {
        assert!(api(401, "").is_token_rejected());
        assert!(api(400, &envelope(400, MSG_CLIENT_AUTH_FAILED, None)).is_token_rejected());
        assert!(!api(500, &envelope(500, MSG_NOT_AUTHORIZED, None)).is_token_rejected());
        assert!(!api(400, &envelope(400, "1039: Without", Some(1039))).is_token_rejected());
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        let e = SeguraError::from_answer(429, b"", Some(Duration::from_secs(2)), false);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(e.outcome(), "http_429");
    }
}
