//! Turning the Segura connection flags into a client configuration: the client id and secret
//! come from files (a mounted Secret) or the environment, never from a literal in a manifest.

use std::path::Path;

use anyhow::Context as _;

use super::args::SeguraArgs;
use crate::segura::client::SeguraConfig;
use crate::segura::secrets::SecretValue;

/// Builds the Segura configuration from flags; errors name the missing flag.
pub fn segura_config(args: &SeguraArgs) -> anyhow::Result<SeguraConfig> {
    let url = args
        .segura_url
        .clone()
        .context("--segura-url (or SEGURA_URL) is required")?;
    let client_id = match (&args.client_id, &args.client_id_file) {
        (_, Some(path)) => read_trimmed(path, "--client-id-file")?,
        (Some(id), None) => id.clone(),
        (None, None) => anyhow::bail!(
            "the OAuth2 client id is required: --client-id-file (SEGURA_CLIENT_ID_FILE) or SEGURA_CLIENT_ID"
        ),
    };
    let secret = match (&args.client_secret, &args.client_secret_file) {
        (_, Some(path)) => read_trimmed(path, "--client-secret-file")?,
        (Some(s), None) => s.clone(),
        (None, None) => anyhow::bail!(
            "the OAuth2 client secret is required: --client-secret-file (SEGURA_CLIENT_SECRET_FILE) or SEGURA_CLIENT_SECRET"
        ),
    };
    let mut cfg = SeguraConfig::new(url, client_id, SecretValue::new(secret));
    cfg.prefix = args.segura_path_prefix.clone();
    cfg.token_path = args.segura_token_path.clone();
    cfg.ca_bundle = args.segura_ca_bundle.clone();
    cfg.timeout = args.segura_timeout;
    Ok(cfg)
}

/// Reads a one-value file (trailing newline removed). The error names the flag and the path,
/// never the content.
fn read_trimmed(path: &Path, flag: &str) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{flag}: cannot read {}", path.display()))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}
