//! The operator's own validation agrees with the CRD, case by case: the same fixtures that
//! `tests/chart/test_crd_validation.py` runs through a model of the API server's admission
//! (OpenAPI schema + CEL rules) run here through the manifest loader (types, enums, required
//! fields) and `validate_spec` (patterns, lengths and the CEL rules' Rust twin).
//!
//! - every invalid fixture yields exactly one error, naming the fixture's field and holding its
//!   message fragments (`# expect: FIELD[: FRAGMENT]`, `# expect-operator: FRAGMENT`);
//! - every valid fixture and every example loads and has no violation.

use std::path::{Path, PathBuf};

use segura_operator::crd::validate::validate_spec;
use segura_operator::sync::manifests::{ManifestError, load};

/// `examples/simulator.yaml`, when present, configures the simulator: not a manifest.
const NOT_MANIFESTS: &[&str] = &["simulator.yaml"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !NOT_MANIFESTS.contains(&p.file_name().unwrap().to_str().unwrap()))
        .collect();
    files.sort();
    files
}

/// The fixture's expectation: the field, and the message fragments this side must show.
struct Expect {
    field: String,
    fragments: Vec<String>,
}

fn expectation(path: &Path) -> Expect {
    let text = std::fs::read_to_string(path).expect("fixture reads");
    let mut field = None;
    let mut fragments = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix('#') else {
            continue;
        };
        let rest = rest.trim();
        if let Some(e) = rest.strip_prefix("expect:") {
            let (f, fragment) = e.trim().split_once(": ").unwrap_or((e.trim(), ""));
            field = Some(f.to_string());
            fragments.push(fragment.to_string());
        } else if let Some(e) = rest.strip_prefix("expect-operator:") {
            fragments.push(e.trim().to_string());
        }
    }
    Expect {
        field: field.unwrap_or_else(|| panic!("{}: no `# expect:` header", path.display())),
        fragments,
    }
}

/// `spec.tags` also names `spec.tags[0]`, as in the API server's answer.
fn field_matches(reported: &str, expected: &str) -> bool {
    reported == expected
        || reported.starts_with(&format!("{expected}["))
        || reported.starts_with(&format!("{expected}."))
}

/// Every error the operator reports for one manifest file, as `(field, message)`: a load error
/// (types, enums, required fields), else the violations of each Credential's spec.
fn operator_errors(path: &Path) -> Vec<(String, String)> {
    match load(&[path.to_path_buf()]) {
        Err(ManifestError::Invalid { message, .. }) => {
            let (field, msg) = message.split_once(": ").unwrap_or(("", &message));
            vec![(field.to_string(), msg.to_string())]
        }
        Err(e) => panic!("{}: {e}", path.display()),
        Ok(m) => {
            assert!(
                !m.credentials.is_empty(),
                "{}: no Credential",
                path.display()
            );
            m.credentials
                .iter()
                .flat_map(|(_, c)| validate_spec(&c.spec))
                .map(|v| (v.field, v.message))
                .collect()
        }
    }
}

#[test]
fn invalid_fixtures_fail_naming_the_field() {
    let files = yaml_files(&root().join("tests/fixtures/invalid"));
    assert!(files.len() >= 20, "invalid fixtures: {}", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        let want = expectation(path);
        let got = operator_errors(path);
        let shown: Vec<String> = got.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        let ok = match got.as_slice() {
            [(field, message)] => {
                field_matches(field, &want.field)
                    && want.fragments.iter().all(|f| message.contains(f.as_str()))
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{name}: want one error on {} holding {:?}, got {shown:?}",
                want.field, want.fragments
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn valid_fixtures_and_examples_pass() {
    let mut files = yaml_files(&root().join("examples"));
    files.extend(yaml_files(&root().join("tests/fixtures/valid")));
    assert!(files.len() >= 13, "valid manifests: {}", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let got = operator_errors(path);
        if !got.is_empty() {
            failures.push(format!("{}: {got:?}", path.display()));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
