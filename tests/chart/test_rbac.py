"""Least-privilege RBAC: exactly the rules the operator needs, no wildcard,
a ClusterRole only when every namespace is watched."""

from __future__ import annotations

import pytest

from conftest import MINIMAL_VALUES, NAMESPACE, merged, render

WATCH_RULES = [
    {"apiGroups": ["pam.segura.io"], "resources": ["credentials"],
     "verbs": ["get", "list", "watch", "patch", "update"]},
    {"apiGroups": ["pam.segura.io"], "resources": ["credentials/status"],
     "verbs": ["get", "patch", "update"]},
    {"apiGroups": ["pam.segura.io"], "resources": ["credentials/finalizers"], "verbs": ["update"]},
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]},
]
LEASE_RULES = [
    {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
     "verbs": ["get", "create", "update", "patch"]},
]


def normalized(rules):
    return sorted(
        (tuple(sorted(r["apiGroups"])), tuple(sorted(r["resources"])), tuple(sorted(r["verbs"])),
         tuple(sorted(r.get("resourceNames", []))), tuple(sorted(r.get("nonResourceURLs", []))))
        for r in rules
    )


def roles(rendered):
    return rendered.of_kind("Role") + rendered.of_kind("ClusterRole")


def by_name(objs):
    return {(o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in objs}


@pytest.fixture(params=["all-namespaces", "watched-namespaces", "watched-no-leader"])
def mode(request, chart):
    values = {
        "all-namespaces": MINIMAL_VALUES,
        "watched-namespaces": merged(MINIMAL_VALUES, {"watchNamespaces": ["team-a", "team-b"]}),
        "watched-no-leader": merged(
            MINIMAL_VALUES, {"watchNamespaces": ["team-a"], "leaderElection": {"enabled": False}}
        ),
    }[request.param]
    return request.param, render(chart, values)


def test_no_wildcards(mode):
    _, rendered = mode
    for role in roles(rendered):
        for rule in role["rules"]:
            for field in ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"):
                assert "*" not in rule.get(field, []), (role["metadata"]["name"], rule)
                assert not any("*" in item for item in rule.get(field, [])), rule
            assert "nonResourceURLs" not in rule


def test_all_namespaces_uses_a_cluster_role(minimal):
    (cluster_role,) = minimal.of_kind("ClusterRole")
    assert normalized(cluster_role["rules"]) == normalized(WATCH_RULES)
    (binding,) = minimal.of_kind("ClusterRoleBinding")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": cluster_role["metadata"]["name"]}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "segura-operator", "namespace": NAMESPACE}]
    # Only the lease Role is namespaced.
    (lease_role,) = minimal.of_kind("Role")
    assert lease_role["metadata"]["namespace"] == NAMESPACE
    assert normalized(lease_role["rules"]) == normalized(LEASE_RULES)


def test_watched_namespaces_use_roles_only(chart):
    rendered = render(chart, merged(MINIMAL_VALUES, {"watchNamespaces": ["team-a", "team-b"]}))
    assert not rendered.of_kind("ClusterRole")
    assert not rendered.of_kind("ClusterRoleBinding")
    roles_ = by_name(rendered.of_kind("Role"))
    bindings = by_name(rendered.of_kind("RoleBinding"))
    for ns in ("team-a", "team-b"):
        role = roles_[(ns, "segura-operator")]
        assert normalized(role["rules"]) == normalized(WATCH_RULES)
        binding = bindings[(ns, "segura-operator")]
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                      "name": "segura-operator"}
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": "segura-operator", "namespace": NAMESPACE}
        ]
    lease = roles_[(NAMESPACE, "segura-operator-leader-election")]
    assert normalized(lease["rules"]) == normalized(LEASE_RULES)
    assert set(roles_) == {("team-a", "segura-operator"), ("team-b", "segura-operator"),
                           (NAMESPACE, "segura-operator-leader-election")}
    assert set(bindings) == set(roles_)


def test_release_namespace_can_be_watched_too(chart):
    rendered = render(chart, merged(MINIMAL_VALUES, {"watchNamespaces": [NAMESPACE]}))
    names = {(r["metadata"]["namespace"], r["metadata"]["name"]) for r in rendered.of_kind("Role")}
    assert names == {(NAMESPACE, "segura-operator"), (NAMESPACE, "segura-operator-leader-election")}


def test_leases_only_in_own_namespace_and_only_with_leader_election(mode):
    name, rendered = mode
    lease_roles = [r for r in roles(rendered) if any("leases" in rule["resources"] for rule in r["rules"])]
    if name == "watched-no-leader":
        assert lease_roles == []
        return
    (lease_role,) = lease_roles
    assert lease_role["kind"] == "Role"
    assert lease_role["metadata"]["namespace"] == NAMESPACE
    assert normalized(lease_role["rules"]) == normalized(LEASE_RULES)


def test_every_rule_is_expected(mode):
    _, rendered = mode
    allowed = normalized(WATCH_RULES + LEASE_RULES)
    for role in roles(rendered):
        for rule in normalized(role["rules"]):
            assert rule in allowed, rule


def test_bindings_point_at_rendered_roles(mode):
    _, rendered = mode
    known = {(r["kind"], r["metadata"].get("namespace"), r["metadata"]["name"]) for r in roles(rendered)}
    for binding in rendered.of_kind("RoleBinding") + rendered.of_kind("ClusterRoleBinding"):
        ref = binding["roleRef"]
        ns = binding["metadata"].get("namespace") if ref["kind"] == "Role" else None
        assert (ref["kind"], ns, ref["name"]) in known


def test_rbac_can_be_disabled(chart):
    rendered = render(chart, merged(MINIMAL_VALUES, {"rbac": {"create": False}}))
    assert not roles(rendered)
    assert not rendered.of_kind("RoleBinding") and not rendered.of_kind("ClusterRoleBinding")
