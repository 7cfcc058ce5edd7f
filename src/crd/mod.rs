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

impl Credential {
    /// Every Secret key this Credential references, in a stable order.
    pub fn secret_refs(&self) -> Vec<&SecretKeySelector> {
        let spec = &self.spec;
        let mut refs: Vec<&SecretKeySelector> = Vec::new();
        refs.extend(spec.content_from.iter().map(|s| &s.secret_key_ref));
        for a in spec.additional_settings.iter().flatten() {
            refs.extend(a.secret_key_from.iter().map(|s| &s.secret_key_ref));
            for f in a.additional_authentication_fields.iter().flatten() {
                refs.extend(f.value_from.iter().map(|s| &s.secret_key_ref));
            }
        }
        refs
    }
}
