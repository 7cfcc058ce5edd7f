"""Every rendered object against the Kubernetes OpenAPI schemas
(kubernetes-validate, strict: unknown fields fail), plus structural checks of
what those schemas do not know (ServiceMonitor) and of the references between
objects."""

from __future__ import annotations

import kubernetes_validate
import pytest

from conftest import FULL_VALUES, MINIMAL_VALUES, NAMESPACE, merged, render

# Oldest Kubernetes the chart supports (Chart.yaml kubeVersion), a recent one,
# and the newest kubernetes-validate ships.
KUBE_VERSIONS = ["1.29", "1.33", kubernetes_validate.utils.latest_version()]

# Kinds kubernetes-validate has no schema for, checked structurally instead.
NOT_IN_KUBERNETES = {("monitoring.coreos.com/v1", "ServiceMonitor")}

CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding"}

VARIANTS = {
    "minimal": MINIMAL_VALUES,
    "full": FULL_VALUES,
    "secret-ca-no-leader": merged(
        MINIMAL_VALUES,
        {
            "segura": {"url": "http://segura.internal", "caBundle": {"secretName": "segura-ca"}},
            "leaderElection": {"enabled": False},
            "podDisruptionBudget": {"enabled": True},
            "networkPolicy": {"enabled": True},
            "image": {"digest": "sha256:" + "a" * 64},
            "serviceAccount": {"create": False, "name": "existing-sa"},
        },
    ),
    "no-rbac": merged(MINIMAL_VALUES, {"rbac": {"create": False}}),
}


@pytest.fixture(scope="module", params=VARIANTS.keys())
def variant(request, chart):
    return request.param, render(chart, VARIANTS[request.param])


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_objects_validate_against_kubernetes(variant, kube_version):
    _, rendered = variant
    checked = 0
    for obj in rendered.objects:
        if (obj["apiVersion"], obj["kind"]) in NOT_IN_KUBERNETES:
            continue
        try:
            kubernetes_validate.validate(obj, kube_version, strict=True)
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(p) for p in err.path)
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {path}: {err.message}")
        checked += 1
    assert checked >= 3


def test_no_unknown_kinds(variant):
    _, rendered = variant
    known = {
        "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
        "Deployment", "Service", "ServiceMonitor", "NetworkPolicy", "PodDisruptionBudget",
    }
    assert {o["kind"] for o in rendered.objects} <= known


def test_object_metadata(variant):
    _, rendered = variant
    seen = set()
    for obj in rendered.objects:
        meta = obj["metadata"]
        key = (obj["kind"], meta.get("namespace"), meta["name"])
        assert key not in seen, f"duplicate {key}"
        seen.add(key)
        assert len(meta["name"]) <= 63
        labels = meta["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/instance"] == "segura-operator"
        if obj["kind"] in CLUSTER_SCOPED:
            assert "namespace" not in meta
        else:
            assert meta.get("namespace"), f"{obj['kind']}/{meta['name']} has no namespace"


def test_service_selects_the_operator_pods(full):
    pod_labels = full.deployment["spec"]["template"]["metadata"]["labels"]
    selector = full.one("Service")["spec"]["selector"]
    assert selector.items() <= pod_labels.items()
    assert full.deployment["spec"]["selector"]["matchLabels"] == selector
    port = full.one("Service")["spec"]["ports"][0]
    assert port["name"] == "http-metrics"
    assert port["targetPort"] in {p["name"] for p in full.container["ports"]}


def test_service_monitor_structure(full):
    sm = full.one("ServiceMonitor")
    assert sm["apiVersion"] == "monitoring.coreos.com/v1"
    assert sm["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    spec = sm["spec"]
    assert set(spec) <= {"selector", "namespaceSelector", "endpoints", "jobLabel"}
    service = full.one("Service")
    assert spec["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert spec["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    (endpoint,) = spec["endpoints"]
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics"
    for key in ("interval", "scrapeTimeout"):
        assert isinstance(endpoint[key], str) and endpoint[key][-1] in "smh"


def test_optional_objects_are_off_by_default(minimal):
    kinds = {o["kind"] for o in minimal.objects}
    assert not kinds & {"ServiceMonitor", "NetworkPolicy", "PodDisruptionBudget"}


def test_optional_objects_select_the_operator_pods(full):
    pod_labels = full.deployment["spec"]["template"]["metadata"]["labels"]
    for kind, path in (("NetworkPolicy", ("spec", "podSelector")), ("PodDisruptionBudget", ("spec", "selector"))):
        node = full.one(kind)
        for key in path:
            node = node[key]
        assert node["matchLabels"].items() <= pod_labels.items(), kind


def test_network_policy(full):
    np = full.one("NetworkPolicy")["spec"]
    assert sorted(np["policyTypes"]) == ["Egress", "Ingress"]
    (ingress,) = np["ingress"]
    assert ingress["ports"] == [{"port": "http", "protocol": "TCP"}]
    assert ingress["from"] == FULL_VALUES["networkPolicy"]["metricsFrom"]
    dns, api, segura = np["egress"]
    assert {(p["port"], p["protocol"]) for p in dns["ports"]} == {(53, "UDP"), (53, "TCP")}
    assert dns["to"][0]["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}
    assert [t["ipBlock"]["cidr"] for t in api["to"]] == ["10.96.0.1/32", "172.18.0.2/32"]
    assert {p["port"] for p in api["ports"]} == {443, 6443}
    # The Segura port comes from segura.url (https://segura.example.com:8443).
    assert segura["ports"] == [{"port": 8443, "protocol": "TCP"}]
    assert segura["to"] == [{"ipBlock": {"cidr": "192.0.2.10/32"}}]


@pytest.mark.parametrize(
    "url,port",
    [("https://segura.example.com", 443), ("http://segura.internal", 80), ("https://10.1.2.3:9443/x", 9443)],
)
def test_network_policy_derives_the_segura_port(chart, url, port):
    rendered = render(chart, {"segura": {"url": url}, "networkPolicy": {"enabled": True}})
    segura = rendered.one("NetworkPolicy")["spec"]["egress"][2]
    assert segura["ports"] == [{"port": port, "protocol": "TCP"}]
    assert "to" not in segura


def test_pdb(full, chart):
    assert full.one("PodDisruptionBudget")["spec"]["minAvailable"] == 1
    default = render(chart, merged(MINIMAL_VALUES, {"podDisruptionBudget": {"enabled": True}}))
    spec = default.one("PodDisruptionBudget")["spec"]
    assert spec["maxUnavailable"] == 1 and "minAvailable" not in spec
