//! How to reach Segura: base URL, path prefix, token path, CA bundle, timeout, client
//! credentials. `Debug` redacts the client secret.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;

use super::api::{CREDENTIAL_PATH, DEFAULT_PREFIX, DEFAULT_TOKEN_PATH};
use super::error::SeguraError;
use super::secrets::SecretValue;

/// Default time allowed for one request, answer included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The Segura client's configuration.
#[derive(Clone)]
pub struct SeguraConfig {
    /// Scheme, host and port (and an optional path) of the Segura server, e.g.
    /// `https://segura.example.com`. `http://` is accepted (loopback tests).
    pub base_url: String,
    /// Path prefix of the PAM Core API: `/api` (the create page) or `/iso` (the vendor's
    /// Ansible collection).
    pub prefix: String,
    /// OAuth2 token path, below the base URL.
    pub token_path: String,
    /// PEM bundle of CA certificates trusted in addition to the system's.
    pub ca_bundle: Option<PathBuf>,
    /// Time allowed for one request, answer included.
    pub timeout: Duration,
    /// OAuth2 client id.
    pub client_id: String,
    /// OAuth2 client secret.
    pub client_secret: SecretValue,
}

impl SeguraConfig {
    /// A configuration with the default prefix, token path and timeout, and no CA bundle.
    pub fn new(
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: SecretValue,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            prefix: DEFAULT_PREFIX.to_string(),
            token_path: DEFAULT_TOKEN_PATH.to_string(),
            ca_bundle: None,
            timeout: DEFAULT_TIMEOUT,
            client_id: client_id.into(),
            client_secret,
        }
    }

    /// The URL of the credential collection: `{base}{prefix}/pam/credential`.
    pub fn collection_url(&self) -> Result<Url, SeguraError> {
        join(
            &self.base_url,
            &format!("{}{CREDENTIAL_PATH}", normalize(&self.prefix)),
        )
    }

    /// The token URL: `{base}{token_path}`.
    pub fn token_url(&self) -> Result<Url, SeguraError> {
        join(&self.base_url, &normalize(&self.token_path))
    }

    /// Checks the URLs, reads the CA bundle and builds the HTTP client.
    pub(crate) fn resolve(&self) -> Result<Resolved, SeguraError> {
        let collection = self.collection_url()?;
        let token_url = self.token_url()?;
        // Another part of the process may have installed a provider already: that is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout);
        if let Some(path) = &self.ca_bundle {
            builder = builder.tls_certs_merge(read_ca_bundle(path)?);
        }
        let http = builder.build().map_err(|e| {
            SeguraError::Config(format!("HTTP client: {}", super::error::describe(&e)))
        })?;
        Ok(Resolved {
            http,
            collection,
            token_url,
        })
    }
}

/// What [`SeguraConfig::resolve`] produces.
pub(crate) struct Resolved {
    pub(crate) http: reqwest::Client,
    pub(crate) collection: Url,
    pub(crate) token_url: Url,
}

impl fmt::Debug for SeguraConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeguraConfig")
            .field("base_url", &self.base_url)
            .field("prefix", &self.prefix)
            .field("token_path", &self.token_path)
            .field("ca_bundle", &self.ca_bundle)
            .field("timeout", &self.timeout)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// `/x`, `x`, `/x/` all become `/x`; an empty prefix stays empty.
pub fn normalize(path: &str) -> String {
    let trimmed = path.trim().trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    }
}

fn join(base: &str, path: &str) -> Result<Url, SeguraError> {
    let url = Url::parse(base.trim())
        .map_err(|e| SeguraError::Config(format!("base URL {base:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SeguraError::Config(format!(
            "base URL {base:?}: scheme must be http or https"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(SeguraError::Config(format!(
            "base URL {base:?}: no query or fragment allowed"
        )));
    }
    let mut out = url.clone();
    out.set_path(&format!("{}{path}", url.path().trim_end_matches('/')));
    Ok(out)
}

/// Reads a PEM bundle; a missing file or one without certificates is a config error.
pub fn read_ca_bundle(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, SeguraError> {
    let shown = path.display();
    let pem = std::fs::read(path)
        .map_err(|e| SeguraError::Config(format!("CA bundle {shown}: cannot read: {e}")))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| SeguraError::Config(format!("CA bundle {shown}: not PEM: {e}")))?;
    if certs.is_empty() {
        return Err(SeguraError::Config(format!(
            "CA bundle {shown}: no certificate found"
        )));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(base: &str, prefix: &str) -> SeguraConfig {
        let mut c = SeguraConfig::new(base, "id", SecretValue::new("s3cr3t-value"));
        c.prefix = prefix.into();
        c
    }

    #[test]
    fn urls_join_base_prefix_and_paths() {
        let c = cfg("http://127.0.0.1:8080", "/api");
        assert_eq!(
            c.collection_url().unwrap().as_str(),
            "http://127.0.0.1:8080/api/pam/credential"
        );
        assert_eq!(
            c.token_url().unwrap().as_str(),
            "http://127.0.0.1:8080/iso/oauth2/token"
        );
        let c = cfg("https://pam.example.com/segura/", "iso/");
        assert_eq!(
            c.collection_url().unwrap().as_str(),
            "https://pam.example.com/segura/iso/pam/credential"
        );
        assert_eq!(
            cfg("http://h", "").collection_url().unwrap().path(),
            "/pam/credential"
        );
    }

    #[test]
    fn bad_urls_are_config_errors() {
        for base in ["not a url", "ftp://h", "http://h/?q=1"] {
            let err = cfg(base, "/api").collection_url().unwrap_err();
            assert!(matches!(err, SeguraError::Config(_)), "{base}: {err}");
        }
    }

    #[test]
    fn debug_redacts_the_secret() {
        let text = format!("{:?}", cfg("http://h", "/api"));
        assert!(!text.contains("s3cr3t-value"), "{text}");
        assert!(text.contains("<redacted>"));
    }

    #[test]
    fn ca_bundle_errors_name_the_file() {
        let err = read_ca_bundle(std::path::Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }
}
