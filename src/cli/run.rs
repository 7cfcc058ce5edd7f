//! `segura-operator run`: the operator against the cluster in KUBECONFIG or in-cluster config.

use anyhow::Context as _;
use tokio::sync::watch;

use super::args::RunArgs;
use super::connect::segura_config;
use crate::controller::backoff::RetrySchedule;
use crate::leader::LeaderConfig;
use crate::operator::{OperatorConfig, run};
use crate::segura::client::SeguraClient;

/// Runs the operator until SIGTERM or Ctrl-C; in-flight syncs finish first.
pub async fn run_operator(args: RunArgs) -> anyhow::Result<()> {
    crate::telemetry::init(args.log_format);
    let segura = SeguraClient::new(segura_config(&args.segura)?)?;
    let kube = kube::Client::try_default()
        .await
        .context("no Kubernetes configuration (KUBECONFIG or in-cluster)")?;
    let instance = args
        .pod_name
        .clone()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| format!("segura-operator-{}", std::process::id()));
    let cfg = OperatorConfig {
        namespaces: args.namespaces.clone(),
        concurrency: args.concurrency,
        resync: args.resync_interval,
        leader: args.leader_election.then(|| {
            LeaderConfig::new(
                args.lease_name.clone(),
                args.lease_namespace.clone(),
                instance.clone(),
            )
        }),
        listen: Some(args.listen),
        instance,
        retry: RetrySchedule::default(),
    };
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: finishing in-flight syncs");
        let _ = tx.send(true);
    });
    run(kube, segura, cfg, rx, |_, _| {}).await
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
