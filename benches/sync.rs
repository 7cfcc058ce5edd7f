//! Sync benchmark: what the operator costs Segura and the Kubernetes API, and how long it takes,
//! for N Credentials, per Segura latency and reconcile concurrency.
//!
//! ```sh
//! cargo bench --bench sync
//! cargo bench --bench sync -- --sizes 100,500 --latency-ms 0,20 --concurrency 1,4,16
//! ```
//!
//! Each combination starts a fresh loopback Kubernetes API server, Segura simulator and one
//! operator (in-process, leader election off, resync 1 h), then runs four phases:
//!
//! 1. create: N Secrets (before the clock starts), then N Credentials (half with an
//!    identifier, half without); until every one is Ready for its generation;
//! 2. steady: a quiet window, a broken watch (resumed), and a compacted history plus a broken
//!    watch (a relist, so every Credential is reconciled again); Segura must see nothing;
//! 3. rotate: every Secret gets a new password; until every Credential has synced it;
//! 4. delete: every Credential is deleted; until all are gone.
//!
//! The operator and the benchmark talk to the API server as two users, so the operator's
//! requests are counted alone. Times are measured, never asserted; the benchmark exits non-zero
//! only when a count that is behaviour is wrong (upserts != N per sync phase, token fetches != 1,
//! deactivations != N, any Segura request in steady state), or when a phase never completes.
//! The table (markdown) is the only output on stdout; progress goes to stderr.

#[path = "../tests/support/apiserver/mod.rs"]
mod apiserver;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use futures::{StreamExt, stream};
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tokio::sync::watch;

use apiserver::{ApiServer, Options, RequestRecord, Rule};
use segura_operator::crd::Credential;
use segura_operator::operator::{Handles, OperatorConfig};
use segura_operator::segura::client::{SeguraClient, SeguraConfig};
use segura_operator::segura::secrets::SecretValue;
use segura_operator::simulator::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Endpoint, Faults, Simulator, SimulatorConfig,
};

const NS: &str = "bench";
const OPERATOR_TOKEN: &str = "operator-token";
const BENCH_TOKEN: &str = "bench-token";
const OPERATOR_USER: &str = "segura-operator";
/// Requests the benchmark itself has in flight while creating, rotating and deleting.
const CLIENT_PARALLELISM: usize = 8;
/// How long the operator must send nothing to count as idle at the end of a phase.
const QUIET: Duration = Duration::from_millis(300);

/// Sync benchmark of segura-operator (markdown table on stdout).
#[derive(Parser, Debug)]
struct Args {
    /// Numbers of Credentials.
    #[arg(long, value_delimiter = ',', default_values_t = [50, 200, 500])]
    sizes: Vec<usize>,
    /// Latencies added by the Segura simulator to every call, in milliseconds.
    #[arg(long, value_delimiter = ',', default_values_t = [0, 20])]
    latency_ms: Vec<u64>,
    /// Reconcile concurrencies of the operator.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 4, 16])]
    concurrency: Vec<u16>,
    /// Length of the steady-state window, in seconds (split around two broken watches).
    #[arg(long, default_value_t = 6)]
    steady_secs: u64,
    /// A phase that has not completed after this many seconds fails the run (a hang guard,
    /// not a performance assertion).
    #[arg(long, default_value_t = 600)]
    give_up_secs: u64,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// Operator requests to the Kubernetes API in one phase, by kind.
#[derive(Clone, Copy, Debug, Default)]
struct KubeCounts {
    status_patches: usize,
    finalizer_patches: usize,
    credential_gets: usize,
    secret_gets: usize,
    event_creates: usize,
    event_patches: usize,
    lists: usize,
    watches: usize,
    other: usize,
    total: usize,
}

impl KubeCounts {
    fn of(records: &[RequestRecord]) -> Self {
        let mut c = KubeCounts::default();
        for r in records.iter().filter(|r| r.user == OPERATOR_USER) {
            c.total += 1;
            let slot = match (
                r.verb.as_str(),
                r.resource.as_str(),
                r.subresource.as_deref(),
            ) {
                ("patch", "credentials", Some("status")) => &mut c.status_patches,
                ("patch", "credentials", None) => &mut c.finalizer_patches,
                ("get", "credentials", _) => &mut c.credential_gets,
                ("get", "secrets", None) => &mut c.secret_gets,
                ("create", "events", None) => &mut c.event_creates,
                ("patch", "events", None) => &mut c.event_patches,
                ("list", _, _) => &mut c.lists,
                ("watch", _, _) => &mut c.watches,
                _ => &mut c.other,
            };
            *slot += 1;
        }
        c
    }
}

/// Segura requests in one phase, by endpoint.
#[derive(Clone, Debug, Default)]
struct SeguraCounts(HashMap<Endpoint, usize>);

impl SeguraCounts {
    fn of(sim: &Simulator) -> Self {
        let mut m = HashMap::new();
        for e in Endpoint::ALL {
            m.insert(e, sim.count(e));
        }
        Self(m)
    }
    fn since(&self, earlier: &Self) -> Self {
        Self(
            self.0
                .iter()
                .map(|(e, n)| (*e, n - earlier.0.get(e).copied().unwrap_or(0)))
                .collect(),
        )
    }
    fn get(&self, e: Endpoint) -> usize {
        self.0.get(&e).copied().unwrap_or(0)
    }
    fn total(&self) -> usize {
        self.0.values().sum()
    }
}

/// What one phase cost.
#[derive(Clone, Debug, Default)]
struct Phase {
    secs: f64,
    segura: SeguraCounts,
    kube: KubeCounts,
}

/// One row of the table.
#[derive(Debug)]
struct Run {
    n: usize,
    latency_ms: u64,
    concurrency: u16,
    create: Phase,
    steady: Phase,
    rotate: Phase,
    delete: Phase,
    tokens: usize,
    failures: Vec<String>,
}

/// The running pieces of one combination.
struct Bench {
    server: ApiServer,
    sim: Simulator,
    client: kube::Client,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    give_up: Duration,
    /// Operator requests logged when the current phase began.
    mark: usize,
    segura_mark: SeguraCounts,
    started: Instant,
}

fn rules() -> Vec<Rule> {
    let all = &[
        "get", "list", "watch", "create", "update", "patch", "delete",
    ];
    vec![
        Rule::new("pam.segura.io", "credentials", all),
        Rule::new("pam.segura.io", "credentials/status", all),
        Rule::new("", "secrets", all),
        Rule::new("events.k8s.io", "events", all),
    ]
}

impl Bench {
    async fn start(latency_ms: u64, concurrency: u16, give_up: Duration) -> Bench {
        // A watch cache large enough that only the deliberate compaction forces a relist.
        let server = ApiServer::start_with(Options {
            history_limit: 1_000_000,
            ..Options::default()
        })
        .await;
        server.add_user(OPERATOR_TOKEN, OPERATOR_USER, rules());
        server.add_user(BENCH_TOKEN, "bench", rules());
        server.enable_auth();
        let sim = Simulator::start(
            SimulatorConfig::demo(),
            SocketAddr::from(([127, 0, 0, 1], 0)),
        )
        .expect("the simulator starts");
        sim.set_faults(Faults {
            latency_ms,
            seed: Some(1),
            ..Faults::default()
        });
        let segura = SeguraClient::new(SeguraConfig::new(
            sim.url(),
            DEMO_CLIENT_ID,
            SecretValue::new(DEMO_CLIENT_SECRET),
        ))
        .expect("a Segura client");
        let cfg = OperatorConfig {
            namespaces: vec![NS.into()],
            concurrency,
            resync: Duration::from_secs(3600),
            leader: None,
            listen: None,
            instance: "bench".into(),
            retry: Default::default(),
        };
        let (stop, rx) = watch::channel(false);
        let slot: Arc<Mutex<Option<Handles>>> = Arc::default();
        let put = slot.clone();
        let task = tokio::spawn(segura_operator::operator::run(
            server.client_with_token(OPERATOR_TOKEN),
            segura,
            cfg,
            rx,
            move |h, _| *put.lock().expect("lock") = Some(h),
        ));
        let client = server.client_with_token(BENCH_TOKEN);
        let bench = Bench {
            server,
            sim,
            client,
            stop,
            task,
            give_up,
            mark: 0,
            segura_mark: SeguraCounts::default(),
            started: Instant::now(),
        };
        bench
            .until("the operator is ready", || {
                slot.lock()
                    .expect("lock")
                    .as_ref()
                    .is_some_and(|h| h.ready.load(Ordering::SeqCst))
            })
            .await;
        bench
    }

    /// Starts a phase: its clock and its request counts.
    fn begin(&mut self) {
        self.mark = self.server.requests().len();
        self.segura_mark = SeguraCounts::of(&self.sim);
        self.started = Instant::now();
    }

    /// Ends a phase whose goal was reached `secs` after it began: waits until the operator is
    /// idle (its last writes logged, its watches open), then takes the counts.
    async fn end(&self, secs: f64) -> Phase {
        self.settle().await;
        let log = self.server.requests();
        if std::env::var_os("BENCH_TRACE").is_some() {
            eprintln!("phase:");
            for r in log[self.mark..].iter().filter(|r| r.user == OPERATOR_USER) {
                eprintln!(
                    "  {} {} {:?} {:?} ?{} -> {}",
                    r.verb, r.resource, r.subresource, r.name, r.query, r.status
                );
            }
        }
        Phase {
            secs,
            segura: SeguraCounts::of(&self.sim).since(&self.segura_mark),
            kube: KubeCounts::of(&log[self.mark..]),
        }
    }

    /// Seconds since the phase began.
    fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Operator requests logged so far.
    fn operator_requests(&self) -> Vec<RequestRecord> {
        let mut log = self.server.requests();
        log.retain(|r| r.user == OPERATOR_USER);
        log
    }

    /// Waits until both watches are open and the operator has sent nothing for [`QUIET`].
    async fn settle(&self) {
        let mut seen = usize::MAX;
        let mut since = Instant::now();
        let mut quiet = || {
            let now = self.server.requests().len();
            if now != seen {
                seen = now;
                since = Instant::now();
            }
            self.server.open_watches() == 2 && since.elapsed() >= QUIET
        };
        self.until("the operator is idle", &mut quiet).await;
    }

    /// Breaks the operator's watches (after compacting the history when `relist`, so that
    /// resuming fails with 410 and both watchers list again); waits until they are back.
    async fn break_watches(&self, relist: bool) {
        let verb = if relist { "list" } else { "watch" };
        let count = |b: &Bench| {
            b.operator_requests()
                .iter()
                .filter(|r| r.verb == verb)
                .count()
        };
        let before = count(self);
        if relist {
            self.server.compact();
        }
        self.server.break_watches();
        self.until("the watches are back", || count(self) >= before + 2)
            .await;
        self.settle().await;
    }

    /// Polls the server's store (no HTTP request) until `done`.
    async fn until(&self, what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + self.give_up;
        while !done() {
            if Instant::now() > deadline {
                eprintln!("gave up waiting until {what}");
                std::process::exit(2);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn credentials(&self) -> Vec<Value> {
        self.server.list::<Credential>(Some(NS))
    }

    async fn put_secret(&self, name: &str, password: &str) {
        let secret: Secret = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": NS},
            "stringData": {"password": password},
        }))
        .expect("a Secret");
        let api: Api<Secret> = Api::namespaced(self.client.clone(), NS);
        api.patch(
            name,
            &PatchParams::apply("bench").force(),
            &Patch::Apply(&secret),
        )
        .await
        .expect("the Secret applies");
    }

    async fn create_credential(&self, i: usize) {
        let mut spec = json!({
            "username": format!("svc-{i}"),
            "hostname": "w2016",
            "ip": "10.66.33.15",
            "contentFrom": {"secretKeyRef": {"name": secret_name(i), "key": "password"}},
            "tags": ["bench"],
        });
        if i.is_multiple_of(2) {
            spec["identifier"] = json!(format!("bench-{i}"));
        }
        let cred: Credential = serde_json::from_value(json!({
            "apiVersion": "pam.segura.io/v1alpha1", "kind": "Credential",
            "metadata": {"name": format!("cred-{i}"), "namespace": NS},
            "spec": spec,
        }))
        .expect("a Credential");
        let api: Api<Credential> = Api::namespaced(self.client.clone(), NS);
        api.create(&PostParams::default(), &cred)
            .await
            .expect("the Credential is created");
    }

    async fn delete_credential(&self, i: usize) {
        let api: Api<Credential> = Api::namespaced(self.client.clone(), NS);
        api.delete(&format!("cred-{i}"), &DeleteParams::default())
            .await
            .expect("the Credential is deleted");
    }

    async fn finish(self) {
        let _ = self.stop.send(true);
        match tokio::time::timeout(Duration::from_secs(30), self.task).await {
            Ok(Ok(Ok(()))) => {}
            other => eprintln!("operator did not stop cleanly: {other:?}"),
        }
        self.sim.shutdown().await;
        self.server.stop().await;
    }
}

fn secret_name(i: usize) -> String {
    format!("pw-{i}")
}

fn is_synced(c: &Value) -> bool {
    let st = &c["status"];
    let ready = st["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True");
    ready
        && !st["observedGeneration"].is_null()
        && st["observedGeneration"] == c["metadata"]["generation"]
}

async fn each(n: usize, f: impl AsyncFn(usize)) {
    let f = &f;
    stream::iter(0..n)
        .for_each_concurrent(CLIENT_PARALLELISM, |i| async move { f(i).await })
        .await;
}

async fn run_one(n: usize, latency_ms: u64, concurrency: u16, args: &Args) -> Run {
    eprintln!("N={n} latency={latency_ms}ms concurrency={concurrency}");
    let mut b = Bench::start(
        latency_ms,
        concurrency,
        Duration::from_secs(args.give_up_secs),
    )
    .await;
    let mut failures = Vec::new();
    let mut expect = |what: &str, got: usize, want: usize| {
        if got != want {
            failures.push(format!("{what}: {got}, expected {want}"));
        }
    };

    // 1. Create.
    each(n, async |i| {
        b.put_secret(&secret_name(i), &format!("first-{i}")).await
    })
    .await;
    b.begin();
    each(n, async |i| b.create_credential(i).await).await;
    b.until("every Credential is Ready", || {
        let all = b.credentials();
        all.len() == n && all.iter().all(is_synced)
    })
    .await;
    let create = b.end(b.elapsed()).await;
    expect("create: upserts", create.segura.get(Endpoint::Upsert), n);

    // 2. Steady state: quiet, then a resumed watch, then a relist.
    b.begin();
    let third = Duration::from_millis(args.steady_secs * 1000 / 3);
    tokio::time::sleep(third).await;
    b.break_watches(false).await;
    tokio::time::sleep(third).await;
    b.break_watches(true).await;
    tokio::time::sleep(third).await;
    let steady = b.end(b.elapsed()).await;
    expect("steady: Segura requests", steady.segura.total(), 0);

    // 3. Rotate every Secret.
    let before: HashMap<String, Value> = b
        .credentials()
        .into_iter()
        .map(|c| {
            let name = c["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (name, c["status"]["secretsFingerprint"].clone())
        })
        .collect();
    b.begin();
    each(n, async |i| {
        b.put_secret(&secret_name(i), &format!("second-{i}")).await
    })
    .await;
    b.until("every Credential has synced its new Secret", || {
        let all = b.credentials();
        all.len() == n
            && all.iter().all(|c| {
                let name = c["metadata"]["name"].as_str().unwrap_or_default();
                is_synced(c) && before.get(name) != Some(&c["status"]["secretsFingerprint"])
            })
    })
    .await;
    let rotate = b.end(b.elapsed()).await;
    expect("rotate: upserts", rotate.segura.get(Endpoint::Upsert), n);
    let rotated = b
        .sim
        .credentials()
        .iter()
        .filter(|c| {
            c.fields.get("content").and_then(Value::as_str)
                == c.username
                    .strip_prefix("svc-")
                    .map(|i| format!("second-{i}"))
                    .as_deref()
        })
        .count();
    expect(
        "rotate: Segura credentials with the new password",
        rotated,
        n,
    );

    // 4. Delete every Credential.
    b.begin();
    each(n, async |i| b.delete_credential(i).await).await;
    b.until("every Credential is gone", || b.credentials().is_empty())
        .await;
    let delete = b.end(b.elapsed()).await;
    expect(
        "delete: deactivations",
        delete.segura.get(Endpoint::Deactivate),
        n,
    );
    let active = b.sim.credentials().iter().filter(|c| c.active).count();
    expect("delete: credentials still active in Segura", active, 0);

    let tokens = b.sim.count(Endpoint::Token);
    expect("token fetches", tokens, 1);
    b.finish().await;
    for f in &failures {
        eprintln!("  FAILED {f}");
    }
    Run {
        n,
        latency_ms,
        concurrency,
        create,
        steady,
        rotate,
        delete,
        tokens,
        failures,
    }
}

fn per(count: usize, n: usize) -> String {
    format!("{:.2}", count as f64 / n as f64)
}

/// The markdown table, columns padded to align.
fn table(runs: &[Run]) -> String {
    let header = [
        "N",
        "lat ms",
        "conc",
        "create s",
        "cred/s",
        "upserts",
        "tokens",
        "k8s/cred",
        "status patch/cred",
        "secret GET/cred",
        "event/cred",
        "steady Segura",
        "steady k8s",
        "steady secret GET",
        "rotate s",
        "rot upserts",
        "rot k8s/cred",
        "delete s",
        "deact",
        "del k8s/cred",
        "ok",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in runs {
        let c = &r.create;
        rows.push(vec![
            r.n.to_string(),
            r.latency_ms.to_string(),
            r.concurrency.to_string(),
            format!("{:.2}", c.secs),
            format!("{:.0}", r.n as f64 / c.secs),
            c.segura.get(Endpoint::Upsert).to_string(),
            r.tokens.to_string(),
            per(c.kube.total, r.n),
            per(c.kube.status_patches, r.n),
            per(c.kube.secret_gets, r.n),
            per(c.kube.event_creates + c.kube.event_patches, r.n),
            r.steady.segura.total().to_string(),
            r.steady.kube.total.to_string(),
            r.steady.kube.secret_gets.to_string(),
            format!("{:.2}", r.rotate.secs),
            r.rotate.segura.get(Endpoint::Upsert).to_string(),
            per(r.rotate.kube.total, r.n),
            format!("{:.2}", r.delete.secs),
            r.delete.segura.get(Endpoint::Deactivate).to_string(),
            per(r.delete.kube.total, r.n),
            if r.failures.is_empty() { "yes" } else { "NO" }.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (k, row) in rows.iter().enumerate() {
        out.push('|');
        for (i, cell) in row.iter().enumerate() {
            // Text left, numbers right.
            if k == 0 {
                let _ = write!(out, " {cell:<w$} |", w = widths[i]);
            } else {
                let _ = write!(out, " {cell:>w$} |", w = widths[i]);
            }
        }
        out.push('\n');
        if k == 0 {
            out.push('|');
            for w in &widths {
                let _ = write!(out, "{}:|", "-".repeat(w + 1));
            }
            out.push('\n');
        }
    }
    out
}

/// The command as typed: `cargo bench --bench sync [-- ARGS]`.
fn command() -> String {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.is_empty() {
        "cargo bench --bench sync".into()
    } else {
        format!("cargo bench --bench sync -- {}", args.join(" "))
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if std::env::var("RUST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .try_init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let runs = runtime.block_on(async {
        let mut runs = Vec::new();
        for &n in &args.sizes {
            for &latency in &args.latency_ms {
                for &concurrency in &args.concurrency {
                    runs.push(run_one(n, latency, concurrency, &args).await);
                }
            }
        }
        runs
    });
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut out = String::new();
    let _ = writeln!(out, "Command: `{}`  ", command());
    let _ = writeln!(
        out,
        "Machine: nproc = {nproc}; operator, loopback API server, simulator and driver in one Tokio runtime ({nproc} worker threads)\n"
    );
    out.push_str(&table(&runs));
    print!("{out}");
    let failed: Vec<&Run> = runs.iter().filter(|r| !r.failures.is_empty()).collect();
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        for r in failed {
            eprintln!(
                "N={} latency={}ms concurrency={}: {}",
                r.n,
                r.latency_ms,
                r.concurrency,
                r.failures.join("; ")
            );
        }
        ExitCode::FAILURE
    }
}
