//! The API's HTTP side: one thin async handler that records the request, applies latency and
//! faults, authenticates, and hands the decision to the pure functions of the other modules.
//!
//! HTTP statuses the vendor's page does not state are *unconfirmed*: a missing Authorization
//! header and a bad or expired token answer 401; a 429 carries `Retry-After`; a simulated
//! gateway timeout answers 504.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::checks::{check_upsert, normalize};
use super::config::Permission;
use super::faults::FaultOutcome;
use super::params::{body_for_record, body_params, text};
use super::redact::redact;
use super::routes::{Route, route};
use super::state::{RequestRecord, Shared};
use super::store::new_identifier;
use super::tokens::{AuthHeader, auth_header, client_credentials};
use crate::segura::api::{
    Envelope, ErrorCode, MSG_ACTIVATED, MSG_CLIENT_AUTH_FAILED, MSG_CUSTODY_RELEASED,
    MSG_DEACTIVATED, MSG_FOUND, MSG_INVALID_SIGNATURE, MSG_LISTED, MSG_NO_ROUTE,
    MSG_NOT_AUTHORIZED, MSG_RATE_LIMITED, MSG_REGISTERED, MSG_RESOURCE_NOT_FOUND, MSG_TIMED_OUT,
    MSG_UNEXPECTED, MSG_UPDATED, TokenResponse,
};

/// Every API request lands here (the router's fallback).
pub async fn api(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let route = route(method.as_str(), &path);
    let content_type = header_str(&headers, header::CONTENT_TYPE).map(str::to_string);
    let mut recorded = body_for_record(content_type.as_deref(), &body);
    if route == Route::Token {
        recorded = redact(&recorded);
    }
    let seq = shared.lock().record(RequestRecord {
        method: method.as_str().to_string(),
        path: path.clone(),
        endpoint: route.endpoint(),
        content_type: content_type.clone(),
        body: recorded,
        status: 0,
    });
    // Handled in its own task so that, as on a real server, a request runs to completion
    // even when the client gives up (what `TimeoutMode::Hang` simulates).
    let task = tokio::spawn(async move {
        let response = handle(&shared, route, &headers, content_type.as_deref(), &body).await;
        let status = response.status().as_u16();
        shared.lock().finish(seq, status);
        tracing::debug!(method = %method, path = %path, status, "simulator request");
        response
    });
    task.await
        .unwrap_or_else(|_| error(StatusCode::INTERNAL_SERVER_ERROR, MSG_UNEXPECTED, None))
}

async fn handle(
    shared: &Shared,
    route: Route,
    headers: &HeaderMap,
    content_type: Option<&str>,
    body: &[u8],
) -> Response {
    let latency = shared.lock().faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match route {
        Route::NotFound => return error(StatusCode::NOT_FOUND, MSG_RESOURCE_NOT_FOUND, None),
        Route::Token => return token(shared, headers, content_type, body),
        _ => {}
    }
    let outcome = shared.lock().faults.decide();
    match outcome {
        FaultOutcome::Pass => {}
        FaultOutcome::RateLimited { retry_after_secs } => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, MSG_RATE_LIMITED, None);
            r.headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            return r;
        }
        FaultOutcome::GatewayTimeout(delay) => {
            tokio::time::sleep(delay).await;
            return error(StatusCode::GATEWAY_TIMEOUT, MSG_TIMED_OUT, None);
        }
        FaultOutcome::Hang(delay) => tokio::time::sleep(delay).await,
        FaultOutcome::ServerError => {
            return error(StatusCode::INTERNAL_SERVER_ERROR, MSG_UNEXPECTED, None);
        }
    }
    let permission = match authorize(shared, headers) {
        Ok(p) => p,
        Err(msg) => return error(StatusCode::UNAUTHORIZED, msg, None),
    };
    match permission {
        Permission::None => {
            return error(StatusCode::INTERNAL_SERVER_ERROR, MSG_NOT_AUTHORIZED, None);
        }
        Permission::ReadOnly if route.endpoint().writes() => {
            return numbered(ErrorCode::PermissionDenied);
        }
        _ => {}
    }
    credential_call(shared, route, content_type, body)
}

/// The permission of the client whose bearer token the request carries, or the message of
/// the 401 answer.
fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<Permission, &'static str> {
    match auth_header(header_str(headers, header::AUTHORIZATION)) {
        AuthHeader::Missing => Err(MSG_NO_ROUTE),
        AuthHeader::OAuth1 => Err(MSG_INVALID_SIGNATURE),
        AuthHeader::Other => Err(MSG_CLIENT_AUTH_FAILED),
        AuthHeader::Bearer(token) => {
            let inner = shared.lock();
            inner
                .tokens
                .client_of(token, Instant::now())
                .and_then(|c| inner.permission(c))
                .ok_or(MSG_CLIENT_AUTH_FAILED)
        }
    }
}

/// `POST /iso/oauth2/token`: client credentials from HTTP Basic or the form.
fn token(shared: &Shared, headers: &HeaderMap, ct: Option<&str>, body: &[u8]) -> Response {
    let form = body_params(ct, body);
    if text(form.get("grant_type")).as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        );
    }
    let creds = client_credentials(header_str(headers, header::AUTHORIZATION), &form);
    let mut inner = shared.lock();
    let known = creds.and_then(|(id, secret)| {
        inner
            .clients
            .iter()
            .find(|c| c.client_id == id && c.client_secret.expose() == secret)
            .map(|c| c.client_id.clone())
    });
    let Some(client_id) = known else {
        drop(inner);
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            MSG_CLIENT_AUTH_FAILED,
        );
    };
    let lifetime = inner.token_lifetime;
    let access_token = inner.tokens.issue(&client_id, lifetime, Instant::now());
    let answer = TokenResponse {
        token_type: "Bearer".into(),
        expires_in: lifetime.as_secs(),
        access_token,
    };
    (StatusCode::OK, axum::Json(answer)).into_response()
}

/// The credential calls, once authorized.
fn credential_call(shared: &Shared, route: Route, ct: Option<&str>, body: &[u8]) -> Response {
    let mut guard = shared.lock();
    let inner = &mut *guard;
    match route {
        Route::Upsert => {
            let params = normalize(&body_params(ct, body));
            if let Err(code) = check_upsert(&params, &inner.registry) {
                return numbered(code);
            }
            let rng = &mut inner.id_rng;
            let out =
                inner
                    .store
                    .upsert(&params, || new_identifier(rng), inner.reactivate_on_upsert);
            let (status, msg) = if out.created {
                (StatusCode::CREATED, MSG_REGISTERED)
            } else {
                (StatusCode::OK, MSG_UPDATED)
            };
            let mut env = Envelope::ok(status.as_u16(), msg);
            env.response.changed = Some(out.changed.to_string());
            env.credential = Some(out.reference);
            json_response(status, &env)
        }
        Route::List => {
            let mut env = Envelope::ok(200, MSG_LISTED);
            env.credentials = Some(inner.store.all().iter().map(|c| c.summary()).collect());
            json_response(StatusCode::OK, &env)
        }
        Route::Get(x) => {
            let Some(cred) = inner.store.get(&x) else {
                return numbered(ErrorCode::CredentialNotFound);
            };
            if !cred.active {
                return numbered(ErrorCode::CredentialInactive);
            }
            let view = cred.full_view();
            inner.custody.insert(cred.id.clone());
            inner.custody_checkouts += 1;
            let mut v = envelope_value(&Envelope::ok(200, MSG_FOUND));
            v["credential"] = view;
            (StatusCode::OK, axum::Json(v)).into_response()
        }
        Route::Deactivate(x) => match inner.store.deactivate(&x) {
            Ok(reference) => {
                inner.custody.remove(&reference.id);
                let mut env = Envelope::ok(200, MSG_DEACTIVATED);
                env.credential = Some(reference);
                json_response(StatusCode::OK, &env)
            }
            Err(code) => numbered(code),
        },
        Route::Activate(x) => match inner.store.activate(&x) {
            Ok((reference, changed)) => {
                let mut env = Envelope::ok(200, MSG_ACTIVATED);
                env.response.changed = Some(changed.to_string());
                env.credential = Some(reference);
                json_response(StatusCode::OK, &env)
            }
            Err(code) => numbered(code),
        },
        Route::ReleaseCustody(x) => {
            let Some(cred) = inner.store.get(&x) else {
                return numbered(ErrorCode::CredentialNotFound);
            };
            let reference = cred.reference();
            if !inner.custody.remove(&reference.id) {
                return numbered(ErrorCode::NotInCustody);
            }
            let mut env = Envelope::ok(200, MSG_CUSTODY_RELEASED);
            env.credential = Some(reference);
            json_response(StatusCode::OK, &env)
        }
        Route::Token | Route::NotFound => {
            error(StatusCode::NOT_FOUND, MSG_RESOURCE_NOT_FOUND, None)
        }
    }
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A numbered error: 400, `"NNNN: text"`, `error_code`/`cod_erro` filled.
fn numbered(code: ErrorCode) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        &code.message(),
        Some(code.number()),
    )
}

fn error(status: StatusCode, message: &str, code: Option<u32>) -> Response {
    json_response(status, &Envelope::error(status.as_u16(), message, code))
}

/// An OAuth2 error (RFC 6749 `error` and `error_description`) inside the usual envelope.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut v = envelope_value(&Envelope::error(status.as_u16(), description, None));
    if let Value::Object(m) = &mut v {
        m.insert("error".into(), json!(error));
        m.insert("error_description".into(), json!(description));
    }
    (status, axum::Json(v)).into_response()
}

fn envelope_value(env: &Envelope) -> Value {
    serde_json::to_value(env).unwrap_or_else(|_| Value::Object(Map::new()))
}

fn json_response(status: StatusCode, env: &Envelope) -> Response {
    (status, axum::Json(env)).into_response()
}
