//! The committed CRD equals the generated one, is a structural schema a real API server
//! accepts, and its CEL rules name only fields that exist.

use serde_json::Value;

use kube::CustomResourceExt;
use segura_operator::crd::{Credential, crd_yaml};

const COMMITTED: &str = include_str!("../crds/credentials.pam.segura.io.yaml");

#[test]
fn committed_crd_matches_generated() {
    let generated = crd_yaml().expect("CRD serializes");
    assert!(
        generated == COMMITTED,
        "crds/credentials.pam.segura.io.yaml is stale: run `cargo run -- crd > crds/credentials.pam.segura.io.yaml`"
    );
}

fn schema() -> Value {
    let crd = serde_json::to_value(Credential::crd()).expect("CRD to JSON");
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
}

/// Walks every schema node, calling `f(path, node)`.
fn walk(path: &str, node: &Value, f: &mut dyn FnMut(&str, &Value)) {
    f(path, node);
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            walk(&format!("{path}.{k}"), v, f);
        }
    }
    if let Some(items) = node.get("items") {
        walk(&format!("{path}[]"), items, f);
    }
    if let Some(ap) = node.get("additionalProperties").filter(|v| v.is_object()) {
        walk(&format!("{path}{{}}"), ap, f);
    }
}

#[test]
fn schema_is_structural() {
    let mut problems = Vec::new();
    walk("", &schema(), &mut |path, node| {
        for forbidden in ["anyOf", "oneOf", "allOf", "not", "$ref", "definitions"] {
            if node.get(forbidden).is_some() {
                problems.push(format!("{path}: has {forbidden}"));
            }
        }
        let preserves = node.get("x-kubernetes-preserve-unknown-fields")
            == Some(&Value::Bool(true))
            || node.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
        if node.get("type").is_none() && !preserves && !path.is_empty() {
            problems.push(format!("{path}: no type"));
        }
        if node.get("properties").is_some() && node.get("additionalProperties").is_some() {
            problems.push(format!(
                "{path}: properties and additionalProperties together"
            ));
        }
        if let Some(e) = node.get("enum").and_then(Value::as_array)
            && e.iter().any(Value::is_null)
        {
            problems.push(format!("{path}: null among enum values"));
        }
    });
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn required_fields_and_patterns_are_in_the_schema() {
    let s = schema();
    let spec = &s["properties"]["spec"];
    let required: Vec<&str> = spec["required"]
        .as_array()
        .expect("spec.required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"hostname") && required.contains(&"ip"));
    assert_eq!(
        spec["properties"]["identifier"]["pattern"],
        Value::from("^[A-Za-z0-9._-]*$")
    );
    let crit = &spec["properties"]["additionalSettings"]["items"]["properties"]["criticality"];
    assert_eq!(crit["enum"], serde_json::json!(["low", "medium", "high"]));
    assert_eq!(
        spec["properties"]["deletionPolicy"]["enum"],
        serde_json::json!(["Delete", "Orphan"])
    );
}

#[test]
fn cel_rules_name_only_existing_fields() {
    let mut checked = 0;
    walk("", &schema(), &mut |path, node| {
        let Some(rules) = node
            .get("x-kubernetes-validations")
            .and_then(Value::as_array)
        else {
            return;
        };
        let props = node["properties"].as_object().expect("rule on an object");
        for rule in rules {
            let text = rule["rule"].as_str().expect("rule text");
            assert!(rule["message"].is_string(), "{path}: rule without message");
            for part in text.split("self.").skip(1) {
                let field: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                assert!(
                    props.contains_key(&field),
                    "{path}: rule names unknown field {field}"
                );
            }
            checked += 1;
        }
    });
    assert_eq!(checked, 8, "3 auth rules + 5 JIT rules");
}

#[test]
fn printer_columns_match_the_design() {
    let crd = serde_json::to_value(Credential::crd()).expect("CRD to JSON");
    let names: Vec<&str> = crd["spec"]["versions"][0]["additionalPrinterColumns"]
        .as_array()
        .expect("columns")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["ID", "IDENTIFIER", "READY", "REASON", "AGE"]);
}
