//! The seven example requests of the vendor's create page, as they are written there.

use segura_operator::simulator::Endpoint;
use serde_json::{Value, json};

use crate::support::{Harness, assert_created, assert_updated};

fn new_identifier() -> Value {
    json!({
        "identifier": "dyaihdppaj78a547",
        "username" : "username",
        "hostname": "w2016",
        "ip": "10.66.33.15",
        "content": "blfjahbnaihdaa",
        "tags": "social"
    })
}

fn new_username() -> Value {
    json!({
        "username" : "newusername",
        "hostname": "w2016",
        "ip": "10.66.33.15",
        "content": "blfjahbnaihdaa",
        "identifier": "",
        "tags": "social"
    })
}

fn execution_settings() -> Value {
    json!({
        "username": "usernametest",
        "hostname": "API-Testing",
        "ip": "128.0.0.1",
        "execution_settings": {
            "parent_credential": "cred2",
            "parent_hostname": "gmail",
            "parent_ip": "https://www.gmail.com",
            "automatic_change": true,
            "agent_based_password_change": true,
            "change_plugin": "SSH",
            "change_template": "3COM",
            "use_own_credential_to_connect": false,
            "authentication_credential": "cred2",
            "authentication_hostname": "gmail",
            "authentication_ip": "https://www.gmail.com",
            "status": true,
            "reconciliation_credential": "cred2",
            "reconciliation_hostname": "gmail",
            "reconciliation_ip": "https://www.gmail.com",
            "reconciliation_plugin": "SSH",
            "reconciliation_template": "3COM"
        }
    })
}

fn session_settings() -> Value {
    json!({
        "username": "usernametest",
        "hostname": "API-Testing",
        "ip": "128.0.0.1",
        "session_settings": {
            "SSH": true, "Telnet": true, "MySQL": true, "SQL Server": true, "HTTP": true,
            "HTTPS": true, "RDP": true, "X11 Forward": true, "VNC": true,
            "restrict_access_to_remote_application": true,
            "macros": [
                {"remote_app": "MySQL", "connectivity": "SSH"},
                {"remote_app": "Kaspersky", "connectivity": "RDP"}
            ],
            "use_own_credential_to_connect": false,
            "authentication_credential": "cred2",
            "authentication_hostname": "gmail",
            "authentication_ip": "https://www.gmail.com"
        }
    })
}

fn additional_settings() -> Value {
    json!({
        "username": "usernametest",
        "hostname": "API-Testing",
        "ip": "128.0.0.1",
        "additional_settings": [{
            "identifier": "identifer",
            "user_credential_owner": "admin",
            "server_path": "/etc/host",
            "secret_key": "295B3LA1M6LRAHI2S7G1A36LMK6I4IWW",
            "criticality": "High",
            "additional_authentication_fields": [
                {"name": "name", "short_name": "short_name1", "value": "Enable"},
                {"name": "name2", "short_name": "short_name2", "value": "value"}
            ]
        }],
        "notes": "Credential to be used only in network A"
    })
}

fn jit_create_delete() -> Value {
    json!({
        "username": "API_CREDENTIAL_3",
        "hostname": "API_DEVICE_1",
        "ip": "localhost",
        "jit_settings": {
            "jit": true,
            "credential_creation_and_deletion": true,
            "enable_disable_credential": false,
            "use_own_credential_to_connect": false,
            "authentication_credential": "API_CREDENTIAL_1",
            "authentication_hostname": "API_DEVICE_1",
            "authentication_ip": "localhost",
            "credential_creation_plugin": "SSH",
            "credential_creation_template": "Linux - Create User",
            "credential_deletion_plugin": "SSH",
            "credential_deletion_template": "Linux - Remove User"
        }
    })
}

fn jit_enable_disable() -> Value {
    json!({
        "username": "API_CREDENTIAL_3",
        "hostname": "API_DEVICE_1",
        "ip": "localhost",
        "jit_settings": {
            "jit": true,
            "enable_disable_credential": true,
            "use_own_credential_to_connect": true,
            "authentication_credential": "API_CREDENTIAL_1",
            "authentication_hostname": "API_DEVICE_1",
            "authentication_ip": "localhost",
            "credential_enable_plugin": "LDAP",
            "credential_enable_template": "AD - Activate User",
            "credential_disable_plugin": "LDAP",
            "credential_disable_template": "AD - Deactivate User"
        }
    })
}

/// The fields a credential created by `body` stores besides the core ones: the page's
/// defaults, overwritten by what was sent.
fn stored_fields(sent: &[(&str, Value)]) -> Value {
    let mut m = serde_json::Map::new();
    for key in segura_operator::segura::api::UPSERT_PARAMS {
        if !["identifier", "username", "hostname", "ip"].contains(&key) {
            let default = segura_operator::segura::api::new_credential_default(key);
            m.insert(key.into(), json!(default));
        }
    }
    for (k, v) in sent {
        m.insert(k.to_string(), v.clone());
    }
    Value::Object(m)
}

#[tokio::test]
async fn example_new_identifier_creates_with_that_identifier() {
    let h = Harness::demo().await;
    let (status, body) = h.upsert(&new_identifier()).await;
    let (id, identifier) = assert_created(status, &body);
    assert_eq!(identifier, "dyaihdppaj78a547");
    let creds = h.sim.credentials();
    assert_eq!(creds.len(), 1);
    let c = &creds[0];
    assert_eq!(c.id, id);
    assert_eq!(
        (c.username.as_str(), c.hostname.as_str(), c.ip.as_str()),
        ("username", "w2016", "10.66.33.15")
    );
    assert!(c.active);
    assert_eq!(
        serde_json::Value::Object(c.fields.clone()),
        stored_fields(&[
            ("content", json!("blfjahbnaihdaa")),
            ("tags", json!("social"))
        ])
    );
    assert_eq!(c.fields["credential_type"], "Local User");
}

#[tokio::test]
async fn example_new_username_creates_with_generated_uuid_v7() {
    let h = Harness::demo().await;
    let (status, body) = h.upsert(&new_username()).await;
    let (_, identifier) = assert_created(status, &body);
    let uuid = uuid::Uuid::parse_str(&identifier).expect("a UUID");
    assert_eq!(uuid.get_version_num(), 7);
    assert_eq!(h.sim.credentials()[0].identifier, identifier);
    assert_eq!(h.sim.credentials()[0].username, "newusername");
}

#[tokio::test]
async fn each_example_creates_on_a_fresh_server() {
    for body in [
        new_identifier(),
        new_username(),
        execution_settings(),
        session_settings(),
        additional_settings(),
        jit_create_delete(),
        jit_enable_disable(),
    ] {
        let h = Harness::demo().await;
        let (status, answer) = h.upsert(&body).await;
        let (id, _) = assert_created(status, &answer);
        assert_eq!(id, "1");
        assert_eq!(h.sim.count(Endpoint::Upsert), 1);
    }
}

#[tokio::test]
async fn examples_in_sequence_create_then_update_by_username() {
    let h = Harness::demo().await;
    let (s, b) = h.upsert(&new_identifier()).await;
    assert_eq!(assert_created(s, &b).0, "1");
    let (s, b) = h.upsert(&new_username()).await;
    assert_eq!(assert_created(s, &b).0, "2");

    // Three bodies for usernametest@API-Testing without identifier: one credential.
    let (s, b) = h.upsert(&execution_settings()).await;
    let (id, identifier) = assert_created(s, &b);
    assert_eq!(id, "3");
    for body in [session_settings(), additional_settings()] {
        let (s, b) = h.upsert(&body).await;
        assert_eq!(assert_updated(s, &b), (id.clone(), identifier.clone()));
        assert_eq!(b["response"]["changed"], "true");
    }
    let c = h.sim.credential(&id).expect("stored");
    assert_eq!(
        c.fields["execution_settings"],
        execution_settings()["execution_settings"]
    );
    assert_eq!(
        c.fields["session_settings"],
        session_settings()["session_settings"]
    );
    assert_eq!(
        c.fields["additional_settings"],
        additional_settings()["additional_settings"]
    );
    // The example's top-level `notes` is not a parameter of the page: ignored.
    assert!(!c.fields.contains_key("notes"));

    let (s, b) = h.upsert(&jit_create_delete()).await;
    let (jit_id, jit_identifier) = assert_created(s, &b);
    assert_eq!(jit_id, "4");
    let (s, b) = h.upsert(&jit_enable_disable()).await;
    assert_eq!(assert_updated(s, &b), (jit_id.clone(), jit_identifier));
    let c = h.sim.credential(&jit_id).expect("stored");
    assert_eq!(
        c.fields["jit_settings"],
        jit_enable_disable()["jit_settings"]
    );
    assert_eq!(h.sim.credentials().len(), 4);
}
