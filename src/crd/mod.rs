//! The `Credential` custom resource: its Rust types, its validation rules and the generated CRD.

mod credential;
mod jit;
pub mod rules;
mod secret_ref;
mod settings;
mod status;
pub mod validate;

pub use credential::{Credential, CredentialSpec, DeletionPolicy, PasswordPolicy};
pub use jit::JitSettings;
pub use secret_ref::{SecretKeySelector, SecretValueSource};
pub use settings::{
    AdditionalAuthenticationField, AdditionalSettings, Criticality, ExecutionSettings,
    SessionMacro, SessionSettings,
};
pub use status::CredentialStatus;

use kube::CustomResourceExt;

/// The finalizer the operator puts on every Credential it manages.
pub const FINALIZER: &str = "pam.segura.io/finalizer";

/// The CRD as YAML, exactly as committed under `crds/` and printed by `segura-operator crd`.
pub fn crd_yaml() -> Result<String, serde_saphyr::SerializeError> {
    serde_saphyr::to_string(&Credential::crd())
}

impl CredentialSpec {
    /// Every secret reference of the spec with the path of the field that holds it
    /// (`spec.contentFrom`, ...), in a stable order.
    pub fn secret_sources(&self) -> Vec<(String, &SecretValueSource)> {
        let mut out = Vec::new();
        if let Some(s) = &self.content_from {
            out.push(("spec.contentFrom".to_string(), s));
        }
        for (i, a) in self.additional_settings.iter().flatten().enumerate() {
            if let Some(s) = &a.secret_key_from {
                out.push((format!("spec.additionalSettings[{i}].secretKeyFrom"), s));
            }
            let fields = a.additional_authentication_fields.iter().flatten();
            for (j, f) in fields.enumerate() {
                if let Some(s) = &f.value_from {
                    let path = format!(
                        "spec.additionalSettings[{i}].additionalAuthenticationFields[{j}].valueFrom"
                    );
                    out.push((path, s));
                }
            }
        }
        out
    }
}

impl Credential {
    /// Every Secret key this Credential references with the spec field that references it,
    /// in a stable order.
    pub fn secret_refs_with_fields(&self) -> Vec<(String, &SecretKeySelector)> {
        self.spec
            .secret_sources()
            .into_iter()
            .map(|(field, s)| (field, &s.secret_key_ref))
            .collect()
    }

    /// Names of the Secrets this Credential references, sorted and without repeats.
    pub fn secret_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .secret_refs_with_fields()
            .into_iter()
            .map(|(_, s)| s.name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}
