//! Command-line arguments (clap), each flag also settable from the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Keeps `Credential` resources in sync with the Segura PAM Core API.
#[derive(Debug, Parser)]
#[command(name = "segura-operator", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the operator against the cluster in KUBECONFIG or the in-cluster config.
    Run(Box<RunArgs>),
    /// Print the CustomResourceDefinition (the content of `crds/`).
    Crd,
    /// Serve the Segura PAM Core simulator.
    Simulator(SimulatorArgs),
    /// Apply Credential and Secret manifests from files straight to Segura, no cluster.
    Sync(SyncArgs),
}

/// How to reach Segura. `Debug` redacts the client secret.
#[derive(Clone, Args)]
pub struct SeguraArgs {
    /// Base URL of Segura, e.g. `https://segura.example.com`.
    #[arg(long, env = "SEGURA_URL")]
    pub segura_url: Option<String>,
    /// Path prefix of the PAM Core API (`/api` per the create page; `/iso` on some servers).
    #[arg(long, env = "SEGURA_PATH_PREFIX", default_value = "/api")]
    pub segura_path_prefix: String,
    /// Path of the OAuth2 token endpoint.
    #[arg(long, env = "SEGURA_TOKEN_PATH", default_value = "/iso/oauth2/token")]
    pub segura_token_path: String,
    /// PEM file of extra CA certificates to trust for Segura.
    #[arg(long, env = "SEGURA_CA_BUNDLE")]
    pub segura_ca_bundle: Option<PathBuf>,
    /// Timeout of each request to Segura (e.g. `30s`).
    #[arg(long, env = "SEGURA_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    pub segura_timeout: Duration,
    /// OAuth2 client id (prefer `--client-id-file`).
    #[arg(long, env = "SEGURA_CLIENT_ID", hide_env_values = true)]
    pub client_id: Option<String>,
    /// File holding the OAuth2 client id (a mounted Secret).
    #[arg(long, env = "SEGURA_CLIENT_ID_FILE")]
    pub client_id_file: Option<PathBuf>,
    /// OAuth2 client secret (prefer `--client-secret-file`; never shown in help or logs).
    #[arg(long, env = "SEGURA_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// File holding the OAuth2 client secret (a mounted Secret).
    #[arg(long, env = "SEGURA_CLIENT_SECRET_FILE")]
    pub client_secret_file: Option<PathBuf>,
}

impl std::fmt::Debug for SeguraArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeguraArgs")
            .field("segura_url", &self.segura_url)
            .field("segura_path_prefix", &self.segura_path_prefix)
            .field("segura_token_path", &self.segura_token_path)
            .field("segura_ca_bundle", &self.segura_ca_bundle)
            .field("segura_timeout", &self.segura_timeout)
            .field("client_id", &self.client_id)
            .field("client_id_file", &self.client_id_file)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("client_secret_file", &self.client_secret_file)
            .finish()
    }
}

/// `segura-operator run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Segura connection.
    #[command(flatten)]
    pub segura: SeguraArgs,
    /// Namespaces to watch, comma-separated; empty watches all namespaces.
    #[arg(
        long,
        env = "WATCH_NAMESPACES",
        value_delimiter = ',',
        default_value = ""
    )]
    pub namespaces: Vec<String>,
    /// Credentials reconciled at once.
    #[arg(long, env = "CONCURRENCY", default_value_t = 4)]
    pub concurrency: u16,
    /// Periodic resync of a Credential that is in sync (jitter is added).
    #[arg(long, env = "RESYNC_INTERVAL", default_value = "1h", value_parser = humantime::parse_duration)]
    pub resync_interval: Duration,
    /// Address of the `/healthz`, `/readyz` and `/metrics` endpoints.
    #[arg(long, env = "HTTP_LISTEN", default_value = "0.0.0.0:8080")]
    pub listen: SocketAddr,
    /// Elect a leader through a Lease, so several replicas are safe.
    #[arg(long, env = "LEADER_ELECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub leader_election: bool,
    /// Name of the Lease.
    #[arg(long, env = "LEASE_NAME", default_value = "segura-operator")]
    pub lease_name: String,
    /// Namespace of the Lease (the operator's own).
    #[arg(long, env = "POD_NAMESPACE", default_value = "default")]
    pub lease_namespace: String,
    /// Identity in the Lease (the pod's name).
    #[arg(long, env = "POD_NAME")]
    pub pod_name: Option<String>,
    /// Log format: `json` or `text`; default `json` unless stderr is a terminal.
    #[arg(long, env = "LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One JSON object a line.
    Json,
    /// Human-readable.
    Text,
}

/// `segura-operator simulator`.
#[derive(Debug, Args)]
pub struct SimulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// YAML configuration (clients, devices, domains, plugins, faults); default: the demo one.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `segura-operator sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Manifest files or directories (multi-document YAML; other kinds are skipped).
    #[arg(short = 'f', long = "filename", required = true)]
    pub paths: Vec<PathBuf>,
    /// Validate and print the request bodies with secrets redacted; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send to an embedded simulator pre-loaded with the examples' devices and domains.
    #[arg(long, conflicts_with = "segura_url")]
    pub simulator: bool,
    /// Segura connection (ignored with `--simulator` and `--dry-run`).
    #[command(flatten)]
    pub segura: SeguraArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_the_arguments_redacts_the_client_secret() {
        let cli = Cli::parse_from([
            "segura-operator",
            "sync",
            "-f",
            "examples/",
            "--client-secret",
            "cl13nt-s3cret-value",
        ]);
        let text = format!("{cli:?}");
        assert!(text.contains("<redacted>"));
        assert!(!text.contains("cl13nt-s3cret-value"));
    }
}
