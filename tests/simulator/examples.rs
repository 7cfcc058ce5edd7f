//! The seven example requests of the vendor's create page, as they are written there.

use segura_operator::simulator::Endpoint;
use serde_json::{Value, json};

use crate::page::{expected_body, page_additional_settings_example};
use crate::support::{Harness, assert_created, assert_updated};

fn new_identifier() -> Value {
    expected_body("01-new-identifier.yaml")
}

fn new_username() -> Value {
    expected_body("02-new-username.yaml")
}

fn execution_settings() -> Value {
    expected_body("03-execution-settings.yaml")
}

fn session_settings() -> Value {
    expected_body("04-session-settings.yaml")
}

/// The page's additional-settings example exactly as printed (top-level `notes`, `High`).
fn additional_settings() -> Value {
    page_additional_settings_example()
}

fn jit_create_delete() -> Value {
    expected_body("06-jit-create-delete.yaml")
}

fn jit_enable_disable() -> Value {
    expected_body("07-jit-enable-disable.yaml")
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
