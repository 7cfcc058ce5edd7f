//! The Segura PAM Core client: upsert, deactivate and list credentials with an OAuth2 token
//! that renews itself. It never calls `GET /pam/credential/{id}`: that checks the password out
//! (custody) and is audited as a password view.
//!
//! Nothing that holds a secret is logged: debug lines carry the method, path, status, Segura
//! code and elapsed time only.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, Url};
use serde_json::{Map, Value};

pub use super::api::CredentialSummary;
use super::api::{Envelope, ErrorCode, RETRY_AFTER};
pub use super::client_config::SeguraConfig;
use super::error::{SeguraError, describe, parse_retry_after};
use super::token::TokenCache;

/// The calls the client makes, for metric labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `POST {token_path}`.
    Token,
    /// `POST {prefix}/pam/credential`.
    Upsert,
    /// `DELETE {prefix}/pam/credential/{id}`.
    Deactivate,
    /// `GET {prefix}/pam/credential`.
    List,
}

impl Endpoint {
    /// A lowercase label (`token`, `upsert`, `deactivate`, `list`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Upsert => "upsert",
            Self::Deactivate => "deactivate",
            Self::List => "list",
        }
    }
}

/// Receives one call per HTTP request, for metrics. `outcome` is bounded: `ok`, a known Segura
/// code (`1011`), `http_429`, `http_5xx`, `http_4xx`, `timeout`, `connect`, `decode`.
pub trait RequestObserver: Send + Sync {
    /// Records one request.
    fn observe(&self, endpoint: Endpoint, outcome: &str, elapsed: Duration);
}

/// The result of an upsert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upserted {
    /// Segura's id of the credential.
    pub id: String,
    /// The identifier Segura holds (generated when none was sent).
    pub identifier: String,
    /// 200 or 201.
    pub http_status: u16,
    /// Whether Segura reports a change (`response.changed`; absent means changed).
    pub changed: bool,
}

/// The result of a deactivation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deactivated {
    /// Segura deactivated the credential now.
    Deactivated,
    /// Segura does not know it or it was already inactive (1007 or 1008). A plain 404 is not
    /// counted: it means a wrong path prefix, and Segura would keep the credential active.
    AlreadyGone,
}

/// A Segura PAM Core client. Cheap to clone: clones share the HTTP pool and the token.
#[derive(Clone)]
pub struct SeguraClient {
    inner: Arc<Inner>,
    observer: Option<Arc<dyn RequestObserver>>,
}

struct Inner {
    http: reqwest::Client,
    collection: Url,
    timeout: Duration,
    tokens: TokenCache,
}

impl fmt::Debug for SeguraClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeguraClient")
            .field("collection", &self.inner.collection.as_str())
            .field("timeout", &self.inner.timeout)
            .field("tokens", &self.inner.tokens)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

/// One HTTP answer, read whole.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Vec<u8>,
}

/// Sends a request and reads its answer; transport failures become typed errors.
pub(crate) async fn execute(
    req: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<Answer, SeguraError> {
    let resp = req.send().await.map_err(|e| transport(e, timeout))?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body = resp.bytes().await.map_err(|e| transport(e, timeout))?;
    Ok(Answer {
        status,
        retry_after,
        body: body.to_vec(),
    })
}

fn transport(e: reqwest::Error, timeout: Duration) -> SeguraError {
    if e.is_timeout() {
        SeguraError::Timeout(timeout)
    } else {
        SeguraError::Connect(describe(&e.without_url()))
    }
}

/// Turns an answer into a result: 2xx is success unless the envelope says error.
pub fn check_answer(
    status: u16,
    body: &[u8],
    retry_after: Option<Duration>,
) -> Result<(), SeguraError> {
    let error_envelope = || {
        serde_json::from_slice::<Envelope>(body)
            .is_ok_and(|e| e.response.error || e.response.erro || e.code >= 400)
    };
    if (200..300).contains(&status) && !error_envelope() {
        return Ok(());
    }
    let status = match serde_json::from_slice::<Envelope>(body) {
        Ok(e) if (200..300).contains(&status) && e.code >= 400 => e.code,
        _ => status,
    };
    Err(SeguraError::from_answer(status, body, retry_after, false))
}

/// Reads an upsert answer (200 or 201 with `credential.id`).
pub fn parse_upserted(status: u16, body: &[u8]) -> Result<Upserted, SeguraError> {
    let decode = |message: &str| SeguraError::Decode {
        status,
        message: message.to_string(),
    };
    let env: Envelope =
        serde_json::from_slice(body).map_err(|_| decode("not the answer envelope"))?;
    let cred = env
        .credential
        .ok_or_else(|| decode("no credential in the answer"))?;
    if cred.id.is_empty() {
        return Err(decode("empty credential id"));
    }
    let changed = env
        .response
        .changed
        .as_deref()
        .is_none_or(|c| c.trim().eq_ignore_ascii_case("true"));
    Ok(Upserted {
        id: cred.id,
        identifier: cred.identifier,
        http_status: status,
        changed,
    })
}

/// Reads a list answer; an answer without `credentials` is an empty list.
pub fn parse_list(status: u16, body: &[u8]) -> Result<Vec<CredentialSummary>, SeguraError> {
    serde_json::from_slice::<Envelope>(body)
        .map(|e| e.credentials.unwrap_or_default())
        .map_err(|_| SeguraError::Decode {
            status,
            message: "not a credential list envelope".into(),
        })
}

/// Whether a failed deactivation means the credential is already gone.
pub fn is_already_gone(err: &SeguraError) -> bool {
    matches!(
        err.known_code(),
        Some(ErrorCode::CredentialNotFound | ErrorCode::CredentialInactive)
    )
}

impl SeguraClient {
    /// Builds a client from `config` (no request is made). Fails on a bad URL or CA bundle.
    pub fn new(config: SeguraConfig) -> Result<Self, SeguraError> {
        let parts = config.resolve()?;
        let tokens = TokenCache::new(
            parts.http.clone(),
            parts.token_url,
            config.client_id.clone(),
            config.client_secret.clone(),
            config.timeout,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                http: parts.http,
                collection: parts.collection,
                timeout: config.timeout,
                tokens,
            }),
            observer: None,
        })
    }

    /// Reports every request to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn RequestObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Creates or updates a credential: `POST {prefix}/pam/credential` with `body`.
    pub async fn upsert(&self, body: &super::body::RequestBody) -> Result<Upserted, SeguraError> {
        let url = self.inner.collection.clone();
        let answer = self
            .call(Endpoint::Upsert, Method::POST, url, Some(body.expose()))
            .await?;
        parse_upserted(answer.status, &answer.body)
    }

    /// Deactivates a credential: `DELETE {prefix}/pam/credential/{id}`. Unknown or inactive
    /// credentials are [`Deactivated::AlreadyGone`], not an error.
    pub async fn deactivate(&self, id: &str) -> Result<Deactivated, SeguraError> {
        let mut url = self.inner.collection.clone();
        url.path_segments_mut()
            .map_err(|()| SeguraError::Config("base URL cannot hold a path".into()))?
            .push(id);
        match self
            .call(Endpoint::Deactivate, Method::DELETE, url, None)
            .await
        {
            Ok(_) => Ok(Deactivated::Deactivated),
            Err(e) if is_already_gone(&e) => Ok(Deactivated::AlreadyGone),
            Err(e) => Err(e),
        }
    }

    /// Lists the credentials the authorization can see (no passwords).
    pub async fn list(&self) -> Result<Vec<CredentialSummary>, SeguraError> {
        let url = self.inner.collection.clone();
        let answer = self.call(Endpoint::List, Method::GET, url, None).await?;
        parse_list(answer.status, &answer.body)
    }

    /// One API call with the cached token; on a refused token, one renewal and one retry.
    async fn call(
        &self,
        endpoint: Endpoint,
        method: Method,
        url: Url,
        json: Option<&Map<String, Value>>,
    ) -> Result<Answer, SeguraError> {
        let observer = self.observer.as_deref();
        let mut renewed = false;
        loop {
            let token = self.inner.tokens.get(observer).await?;
            let mut req = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose());
            if let Some(body) = json {
                req = req.json(body);
            }
            let started = Instant::now();
            let result = execute(req, self.inner.timeout)
                .await
                .and_then(|a| check_answer(a.status, &a.body, a.retry_after).map(|()| a));
            let elapsed = started.elapsed();
            let outcome = result
                .as_ref()
                .map_or_else(SeguraError::outcome, |_| "ok".into());
            if let Some(o) = observer {
                o.observe(endpoint, &outcome, elapsed);
            }
            let (status, code) = match &result {
                Ok(a) => (Some(a.status), None),
                Err(e) => (e.http_status(), e.segura_code()),
            };
            tracing::debug!(
                method = %method,
                path = url.path(),
                status,
                code,
                outcome,
                elapsed_ms = elapsed.as_millis() as u64,
                "segura request"
            );
            match result {
                Err(e) if e.is_token_rejected() && !renewed => {
                    renewed = true;
                    self.inner.tokens.invalidate(token.generation()).await;
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segura::api::MSG_RESOURCE_NOT_FOUND;

    #[test]
    fn upsert_answer() {
        let body = r#"{"code":201,"response":{"status":201,"message":"Credential successfully registered!","error":false},
            "tenant":"Segura","credential":{"id":"42","identifier":"abc"}}"#;
        assert!(check_answer(201, body.as_bytes(), None).is_ok());
        let up = parse_upserted(201, body.as_bytes()).unwrap();
        assert_eq!(
            up,
            Upserted {
                id: "42".into(),
                identifier: "abc".into(),
                http_status: 201,
                changed: true
            }
        );
        let body = r#"{"code":200,"response":{"changed":"false"},"credential":{"id":7}}"#;
        let up = parse_upserted(200, body.as_bytes()).unwrap();
        assert_eq!((up.id.as_str(), up.changed), ("7", false));
        let body =
            r#"{"code":200,"response":{"changed":"true","message":""},"credential":{"id":"7"}}"#;
        assert!(parse_upserted(200, body.as_bytes()).unwrap().changed);
        let err = parse_upserted(200, br#"{"code":200,"response":{"message":"ok"}}"#).unwrap_err();
        assert_eq!(err.reason(), "UnexpectedAnswer");
    }

    #[test]
    fn success_status_with_an_error_envelope_is_an_error() {
        let env = Envelope::error(400, "1011: Device not found", Some(1011));
        let body = serde_json::to_vec(&env).unwrap();
        let err = check_answer(200, &body, None).unwrap_err();
        assert_eq!(
            (err.http_status(), err.segura_code()),
            (Some(400), Some(1011))
        );
    }

    #[test]
    fn list_answer() {
        let body = r#"{"code":200,"response":{},"credentials":[{"id":1,"identifier":"a","username":"u"}]}"#;
        let list = parse_list(200, body.as_bytes()).unwrap();
        assert_eq!((list[0].id.as_str(), list[0].active), ("1", true));
        assert!(parse_list(200, br#"{"code":200}"#).unwrap().is_empty());
        assert!(parse_list(200, b"<html>").is_err());
    }

    #[test]
    fn already_gone_answers() {
        let gone = |status, message: &str, code| {
            let body = serde_json::to_vec(&Envelope::error(status, message, code)).unwrap();
            is_already_gone(&SeguraError::from_answer(status, &body, None, false))
        };
        assert!(gone(400, "1007: Credential not found", Some(1007)));
        assert!(gone(400, "1008: Credential inactive", None));
        assert!(
            !gone(404, MSG_RESOURCE_NOT_FOUND, None),
            "a wrong prefix is not success"
        );
        assert!(!gone(400, "1009: No access to credential", Some(1009)));
        assert!(!gone(500, "Unexpected error.", None));
        assert!(!is_already_gone(&SeguraError::Timeout(
            Duration::from_secs(1)
        )));
    }

    #[test]
    fn endpoint_labels() {
        let labels: Vec<_> = [
            Endpoint::Token,
            Endpoint::Upsert,
            Endpoint::Deactivate,
            Endpoint::List,
        ]
        .map(Endpoint::as_str)
        .into();
        assert_eq!(labels, ["token", "upsert", "deactivate", "list"]);
    }
}
