//! Reading Credential and Secret manifests from files and directories (multi-document YAML),
//! as a GitOps repository holds them. Documents of other kinds are skipped.

use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use serde_json::Value;

use crate::crd::Credential;

/// The namespace of a manifest that names none (as `kubectl apply` without `-n`).
pub const DEFAULT_NAMESPACE: &str = "default";

/// A manifest that could not be read, naming the file and the document.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A document is not valid YAML or not a valid object of its kind.
    #[error("{path} (document {index}): {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based document number in the file.
        index: usize,
        /// What is wrong (never a Secret's value: Secret documents report only the field).
        message: String,
    },
}

/// Credentials and Secrets read from manifests, with namespaces filled in.
#[derive(Default)]
pub struct Manifests {
    /// Credentials in the order read, each with the file it came from.
    pub credentials: Vec<(PathBuf, Credential)>,
    /// Secrets in the order read.
    pub secrets: Vec<Secret>,
}

impl std::fmt::Debug for Manifests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manifests")
            .field("credentials", &self.credentials.len())
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

impl Manifests {
    /// The Secret `name` in `namespace`, if read.
    pub fn secret(&self, namespace: &str, name: &str) -> Option<&Secret> {
        self.secrets
            .iter()
            .find(|s| s.name_any() == name && s.namespace().as_deref() == Some(namespace))
    }
}

/// Reads every `.yaml`/`.yml` file under the given paths (directories recursively, sorted).
pub fn load(paths: &[PathBuf]) -> Result<Manifests, ManifestError> {
    let mut out = Manifests::default();
    for path in paths {
        for file in yaml_files(path)? {
            let text = std::fs::read_to_string(&file).map_err(|source| ManifestError::Io {
                path: file.clone(),
                source,
            })?;
            parse_into(&mut out, &file, &text)?;
        }
    }
    Ok(out)
}

/// Parses one file's documents into `out`.
pub fn parse_into(out: &mut Manifests, file: &Path, text: &str) -> Result<(), ManifestError> {
    let invalid = |index: usize, message: String| ManifestError::Invalid {
        path: file.to_path_buf(),
        index,
        message,
    };
    let docs: Vec<Value> =
        serde_saphyr::from_multiple(text).map_err(|e| invalid(1, first_line(&e.to_string())))?;
    for (i, doc) in docs.into_iter().enumerate() {
        let index = i + 1;
        let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
        match (api_version, kind) {
            ("pam.segura.io/v1alpha1", "Credential") => {
                let mut c: Credential =
                    from_value_naming_field(doc).map_err(|m| invalid(index, m))?;
                if c.metadata.namespace.is_none() {
                    c.metadata.namespace = Some(DEFAULT_NAMESPACE.to_string());
                }
                out.credentials.push((file.to_path_buf(), c));
            }
            ("v1", "Secret") => {
                // serde's message for a Secret could quote a value: report the shape only.
                let mut s: Secret = serde_json::from_value(doc).map_err(|_| {
                    invalid(index, "not a valid v1 Secret (data must be base64)".into())
                })?;
                if s.metadata.namespace.is_none() {
                    s.metadata.namespace = Some(DEFAULT_NAMESPACE.to_string());
                }
                out.secrets.push(s);
            }
            _ => {}
        }
    }
    Ok(())
}

/// Deserializes `doc`, naming the offending field as the API server does:
/// `spec.deletionPolicy: unknown variant ...`, `spec.hostname: Required value`.
fn from_value_naming_field<T: serde::de::DeserializeOwned>(doc: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(doc).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        // serde reports a missing field at the path of the object that lacks it.
        if let Some(name) = message
            .strip_prefix("missing field `")
            .and_then(|r| r.strip_suffix('`'))
        {
            return if path == "." {
                format!("{name}: Required value")
            } else {
                format!("{path}.{name}: Required value")
            };
        }
        format!("{path}: {message}")
    })
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

fn yaml_files(path: &Path) -> Result<Vec<PathBuf>, ManifestError> {
    let io = |source| ManifestError::Io {
        path: path.to_path_buf(),
        source,
    };
    if !path.is_dir() {
        std::fs::metadata(path).map_err(io)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            files.extend(yaml_files(&entry)?);
        } else if matches!(
            entry.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            files.push(entry);
        }
    }
    Ok(files)
}
