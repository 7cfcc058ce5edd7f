//! The HTTP inspection view under `/__simulator/`, a path no Segura server has, so it cannot
//! be mistaken for the real API. It needs no token, is not recorded or faulted, and redacts
//! passwords, TOTP keys, additional-authentication values and client secrets.
//!
//! - `GET /__simulator/` or `/__simulator/state`: credentials, registry, clients (ids and
//!   permissions only), faults, counters;
//! - `GET /__simulator/requests`: every request received since the last reset;
//! - `PUT /__simulator/faults` (JSON [`Faults`]): sets the fault switches.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, put};
use serde_json::{Value, json};

use super::faults::{FaultState, Faults};
use super::redact::redact;
use super::routes::Endpoint;
use super::state::{Inner, Shared};

/// Path prefix of the inspection view.
pub const INSPECT_PREFIX: &str = "/__simulator";

/// The inspection routes.
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__simulator", get(state_view))
        .route("/__simulator/", get(state_view))
        .route("/__simulator/state", get(state_view))
        .route("/__simulator/requests", get(requests_view))
        .route("/__simulator/faults", put(set_faults).get(faults_view))
}

async fn state_view(State(shared): State<Arc<Shared>>) -> axum::Json<Value> {
    axum::Json(state_json(&shared.lock()))
}

async fn requests_view(State(shared): State<Arc<Shared>>) -> axum::Json<Value> {
    let inner = shared.lock();
    let records: Vec<Value> = inner
        .records
        .iter()
        .map(|(_, r)| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            v["body"] = redact(&r.body);
            v
        })
        .collect();
    axum::Json(Value::Array(records))
}

async fn faults_view(State(shared): State<Arc<Shared>>) -> axum::Json<Faults> {
    axum::Json(shared.lock().faults.faults().clone())
}

async fn set_faults(
    State(shared): State<Arc<Shared>>,
    axum::Json(faults): axum::Json<Faults>,
) -> axum::Json<Faults> {
    let mut inner = shared.lock();
    inner.faults = FaultState::new(faults.clone());
    axum::Json(faults)
}

/// The state as the HTTP view shows it, secrets redacted.
pub fn state_json(inner: &Inner) -> Value {
    let credentials: Vec<Value> = inner
        .store
        .all()
        .iter()
        .map(|c| redact(&serde_json::to_value(c).unwrap_or(Value::Null)))
        .collect();
    let clients: Vec<Value> = inner
        .clients
        .iter()
        .map(|c| json!({"client_id": c.client_id, "permission": c.permission}))
        .collect();
    let counters: BTreeMap<Endpoint, usize> = Endpoint::ALL
        .iter()
        .map(|e| (*e, inner.count(*e)))
        .collect();
    json!({
        "credentials": credentials,
        "devices": inner.registry.devices,
        "domains": inner.registry.domains,
        "plugins": inner.registry.plugins,
        "templates": inner.registry.templates,
        "clients": clients,
        "faults": inner.faults.faults(),
        "token_lifetime_secs": inner.token_lifetime.as_secs(),
        "tokens_active": inner.tokens.active(Instant::now()),
        "counters": counters,
        "custody_checkouts": inner.custody_checkouts,
        "requests_total": inner.records.len(),
    })
}
