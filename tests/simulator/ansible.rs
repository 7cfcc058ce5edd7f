//! The vendor's Ansible collection, replayed byte for byte: its token request, its
//! form-encoded upsert (`requests.post(url, headers=..., data=payload, json=...)`: the form
//! wins), its DELETE (a form body under a JSON content type), and its info GET.

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use segura_operator::simulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Endpoint};
use serde_json::json;

use crate::support::{Harness, assert_code, assert_created, assert_ok, assert_updated};

/// `ensure_credential`'s payload for the collection's first example, in its key order.
fn payload() -> Vec<(&'static str, String)> {
    vec![
        ("ip", "192.168.10.10".into()),
        ("hostname", "example-001".into()),
        ("type", "Local User".into()),
        ("username", "ansible".into()),
        ("identifier", "example_credential".into()),
        ("content", "your_secret_password".into()),
        ("domain", "CORP".into()),
        ("tags", ["ansible", "example"].join(",")),
        ("additional", "Created by Ansible".into()),
        ("parent_password", 42.to_string()),
    ]
}

async fn ansible_token(h: &Harness) -> String {
    // `authenticate`: requests.post(url, data={grant_type, client_id, client_secret})
    let req = h.http.post(h.url("/iso/oauth2/token")).form(&[
        ("grant_type", "client_credentials"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
    ]);
    let (s, b) = h.send(req).await;
    assert_eq!(s, 200);
    b["access_token"].as_str().expect("token").to_string()
}

#[tokio::test]
async fn ansible_present_then_absent() {
    let h = Harness::demo().await;
    let token = ansible_token(&h).await;
    let post = || {
        h.http
            .post(h.url("/iso/pam/credential"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .form(&payload())
    };

    let (s, b) = h.send(post()).await;
    let (id, identifier) = assert_created(s, &b);
    assert_eq!(identifier, "example_credential");
    let rec = h.sim.requests().pop().expect("recorded");
    assert_eq!(rec.method, "POST");
    assert_eq!(rec.path, "/iso/pam/credential");
    assert_eq!(
        rec.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        rec.body,
        json!({
            "ip": "192.168.10.10", "hostname": "example-001", "type": "Local User",
            "username": "ansible", "identifier": "example_credential",
            "content": "your_secret_password", "domain": "CORP", "tags": "ansible,example",
            "additional": "Created by Ansible", "parent_password": "42"
        })
    );
    let c = h.sim.credential(&id).expect("stored");
    assert_eq!(c.fields["content"], "your_secret_password");
    assert_eq!(c.fields["type"], "Local User");
    assert_eq!(c.fields["parent_password"], "42");
    assert_eq!(c.fields["tags"], "ansible,example");

    // Running the play again: 200 and `changed: "false"`, which the module reports.
    let (s, b) = h.send(post()).await;
    assert_updated(s, &b);
    assert_eq!(b["response"]["changed"], "false");

    // senhasegura_credential_info: GET by identifier with ?credential=, a JSON content type.
    let req = h
        .http
        .get(h.url("/iso/pam/credential/example_credential?credential=example_credential"))
        .header(CONTENT_TYPE, "application/json")
        .header(AUTHORIZATION, format!("Bearer {token}"));
    let (s, b) = h.send(req).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["credential"]["password"], "your_secret_password");
    assert_eq!(h.sim.custody_checkouts(), 1);

    // ensure_absent_credential: DELETE with a form body under a JSON content type.
    let delete = || {
        h.http
            .delete(h.url("/iso/pam/credential/example_credential"))
            .header(CONTENT_TYPE, "application/json")
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .body("identifier=example_credential")
    };
    let (s, b) = h.send(delete()).await;
    assert_ok(s, &b, 200, "Credential successfully deactivated");
    assert!(!h.sim.credential(&id).expect("kept").active);
    // Again: 400, which the module takes as "already gone".
    let (s, b) = h.send(delete()).await;
    assert_code(s, &b, 1008);
    assert_eq!(h.sim.count(Endpoint::Deactivate), 2);
}

#[tokio::test]
async fn form_body_with_nested_settings() {
    let h = Harness::demo().await;
    let (s, b) = h
        .raw(
            reqwest::Method::POST,
            "/api/pam/credential",
            "application/x-www-form-urlencoded",
            "username=jit&hostname=API_DEVICE_1&ip=localhost\
             &jit_settings[credential_creation_and_deletion]=true\
             &jit_settings[credential_creation_plugin]=SSH",
        )
        .await;
    assert_code(s, &b, 1046);
    let (s, b) = h
        .raw(
            reqwest::Method::POST,
            "/api/pam/credential",
            "application/x-www-form-urlencoded",
            "username=jit&hostname=API_DEVICE_1&ip=localhost\
             &jit_settings[credential_creation_and_deletion]=false&session_settings[SSH]=true",
        )
        .await;
    let (id, _) = assert_created(s, &b);
    let c = h.sim.credential(&id).expect("stored");
    assert_eq!(c.fields["session_settings"], json!({"SSH": "true"}));
}
