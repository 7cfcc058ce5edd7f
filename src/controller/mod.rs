//! The controller: reconcile Credentials against Segura, with conditions, backoff and finalizer.

pub mod applied;
pub mod backoff;
mod cleanup;
pub mod conditions;
pub mod context;
pub mod decide;
pub mod fingerprint;
pub mod reconcile;
mod report;
pub mod run;
pub mod status;
