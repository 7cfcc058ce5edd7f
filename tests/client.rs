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

#[tokio::test]
async fn upsert_creates_then_updates_with_one_token() {
    let sim = start(SimulatorConfig::demo());
    let rec = Arc::new(Recorder::default());
    let c = client(&sim).with_observer(rec.clone());
    let first = c.upsert(&device_body("app-db")).await.unwrap();
    assert_eq!(
        (first.http_status, first.identifier.as_str(), first.changed),
        (201, "app-db", true)
    );
    let clone = c.clone();
    let again = clone.upsert(&device_body("app-db")).await.unwrap();
    assert_eq!(
        (again.id.as_str(), again.http_status, again.changed),
        (first.id.as_str(), 200, false)
    );
    let stored = sim.credential("app-db").unwrap();
    assert_eq!(stored.fields["content"], json!(PASSWORD));
    assert_eq!(
        sim.count(SimEndpoint::Token),
        1,
        "token reused across calls and clones"
    );
    let upserts = sim
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == SimEndpoint::Upsert);
    for r in upserts {
        assert_eq!(
            (r.path.as_str(), r.content_type.as_deref()),
            ("/api/pam/credential", Some("application/json"))
        );
    }
    let seen = rec.0.lock().unwrap().clone();
    let want = [
        (Endpoint::Token, "ok"),
        (Endpoint::Upsert, "ok"),
        (Endpoint::Upsert, "ok"),
    ];
    assert_eq!(seen, want.map(|(e, o)| (e, o.to_string())));
}

#[tokio::test]
async fn concurrent_callers_share_one_token_fetch() {
    let sim = start(SimulatorConfig::demo());
    sim.set_faults(Faults {
        latency_ms: 100,
        ..Faults::default()
    });
    let c = client(&sim);
    let calls = (0..8).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.list().await })
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(sim.count(SimEndpoint::Token), 1);
}

#[tokio::test]
async fn token_is_renewed_before_it_expires() {
    let sim = start(SimulatorConfig {
        token_lifetime_secs: 2,
        ..SimulatorConfig::demo()
    });
    let c = client(&sim);
    c.list().await.unwrap();
    c.list().await.unwrap();
    assert_eq!(sim.count(SimEndpoint::Token), 1);
    // 1.9 s into a 2 s lifetime: inside the renewal margin (a tenth of the lifetime).
    tokio::time::sleep(Duration::from_millis(1900)).await;
    c.list().await.unwrap();
    assert_eq!(sim.count(SimEndpoint::Token), 2);
    assert_eq!(
        statuses(&sim, SimEndpoint::List),
        [200, 200, 200],
        "never sent an expired token"
    );
}

#[tokio::test]
async fn refused_token_is_renewed_once_and_the_call_retried() {
    let sim = start(SimulatorConfig::demo());
    let rec = Arc::new(Recorder::default());
    let c = client(&sim).with_observer(rec.clone());
    c.upsert(&device_body("a")).await.unwrap();
    sim.expire_tokens();
    let up = c.upsert(&device_body("a")).await.unwrap();
    assert_eq!(up.identifier, "a");
    assert_eq!(sim.count(SimEndpoint::Token), 2);
    assert_eq!(statuses(&sim, SimEndpoint::Upsert), [201, 401, 200]);
    assert!(
        rec.0
            .lock()
            .unwrap()
            .contains(&(Endpoint::Upsert, "http_4xx".into()))
    );
}

#[tokio::test]
async fn a_token_refused_twice_is_an_authorization_error_after_one_renewal() {
    // Tokens that expire as they are issued: every API call answers 401.
    let sim = start(SimulatorConfig {
        token_lifetime_secs: 0,
        ..SimulatorConfig::demo()
    });
    let err = client(&sim).upsert(&device_body("a")).await.unwrap_err();
    assert_eq!(
        (err.class(), err.reason(), err.code()),
        (ErrorClass::Authorization, "Unauthorized", 401)
    );
    assert_eq!(sim.count(SimEndpoint::Token), 2);
    assert_eq!(statuses(&sim, SimEndpoint::Upsert), [401, 401]);
}

#[tokio::test]
async fn bad_client_is_an_authorization_error() {
    let sim = start(SimulatorConfig::demo());
    let mut cfg = config(&sim);
    cfg.client_secret = SecretValue::new("wrong-S3cret-value");
    let err = SeguraClient::new(cfg)
        .unwrap()
        .upsert(&device_body("a"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.class(), err.reason(), err.code()),
        (ErrorClass::Authorization, "Unauthorized", 401)
    );
    assert!(
        err.to_string().contains("Client authentication failed."),
        "{err}"
    );
    assert!(!format!("{err} {err:?}").contains("wrong-S3cret-value"));
    assert_eq!(
        sim.count(SimEndpoint::Token),
        1,
        "a refused client is not retried"
    );
    assert_eq!(sim.count(SimEndpoint::Upsert), 0);
}

#[tokio::test]
async fn every_numbered_error_is_classified() {
    let sim = start(SimulatorConfig::demo());
    let c = client(&sim);
    let dev = |extra: Value| {
        let mut s = json!({"username": "u", "hostname": "w2016", "ip": "10.66.33.15"});
        s.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        s
    };
    let jit = |plugins: bool| {
        let mut j = json!({"jit": true, "credentialCreationAndDeletion": true,
                           "useOwnCredentialToConnect": true});
        if plugins {
            j["credentialCreationPlugin"] = json!("SSH");
            j["credentialDeletionPlugin"] = json!("SSH");
        }
        json!({ "jitSettings": j })
    };
    let cases = [
        (
            body(dev(json!({"hostname": ""})), None),
            ErrorCode::HostnameMissing,
        ),
        (body(dev(json!({"ip": ""})), None), ErrorCode::IpMissing),
        (
            body(dev(json!({"ip": "10.0.0.99"})), None),
            ErrorCode::DeviceNotFound,
        ),
        (
            body(dev(json!({"deviceDomain": ["nowhere.lab"]})), None),
            ErrorCode::DomainNotRegistered,
        ),
        (
            body(dev(json!({})), Some("bad id!")),
            ErrorCode::InvalidIdentifier,
        ),
        (body(dev(jit(false)), None), ErrorCode::PluginNotInformed),
        (body(dev(jit(true)), None), ErrorCode::TemplateNotInformed),
    ];
    for (b, code) in cases {
        let err = c.upsert(&b).await.unwrap_err();
        assert_eq!(err.known_code(), Some(code), "{err}");
        assert_eq!((err.class(), err.reason()), (code.class(), code.reason()));
        assert_eq!(
            (err.http_status(), err.code()),
            (Some(400), i64::from(code.number()))
        );
        assert_eq!(err.to_string(), code.message());
        assert!(!format!("{err:?}").contains(PASSWORD));
    }
    // The body mapping always sends `username`, so 1042 is produced by a raw request.
    let (status, answer) = raw(
        &sim,
        Some(&json!({"hostname": "w2016", "ip": "10.66.33.15"})),
    )
    .await;
    let err = SeguraError::from_answer(status, &answer, None, false);
    assert_eq!(
        (err.known_code(), err.class()),
        (Some(ErrorCode::InvalidUsername), ErrorClass::InvalidSpec)
    );
    // 1039: a read-only authorization.
    sim.add_client(ClientConfig::new("ro", "ro-secret", Permission::ReadOnly));
    let mut cfg = config(&sim);
    (cfg.client_id, cfg.client_secret) = ("ro".into(), SecretValue::new("ro-secret"));
    let ro = SeguraClient::new(cfg).unwrap();
    let err = ro.upsert(&device_body("x")).await.unwrap_err();
    assert_eq!(
        (err.segura_code(), err.class()),
        (Some(1039), ErrorClass::Authorization)
    );
    assert_eq!(
        sim.count(SimEndpoint::Token),
        3,
        "1039 does not renew the token (client, raw request, read-only client)"
    );
    ro.list().await.unwrap();
}

/// A request with a bearer token of its own (or none), outside the client.
async fn raw(sim: &Simulator, upsert: Option<&Value>) -> (u16, Vec<u8>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
    ];
    let url = format!("{}/iso/oauth2/token", sim.url());
    let tok: Value = http
        .post(url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = format!("{}/api/pam/credential", sim.url());
    let req = match upsert {
        Some(b) => http
            .post(url)
            .bearer_auth(tok["access_token"].as_str().unwrap())
            .json(b),
        None => http.get(url),
    };
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn gateway_and_server_answers_are_classified() {
    let sim = start(SimulatorConfig::demo());
    // No Authorization header, and an OAuth 1.0a header: the client never sends either.
    let (status, answer) = raw(&sim, None).await;
    let err = SeguraError::from_answer(status, &answer, None, false);
    assert_eq!(
        (err.class(), err.message().as_str()),
        (ErrorClass::Authorization, MSG_NO_ROUTE)
    );
    let url = format!("{}/api/pam/credential", sim.url());
    let resp = reqwest::Client::new()
        .get(url)
        .header("authorization", "OAuth oauth_consumer_key=x")
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let err = SeguraError::from_answer(status, &resp.bytes().await.unwrap(), None, false);
    assert_eq!(
        (err.class(), err.message().as_str()),
        (ErrorClass::Authorization, MSG_INVALID_SIGNATURE)
    );
    // 500 "You are not authorized to access this resource."
    sim.add_client(ClientConfig::new("none", "none-secret", Permission::None));
    let mut cfg = config(&sim);
    (cfg.client_id, cfg.client_secret) = ("none".into(), SecretValue::new("none-secret"));
    let err = SeguraClient::new(cfg).unwrap().list().await.unwrap_err();
    assert_eq!(
        (err.class(), err.reason(), err.code()),
        (ErrorClass::Authorization, "Unauthorized", 500)
    );
    // 500 "Unexpected error."
    let c = client(&sim);
    sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let err = c.upsert(&device_body("a")).await.unwrap_err();
    assert_eq!(err.to_string(), "HTTP 500: Unexpected error.");
    assert_eq!(
        (err.class(), err.reason(), err.outcome().as_str()),
        (ErrorClass::Transient, "SeguraUnavailable", "http_5xx")
    );
    // 404 "Resource sub not found": a wrong prefix is not fixed by editing the resource.
    sim.set_faults(Faults::default());
    let mut cfg = config(&sim);
    cfg.prefix = "/nope".into();
    let err = SeguraClient::new(cfg)
        .unwrap()
        .upsert(&device_body("a"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.class(), err.reason(), err.code()),
        (ErrorClass::Transient, "EndpointNotFound", 404)
    );
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let sim = start(SimulatorConfig::demo());
    let c = client(&sim);
    sim.set_faults(Faults {
        burst_429: 1,
        retry_after_secs: 7,
        ..Faults::default()
    });
    let err = c.upsert(&device_body("a")).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(
        (err.class(), err.reason(), err.code()),
        (ErrorClass::Transient, "RateLimited", 429)
    );
    c.upsert(&device_body("a")).await.unwrap();
}

#[tokio::test]
async fn timeouts_are_transient() {
    let sim = start(SimulatorConfig::demo());
    let mut cfg = config(&sim);
    cfg.timeout = Duration::from_millis(300);
    let c = SeguraClient::new(cfg).unwrap();
    c.list().await.unwrap();
    let hang = Faults {
        timeout_rate: 1.0,
        timeout_delay_ms: 2000,
        timeout_mode: TimeoutMode::Hang,
        ..Faults::default()
    };
    sim.set_faults(hang);
    let err = c.upsert(&device_body("a")).await.unwrap_err();
    assert!(matches!(err, SeguraError::Timeout(_)), "{err:?}");
    assert_eq!(
        (
            err.class(),
            err.reason(),
            err.code(),
            err.outcome().as_str()
        ),
        (ErrorClass::Transient, "Timeout", -1, "timeout")
    );
    let gateway = Faults {
        timeout_rate: 1.0,
        timeout_delay_ms: 10,
        ..Faults::default()
    };
    sim.set_faults(gateway);
    let err = c.upsert(&device_body("a")).await.unwrap_err();
    assert_eq!(
        (err.class(), err.reason(), err.code()),
        (ErrorClass::Transient, "Timeout", 504)
    );
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let sim = start(SimulatorConfig::demo());
    let cfg = config(&sim);
    sim.shutdown().await;
    let err = SeguraClient::new(cfg).unwrap().list().await.unwrap_err();
    assert_eq!(
        (err.class(), err.reason(), err.code()),
        (ErrorClass::Transient, "ConnectionFailed", -1)
    );
}

#[tokio::test]
async fn deactivate_list_and_no_custody_checkout() {
    let sim = start(SimulatorConfig::demo());
    let c = client(&sim);
    let a = c.upsert(&device_body("a")).await.unwrap();
    let b = c
        .upsert(&body(
            json!({"username": "u2", "hostname": "w2016", "ip": "10.66.33.15"}),
            None,
        ))
        .await
        .unwrap();
    let list = c.list().await.unwrap();
    let ids: Vec<_> = list
        .iter()
        .map(|s| (s.id.clone(), s.identifier.clone(), s.active))
        .collect();
    assert_eq!(
        ids,
        [
            (a.id.clone(), "a".into(), true),
            (b.id.clone(), b.identifier.clone(), true)
        ]
    );
    assert_eq!(c.deactivate(&a.id).await.unwrap(), Deactivated::Deactivated);
    assert_eq!(
        c.deactivate(&a.id).await.unwrap(),
        Deactivated::AlreadyGone,
        "1008 inactive"
    );
    assert_eq!(
        c.deactivate("999999").await.unwrap(),
        Deactivated::AlreadyGone,
        "1007 not found"
    );
    assert_eq!(
        c.deactivate("odd id/with slash").await.unwrap(),
        Deactivated::AlreadyGone
    );
    assert!(!c.list().await.unwrap()[0].active);
    assert!(sim.credential(&b.id).unwrap().active);
    assert_eq!(sim.custody_checkouts(), 0);
    assert_eq!(
        sim.count(SimEndpoint::Get),
        0,
        "GET {{id}} checks a password out"
    );
    assert_eq!(sim.count(SimEndpoint::Token), 1);
}

#[tokio::test]
async fn iso_prefix_when_configured() {
    let sim = start(SimulatorConfig::demo());
    let mut cfg = config(&sim);
    cfg.prefix = "/iso".into();
    let c = SeguraClient::new(cfg).unwrap();
    let up = c.upsert(&device_body("iso-cred")).await.unwrap();
    c.list().await.unwrap();
    c.deactivate(&up.id).await.unwrap();
    let paths: Vec<_> = sim
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    let want = [
        ("POST", "/iso/oauth2/token".to_string()),
        ("POST", "/iso/pam/credential".into()),
        ("GET", "/iso/pam/credential".into()),
        ("DELETE", format!("/iso/pam/credential/{}", up.id)),
    ];
    assert_eq!(paths, want.map(|(m, p)| (m.to_string(), p)));
}

#[tokio::test]
async fn ca_bundle_option() {
    let sim = start(SimulatorConfig::demo());
    let mut cfg = config(&sim);
    cfg.ca_bundle = Some("/nonexistent/segura-ca.pem".into());
    let err = SeguraClient::new(cfg.clone()).unwrap_err();
    assert!(matches!(err, SeguraError::Config(_)), "{err:?}");
    assert!(
        err.to_string().contains("/nonexistent/segura-ca.pem"),
        "{err}"
    );
    let garbage = std::env::temp_dir().join(format!("segura-not-pem-{}.pem", std::process::id()));
    std::fs::File::create(&garbage)
        .unwrap()
        .write_all(b"not a certificate\n")
        .unwrap();
    cfg.ca_bundle = Some(garbage.clone());
    let err = SeguraClient::new(cfg.clone()).unwrap_err();
    assert!(err.to_string().contains("no certificate"), "{err}");
    std::fs::remove_file(garbage).unwrap();
    let system = std::path::Path::new("/etc/ssl/certs/ca-certificates.crt");
    if system.exists() {
        cfg.ca_bundle = Some(system.into());
        SeguraClient::new(cfg).unwrap().list().await.unwrap();
    }
}

/// Whether `text` holds a run of 40 letters and digits: the simulator's token shape.
fn has_token_shape(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w.len() >= 40)
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test binary from the first call on. A global subscriber: a scoped
/// one misses events when other tests hit the same callsites on other threads.
fn captured_logs() -> Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    })
    .clone()
}

#[tokio::test]
async fn no_secret_or_token_in_debug_or_logs() {
    let logs = captured_logs();
    let sim = start(SimulatorConfig {
        token_lifetime_secs: 1,
        ..SimulatorConfig::demo()
    });
    let cfg = config(&sim);
    let c = SeguraClient::new(cfg.clone()).unwrap();
    c.upsert(&device_body("a")).await.unwrap();
    sim.expire_tokens();
    let err = c
        .upsert(&body(
            json!({"username": "u", "hostname": "w2016", "ip": "10.0.0.1"}),
            None,
        ))
        .await
        .unwrap_err();
    let mut bad = cfg.clone();
    bad.client_secret = SecretValue::new("wrong-S3cret-value");
    let bad_err = SeguraClient::new(bad.clone())
        .unwrap()
        .list()
        .await
        .unwrap_err();
    let dumps = format!("{cfg:?} {bad:?} {c:?} {err:?} {err} {bad_err:?} {bad_err}");
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("segura request"),
        "client debug lines are captured"
    );
    for text in [&dumps, &logs] {
        for secret in [DEMO_CLIENT_SECRET, "wrong-S3cret-value", PASSWORD] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(!has_token_shape(text), "token leaked: {text}");
    }
    assert!(dumps.contains("<redacted>"));
}
