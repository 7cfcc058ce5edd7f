//! `segura-operator sync -f PATH...`: validate, resolve Secrets, and upsert each Credential
//! into Segura (or render the bodies with `--dry-run`), then print the table.

use std::net::SocketAddr;

use serde_json::Value;

use super::manifests::{Manifests, load};
use super::table::{Row, render};
use crate::cli::args::SyncArgs;
use crate::cli::connect::segura_config;
use crate::controller::conditions::{REASON_INVALID_SPEC, REASON_SECRET_NOT_FOUND, REASON_SYNCED};
use crate::controller::decide::identifier_to_send;
use crate::crd::Credential;
use crate::crd::validate::validate_spec;
use crate::resolve::resolve_secrets;
use crate::segura::body::{MissingSecret, RequestBody, request_body};
use crate::segura::client::{SeguraClient, SeguraConfig};
use crate::segura::secrets::SecretValue;
use crate::simulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Simulator, SimulatorConfig};

/// Runs `sync`; returns whether every Credential succeeded.
pub async fn run(args: SyncArgs) -> anyhow::Result<bool> {
    let manifests = load(&args.paths)?;
    if manifests.credentials.is_empty() {
        anyhow::bail!("no Credential (pam.segura.io/v1alpha1) found in the given paths");
    }
    let mut simulator = None;
    let client = if args.dry_run {
        None
    } else if args.simulator {
        let sim = Simulator::start(
            SimulatorConfig::demo(),
            SocketAddr::from(([127, 0, 0, 1], 0)),
        )?;
        let cfg = SeguraConfig::new(
            sim.url(),
            DEMO_CLIENT_ID,
            SecretValue::new(DEMO_CLIENT_SECRET),
        );
        simulator = Some(sim);
        Some(SeguraClient::new(cfg)?)
    } else {
        Some(SeguraClient::new(segura_config(&args.segura)?)?)
    };
    let mut rows = Vec::new();
    for (_, cred) in &manifests.credentials {
        let row = match prepare(&manifests, cred) {
            Err((reason, message)) => row(cred, "False", reason, message),
            Ok(body) => match &client {
                None => {
                    let json = Value::Object(body.redacted().clone());
                    println!("# {}\n{}", name(cred), serde_json::to_string_pretty(&json)?);
                    dry_row(cred)
                }
                Some(c) => upsert(c, cred, &body).await,
            },
        };
        rows.push(row);
    }
    if args.dry_run {
        println!();
    }
    print!("{}", render(&rows));
    if let Some(sim) = simulator {
        sim.shutdown().await;
    }
    Ok(!rows.iter().any(Row::failed))
}

fn name(cred: &Credential) -> String {
    format!(
        "{}/{}",
        cred.metadata.namespace.as_deref().unwrap_or_default(),
        cred.metadata.name.as_deref().unwrap_or_default()
    )
}

fn row(cred: &Credential, ready: &str, reason: &str, message: String) -> Row {
    Row {
        name: name(cred),
        id: "-".into(),
        identifier: cred
            .spec
            .identifier
            .clone()
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| "-".into()),
        ready: ready.into(),
        reason: reason.into(),
        message,
    }
}

/// Validates and renders the body, or the failure's reason and message.
fn prepare(
    manifests: &Manifests,
    cred: &Credential,
) -> Result<RequestBody, (&'static str, String)> {
    let violations = validate_spec(&cred.spec);
    if !violations.is_empty() {
        let msg = violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err((REASON_INVALID_SPEC, msg));
    }
    let ns = cred.metadata.namespace.clone().unwrap_or_default();
    let missing = |m: MissingSecret| (REASON_SECRET_NOT_FOUND, m.to_string());
    let secrets = resolve_secrets(cred, |n| manifests.secret(&ns, n)).map_err(missing)?;
    let identifier = identifier_to_send(&cred.spec, None);
    request_body(&cred.spec, identifier.as_deref(), true, &secrets).map_err(missing)
}

fn dry_row(cred: &Credential) -> Row {
    row(
        cred,
        "-",
        "Valid",
        "valid; body rendered above, nothing sent".into(),
    )
}

async fn upsert(client: &SeguraClient, cred: &Credential, body: &RequestBody) -> Row {
    match client.upsert(body).await {
        Ok(up) => {
            let verb = if up.http_status == 201 {
                "Created"
            } else {
                "Updated"
            };
            Row {
                id: up.id.clone(),
                identifier: up.identifier.clone(),
                ..row(
                    cred,
                    "True",
                    REASON_SYNCED,
                    format!("{verb} credential {}", up.id),
                )
            }
        }
        Err(e) => row(cred, "False", e.reason(), e.to_string()),
    }
}
