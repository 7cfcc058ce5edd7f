//! The end-to-end environment: a Kubernetes API (the loopback server, or a real cluster named
//! by `SEGURA_E2E_KUBECONFIG`), the Segura simulator, and operator instances running in-process
//! exactly as `segura-operator run` runs them.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::{Api, ResourceExt};
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use segura_operator::controller::backoff::RetrySchedule;
use segura_operator::crd::Credential;
use segura_operator::leader::LeaderConfig;
use segura_operator::operator::{Handles, OperatorConfig};
use segura_operator::segura::client::{SeguraClient, SeguraConfig};
use segura_operator::segura::secrets::SecretValue;
use segura_operator::simulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Simulator, SimulatorConfig};

use crate::apiserver::ApiServer;

/// How long a scenario waits for the operator to reach a state.
pub const WAIT: Duration = Duration::from_secs(20);

/// Where an instance's `on_start` puts its handles and address.
type StartSlot = Arc<Mutex<Option<(Handles, Option<SocketAddr>)>>>;

/// One operator instance.
pub struct Running {
    task: JoinHandle<anyhow::Result<()>>,
    stop: watch::Sender<bool>,
    /// Its metrics, readiness and leadership.
    pub handles: Handles,
    /// Where its `/metrics` is served.
    pub addr: SocketAddr,
}

/// Everything a scenario needs.
pub struct Env {
    /// Client of the Kubernetes API.
    pub client: kube::Client,
    /// The scenario's namespace.
    pub ns: String,
    /// The loopback server, when not on a real cluster.
    pub loopback: Option<ApiServer>,
    /// The Segura simulator.
    pub sim: Simulator,
    operators: Vec<Option<Running>>,
    killed: Vec<watch::Sender<bool>>,
}

impl Env {
    /// On the loopback API server.
    pub async fn loopback() -> Env {
        init_logs();
        let server = ApiServer::start().await;
        Env {
            client: server.client(),
            ns: "team-a".into(),
            loopback: Some(server),
            sim: sim(),
            operators: Vec::new(),
            killed: Vec::new(),
        }
    }

    /// On the real cluster of `SEGURA_E2E_KUBECONFIG`: installs the CRD from `crds/` and a
    /// namespace of its own, removed by [`Env::finish`].
    pub async fn cluster() -> Option<Env> {
        let path = std::env::var("SEGURA_E2E_KUBECONFIG").ok()?;
        let kubeconfig = kube::config::Kubeconfig::read_from(path).expect("kubeconfig reads");
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .expect("kubeconfig is usable");
        let client = kube::Client::try_from(config).expect("client");
        let crd: CustomResourceDefinition =
            serde_saphyr::from_str(include_str!("../../crds/credentials.pam.segura.io.yaml"))
                .expect("committed CRD parses");
        let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
        crds.patch(
            &crd.name_any(),
            &PatchParams::apply("segura-e2e").force(),
            &Patch::Apply(&crd),
        )
        .await
        .expect("CRD installs");
        tokio::time::sleep(Duration::from_secs(2)).await;
        let ns = format!("segura-e2e-{}", fastrand::u32(..));
        let nss: Api<Namespace> = Api::all(client.clone());
        let namespace: Namespace =
            serde_json::from_value(json!({"metadata": {"name": ns}})).expect("namespace");
        nss.create(&PostParams::default(), &namespace)
            .await
            .expect("namespace");
        Some(Env {
            client,
            ns,
            loopback: None,
            sim: sim(),
            operators: Vec::new(),
            killed: Vec::new(),
        })
    }

    /// A Segura client of the simulator's demo authorization.
    pub fn segura(&self) -> SeguraClient {
        let cfg = SeguraConfig::new(
            self.sim.url(),
            DEMO_CLIENT_ID,
            SecretValue::new(DEMO_CLIENT_SECRET),
        );
        SeguraClient::new(cfg).expect("Segura client")
    }

    /// The operator configuration the scenarios start from: this namespace, 1 h resync.
    pub fn config(&self) -> OperatorConfig {
        OperatorConfig {
            namespaces: vec![self.ns.clone()],
            concurrency: 4,
            resync: Duration::from_secs(3600),
            leader: None,
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            instance: format!("e2e-{}", self.operators.len()),
            retry: RetrySchedule::default(),
        }
    }

    /// A leader-election configuration with a short lease, for takeover tests.
    pub fn leader(&self, identity: &str) -> LeaderConfig {
        let mut cfg = LeaderConfig::new("segura-operator".into(), self.ns.clone(), identity.into());
        cfg.lease_duration = Duration::from_secs(3);
        cfg.retry_period = Duration::from_millis(500);
        cfg
    }

    /// Starts an operator instance; returns its index.
    pub async fn start(&mut self, cfg: OperatorConfig) -> usize {
        let (kube, segura) = (self.client.clone(), self.segura());
        self.start_with(cfg, kube, segura).await
    }

    /// Starts an operator instance with its own clients (another Kubernetes user, other
    /// Segura client credentials).
    pub async fn start_with(
        &mut self,
        cfg: OperatorConfig,
        kube: kube::Client,
        segura: SeguraClient,
    ) -> usize {
        let (stop, rx) = watch::channel(false);
        let slot: StartSlot = Arc::default();
        let put = slot.clone();
        let task = tokio::spawn(segura_operator::operator::run(
            kube,
            segura,
            cfg,
            rx,
            move |h, addr| {
                *put.lock().expect("lock") = Some((h, addr));
            },
        ));
        let (handles, addr) =
            eventually("the operator starts", || slot.lock().expect("lock").clone()).await;
        self.operators.push(Some(Running {
            task,
            stop,
            handles,
            addr: addr.expect("metrics address"),
        }));
        self.operators.len() - 1
    }

    /// Starts the default operator and waits until it is ready.
    pub async fn start_default(&mut self) -> usize {
        self.start_ready(self.config()).await
    }

    /// Starts an operator with `cfg` and waits until it is ready.
    pub async fn start_ready(&mut self, cfg: OperatorConfig) -> usize {
        let i = self.start(cfg).await;
        let ready = self.operator(i).handles.ready.clone();
        eventually("the operator is ready", || {
            ready
                .load(std::sync::atomic::Ordering::SeqCst)
                .then_some(())
        })
        .await;
        i
    }

    /// A running instance.
    pub fn operator(&self, i: usize) -> &Running {
        self.operators[i].as_ref().expect("operator running")
    }

    /// Stops an instance gracefully (SIGTERM) and waits for it.
    pub async fn stop(&mut self, i: usize) -> anyhow::Result<()> {
        let r = self.operators[i].take().expect("operator running");
        let _ = r.stop.send(true);
        r.task.await.expect("operator task")
    }

    /// Whether an instance's `run` returned on its own (it would exit the process).
    pub fn exited(&self, i: usize) -> bool {
        self.operator(i).task.is_finished()
    }

    /// Kills an instance at once, as a crash would (no cleanup, lease not released).
    pub fn kill(&mut self, i: usize) {
        if let Some(r) = self.operators[i].take() {
            r.task.abort();
            // A dropped sender reads as a shutdown, which would release the lease: keep it.
            self.killed.push(r.stop);
        }
    }

    /// Stops every operator and, on a real cluster, removes the namespace.
    pub async fn finish(mut self) {
        for i in 0..self.operators.len() {
            if self.operators[i].is_some() {
                let _ = self.stop(i).await;
            }
        }
        if self.loopback.is_none() {
            let nss: Api<Namespace> = Api::all(self.client.clone());
            let _ = nss.delete(&self.ns, &DeleteParams::default()).await;
        }
    }
}

fn sim() -> Simulator {
    Simulator::start(
        SimulatorConfig::demo(),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .expect("simulator")
}

/// Polls `f` until it returns `Some`, for at most [`WAIT`].
pub async fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The Ready condition of a Credential as (status, reason, message).
pub fn ready(c: &Credential) -> Option<(String, String, String)> {
    c.status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
        .map(|c| (c.status.clone(), c.reason.clone(), c.message.clone()))
}

/// Whether the Credential is Ready for its current generation.
pub fn is_synced(c: &Credential) -> bool {
    ready(c).is_some_and(|(s, _, _)| s == "True")
        && c.status.as_ref().and_then(|s| s.observed_generation) == c.metadata.generation
}

/// Whether the Credential reports `reason`.
pub fn has_reason(c: &Credential, reason: &str) -> bool {
    ready(c).is_some_and(|(_, r, _)| r == reason)
}

/// Test logs on stderr when `RUST_LOG` is set.
pub fn init_logs() {
    if std::env::var("RUST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
}
