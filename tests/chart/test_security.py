"""Restricted pod security, probes, and how the client credentials and the CA
bundle reach the operator (mounted files, never literal env values)."""

from __future__ import annotations

import json

import pytest

from conftest import FULL_VALUES, MINIMAL_VALUES, NAMESPACE, SEGURA_URL, merged, render

SECRET_DIR = "/var/run/secrets/segura"


@pytest.fixture(params=["minimal", "full"])
def rendered(request, minimal, full):
    return {"minimal": minimal, "full": full}[request.param]


def test_restricted_pod_security(rendered):
    pod = rendered.pod_spec["securityContext"]
    assert pod["runAsNonRoot"] is True
    assert pod["runAsUser"] == 65532
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    c = rendered.container["securityContext"]
    assert c["runAsNonRoot"] is True
    assert c["runAsUser"] == 65532
    assert c["readOnlyRootFilesystem"] is True
    assert c["allowPrivilegeEscalation"] is False
    assert c.get("privileged", False) is False
    assert c["capabilities"] == {"drop": ["ALL"]}
    assert c["seccompProfile"] == {"type": "RuntimeDefault"}
    spec = rendered.pod_spec
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        assert not spec.get(key)
    assert not any("hostPath" in v for v in spec["volumes"])


def test_probes_and_ports(rendered):
    c = rendered.container
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert rendered.env()["HTTP_LISTEN"]["value"] == "0.0.0.0:8080"


def test_resources_are_set(rendered):
    res = rendered.container["resources"]
    assert res["requests"]["cpu"] and res["requests"]["memory"]
    assert res["limits"]["memory"]


def test_image_defaults_to_app_version(minimal, chart):
    assert minimal.container["image"] == f"ghcr.io/segura-operator/segura-operator:{chart.metadata['appVersion']}"
    assert minimal.container["args"] == ["run"]
    pinned = render(chart, merged(MINIMAL_VALUES, {"image": {"tag": "v9", "digest": "sha256:" + "b" * 64}}))
    assert pinned.container["image"] == "ghcr.io/segura-operator/segura-operator@sha256:" + "b" * 64


def test_replicas(minimal, full):
    assert minimal.deployment["spec"]["replicas"] == 1
    assert full.deployment["spec"]["replicas"] == 2


def test_env_defaults(minimal):
    env = {k: v.get("value") for k, v in minimal.env().items()}
    assert env["SEGURA_URL"] == SEGURA_URL
    assert env["SEGURA_PATH_PREFIX"] == "/api"
    assert env["SEGURA_TOKEN_PATH"] == "/iso/oauth2/token"
    assert env["SEGURA_TIMEOUT"] == "30s"
    assert env["SEGURA_CLIENT_ID_FILE"] == f"{SECRET_DIR}/client-id"
    assert env["SEGURA_CLIENT_SECRET_FILE"] == f"{SECRET_DIR}/client-secret"
    assert "WATCH_NAMESPACES" not in env  # the binary's default: all namespaces
    assert env["CONCURRENCY"] == "4"
    assert env["RESYNC_INTERVAL"] == "1h"
    assert env["LEADER_ELECTION"] == "true"
    assert env["LEASE_NAME"] == "segura-operator"
    assert env["LOG_FORMAT"] == "json"
    assert env["RUST_LOG"] == "info"
    assert "SEGURA_CA_BUNDLE" not in env


def test_env_full(full):
    env = {k: v.get("value") for k, v in full.env().items()}
    assert env["WATCH_NAMESPACES"] == "team-a,team-b"
    assert env["CONCURRENCY"] == "8"
    assert env["RESYNC_INTERVAL"] == "30m"
    assert env["SEGURA_TIMEOUT"] == "10s"
    assert env["LOG_FORMAT"] == "text"
    assert env["RUST_LOG"] == "debug"
    assert env["EXTRA_FLAG"] == "1"


def test_every_env_value_is_a_string(rendered):
    for var in rendered.container["env"]:
        assert ("value" in var) != ("valueFrom" in var), var
        if "value" in var:
            assert isinstance(var["value"], str), var


def test_downward_api(rendered):
    env = rendered.env()
    assert env["POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert env["POD_NAMESPACE"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}


def test_client_credentials_are_a_mounted_existing_secret(full):
    (volume,) = [v for v in full.pod_spec["volumes"] if v["name"] == "segura-client-credentials"]
    assert volume["secret"]["secretName"] == "segura-oauth-client"
    assert volume["secret"]["items"] == [
        {"key": "id-SENTINEL", "path": "client-id"},
        {"key": "secret-SENTINEL", "path": "client-secret"},
    ]
    # Readable by the fsGroup (the operator's group), by nobody else.
    assert volume["secret"]["defaultMode"] == 0o440
    assert full.pod_spec["securityContext"]["fsGroup"] == 65532
    (mount,) = [m for m in full.container["volumeMounts"] if m["name"] == "segura-client-credentials"]
    assert mount == {"name": "segura-client-credentials", "mountPath": SECRET_DIR, "readOnly": True}


def test_no_secret_material_anywhere(full, minimal):
    for rendered in (full, minimal):
        kinds = {o["kind"] for o in rendered.objects}
        assert "Secret" not in kinds and "ConfigMap" not in kinds
        for var in rendered.container["env"]:
            source = var.get("valueFrom", {})
            assert "secretKeyRef" not in source, var
            assert "configMapKeyRef" not in source, var
            assert "SECRET" not in var.get("value", "").upper() or var["name"].endswith("_FILE"), var
        assert "envFrom" not in rendered.container
    # The Secret's keys appear only in the volume's items, nowhere else.
    text = json.dumps(full.objects)
    assert text.count("secret-SENTINEL") == 1
    assert text.count("id-SENTINEL") == 1


def test_ca_bundle_from_configmap(full):
    assert full.env()["SEGURA_CA_BUNDLE"]["value"] == "/etc/segura/ca/ca.crt"
    (volume,) = [v for v in full.pod_spec["volumes"] if v["name"] == "segura-ca-bundle"]
    assert volume["configMap"]["name"] == "segura-ca"
    assert volume["configMap"]["items"] == [{"key": "bundle.pem", "path": "ca.crt"}]
    (mount,) = [m for m in full.container["volumeMounts"] if m["name"] == "segura-ca-bundle"]
    assert mount["mountPath"] == "/etc/segura/ca" and mount["readOnly"] is True


def test_ca_bundle_from_secret(chart):
    rendered = render(chart, merged(MINIMAL_VALUES, {"segura": {"caBundle": {"secretName": "segura-ca"}}}))
    assert rendered.env()["SEGURA_CA_BUNDLE"]["value"] == "/etc/segura/ca/ca.crt"
    (volume,) = [v for v in rendered.pod_spec["volumes"] if v["name"] == "segura-ca-bundle"]
    assert volume["secret"]["secretName"] == "segura-ca"
    assert volume["secret"]["items"] == [{"key": "ca.crt", "path": "ca.crt"}]


def test_scheduling_and_pod_metadata(full):
    spec = full.pod_spec
    assert spec["nodeSelector"] == FULL_VALUES["nodeSelector"]
    assert spec["tolerations"] == FULL_VALUES["tolerations"]
    assert spec["affinity"] == FULL_VALUES["affinity"]
    meta = full.deployment["spec"]["template"]["metadata"]
    assert meta["annotations"]["example.com/team"] == "platform"
    assert meta["labels"]["example.com/tier"] == "control"


def test_service_account(minimal, chart):
    sa = minimal.one("ServiceAccount")
    assert sa["metadata"] == {**sa["metadata"], "name": "segura-operator", "namespace": NAMESPACE}
    assert minimal.pod_spec["serviceAccountName"] == "segura-operator"
    external = render(chart, merged(MINIMAL_VALUES, {"serviceAccount": {"create": False, "name": "mine"}}))
    assert not external.of_kind("ServiceAccount")
    assert external.pod_spec["serviceAccountName"] == "mine"
    for binding in external.of_kind("ClusterRoleBinding") + external.of_kind("RoleBinding"):
        assert binding["subjects"][0]["name"] == "mine"


def test_notes(minimal, full):
    assert "segura-operator-credentials" in minimal.notes
    assert "all namespaces" in minimal.notes
    assert "team-a, team-b" in full.notes
