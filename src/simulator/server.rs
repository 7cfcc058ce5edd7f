//! Starting and stopping the simulator, and the in-process handle tests use to inspect and
//! steer it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::config::{ClientConfig, DeviceConfig, Permission, SimulatorConfig};
use super::faults::{FaultState, Faults};
use super::handlers;
use super::inspect;
use super::routes::Endpoint;
use super::state::{Inner, RequestRecord, Shared};
use super::store::StoredCredential;

/// How long [`Simulator::shutdown`] waits for in-flight requests before aborting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running simulator. Dropping it stops the server too (abruptly).
#[derive(Debug)]
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// The axum application: the inspection view, and every other path to the API handler.
pub fn app(shared: Arc<Shared>) -> axum::Router {
    inspect::router().fallback(handlers::api).with_state(shared)
}

impl Simulator {
    /// Binds `addr` (port 0 picks a free port; use `127.0.0.1:0` in tests) and serves the
    /// simulator on the current Tokio runtime. Fails when called outside a runtime or when
    /// the address cannot be bound.
    pub fn start(config: SimulatorConfig, addr: SocketAddr) -> std::io::Result<Simulator> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| std::io::Error::other(format!("simulator needs a Tokio runtime: {e}")))?;
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };
        let shared = Arc::new(Shared::new(Inner::new(config)));
        let (stop, stopped) = oneshot::channel::<()>();
        let service = app(shared.clone());
        let task = runtime.spawn(async move {
            let server = axum::serve(listener, service).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = server.await {
                tracing::error!(error = %e, "simulator server stopped");
            }
        });
        tracing::info!(%addr, "Segura simulator listening");
        Ok(Simulator {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (loopback when bound to an unspecified
    /// address).
    pub fn url(&self) -> String {
        let ip = if self.addr.ip().is_unspecified() {
            match self.addr {
                SocketAddr::V4(_) => "127.0.0.1".to_string(),
                SocketAddr::V6(_) => "[::1]".to_string(),
            }
        } else {
            match self.addr {
                SocketAddr::V4(a) => a.ip().to_string(),
                SocketAddr::V6(a) => format!("[{}]", a.ip()),
            }
        };
        format!("http://{ip}:{}", self.addr.port())
    }

    /// Stops accepting, lets in-flight requests finish for a short grace period, then aborts.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }

    /// Every stored credential, inactive ones included, with every field (passwords too).
    pub fn credentials(&self) -> Vec<StoredCredential> {
        self.shared.lock().store.all().to_vec()
    }

    /// The credential an id, identifier or `username@hostname` names.
    pub fn credential(&self, x: &str) -> Option<StoredCredential> {
        self.shared.lock().store.get(x).cloned()
    }

    /// Every request received since the last [`Simulator::reset_counters`].
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared
            .lock()
            .records
            .iter()
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// Requests received on `endpoint` since the last reset (faulted and failed ones too).
    pub fn count(&self, endpoint: Endpoint) -> usize {
        self.shared.lock().count(endpoint)
    }

    /// Successful `GET {prefix}/pam/credential/{id}` calls (password checkouts) since the last
    /// reset. The operator must never cause one.
    pub fn custody_checkouts(&self) -> usize {
        self.shared.lock().custody_checkouts
    }

    /// Forgets recorded requests, counters and checkouts (credentials stay).
    pub fn reset_counters(&self) {
        let mut inner = self.shared.lock();
        inner.records.clear();
        inner.custody_checkouts = 0;
    }

    /// Replaces the fault switches (reseeding the random source from `faults.seed`).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().faults = FaultState::new(faults);
    }

    /// The current fault switches (`burst_429` shows what is left of the burst).
    pub fn faults(&self) -> Faults {
        self.shared.lock().faults.faults().clone()
    }

    /// Registers a device.
    pub fn add_device(&self, hostname: &str, ip: &str) {
        let device = DeviceConfig::new(hostname, ip);
        self.shared.lock().registry.devices.insert(device);
    }

    /// Registers a device domain.
    pub fn add_domain(&self, domain: &str) {
        self.shared
            .lock()
            .registry
            .domains
            .insert(domain.to_string());
    }

    /// Registers a JIT plugin.
    pub fn add_plugin(&self, plugin: &str) {
        self.shared
            .lock()
            .registry
            .plugins
            .insert(plugin.to_string());
    }

    /// Registers a JIT template.
    pub fn add_template(&self, template: &str) {
        self.shared
            .lock()
            .registry
            .templates
            .insert(template.to_string());
    }

    /// Adds an OAuth2 client (replacing one with the same id).
    pub fn add_client(&self, client: ClientConfig) {
        let mut inner = self.shared.lock();
        inner.clients.retain(|c| c.client_id != client.client_id);
        inner.clients.push(client);
    }

    /// Changes a client's permission, effective for its tokens already issued. False when no
    /// such client exists.
    pub fn set_permission(&self, client_id: &str, permission: Permission) -> bool {
        let mut inner = self.shared.lock();
        match inner.clients.iter_mut().find(|c| c.client_id == client_id) {
            Some(c) => {
                c.permission = permission;
                true
            }
            None => false,
        }
    }

    /// Expires every issued token: the next API call with one answers 401.
    pub fn expire_tokens(&self) {
        self.shared.lock().tokens.expire_all();
    }

    /// The bearer tokens issued so far (the last 256), expired ones included, so that tests can
    /// check none of them leaks. Not part of the HTTP view.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.lock().tokens.history()
    }

    /// Sets the lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.shared.lock().token_lifetime = lifetime;
    }

    /// The state as `GET /__simulator/state` shows it (secrets redacted).
    pub fn state_view(&self) -> serde_json::Value {
        inspect::state_json(&self.shared.lock())
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Serves the simulator on `listen` until Ctrl-C (the `segura-operator simulator` command).
pub async fn serve(listen: SocketAddr, config: SimulatorConfig) -> anyhow::Result<()> {
    let sim = Simulator::start(config, listen)?;
    println!("Segura simulator listening on {}", sim.url());
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
