//! Tokens, expiry, missing or bad authorization, and permissions.

use std::time::Duration;

use reqwest::header::AUTHORIZATION;
use segura_operator::simulator::{
    ClientConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Endpoint, Permission, SimulatorConfig,
};
use serde_json::json;

use crate::support::{Harness, assert_code, assert_created, assert_error};

fn body() -> serde_json::Value {
    json!({"username": "u", "hostname": "w2016", "ip": "10.66.33.15"})
}

#[tokio::test]
async fn token_answer_shape_and_lifetime() {
    let mut cfg = SimulatorConfig::demo();
    cfg.token_lifetime_secs = 120;
    let h = Harness::with(cfg).await;
    let (s, b) = h
        .send(h.http.post(h.url("/iso/oauth2/token")).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ]))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["expires_in"], 120);
    let token = b["access_token"].as_str().expect("token");
    assert!(token.len() >= 32);
    assert_ne!(token, h.token, "tokens are random");
    // The recorded token request holds no secret.
    let rec = h.sim.requests();
    assert!(
        rec.iter()
            .all(|r| !r.body.to_string().contains(DEMO_CLIENT_SECRET))
    );
}

#[tokio::test]
async fn token_by_http_basic() {
    let h = Harness::demo().await;
    let req = h
        .http
        .post(h.url("/iso/oauth2/token"))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")]);
    let (s, b) = h.send(req).await;
    assert_eq!(s, 200, "{b}");
    assert!(b["access_token"].is_string());
}

#[tokio::test]
async fn bad_client_is_401() {
    let h = Harness::demo().await;
    for (id, secret) in [(DEMO_CLIENT_ID, "wrong"), ("nobody", DEMO_CLIENT_SECRET)] {
        let req = h.http.post(h.url("/iso/oauth2/token")).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ]);
        let (s, b) = h.send(req).await;
        assert_error(s, &b, 401, "Client authentication failed.", 0);
        assert_eq!(b["error"], "invalid_client");
    }
    let req = h.http.post(h.url("/iso/oauth2/token")).form(&[
        ("grant_type", "password"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
    ]);
    let (s, b) = h.send(req).await;
    assert_eq!(s, 400);
    assert_eq!(b["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn no_authorization_header_is_no_route() {
    let h = Harness::demo().await;
    let req = h.http.post(h.url("/api/pam/credential")).json(&body());
    let (s, b) = h.send(req).await;
    assert_error(s, &b, 401, "No route matched with those values.", 0);
    let (s, b) = h.send(h.http.get(h.url("/iso/pam/credential"))).await;
    assert_error(s, &b, 401, "No route matched with those values.", 0);
    assert!(h.sim.credentials().is_empty());
}

#[tokio::test]
async fn unknown_token_and_oauth1_fail() {
    let h = Harness::demo().await;
    let req = h
        .http
        .post(h.url("/api/pam/credential"))
        .bearer_auth("not-a-token")
        .json(&body());
    let (s, b) = h.send(req).await;
    assert_error(s, &b, 401, "Client authentication failed.", 0);
    let req = h.http.get(h.url("/api/pam/credential")).header(
        AUTHORIZATION,
        "OAuth oauth_consumer_key=\"k\", oauth_signature=\"x\"",
    );
    let (s, b) = h.send(req).await;
    assert_error(s, &b, 401, "Invalid signature", 0);
}

#[tokio::test]
async fn tokens_expire() {
    let mut cfg = SimulatorConfig::demo();
    cfg.token_lifetime_secs = 1;
    let h = Harness::with(cfg).await;
    let (s, b) = h.upsert(&body()).await;
    assert_created(s, &b);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (s, b) = h.upsert(&body()).await;
    assert_error(s, &b, 401, "Client authentication failed.", 0);

    let mut h = Harness::demo().await;
    h.sim.expire_tokens();
    let (s, b) = h.list().await;
    assert_error(s, &b, 401, "Client authentication failed.", 0);
    h.token = h.fetch_token(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
    let (s, _) = h.list().await;
    assert_eq!(s, 200);

    h.sim.set_token_lifetime(Duration::from_secs(0));
    h.token = h.fetch_token(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
    let (s, _) = h.list().await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn read_only_cannot_write() {
    let h = Harness::demo().await;
    let (s, b) = h.upsert(&body()).await;
    let (id, _) = assert_created(s, &b);
    assert!(h.sim.set_permission(DEMO_CLIENT_ID, Permission::ReadOnly));
    let (s, b) = h.upsert(&body()).await;
    assert_code(s, &b, 1039);
    let (s, b) = h.call(reqwest::Method::DELETE, &id).await;
    assert_code(s, &b, 1039);
    let (s, b) = h.call(reqwest::Method::PUT, &id).await;
    assert_code(s, &b, 1039);
    let (s, b) = h.list().await;
    assert_eq!(s, 200, "{b}");
    assert!(h.sim.credentials()[0].active);
    assert!(!h.sim.set_permission("nobody", Permission::ReadOnly));
}

#[tokio::test]
async fn permission_none_is_not_authorized() {
    let mut cfg = SimulatorConfig::demo();
    cfg.clients.push(ClientConfig::new(
        "blocked",
        "blocked-secret",
        Permission::None,
    ));
    let mut h = Harness::with(cfg).await;
    h.token = h.fetch_token("blocked", "blocked-secret").await;
    let (s, b) = h.upsert(&body()).await;
    assert_error(
        s,
        &b,
        500,
        "You are not authorized to access this resource.",
        0,
    );
    let (s, b) = h.list().await;
    assert_error(
        s,
        &b,
        500,
        "You are not authorized to access this resource.",
        0,
    );
    assert!(h.sim.credentials().is_empty());
    assert_eq!(h.sim.count(Endpoint::Upsert), 1);
}
