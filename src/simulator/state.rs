//! The simulator's shared state (behind one mutex, never held across an `.await`) and the
//! record of every request received.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::checks::Registry;
use super::config::{ClientConfig, Permission, SimulatorConfig};
use super::faults::{FaultState, rng_for};
use super::redact::redact;
use super::routes::Endpoint;
use super::store::Store;
use super::tokens::TokenStore;

/// One request as the simulator received it. `Debug` redacts secret values of the body.
#[derive(Serialize, Clone, PartialEq)]
pub struct RequestRecord {
    /// Method, upper case.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// The endpoint it was routed to.
    pub endpoint: Endpoint,
    /// `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Parsed body (JSON, form as an object of strings, raw text, or `null` when empty).
    /// Token requests are recorded with their secrets redacted; credential bodies in full
    /// (the HTTP view redacts them).
    pub body: Value,
    /// Status answered; 0 while the answer is pending (or if the client went away first).
    pub status: u16,
}

impl fmt::Debug for RequestRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestRecord")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("endpoint", &self.endpoint)
            .field("content_type", &self.content_type)
            .field("body", &redact(&self.body))
            .field("status", &self.status)
            .finish()
    }
}

/// Everything the simulator holds.
#[derive(Debug)]
pub struct Inner {
    /// OAuth2 clients.
    pub clients: Vec<ClientConfig>,
    /// Registered devices, domains, plugins, templates.
    pub registry: Registry,
    /// Credentials.
    pub store: Store,
    /// Issued tokens.
    pub tokens: TokenStore,
    /// Fault switches.
    pub faults: FaultState,
    /// Random source of generated identifiers (seeded by `faults.seed`).
    pub id_rng: fastrand::Rng,
    /// Lifetime of newly issued tokens.
    pub token_lifetime: Duration,
    /// Whether an upsert reactivates an inactive credential.
    pub reactivate_on_upsert: bool,
    /// Ids of credentials checked out by `GET {id}` and not released.
    pub custody: BTreeSet<String>,
    /// Successful `GET {id}` calls since the last reset.
    pub custody_checkouts: usize,
    /// Requests since the last reset, with their sequence numbers.
    pub records: Vec<(u64, RequestRecord)>,
    /// Next request sequence number.
    pub next_seq: u64,
}

impl Inner {
    /// State as a configuration describes it.
    pub fn new(cfg: SimulatorConfig) -> Self {
        Self {
            registry: Registry::from_config(&cfg),
            clients: cfg.clients,
            store: Store::default(),
            tokens: TokenStore::default(),
            id_rng: rng_for(cfg.faults.seed),
            faults: FaultState::new(cfg.faults),
            token_lifetime: Duration::from_secs(cfg.token_lifetime_secs),
            reactivate_on_upsert: cfg.reactivate_on_upsert,
            custody: BTreeSet::new(),
            custody_checkouts: 0,
            records: Vec::new(),
            next_seq: 0,
        }
    }

    /// The permission of a client, if it exists.
    pub fn permission(&self, client_id: &str) -> Option<Permission> {
        self.clients
            .iter()
            .find(|c| c.client_id == client_id)
            .map(|c| c.permission)
    }

    /// Records a request; returns its sequence number for [`Inner::finish`].
    pub fn record(&mut self, rec: RequestRecord) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.records.push((seq, rec));
        seq
    }

    /// Sets the answered status of a recorded request (if not reset since).
    pub fn finish(&mut self, seq: u64, status: u16) {
        if let Some((_, r)) = self.records.iter_mut().find(|(s, _)| *s == seq) {
            r.status = status;
        }
    }

    /// Requests received per endpoint since the last reset.
    pub fn count(&self, endpoint: Endpoint) -> usize {
        self.records
            .iter()
            .filter(|(_, r)| r.endpoint == endpoint)
            .count()
    }
}

/// The state shared by the server and the [`crate::simulator::Simulator`] handle.
#[derive(Debug)]
pub struct Shared(Mutex<Inner>);

impl Shared {
    /// Wraps the state.
    pub fn new(inner: Inner) -> Self {
        Self(Mutex::new(inner))
    }

    /// Locks the state (a poisoned lock is taken over: the state stays usable after a panic
    /// in a test).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
