//! What every reconcile shares: the Kubernetes and Segura clients, the event recorder, the
//! per-object backoff and the metrics; and the controller's error type.

use std::sync::Arc;
use std::time::Duration;

use kube::runtime::events::Recorder;

use super::applied::AppliedMemo;
use super::backoff::Backoffs;
use super::conditions::REASON_KUBERNETES_ERROR;
use crate::metrics::Metrics;
use crate::segura::client::SeguraClient;
use crate::segura::error::SeguraError;

/// Field manager of the operator's server-side applies.
pub const FIELD_MANAGER: &str = "segura-operator";

/// Shared state of the controller.
pub struct Context {
    /// Kubernetes client.
    pub client: kube::Client,
    /// Segura client.
    pub segura: SeguraClient,
    /// Publishes Events on Credentials.
    pub recorder: Recorder,
    /// Per-object backoff of failing Credentials.
    pub backoffs: Backoffs,
    /// What was applied ahead of the cache (no second upsert on a stale object).
    pub applied: AppliedMemo,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Periodic resync interval of Credentials in sync.
    pub resync: Duration,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("resync", &self.resync)
            .field("backoffs", &self.backoffs)
            .finish()
    }
}

/// Why a reconcile failed; the error policy retries these with backoff.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Kubernetes API failed.
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// Deactivating the credential in Segura failed; the finalizer stays.
    #[error("deactivation in Segura failed: {0}")]
    Deactivation(SeguraError),
    /// A failed deactivation is not retried before its backoff (which the error policy keeps).
    #[error("deactivation backing off for {}ms", .0.as_millis())]
    BackingOff(Duration),
    /// The finalizer machinery failed.
    #[error("finalizer: {0}")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<Error>>),
    /// The object has no namespace or name.
    #[error("object without namespace or name")]
    MissingMetadata,
}

impl Error {
    /// The reason of the Warning Event that reports this error on the Credential, or `None`
    /// when it was reported already (a failed deactivation) or cannot be (no name).
    pub fn event_reason(&self) -> Option<&'static str> {
        use kube::runtime::finalizer::Error as F;
        match self {
            Self::Kube(_) => Some(REASON_KUBERNETES_ERROR),
            Self::Deactivation(_) | Self::BackingOff(_) | Self::MissingMetadata => None,
            Self::Finalizer(inner) => match inner.as_ref() {
                F::ApplyFailed(e) | F::CleanupFailed(e) => e.event_reason(),
                F::AddFinalizer(_) | F::RemoveFinalizer(_) => Some(REASON_KUBERNETES_ERROR),
                _ => None,
            },
        }
    }

    /// A bounded label for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Kube(_) => "kubernetes_error",
            Self::Deactivation(_) => "deactivation_failed",
            Self::BackingOff(_) => "backing_off",
            Self::Finalizer(_) => "finalizer_error",
            Self::MissingMetadata => "missing_metadata",
        }
    }
}
