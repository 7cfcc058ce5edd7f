//! A loopback Kubernetes API server for tests: real wire protocol over HTTP on 127.0.0.1,
//! in-memory objects, so the real `kube::Client`, watchers and controllers run against it.
//!
//! ```ignore
//! let server = ApiServer::start().await;
//! let creds: Api<Credential> = Api::namespaced(server.client(), "team-a");
//! ```
#![allow(dead_code)]

pub mod admission;
pub mod auth;
pub mod delete;
pub mod errors;
pub mod handlers;
pub mod log;
pub mod ops;
pub mod patch;
pub mod reads;
pub mod resources;
pub mod selectors;
pub mod store;
pub mod watch;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use kube::Resource;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use auth::{Rule, User};
pub use log::RequestRecord;

use handlers::App;
use store::{Key, Store};

/// Options for [`ApiServer::start_with`].
#[derive(Clone, Debug)]
pub struct Options {
    /// The resourceVersion the store starts at (the first write gets the next one).
    pub start_resource_version: u64,
    /// How many changes the watch cache holds before older versions expire (410).
    pub history_limit: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            start_resource_version: 100,
            history_limit: 1000,
        }
    }
}

/// A running loopback API server; stops when dropped (or with [`ApiServer::stop`]).
#[derive(Debug)]
pub struct ApiServer {
    addr: SocketAddr,
    app: Arc<App>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ApiServer {
    /// Starts a server with default options, open to every request.
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    /// Starts a server with the given options.
    pub async fn start_with(options: Options) -> Self {
        let app = Arc::new(App {
            store: Arc::new(Mutex::new(Store::new(
                options.start_resource_version,
                options.history_limit,
            ))),
            defs: resources::all(),
            auth: Mutex::default(),
            log: Mutex::default(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("a bound address");
        let router = axum::Router::new()
            .fallback(handlers::handle)
            .with_state(app.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
                .expect("the loopback API server runs");
        });
        Self {
            addr,
            app,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A `kube::Config` for this server (default namespace `default`, no credentials).
    pub fn config(&self) -> kube::Config {
        kube::Config::new(self.url().parse().expect("a valid URL"))
    }

    /// A client without credentials (anonymous when authentication is on).
    pub fn client(&self) -> kube::Client {
        kube::Client::try_from(self.config()).expect("a client for the loopback server")
    }

    /// A client sending `Authorization: Bearer <token>`.
    pub fn client_with_token(&self, token: &str) -> kube::Client {
        let mut config = self.config();
        config.auth_info.token = Some(token.to_string().into());
        kube::Client::try_from(config).expect("a client for the loopback server")
    }

    // ---- authentication and authorization ----

    /// Turns authentication and authorization on: anonymous requests get 403, unknown
    /// tokens 401, known users what their rules allow.
    pub fn enable_auth(&self) {
        self.app.auth.lock().expect("auth lock").enabled = true;
    }

    /// Turns them off again (every request allowed).
    pub fn disable_auth(&self) {
        self.app.auth.lock().expect("auth lock").enabled = false;
    }

    /// Adds (or replaces) a user known by `token`.
    pub fn add_user(&self, token: &str, name: &str, rules: Vec<Rule>) {
        let user = User {
            name: name.into(),
            rules,
        };
        let mut auth = self.app.auth.lock().expect("auth lock");
        auth.users.insert(token.into(), user);
    }

    // ---- direct store access ----

    fn store(&self) -> MutexGuard<'_, Store> {
        self.app.store.lock().expect("store lock")
    }

    /// An object as stored, by group, plural, namespace ("" for cluster scope) and name.
    pub fn get_raw(&self, group: &str, plural: &str, namespace: &str, name: &str) -> Option<Value> {
        self.store()
            .get(&Key::new(group, plural, namespace, name))
            .cloned()
    }

    /// An object of type `K` as stored.
    pub fn get<K: Resource<DynamicType = ()>>(&self, namespace: &str, name: &str) -> Option<Value> {
        self.get_raw(&K::group(&()), &K::plural(&()), namespace, name)
    }

    /// Objects of type `K` as stored (one namespace, or all), sorted by namespace and name.
    pub fn list<K: Resource<DynamicType = ()>>(&self, namespace: Option<&str>) -> Vec<Value> {
        self.store()
            .list(&K::group(&()), &K::plural(&()), namespace)
            .into_iter()
            .map(|(_, v)| v)
            .collect()
    }

    /// Creates an object directly (admission included; watches see it); panics on refusal.
    pub fn insert<K: Resource<DynamicType = ()> + Serialize>(&self, obj: &K) -> Value {
        let value = serde_json::to_value(obj).expect("the object serializes");
        self.insert_json(&K::group(&()), &K::plural(&()), value)
    }

    /// Creates an object given as JSON (namespace from its metadata, else `default`), as a
    /// POST would; panics on refusal.
    pub fn insert_json(&self, group: &str, plural: &str, value: Value) -> Value {
        let res = self
            .app
            .defs
            .iter()
            .find(|d| d.group == group && d.plural == plural)
            .expect("a resource type the server serves");
        let namespace = value["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        let scope = ops::Scope {
            res,
            namespace: if res.namespaced { &namespace } else { "" },
            status: false,
        };
        ops::create(&mut self.store(), &scope, value).expect("the server accepts the object")
    }

    /// Stores an object given as JSON without admission (as one written before a CRD change
    /// could be): server-set metadata only, watches see it. For objects a client cannot read.
    pub fn insert_unchecked(&self, group: &str, plural: &str, mut value: Value) -> Value {
        let meta = &mut value["metadata"];
        let namespace = meta["namespace"].as_str().unwrap_or("default").to_string();
        let name = meta["name"].as_str().expect("a name").to_string();
        meta["uid"] = Value::String(uuid::Uuid::now_v7().to_string());
        meta["creationTimestamp"] = Value::String(ops::now());
        meta["generation"] = Value::from(1);
        let key = Key::new(group, plural, &namespace, &name);
        let change = self.store().commit(store::ChangeType::Added, key, value);
        change.object.clone()
    }

    /// The latest resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.store().rv()
    }

    /// Drops the watch cache: watches and exact lists from any earlier version get 410.
    pub fn compact(&self) {
        self.store().compact();
    }

    /// Breaks every open watch connection abruptly (clients see a read error and resume).
    pub fn break_watches(&self) {
        self.store().break_watches();
    }

    /// Number of watches open now.
    pub fn open_watches(&self) -> usize {
        self.store().watch_count()
    }

    // ---- request log ----

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.app.log.lock().expect("log lock").clone()
    }

    /// How many requests were `verb` on `resource` (`subresource` `None` for the main one).
    pub fn count(&self, verb: &str, resource: &str, subresource: Option<&str>) -> usize {
        self.count_where(|r| r.is(verb, resource, subresource))
    }

    /// How many requests match a predicate.
    pub fn count_where(&self, f: impl Fn(&RequestRecord) -> bool) -> usize {
        self.app
            .log
            .lock()
            .expect("log lock")
            .iter()
            .filter(|r| f(r))
            .count()
    }

    /// Forgets the requests logged so far.
    pub fn clear_requests(&self) {
        self.app.log.lock().expect("log lock").clear();
    }

    /// Stops the server: ends open watches, stops accepting, waits for it to finish.
    pub async fn stop(mut self) {
        self.shut_down();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    fn shut_down(&mut self) {
        self.store().close();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.shut_down();
    }
}
