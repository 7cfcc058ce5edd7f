//! No secret or token in Debug output or logs.

use super::*;

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
