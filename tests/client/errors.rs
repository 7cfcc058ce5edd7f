//! Every error Segura answers, produced by the simulator and classified.

use super::*;

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
    let err = upsert_err(cfg).await;
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
