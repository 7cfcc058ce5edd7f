//! Deactivate, list, prefixes, CA bundle.

use super::*;

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
