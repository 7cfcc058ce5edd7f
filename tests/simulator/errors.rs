//! Every numbered error of the create page, the 404, and both path prefixes.

use serde_json::{Value, json};

use crate::support::{Harness, assert_code, assert_created, assert_error};

fn valid() -> Value {
    json!({"identifier": "ok", "username": "u", "hostname": "w2016", "ip": "10.66.33.15"})
}

fn with(changes: Value) -> Value {
    let mut b = valid();
    for (k, v) in changes.as_object().expect("object") {
        if v.is_null() {
            b.as_object_mut().expect("object").remove(k);
        } else {
            b[k] = v.clone();
        }
    }
    b
}

async fn expect_code(h: &Harness, body: Value, code: u32) {
    let (s, b) = h.upsert(&body).await;
    assert_code(s, &b, code);
}

#[tokio::test]
async fn hostname_and_ip_missing_or_empty() {
    let h = Harness::demo().await;
    expect_code(&h, with(json!({"hostname": null})), 1004).await;
    expect_code(&h, with(json!({"hostname": ""})), 1004).await;
    expect_code(&h, with(json!({"ip": null})), 1005).await;
    expect_code(&h, with(json!({"ip": ""})), 1005).await;
    assert!(h.sim.credentials().is_empty());
}

#[tokio::test]
async fn device_not_registered() {
    let h = Harness::demo().await;
    expect_code(
        &h,
        with(json!({"hostname": "w2016", "ip": "10.66.33.16"})),
        1011,
    )
    .await;
    expect_code(&h, with(json!({"hostname": "nohost"})), 1011).await;
    h.sim.add_device("nohost", "10.66.33.15");
    let (s, b) = h.upsert(&with(json!({"hostname": "nohost"}))).await;
    assert_created(s, &b);
}

#[tokio::test]
async fn device_domain_not_registered_or_spaced() {
    let h = Harness::demo().await;
    expect_code(&h, with(json!({"device_domain": "unknown.lab"})), 1029).await;
    expect_code(
        &h,
        with(json!({"device_domain": "testlab.com,unknown.lab"})),
        1029,
    )
    .await;
    expect_code(
        &h,
        with(json!({"device_domain": "testlab.com, demo.lab.com"})),
        1029,
    )
    .await;
    expect_code(&h, with(json!({"device_domain": " testlab.com"})), 1029).await;
    let (s, b) = h
        .upsert(&with(json!({"device_domain": "testlab.com,demo.lab.com"})))
        .await;
    assert_created(s, &b);
    h.sim.add_domain("new.lab");
    let (s, b) = h.upsert(&with(json!({"device_domain": "new.lab"}))).await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn username_key_absent() {
    let h = Harness::demo().await;
    expect_code(&h, with(json!({"username": null})), 1042).await;
}

#[tokio::test]
async fn identifier_characters() {
    let h = Harness::demo().await;
    for bad in ["has space", "slash/x", "at@x", "ünï", "semi;colon"] {
        expect_code(&h, with(json!({"identifier": bad})), 1053).await;
    }
    // The pattern and the alert allow `.`, though 1053's text does not mention it.
    let (s, b) = h.upsert(&with(json!({"identifier": "A-z_0.9"}))).await;
    assert_eq!(assert_created(s, &b).1, "A-z_0.9");
}

fn jit_create(plugin: Value, template: Value) -> Value {
    with(json!({"jit_settings": {
        "jit": true,
        "credential_creation_and_deletion": true,
        "use_own_credential_to_connect": true,
        "credential_creation_plugin": plugin,
        "credential_creation_template": template,
        "credential_deletion_plugin": "SSH",
        "credential_deletion_template": "Linux - Remove User"
    }}))
}

fn jit_enable(plugin: Value, template: Value) -> Value {
    with(json!({"jit_settings": {
        "jit": true,
        "enable_disable_credential": true,
        "use_own_credential_to_connect": true,
        "credential_enable_plugin": "LDAP",
        "credential_enable_template": "AD - Activate User",
        "credential_disable_plugin": plugin,
        "credential_disable_template": template
    }}))
}

#[tokio::test]
async fn jit_plugin_and_template() {
    let h = Harness::demo().await;
    let tpl = json!("Linux - Create User");
    expect_code(&h, jit_create(Value::Null, tpl.clone()), 1046).await;
    expect_code(&h, jit_create(json!(""), tpl.clone()), 1046).await;
    expect_code(&h, jit_create(json!("Telnet"), tpl.clone()), 1046).await;
    expect_code(&h, jit_create(json!("SSH"), Value::Null), 1047).await;
    expect_code(&h, jit_create(json!("SSH"), json!("Nope")), 1047).await;
    let tpl = json!("AD - Deactivate User");
    expect_code(&h, jit_enable(Value::Null, tpl.clone()), 1046).await;
    expect_code(&h, jit_enable(json!("LDAP"), json!("")), 1047).await;
    // A disabled variant needs nothing.
    let (s, b) = h
        .upsert(&with(json!({"jit_settings": {"jit": false,
            "credential_creation_and_deletion": false, "enable_disable_credential": false}})))
        .await;
    assert_created(s, &b);
    // Registering the plugin and template makes the request valid.
    h.sim.add_plugin("Telnet");
    h.sim.add_template("Nope");
    let (s, b) = h.upsert(&jit_create(json!("Telnet"), json!("Nope"))).await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let h = Harness::demo().await;
    for (method, path) in [
        (reqwest::Method::GET, "/api/pam/credentials"),
        (reqwest::Method::GET, "/api/pam/device"),
        (reqwest::Method::PATCH, "/api/pam/credential/1"),
        (reqwest::Method::GET, "/"),
        (reqwest::Method::POST, "/api/oauth2/token"),
        (reqwest::Method::GET, "/iso/pam/credential/1/extra"),
    ] {
        let req = h.http.request(method, h.url(path)).bearer_auth(&h.token);
        let (s, b) = h.send(req).await;
        assert_error(s, &b, 404, "Resource sub not found", 0);
    }
}

#[tokio::test]
async fn both_prefixes_serve_the_same_store() {
    let h = Harness::demo().await;
    let (s, b) = h.upsert_at("/iso", &valid()).await;
    let (id, _) = assert_created(s, &b);
    let (s, b) = h.upsert_at("/api", &valid()).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["credential"]["id"], id.as_str());
    let (s, b) = h.upsert_at("/iso", &with(json!({"hostname": ""}))).await;
    assert_code(s, &b, 1004);
    let req = h
        .http
        .delete(h.url(&format!("/iso/pam/credential/{id}")))
        .bearer_auth(&h.token);
    let (s, _) = h.send(req).await;
    assert_eq!(s, 200);
}
