//! The controller: reconcile Credentials against Segura, with conditions, backoff and finalizer.

pub mod backoff;
pub mod conditions;
pub mod decide;
pub mod fingerprint;
