//! The operator under the chart's RBAC on the loopback server (authorization on): the chart's
//! rules suffice for a whole life cycle with leader election, and a missing rule shows.

use k8s_openapi::api::events::v1::Event;
use kube::Api;
use serde_json::json;

use crate::apiserver::Rule;
use crate::harness::{Env, eventually, is_synced};

const OPERATOR: &str = "system:serviceaccount:segura:segura-operator";

/// The chart's rules with its default values (`watchNamespaces: []`, leader election on):
/// `segura-operator.watchRules` in `charts/segura-operator/templates/_helpers.tpl` as a
/// ClusterRole, and the Lease Role of `templates/rbac.yaml` in the release namespace (here
/// the scenario's namespace). Keep in step with the chart.
fn chart_rules(release_ns: &str) -> Vec<Rule> {
    vec![
        Rule::new(
            "pam.segura.io",
            "credentials",
            &["get", "list", "watch", "patch", "update"],
        ),
        Rule::new(
            "pam.segura.io",
            "credentials/status",
            &["get", "patch", "update"],
        ),
        Rule::new("pam.segura.io", "credentials/finalizers", &["update"]),
        Rule::new("", "secrets", &["get", "list", "watch"]),
        Rule::new("events.k8s.io", "events", &["create", "patch"]),
        Rule::new("", "events", &["create", "patch"]),
        Rule::new(
            "coordination.k8s.io",
            "leases",
            &["get", "create", "update", "patch"],
        )
        .in_namespace(release_ns),
    ]
}

/// What the test itself does (as an administrator).
fn admin_rules() -> Vec<Rule> {
    let all = &[
        "get", "list", "watch", "create", "update", "patch", "delete",
    ];
    [
        ("pam.segura.io", "credentials"),
        ("pam.segura.io", "credentials/status"),
        ("", "secrets"),
        ("events.k8s.io", "events"),
        ("coordination.k8s.io", "leases"),
    ]
    .iter()
    .map(|(g, r)| Rule::new(g, r, all))
    .collect()
}

/// Turns authorization on with an admin (the test's client) and the operator's user; starts
/// the operator with leader election as that user; returns its index.
async fn start_as_operator(env: &mut Env, rules: Vec<Rule>) -> usize {
    let server = env.loopback.as_ref().expect("loopback server");
    server.add_user("admin-token", "admin", admin_rules());
    server.add_user("operator-token", OPERATOR, rules);
    server.enable_auth();
    let operator = server.client_with_token("operator-token");
    env.client = server.client_with_token("admin-token");
    env.put_secret("app-pw", &[("password", "Rb4c-Passw0rd!")])
        .await;
    let mut cfg = env.config();
    cfg.leader = Some(env.leader("rbac"));
    let segura = env.segura();
    let i = env.start_with(cfg, operator, segura).await;
    let leader = env.operator(i).handles.leader.clone();
    eventually("the operator leads", || (*leader.borrow()).then_some(())).await;
    i
}

fn spec() -> serde_json::Value {
    json!({
        "identifier": "rbac-app",
        "username": "svc-app",
        "hostname": "w2016",
        "ip": "10.66.33.15",
        "contentFrom": {"secretKeyRef": {"name": "app-pw", "key": "password"}},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chart_rules_suffice() {
    let mut env = Env::loopback().await;
    let rules = chart_rules(&env.ns);
    start_as_operator(&mut env, rules).await;
    env.put_credential("app", spec()).await;
    env.wait_for("app", "Ready", is_synced).await;
    env.delete_credential("app").await;
    env.wait_gone("app").await;
    let server = env.loopback.as_ref().expect("loopback server");
    let by_operator = server.count_where(|r| r.user == OPERATOR);
    assert!(by_operator > 10, "the operator used its own user");
    let refused: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.status == 401 || r.status == 403)
        .map(|r| (r.user, r.verb, r.resource, r.subresource, r.status))
        .collect();
    assert!(refused.is_empty(), "refused requests: {refused:?}");
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_status_rule_shows() {
    let mut env = Env::loopback().await;
    let mut rules = chart_rules(&env.ns);
    rules[1] = Rule::new("pam.segura.io", "credentials/status", &["get"]);
    start_as_operator(&mut env, rules).await;
    env.put_credential("app", spec()).await;
    let server = env.loopback.as_ref().expect("loopback server");
    eventually("the status patch is refused", || {
        (server.count_where(|r| r.status == 403 && r.is("patch", "credentials", Some("status")))
            > 0)
        .then_some(())
    })
    .await;
    // Visible to `kubectl describe`: a Warning Event naming the refusal.
    let events: Api<Event> = Api::namespaced(env.client.clone(), &env.ns);
    let deadline = tokio::time::Instant::now() + crate::harness::WAIT;
    loop {
        let list = events
            .list(&Default::default())
            .await
            .expect("events")
            .items;
        let warning = list.iter().find(|e| {
            e.type_.as_deref() == Some("Warning")
                && e.note.as_deref().is_some_and(|n| n.contains("forbidden"))
        });
        if let Some(e) = warning {
            assert_eq!(e.reason.as_deref(), Some("KubernetesError"), "{e:?}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no Warning Event tells about the refused status write: {:?}",
            list.iter()
                .map(|e| (&e.reason, &e.note))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    env.finish().await;
}
