//! The operator as a library call: metrics and probes, leader election, and the controllers,
//! on a given Kubernetes client and Segura client. The CLI's `run` builds the clients from flags;
//! the tests call this directly, on the loopback API server and the simulator.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use kube::Api;
use kube::runtime::events::{Recorder, Reporter};
use tokio::sync::watch;

use crate::controller::applied::AppliedMemo;
use crate::controller::backoff::{Backoffs, RetrySchedule};
use crate::controller::context::Context;
use crate::http::{Probes, serve};
use crate::leader::{self, LeaderConfig};
use crate::metrics::Metrics;
use crate::segura::client::SeguraClient;

/// How the operator runs.
#[derive(Clone, Debug)]
pub struct OperatorConfig {
    /// Namespaces to watch; empty for all.
    pub namespaces: Vec<String>,
    /// Credentials reconciled at once.
    pub concurrency: u16,
    /// Periodic resync interval.
    pub resync: Duration,
    /// Leader election, when several replicas may run.
    pub leader: Option<LeaderConfig>,
    /// Address of `/healthz`, `/readyz`, `/metrics`; `None` serves nothing.
    pub listen: Option<SocketAddr>,
    /// Name of this instance in Events.
    pub instance: String,
    /// Per-class retry delays of failing Credentials.
    pub retry: RetrySchedule,
}

/// A running operator's observable handles.
#[derive(Clone, Debug)]
pub struct Handles {
    /// Metrics of this instance.
    pub metrics: Arc<Metrics>,
    /// Readiness of this instance.
    pub ready: Arc<AtomicBool>,
    /// Whether this instance leads (always true without leader election).
    pub leader: watch::Receiver<bool>,
}

/// Runs until `shutdown` turns true (in-flight reconciles finish) or leadership is lost
/// (an error: the process should exit so that it restarts as a follower).
pub async fn run(
    kube: kube::Client,
    segura: SeguraClient,
    cfg: OperatorConfig,
    shutdown: watch::Receiver<bool>,
    on_start: impl FnOnce(Handles, Option<SocketAddr>),
) -> anyhow::Result<()> {
    let metrics = Arc::new(Metrics::new());
    let ready = Arc::new(AtomicBool::new(false));
    let (leader_tx, leader_rx) = watch::channel(cfg.leader.is_none());
    let mut bound = None;
    let mut http = None;
    if let Some(addr) = cfg.listen {
        let probes = Probes {
            metrics: metrics.clone(),
            ready: ready.clone(),
        };
        let (addr, handle) = serve(addr, probes, shutdown.clone()).await?;
        tracing::info!(%addr, "serving /healthz, /readyz and /metrics");
        bound = Some(addr);
        http = Some(AbortOnDrop(handle));
    }
    on_start(
        Handles {
            metrics: metrics.clone(),
            ready: ready.clone(),
            leader: leader_rx.clone(),
        },
        bound,
    );
    // Without election this instance leads for good: the sender stays here, unused.
    let (election, _always_leader) = match cfg.leader.clone() {
        Some(lc) => {
            let api: Api<Lease> = Api::namespaced(kube.clone(), &lc.namespace);
            // A standby replica is ready: it can take over at once.
            ready.store(true, Ordering::SeqCst);
            let task = tokio::spawn(leader::run(api, lc, leader_tx, shutdown.clone()));
            (Some(AbortOnDrop(task)), None)
        }
        None => (None, Some(leader_tx)),
    };

    let outcome = lead(kube, segura, &cfg, metrics, ready, leader_rx, shutdown).await;
    if let Some(mut e) = election {
        let _ = (&mut e.0).await;
    }
    // After a shutdown the endpoints finish gracefully; after a lost lease nothing stops them,
    // so they are aborted (by the guard) and the process can exit.
    if outcome.is_ok()
        && let Some(mut h) = http
    {
        let _ = (&mut h.0).await;
    }
    outcome
}

/// Aborts a spawned task when dropped: when `run` is cancelled (its task aborted), nothing it
/// started lives on, in particular no election task that would keep renewing the lease of an
/// instance that no longer reconciles.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Waits for leadership, then runs the controllers until shutdown or loss of leadership.
async fn lead(
    kube: kube::Client,
    segura: SeguraClient,
    cfg: &OperatorConfig,
    metrics: Arc<Metrics>,
    ready: Arc<AtomicBool>,
    mut leader: watch::Receiver<bool>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    tokio::select! {
        r = leader.wait_for(|l| *l) => { r?; }
        _ = shutdown.wait_for(|s| *s) => return Ok(()),
    }
    metrics.set_leader(true);
    tracing::info!(instance = cfg.instance, "leading: starting controllers");
    ready.store(false, Ordering::SeqCst);
    let reporter = Reporter {
        controller: "segura-operator".into(),
        instance: Some(cfg.instance.clone()),
    };
    let ctx = Arc::new(Context {
        client: kube.clone(),
        segura: segura.with_observer(metrics.clone()),
        recorder: Recorder::new(kube, reporter),
        backoffs: Backoffs::new(cfg.retry),
        applied: AppliedMemo::default(),
        metrics: metrics.clone(),
        resync: cfg.resync,
    });
    // Stop the controllers on shutdown or when leadership is lost.
    let (stop_tx, stop_rx) = watch::channel(false);
    let lost = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let lost = lost.clone();
        let mut leader = leader.clone();
        let mut shutdown = shutdown.clone();
        let stopping = shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                // A closed channel, or a lease released because of a shutdown (the election
                // releases only after it has seen the shutdown), is not a loss.
                r = leader.wait_for(|l| !*l) => if r.is_ok() && !*stopping.borrow() {
                    lost.store(true, Ordering::SeqCst);
                },
                _ = shutdown.wait_for(|s| *s) => {}
            }
            let _ = stop_tx.send(true);
        })
    };
    crate::controller::run::run(ctx, &cfg.namespaces, cfg.concurrency, stop_rx, ready).await;
    watchdog.abort();
    metrics.set_leader(false);
    if lost.load(Ordering::SeqCst) {
        anyhow::bail!("lost leadership of the lease");
    }
    Ok(())
}
