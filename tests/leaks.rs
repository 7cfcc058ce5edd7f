//! Secret leak scan: every log line at TRACE (JSON, as in production), every Event, every
//! Credential status, the `/metrics` text and the `Debug` of the client's errors are scanned
//! for every secret a scenario used: passwords (before and after a rotation), a TOTP key,
//! additional-authentication values, the OAuth2 client secrets (right and wrong) and every
//! bearer token the simulator issued. Its own binary, because the subscriber is global.

#[path = "support/apiserver/mod.rs"]
mod apiserver;
#[allow(dead_code)]
#[path = "e2e/harness.rs"]
mod harness;
// Shared with the e2e binary; the leak scan uses a part of it.
#[allow(dead_code)]
#[path = "e2e/objects.rs"]
mod objects;
#[allow(dead_code)]
#[path = "e2e/probe.rs"]
mod probe;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use k8s_openapi::ByteString;
use k8s_openapi::api::events::v1::Event;
use kube::Api;
use serde_json::json;

use segura_operator::crd::CredentialSpec;
use segura_operator::segura::body::request_body;
use segura_operator::segura::client::{SeguraClient, SeguraConfig};
use segura_operator::segura::secrets::{SecretValue, SecretValues};
use segura_operator::simulator::{ClientConfig, Faults, Permission};

use harness::{Env, eventually, has_reason, is_synced};

const PASSWORD_1: &str = "Leak-Pa55word-Alpha-7781";
const PASSWORD_2: &str = "Leak-Pa55word-Bravo-9043";
const TOTP_KEY: &str = "LEAKTOTPKEY7QX3ZB2M4WWQ1";
const AUTH_1: &str = "leak-auth-value-one-5521";
const AUTH_2: &str = "leak-auth-value-two-6632";
const CLIENT_ID: &str = "leak-client";
const CLIENT_SECRET: &str = "Leak-Client-S3cret-Good-1209";
const WRONG_SECRET: &str = "Leak-Client-S3cret-Wrong-3377";

/// Everything the test binary logs.
fn captured() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUF: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUF.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
            .with_writer(move || Sink(sink.clone()))
            .with_ansi(false)
            .json()
            .flatten_event(true)
            .try_init()
            .expect("the leak scan's subscriber is the first");
        buf
    })
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A client of a port nothing listens on: connection errors.
fn unreachable(secret: &str) -> SeguraClient {
    let cfg = SeguraConfig::new("http://127.0.0.1:1", CLIENT_ID, SecretValue::new(secret));
    SeguraClient::new(cfg).expect("Segura client")
}

fn client_of(env: &Env, secret: &str) -> SeguraClient {
    let cfg = SeguraConfig::new(env.sim.url(), CLIENT_ID, SecretValue::new(secret));
    SeguraClient::new(cfg).expect("Segura client")
}

fn full_spec(extra: &str) -> serde_json::Value {
    json!({
        "identifier": "leak-full",
        "username": "usernametest",
        "hostname": "API-Testing",
        "ip": "128.0.0.1",
        "additional": extra,
        "contentFrom": {"secretKeyRef": {"name": "leak-pw", "key": "password"}},
        "additionalSettings": [{
            "identifier": "leak-a2a",
            "secretKeyFrom": {"secretKeyRef": {"name": "leak-totp", "key": "totp"}},
            "additionalAuthenticationFields": [
                {"name": "step1", "shortName": "s1",
                 "valueFrom": {"secretKeyRef": {"name": "leak-totp", "key": "step1"}}},
                {"name": "step2", "shortName": "s2",
                 "valueFrom": {"secretKeyRef": {"name": "leak-totp", "key": "step2"}}},
            ],
        }],
    })
}

fn unregistered_spec() -> serde_json::Value {
    json!({
        "identifier": "leak-missing",
        "username": "app",
        "hostname": "legacy-db",
        "ip": "10.20.30.40",
        "contentFrom": {"secretKeyRef": {"name": "leak-pw", "key": "password"}},
    })
}

/// The serialized statuses of every Credential now.
async fn statuses(env: &Env) -> String {
    let list = env.creds().list(&Default::default()).await.expect("list");
    list.items
        .iter()
        .map(|c| serde_json::to_string(&c.status).expect("status serializes"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `Debug` and `Display` of errors the client returns for calls carrying every secret.
async fn client_errors(env: &Env) -> String {
    let spec: CredentialSpec = serde_json::from_value(full_spec("direct")).expect("spec");
    let mut values = SecretValues::new();
    values.insert("leak-pw", "password", SecretValue::new(PASSWORD_2));
    values.insert("leak-totp", "totp", SecretValue::new(TOTP_KEY));
    values.insert("leak-totp", "step1", SecretValue::new(AUTH_1));
    values.insert("leak-totp", "step2", SecretValue::new(AUTH_2));
    let body = request_body(&spec, Some("leak-direct"), true, &values).expect("body");
    let mut missing = spec.clone();
    missing.hostname = "legacy-db".into();
    missing.ip = "10.20.30.40".into();
    let body_1011 = request_body(&missing, Some("leak-direct"), true, &values).expect("body");
    let mut out = vec![
        format!("{body:?}"),
        format!("{:?}", client_of(env, CLIENT_SECRET)),
    ];
    let wrong = client_of(env, WRONG_SECRET).upsert(&body).await;
    let refused = unreachable(CLIENT_SECRET).upsert(&body).await;
    let good = client_of(env, CLIENT_SECRET);
    let not_found = good.upsert(&body_1011).await;
    env.sim.set_faults(Faults {
        burst_429: 1,
        ..Faults::default()
    });
    let limited = good.upsert(&body).await;
    for r in [wrong, refused, not_found, limited] {
        let e = r.expect_err("each call fails");
        out.push(format!("{e:?} {e}"));
    }
    out.join("\n")
}

/// Every secret, as text and as the base64 a Secret's `data` holds.
fn secrets(env: &Env) -> Vec<String> {
    let mut plain: Vec<String> = [
        PASSWORD_1,
        PASSWORD_2,
        TOTP_KEY,
        AUTH_1,
        AUTH_2,
        CLIENT_SECRET,
        WRONG_SECRET,
    ]
    .map(String::from)
    .to_vec();
    let tokens = env.sim.issued_tokens();
    assert!(tokens.len() >= 3, "tokens issued: {}", tokens.len());
    plain.extend(tokens);
    let b64: Vec<String> = plain
        .iter()
        .map(|s| {
            let quoted = serde_json::to_string(&ByteString(s.as_bytes().to_vec())).expect("b64");
            quoted.trim_matches('"').to_string()
        })
        .collect();
    plain.into_iter().chain(b64).collect()
}

/// The places a secret was found: `(where, secret)`.
fn scan(texts: &[(&str, &str)], secrets: &[String]) -> Vec<(String, String)> {
    let mut hits = Vec::new();
    for (place, text) in texts {
        for s in secrets {
            if text.contains(s.as_str()) {
                let line = text.lines().find(|l| l.contains(s.as_str())).unwrap_or("");
                hits.push((format!("{place}: {line}"), s.clone()));
            }
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_logs_events_status_or_metrics() {
    let logs = captured().clone();
    let mut env = Env::loopback().await;
    env.sim.add_client(ClientConfig::new(
        CLIENT_ID,
        CLIENT_SECRET,
        Permission::ReadWrite,
    ));
    env.put_secret("leak-pw", &[("password", PASSWORD_1)]).await;
    env.put_secret(
        "leak-totp",
        &[("totp", TOTP_KEY), ("step1", AUTH_1), ("step2", AUTH_2)],
    )
    .await;
    let mut seen = Vec::new();
    let mut metrics = Vec::new();

    // Sync, and 1011 for an unregistered device.
    let a = env
        .start_with(
            env.config(),
            env.client.clone(),
            client_of(&env, CLIENT_SECRET),
        )
        .await;
    env.put_credential("full", full_spec("v1")).await;
    env.put_credential("missing", unregistered_spec()).await;
    env.wait_for("full", "Ready", is_synced).await;
    env.wait_for("missing", "1011", |c| has_reason(c, "DeviceNotFound"))
        .await;
    seen.push(statuses(&env).await);

    // Rotation of the password.
    env.put_secret("leak-pw", &[("password", PASSWORD_2)]).await;
    eventually("the rotated password reaches Segura", || {
        let c = env.sim.credential("leak-full")?;
        (c.fields.get("content").and_then(|v| v.as_str()) == Some(PASSWORD_2)).then_some(())
    })
    .await;

    // A 429, then an expired token.
    env.sim.set_faults(Faults {
        burst_429: 1,
        retry_after_secs: 1,
        ..Faults::default()
    });
    env.put_credential("full", full_spec("v2")).await;
    env.wait_for("full", "rate limited", |c| has_reason(c, "RateLimited"))
        .await;
    seen.push(statuses(&env).await);
    let gen3 =
        |c: &segura_operator::crd::Credential| is_synced(c) && c.metadata.generation == Some(2);
    env.wait_for("full", "synced after the 429", gen3).await;
    env.sim.expire_tokens();
    env.put_credential("full", full_spec("v3")).await;
    env.wait_for("full", "synced with a new token", |c| {
        is_synced(c) && c.metadata.generation == Some(3)
    })
    .await;
    metrics.push(probe::scrape(env.operator(a).addr).await);
    env.stop(a).await.expect("stops");

    // A wrong client secret: the token request fails.
    let b = env
        .start_with(
            env.config(),
            env.client.clone(),
            client_of(&env, WRONG_SECRET),
        )
        .await;
    env.wait_for("missing", "Unauthorized", |c| has_reason(c, "Unauthorized"))
        .await;
    seen.push(statuses(&env).await);
    metrics.push(probe::scrape(env.operator(b).addr).await);
    env.stop(b).await.expect("stops");

    // Deletion with the right secret again.
    let c = env
        .start_with(
            env.config(),
            env.client.clone(),
            client_of(&env, CLIENT_SECRET),
        )
        .await;
    env.delete_credential("full").await;
    env.delete_credential("missing").await;
    env.wait_gone("full").await;
    env.wait_gone("missing").await;
    metrics.push(probe::scrape(env.operator(c).addr).await);

    let errors = client_errors(&env).await;
    let events: Api<Event> = Api::namespaced(env.client.clone(), &env.ns);
    let events = events
        .list(&Default::default())
        .await
        .expect("events")
        .items;
    assert!(events.len() >= 4, "Events were published: {}", events.len());
    let events: String = events
        .iter()
        .map(|e| format!("{:?} {:?}", e.reason, e.note))
        .collect::<Vec<_>>()
        .join("\n");
    let secrets = secrets(&env);
    env.finish().await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let logs = String::from_utf8_lossy(&logs.lock().expect("log buffer")).into_owned();
    if let Ok(path) = std::env::var("SEGURA_LEAKS_DUMP") {
        std::fs::write(path, &logs).expect("dump the captured logs");
    }
    assert!(logs.contains(r#""level":"TRACE""#), "TRACE lines captured");
    assert!(
        logs.contains("segura request"),
        "the client's lines captured"
    );
    let (seen, metrics) = (seen.join("\n"), metrics.join("\n"));
    let texts = [
        ("log", logs.as_str()),
        ("event", events.as_str()),
        ("status", seen.as_str()),
        ("metrics", metrics.as_str()),
        ("error", errors.as_str()),
    ];
    let hits = scan(&texts, &secrets);
    assert!(
        hits.is_empty(),
        "{} secret(s) leaked; first: {:?}",
        hits.len(),
        hits.iter().take(5).collect::<Vec<_>>()
    );
    assert!(
        logs.lines().count() > 100,
        "a real amount of logs was scanned"
    );
}
