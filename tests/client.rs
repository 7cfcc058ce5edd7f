//! The Segura client against the in-process simulator: tokens (reuse, renewal before expiry,
//! one renewal after a refusal), every error the vendor's page lists, faults (429, 5xx,
//! timeouts), deactivation, list, the `/iso` prefix, the CA bundle option, and that no secret
//! or token reaches `Debug` output or logs.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use segura_operator::crd::CredentialSpec;
use segura_operator::segura::api::{ErrorClass, ErrorCode, MSG_INVALID_SIGNATURE, MSG_NO_ROUTE};
use segura_operator::segura::body::{RequestBody, request_body};
use segura_operator::segura::secrets::{SecretValue, SecretValues};
use segura_operator::segura::{
    Deactivated, Endpoint, RequestObserver, SeguraClient, SeguraConfig, SeguraError,
};
use segura_operator::simulator::{
    ClientConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Endpoint as SimEndpoint, Faults, Permission,
    Simulator, SimulatorConfig, TimeoutMode,
};
use serde_json::{Value, json};

const PASSWORD: &str = "pw-Sup3r-S3cret";

fn start(config: SimulatorConfig) -> Simulator {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    Simulator::start(config, addr).unwrap()
}

fn config(sim: &Simulator) -> SeguraConfig {
    let mut c = SeguraConfig::new(
        sim.url(),
        DEMO_CLIENT_ID,
        SecretValue::new(DEMO_CLIENT_SECRET),
    );
    c.timeout = Duration::from_secs(5);
    c
}

fn client(sim: &Simulator) -> SeguraClient {
    SeguraClient::new(config(sim)).unwrap()
}

/// A body rendered the operator's way from a spec given as the resource's YAML would be.
fn body(spec: Value, identifier: Option<&str>) -> RequestBody {
    let mut spec = spec;
    spec["contentFrom"] = json!({"secretKeyRef": {"name": "db", "key": "password"}});
    let spec: CredentialSpec = serde_json::from_value(spec).unwrap();
    let mut secrets = SecretValues::new();
    secrets.insert("db", "password", SecretValue::new(PASSWORD));
    request_body(&spec, identifier, true, &secrets).unwrap()
}

fn device_body(identifier: &str) -> RequestBody {
    body(
        json!({"username": "svc", "hostname": "w2016", "ip": "10.66.33.15"}),
        Some(identifier),
    )
}

/// The error a client built from `cfg` gets for an upsert.
async fn upsert_err(cfg: SeguraConfig) -> SeguraError {
    SeguraClient::new(cfg)
        .unwrap()
        .upsert(&device_body("a"))
        .await
        .unwrap_err()
}

fn statuses(sim: &Simulator, endpoint: SimEndpoint) -> Vec<u16> {
    let recs = sim.requests();
    recs.iter()
        .filter(|r| r.endpoint == endpoint)
        .map(|r| r.status)
        .collect()
}

#[derive(Default)]
struct Recorder(Mutex<Vec<(Endpoint, String)>>);

impl RequestObserver for Recorder {
    fn observe(&self, endpoint: Endpoint, outcome: &str, _elapsed: Duration) {
        self.0.lock().unwrap().push((endpoint, outcome.to_string()));
    }
}

#[path = "client/calls.rs"]
mod calls;
#[path = "client/errors.rs"]
mod errors;
#[path = "client/leaks.rs"]
mod leaks;
#[path = "client/token.rs"]
mod token;
