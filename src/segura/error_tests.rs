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
    let body = r#"{"code":400,"response":{"mensagem":"1011: Device not found","cod_erro":"1011"}}"#;
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
    let body = r#"{"error":"invalid_client","error_description":"Client authentication failed."}"#;
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
