//! Golden tests: each `examples/*.yaml` renders exactly the request body of the matching
//! example on the vendor's page, with its Secret's values in place of the secret references.

use std::path::PathBuf;

use serde_json::{Value, json};

use segura_operator::crd::validate::validate_spec;
use segura_operator::resolve::resolve_secrets;
use segura_operator::segura::body::{REDACTED, request_body};
use segura_operator::sync::manifests::{Manifests, load};

fn example(file: &str) -> (Manifests, usize) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(file);
    let m = load(&[path]).expect("example loads");
    assert_eq!(m.credentials.len(), 1, "{file} holds one Credential");
    (m, 0)
}

/// The body the operator sends for the example's first sync (identifier as in the spec).
fn rendered(file: &str) -> Value {
    let (m, i) = example(file);
    let cred = &m.credentials[i].1;
    assert_eq!(
        validate_spec(&cred.spec),
        vec![],
        "{file} passes the CRD's rules"
    );
    let ns = cred
        .metadata
        .namespace
        .clone()
        .expect("namespace defaulted");
    let secrets = resolve_secrets(cred, |name| m.secret(&ns, name)).expect("secrets resolve");
    let body = request_body(&cred.spec, cred.spec.identifier.as_deref(), true, &secrets)
        .expect("body renders");
    let debug = format!("{body:?}");
    for v in secrets.values() {
        // The page's sample auth values ("Enable", "value") are also key names: check the
        // JSON-quoted value as it would stand after a colon.
        let quoted = format!(":{}", Value::String(v.expose().to_string()));
        assert!(
            !debug.contains(&quoted),
            "{file}: Debug of the body leaks a secret"
        );
    }
    Value::Object(body.expose().clone())
}

#[test]
fn new_identifier_matches_page() {
    assert_eq!(
        rendered("01-new-identifier.yaml"),
        json!({
            "identifier": "dyaihdppaj78a547",
            "username" : "username",
            "hostname": "w2016",
            "ip": "10.66.33.15",
            "content": "blfjahbnaihdaa",
            "tags": "social"
        })
    );
}

#[test]
fn new_username_matches_page() {
    assert_eq!(
        rendered("02-new-username.yaml"),
        json!({
            "username" : "newusername",
            "hostname": "w2016",
            "ip": "10.66.33.15",
            "content": "blfjahbnaihdaa",
            "identifier": "",
            "tags": "social"
        })
    );
}

#[test]
fn execution_settings_matches_page() {
    assert_eq!(
        rendered("03-execution-settings.yaml"),
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
    );
}

#[test]
fn session_settings_matches_page() {
    assert_eq!(
        rendered("04-session-settings.yaml"),
        json!({
            "username": "usernametest",
            "hostname": "API-Testing",
            "ip": "128.0.0.1",
            "session_settings": {
                "SSH": true,
                "Telnet": true,
                "MySQL": true,
                "SQL Server": true,
                "HTTP": true,
                "HTTPS": true,
                "RDP": true,
                "X11 Forward": true,
                "VNC": true,
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
    );
}

/// The page's example as printed, before the two named deviations are applied.
fn page_additional_settings_example() -> Value {
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

#[test]
fn additional_settings_matches_page_but_for_two_named_deviations() {
    let mut expected = page_additional_settings_example();
    // Deviation 1: the parameter list puts `notes` inside each additional_settings object;
    // the example puts it at the top level. The parameter list is followed.
    let notes = expected
        .as_object_mut()
        .and_then(|o| o.remove("notes"))
        .expect("page example has top-level notes");
    expected["additional_settings"][0]["notes"] = notes;
    // Deviation 2: criticality is documented as low|medium|high; the example sends "High".
    // The documented value is sent.
    expected["additional_settings"][0]["criticality"] = json!("high");
    let got = rendered("05-additional-settings.yaml");
    assert_eq!(got, expected);
    assert_ne!(
        got,
        page_additional_settings_example(),
        "the deviations are real"
    );
}

#[test]
fn jit_create_delete_matches_page() {
    assert_eq!(
        rendered("06-jit-create-delete.yaml"),
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
    );
}

#[test]
fn jit_enable_disable_matches_page() {
    assert_eq!(
        rendered("07-jit-enable-disable.yaml"),
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
    );
}

#[test]
fn failing_example_joins_lists_with_commas_and_no_spaces() {
    let body = rendered("08-unregistered-device.yaml");
    assert_eq!(body["device_domain"], json!("testlab.com,demo.lab.com"));
    assert_eq!(body["tags"], json!("legacy,database"));
}

#[test]
fn redacted_body_hides_every_secret_value() {
    for file in ["01-new-identifier.yaml", "05-additional-settings.yaml"] {
        let (m, i) = example(file);
        let cred = &m.credentials[i].1;
        let ns = cred.metadata.namespace.clone().expect("namespace");
        let secrets = resolve_secrets(cred, |n| m.secret(&ns, n)).expect("resolve");
        let body = request_body(&cred.spec, None, true, &secrets).expect("body");
        let redacted = Value::Object(body.redacted().clone());
        assert!(redacted.to_string().contains(REDACTED));
        let mut leaves = Vec::new();
        string_leaves(&redacted, &mut leaves);
        for v in secrets.values() {
            assert!(
                !leaves.iter().any(|l| l.contains(v.expose())),
                "{file}: redacted body leaks"
            );
        }
    }
}

#[test]
fn seed_only_body_leaves_content_out_and_username_in() {
    let (m, i) = example("01-new-identifier.yaml");
    let cred = &m.credentials[i].1;
    let secrets = resolve_secrets(cred, |n| m.secret("default", n)).expect("resolve");
    let body = request_body(&cred.spec, Some("x"), false, &secrets).expect("body");
    assert!(!body.expose().contains_key("content"));
    assert_eq!(body.expose()["identifier"], json!("x"));
    assert_eq!(body.expose()["username"], json!("username"));
}

fn string_leaves(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| string_leaves(x, out)),
        Value::Object(o) => o.values().for_each(|x| string_leaves(x, out)),
        _ => {}
    }
}
