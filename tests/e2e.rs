//! End-to-end: the unchanged controller on a Kubernetes API and the Segura simulator. Each
//! scenario runs on the loopback API server (always) and on a real cluster when
//! `SEGURA_E2E_KUBECONFIG` names one (`cargo test --test e2e -- --ignored`).

#[path = "support/apiserver/mod.rs"]
mod apiserver;
#[path = "e2e/deletion.rs"]
mod deletion;
#[path = "e2e/errors.rs"]
mod errors;
// Shared by every scenario file; each uses a part of it.
#[allow(dead_code)]
#[path = "e2e/env_more.rs"]
mod env_more;
#[allow(dead_code, clippy::type_complexity)]
#[path = "e2e/harness.rs"]
mod harness;
#[path = "e2e/leader.rs"]
mod leader;
#[path = "e2e/lifecycle.rs"]
mod lifecycle;
#[path = "e2e/objects.rs"]
mod objects;
#[path = "e2e/observability.rs"]
mod observability;
#[path = "e2e/policy.rs"]
mod policy;
#[path = "e2e/probe.rs"]
mod probe;
#[path = "e2e/rbac.rs"]
mod rbac;
#[path = "e2e/restart.rs"]
mod restart;
#[path = "e2e/transient.rs"]
mod transient;

/// Declares a scenario `async fn(Env)` as two tests: on the loopback server, and (ignored
/// unless asked for) on the real cluster of `SEGURA_E2E_KUBECONFIG`.
#[macro_export]
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn loopback() {
                let env = $crate::harness::Env::loopback().await;
                super::$name(env).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "runs on the real cluster named by SEGURA_E2E_KUBECONFIG"]
            async fn cluster() {
                let env = $crate::harness::Env::cluster()
                    .await
                    .expect("set SEGURA_E2E_KUBECONFIG to a kubeconfig to run the cluster suite");
                super::$name(env).await;
            }
        }
    )*};
}
