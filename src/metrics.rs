//! Prometheus metrics (prometheus-client). Every label is bounded: results, reasons, endpoints
//! and outcomes come from fixed sets; object names and free text never become labels.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::segura::client::{Endpoint, RequestObserver};

/// Label of a reconcile result (`synced`, `up_to_date`, `failed`, ...).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    /// The result.
    pub result: String,
}

/// Labels of a Segura request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// `token`, `upsert`, `deactivate` or `list`.
    pub endpoint: String,
    /// `ok`, a Segura code such as `1011`, `http_429`, `http_5xx`, `timeout`, `connect`...
    pub outcome: String,
}

/// Label of a Segura request duration.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabel {
    /// `token`, `upsert`, `deactivate` or `list`.
    pub endpoint: String,
}

/// Label of the Credentials-by-reason gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// The `Ready` condition's reason.
    pub reason: String,
}

/// All metrics of the operator, registered in one registry.
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ResultLabel, Counter>,
    reconcile_duration: Histogram,
    segura_requests: Family<RequestLabels, Counter>,
    segura_request_duration: Family<EndpointLabel, Histogram>,
    credentials: Family<ReasonLabel, Gauge>,
    leader: Gauge,
    reasons: Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Creates and registers every metric under the `segura_operator` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("segura_operator");
        let reconciles = Family::<ResultLabel, Counter>::default();
        registry.register("reconciles", "Reconciles by result", reconciles.clone());
        let reconcile_duration = Histogram::new(exponential_buckets(0.005, 2.0, 14));
        registry.register(
            "reconcile_duration_seconds",
            "Duration of a reconcile",
            reconcile_duration.clone(),
        );
        let segura_requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "segura_requests",
            "Requests to Segura by endpoint and outcome (Segura error code where there is one)",
            segura_requests.clone(),
        );
        let segura_request_duration =
            Family::<EndpointLabel, Histogram>::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.005, 2.0, 14))
            });
        registry.register(
            "segura_request_duration_seconds",
            "Duration of requests to Segura, by endpoint",
            segura_request_duration.clone(),
        );
        let credentials = Family::<ReasonLabel, Gauge>::default();
        registry.register(
            "credentials",
            "Credentials by the reason of their Ready condition",
            credentials.clone(),
        );
        let leader = Gauge::default();
        registry.register(
            "leader",
            "1 while this instance is the leader",
            leader.clone(),
        );
        Self {
            registry,
            reconciles,
            reconcile_duration,
            segura_requests,
            segura_request_duration,
            credentials,
            leader,
            reasons: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a reconcile and its duration.
    pub fn reconciled(&self, result: &str, elapsed: Duration) {
        self.reconciles
            .get_or_create(&ResultLabel {
                result: result.to_string(),
            })
            .inc();
        self.reconcile_duration.observe(elapsed.as_secs_f64());
    }

    /// Records the Ready reason of a Credential (`None` when it is gone).
    pub fn set_reason(&self, key: &str, reason: Option<&str>) {
        let mut reasons = self.reasons.lock().unwrap_or_else(|e| e.into_inner());
        let old = match reason {
            Some(r) => reasons.insert(key.to_string(), r.to_string()),
            None => reasons.remove(key),
        };
        if old.as_deref() == reason {
            return;
        }
        if let Some(o) = old {
            self.credentials
                .get_or_create(&ReasonLabel { reason: o })
                .dec();
        }
        if let Some(r) = reason {
            self.credentials
                .get_or_create(&ReasonLabel {
                    reason: r.to_string(),
                })
                .inc();
        }
    }

    /// Sets the leader gauge.
    pub fn set_leader(&self, leader: bool) {
        self.leader.set(i64::from(leader));
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl RequestObserver for Metrics {
    fn observe(&self, endpoint: Endpoint, outcome: &str, elapsed: Duration) {
        self.segura_requests
            .get_or_create(&RequestLabels {
                endpoint: endpoint.as_str().to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
        self.segura_request_duration
            .get_or_create(&EndpointLabel {
                endpoint: endpoint.as_str().to_string(),
            })
            .observe(elapsed.as_secs_f64());
    }
}
