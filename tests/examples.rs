//! Golden tests: each `examples/*.yaml` renders exactly the request body of the matching
//! example on the vendor's page, with its Secret's values in place of the secret references.

use std::path::PathBuf;

use serde_json::{Value, json};

#[path = "common/page.rs"]
mod page;
use page::{PAGE_EXAMPLES, expected_body, page_additional_settings_example};

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
fn every_page_example_renders_the_page_body() {
    for file in PAGE_EXAMPLES {
        assert_eq!(rendered(file), expected_body(file), "{file}");
    }
}

#[test]
fn additional_settings_deviates_from_the_printed_example_only_as_named() {
    let got = rendered("05-additional-settings.yaml");
    assert_ne!(
        got,
        page_additional_settings_example(),
        "the deviations are real"
    );
    assert_eq!(
        got["additional_settings"][0]["notes"],
        json!("Credential to be used only in network A")
    );
    assert!(got.get("notes").is_none(), "notes is not at the top level");
    assert_eq!(got["additional_settings"][0]["criticality"], json!("high"));
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
