//! `segura-operator sync` as a user runs it: the binary, its table, its exit code, the exact
//! bodies the simulator receives, and no secret in any output.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use segura_operator::simulator::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Endpoint, Simulator, SimulatorConfig,
};

#[path = "common/page.rs"]
mod page;
use page::{PAGE_EXAMPLES, expected_body};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sync(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_segura-operator"));
    cmd.current_dir(root()).arg("sync").args(args);
    for var in [
        "SEGURA_URL",
        "SEGURA_CLIENT_ID",
        "SEGURA_CLIENT_SECRET",
        "SEGURA_PATH_PREFIX",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every secret value in the examples' Secrets, plus the demo client secret.
fn example_secrets() -> Vec<String> {
    let m = segura_operator::sync::manifests::load(&[root().join("examples")]).expect("load");
    let mut out = vec![DEMO_CLIENT_SECRET.to_string()];
    for s in &m.secrets {
        for v in s.string_data.iter().flat_map(|d| d.values()) {
            // The page's sample additional-authentication values are plain words also used as
            // field names; every real secret is longer.
            if v.len() >= 8 {
                out.push(v.clone());
            }
        }
    }
    assert!(out.len() >= 5, "examples hold secrets to look for");
    out
}

fn assert_no_secret(output: &str) {
    for s in example_secrets() {
        assert!(!output.contains(&s), "output leaks a secret value");
    }
}

/// The rows of the table: (name, id, identifier, ready, reason, message).
fn rows(out: &Output) -> Vec<Vec<String>> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let header = lines
        .iter()
        .rposition(|l| l.starts_with("NAME "))
        .expect("table header");
    lines[header + 1..]
        .iter()
        .map(|l| {
            let mut cells: Vec<String> = l.split_whitespace().take(5).map(str::to_string).collect();
            let rest: Vec<&str> = l.split_whitespace().skip(5).collect();
            cells.push(rest.join(" "));
            cells
        })
        .collect()
}

#[test]
fn readme_demo_prints_the_table_with_one_failure() {
    let out = sync(&["--simulator", "-f", "examples/"], &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed Credential makes the exit code 1"
    );
    let rows = rows(&out);
    assert_eq!(rows.len(), 8, "{}", text(&out));
    for r in &rows[..7] {
        assert_eq!((r[3].as_str(), r[4].as_str()), ("True", "Synced"), "{r:?}");
        assert!(r[1].parse::<u64>().is_ok(), "numeric id: {r:?}");
    }
    let failed = &rows[7];
    assert_eq!(failed[0], "default/unregistered-device");
    assert_eq!(
        (failed[3].as_str(), failed[4].as_str()),
        ("False", "DeviceNotFound")
    );
    assert_eq!(failed[5], "1011: Device not found");
    // The page's examples share usernames, so Segura updates one credential per group.
    assert_eq!(rows[2][1], rows[3][1]);
    assert_eq!(rows[5][1], rows[6][1]);
    assert_no_secret(&text(&out));
}

#[tokio::test]
async fn simulator_receives_exactly_the_page_bodies() {
    let sim = Simulator::start(
        SimulatorConfig::demo(),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .expect("simulator");
    let url = sim.url();
    let out = tokio::task::spawn_blocking(move || {
        sync(
            &["-f", "examples/"],
            &[
                ("SEGURA_URL", url.as_str()),
                ("SEGURA_CLIENT_ID", DEMO_CLIENT_ID),
                ("SEGURA_CLIENT_SECRET", DEMO_CLIENT_SECRET),
            ],
        )
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let bodies: Vec<Value> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/api/pam/credential")
        .map(|r| r.body)
        .collect();
    assert_eq!(bodies.len(), 8, "one upsert per Credential, no retries");
    for (i, file) in PAGE_EXAMPLES.iter().enumerate() {
        assert_eq!(bodies[i], expected_body(file), "{file}");
    }
    assert_eq!(sim.count(Endpoint::Token), 1, "one token for the whole run");
    assert_no_secret(&text(&out));
    sim.shutdown().await;
}

#[test]
fn dry_run_validates_renders_redacted_and_sends_nothing() {
    let out = sync(&["--dry-run", "-f", "examples/"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"content\": \"<redacted>\""));
    assert!(stdout.contains("\"secret_key\": \"<redacted>\""));
    assert!(stdout.contains("\"SQL Server\": true"));
    assert!(rows(&out).iter().all(|r| r[4] == "Valid"));
    assert_no_secret(&text(&out));
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

#[test]
fn invalid_spec_and_missing_secret_are_reported_per_credential() {
    let dir = tempdir();
    write(
        &dir,
        "bad.yaml",
        "apiVersion: pam.segura.io/v1alpha1\nkind: Credential\nmetadata: {name: bad, namespace: team-a}\nspec:\n  identifier: has/slash\n  hostname: w2016\n  ip: 10.66.33.15\n  jitSettings: {jit: true, useOwnCredentialToConnect: true}\n---\napiVersion: pam.segura.io/v1alpha1\nkind: Credential\nmetadata: {name: nosecret, namespace: team-a}\nspec:\n  hostname: w2016\n  ip: 10.66.33.15\n  contentFrom: {secretKeyRef: {name: absent, key: password}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ignored}\n",
    );
    let out = sync(&["--dry-run", "-f", dir.to_str().expect("utf8")], &[]);
    assert_eq!(out.status.code(), Some(1));
    let rows = rows(&out);
    assert_eq!(rows.len(), 2, "the Deployment is skipped");
    assert_eq!(rows[0][4], "InvalidSpec");
    assert!(rows[0][5].contains("spec.identifier:"), "{:?}", rows[0]);
    assert!(
        rows[0][5].contains("spec.jitSettings: when jit is true"),
        "{:?}",
        rows[0]
    );
    assert_eq!(rows[1][4], "SecretNotFound");
    assert!(rows[1][5].contains("\"absent\"") && rows[1][5].contains("spec.contentFrom"));
}

#[test]
fn unreadable_yaml_is_reported_without_its_content() {
    let dir = tempdir();
    let secret = "Sup3r-S3cret-Passw0rd";
    write(
        &dir,
        "broken.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n  password: {secret}\n   bad: [indent\n"
        ),
    );
    let out = sync(&["--dry-run", "-f", dir.to_str().expect("utf8")], &[]);
    assert_ne!(out.status.code(), Some(0));
    let all = text(&out);
    assert!(all.contains("broken.yaml"), "{all}");
    assert!(
        !all.contains(secret),
        "the parse error quotes the file: {all}"
    );
}

#[test]
fn unreachable_segura_fails_each_credential_without_leaking() {
    let out = sync(
        &["-f", "examples/01-new-identifier.yaml"],
        &[
            ("SEGURA_URL", "http://127.0.0.1:9"),
            ("SEGURA_CLIENT_ID", "id"),
            ("SEGURA_CLIENT_SECRET", "a-client-secret-value"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let rows = rows(&out);
    assert_eq!(rows[0][3], "False");
    assert_eq!(rows[0][4], "ConnectionFailed");
    let all = text(&out);
    assert!(!all.contains("a-client-secret-value") && !all.contains("blfjahbnaihdaa"));
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "segura-sync-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
