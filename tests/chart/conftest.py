"""Shared helpers for the chart checks: load the chart once, render it with
Helm's own library (helm-python-sdk), and parse the manifests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART_DIR = REPO / "charts" / "segura-operator"
RELEASE = "segura-operator"
NAMESPACE = "segura-system"
SEGURA_URL = "https://segura.example.com:8443"

# The least values an install needs: the Segura URL.
MINIMAL_VALUES: dict[str, Any] = {"segura": {"url": SEGURA_URL}}

# Every optional feature on, non-default names and keys everywhere.
FULL_VALUES: dict[str, Any] = {
    "replicas": 2,
    "watchNamespaces": ["team-a", "team-b"],
    "segura": {
        "url": SEGURA_URL,
        "timeout": "10s",
        "credentialsSecret": {
            "name": "segura-oauth-client",
            "clientIdKey": "id-SENTINEL",
            "clientSecretKey": "secret-SENTINEL",
        },
        "caBundle": {"configMapName": "segura-ca", "key": "bundle.pem"},
    },
    "concurrency": 8,
    "resyncInterval": "30m",
    "logging": {"format": "text", "level": "debug"},
    "serviceMonitor": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}},
    "networkPolicy": {
        "enabled": True,
        "apiServer": {"cidrs": ["10.96.0.1/32", "172.18.0.2/32"]},
        "segura": {"cidrs": ["192.0.2.10/32"]},
        "metricsFrom": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
        ],
    },
    "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
    "podAnnotations": {"example.com/team": "platform"},
    "podLabels": {"example.com/tier": "control"},
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "ops", "effect": "NoSchedule"}],
    "affinity": {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname",
                        "labelSelector": {
                            "matchLabels": {"app.kubernetes.io/name": "segura-operator"}
                        },
                    },
                }
            ]
        }
    },
    "extraEnv": [{"name": "EXTRA_FLAG", "value": "1"}],
}


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` into a copy of ``base``."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@pytest.fixture(scope="session")
def chart():
    with helm.Chart.load(CHART_DIR) as loaded:
        yield loaded


class Rendered:
    """The objects of one render, with lookups by kind and name."""

    def __init__(self, manifests: dict[str, str]):
        self.manifests = manifests
        self.notes = ""
        self.objects: list[dict[str, Any]] = []
        for path, text in sorted(manifests.items()):
            if path.endswith("NOTES.txt"):
                self.notes = text
                continue
            for doc in yaml.safe_load_all(text):
                if doc:
                    doc.setdefault("metadata", {})
                    self.objects.append(doc)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o["kind"] == kind]

    def one(self, kind: str) -> dict[str, Any]:
        found = self.of_kind(kind)
        assert len(found) == 1, f"expected one {kind}, got {len(found)}"
        return found[0]

    @property
    def deployment(self) -> dict[str, Any]:
        return self.one("Deployment")

    @property
    def pod_spec(self) -> dict[str, Any]:
        return self.deployment["spec"]["template"]["spec"]

    @property
    def container(self) -> dict[str, Any]:
        containers = self.pod_spec["containers"]
        assert len(containers) == 1
        return containers[0]

    def env(self) -> dict[str, dict[str, Any]]:
        return {e["name"]: e for e in self.container["env"]}


def render(chart, values: dict[str, Any], *, name: str = RELEASE, namespace: str = NAMESPACE) -> Rendered:
    return Rendered(chart.render(values, name=name, namespace=namespace))


@pytest.fixture(scope="session")
def minimal(chart) -> Rendered:
    return render(chart, MINIMAL_VALUES)


@pytest.fixture(scope="session")
def full(chart) -> Rendered:
    return render(chart, FULL_VALUES)
