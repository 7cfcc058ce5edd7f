//! A simulator on a free loopback port and a plain-HTTP client holding a token.

use std::net::SocketAddr;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use segura_operator::simulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Simulator, SimulatorConfig};
use serde_json::Value;

/// A running simulator and a client.
pub struct Harness {
    pub sim: Simulator,
    pub http: reqwest::Client,
    pub token: String,
}

/// A free loopback port.
pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// An HTTP client (reqwest's TLS is unused: the simulator speaks plain http).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().expect("reqwest client")
}

impl Harness {
    /// The demo configuration, seeded.
    pub async fn demo() -> Self {
        let mut cfg = SimulatorConfig::demo();
        cfg.faults.seed = Some(7);
        Self::with(cfg).await
    }

    /// Any configuration; a token of the demo client is fetched when it exists.
    pub async fn with(cfg: SimulatorConfig) -> Self {
        let has_demo = cfg.clients.iter().any(|c| c.client_id == DEMO_CLIENT_ID);
        let sim = Simulator::start(cfg, loopback()).expect("simulator starts");
        let http = client();
        let mut h = Harness {
            sim,
            http,
            token: String::new(),
        };
        if has_demo {
            h.token = h.fetch_token(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
        }
        h
    }

    /// `url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.url(), path)
    }

    /// A token by the form-encoded client-credentials grant.
    pub async fn fetch_token(&self, id: &str, secret: &str) -> String {
        let (status, body) = self
            .send(self.http.post(self.url("/iso/oauth2/token")).form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ]))
            .await;
        assert_eq!(status, 200, "{body}");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// Sends and reads `(status, JSON body)`.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    /// `POST /api/pam/credential` with a JSON body and the harness's token.
    pub async fn upsert(&self, body: &Value) -> (u16, Value) {
        self.upsert_at("/api", body).await
    }

    /// `POST {prefix}/pam/credential` with a JSON body and the harness's token.
    pub async fn upsert_at(&self, prefix: &str, body: &Value) -> (u16, Value) {
        let req = self
            .http
            .post(self.url(&format!("{prefix}/pam/credential")))
            .bearer_auth(&self.token)
            .json(body);
        self.send(req).await
    }

    /// `{method} /api/pam/credential/{x}` with the harness's token.
    pub async fn call(&self, method: reqwest::Method, x: &str) -> (u16, Value) {
        let url = self.url(&format!("/api/pam/credential/{x}"));
        let req = self.http.request(method, url).bearer_auth(&self.token);
        self.send(req).await
    }

    /// `GET /api/pam/credential` (the list).
    pub async fn list(&self) -> (u16, Value) {
        let req = self
            .http
            .get(self.url("/api/pam/credential"))
            .bearer_auth(&self.token);
        self.send(req).await
    }

    /// A raw request with a bearer token, a content type and a body.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: &'static str,
    ) -> (u16, Value) {
        let req = self
            .http
            .request(method, self.url(path))
            .header(AUTHORIZATION, format!("Bearer {}", self.token))
            .header(CONTENT_TYPE, content_type)
            .body(body);
        self.send(req).await
    }
}

/// Asserts a success envelope with `status`, `message` and `changed`; returns the credential.
pub fn assert_ok(status: u16, body: &Value, want: u16, message: &str) -> (String, String) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["code"], want, "{body}");
    let r = &body["response"];
    assert_eq!(r["status"], want);
    assert_eq!(r["message"], message);
    assert_eq!(r["mensagem"], message);
    assert_eq!(r["error"], false);
    assert_eq!(r["erro"], false);
    assert_eq!(r["error_code"], 0);
    assert_eq!(r["cod_erro"], 0);
    assert_eq!(r["detail"], "");
    assert_eq!(body["tenant"], "Segura");
    let id = body["credential"]["id"]
        .as_str()
        .expect("string id")
        .to_string();
    assert!(id.chars().all(|c| c.is_ascii_digit()), "{id}");
    let identifier = body["credential"]["identifier"]
        .as_str()
        .expect("identifier")
        .to_string();
    (id, identifier)
}

/// Asserts a created answer (201, `changed: "true"`).
pub fn assert_created(status: u16, body: &Value) -> (String, String) {
    let out = assert_ok(status, body, 201, "Credential successfully registered!");
    assert_eq!(body["response"]["changed"], "true");
    out
}

/// Asserts an updated answer (200).
pub fn assert_updated(status: u16, body: &Value) -> (String, String) {
    assert_ok(status, body, 200, "Credential successfully updated!")
}

/// Asserts an error answer: HTTP `want`, message, and the code in `error_code`/`cod_erro`.
pub fn assert_error(status: u16, body: &Value, want: u16, message: &str, code: u32) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["code"], want, "{body}");
    let r = &body["response"];
    assert_eq!(r["status"], want);
    assert_eq!(r["message"], message, "{body}");
    assert_eq!(r["mensagem"], message);
    assert_eq!(r["error"], true);
    assert_eq!(r["erro"], true);
    assert_eq!(r["error_code"], code);
    assert_eq!(r["cod_erro"], code);
    assert!(body.get("credential").is_none(), "{body}");
}

/// Asserts a numbered 400 error.
pub fn assert_code(status: u16, body: &Value, code: u32) {
    let ec = segura_operator::segura::api::ErrorCode::from_number(code).expect("known code");
    assert_error(status, body, 400, &ec.message(), code);
}
