"""The chart ships the generated CRD unchanged, and it is a valid, structural
CustomResourceDefinition."""

from __future__ import annotations

import kubernetes_validate
import yaml

from conftest import CHART_DIR, REPO


def test_chart_crds_equal_generated_crds():
    generated = sorted(p.name for p in (REPO / "crds").glob("*.yaml"))
    shipped = sorted(p.name for p in (CHART_DIR / "crds").iterdir())
    assert generated and shipped == generated, "charts/segura-operator/crds/ differs from crds/"
    for name in generated:
        assert (CHART_DIR / "crds" / name).read_bytes() == (REPO / "crds" / name).read_bytes(), (
            f"{name} differs: copy crds/{name} to charts/segura-operator/crds/"
        )


def test_helm_sees_the_crds(chart):
    names = sorted(c["filename"].split("/")[-1] for c in chart.crds)
    assert names == sorted(p.name for p in (REPO / "crds").glob("*.yaml"))


def _crds():
    for path in sorted((CHART_DIR / "crds").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield doc


def test_crds_validate_against_kubernetes():
    for crd in _crds():
        assert crd["kind"] == "CustomResourceDefinition"
        kubernetes_validate.validate(crd, "1.29", strict=True)
        kubernetes_validate.validate(crd, kubernetes_validate.utils.latest_version(), strict=True)


def _structural(node, path):
    """The structural-schema rules the API server enforces on CRD schemas."""
    if node.get("x-kubernetes-int-or-string") or node.get("x-kubernetes-preserve-unknown-fields"):
        pass
    elif not any(k in node for k in ("allOf", "anyOf", "oneOf", "not")) or "type" in node:
        assert "type" in node, f"{path}: no type"
    for key in ("properties", "patternProperties"):
        for name, child in node.get(key, {}).items():
            _structural(child, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        _structural(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        _structural(node["additionalProperties"], f"{path}{{}}")
    for forbidden in ("$ref", "definitions", "id", "$schema", "dependencies", "additionalItems",
                      "patternProperties"):
        assert forbidden not in node, f"{path}: {forbidden} is not allowed in a CRD schema"


def test_crds_are_structural_and_served():
    for crd in _crds():
        spec = crd["spec"]
        assert spec["group"] == "pam.segura.io" and spec["scope"] == "Namespaced"
        storage = [v for v in spec["versions"] if v["storage"]]
        assert len(storage) == 1 and storage[0]["served"]
        for version in spec["versions"]:
            schema = version["schema"]["openAPIV3Schema"]
            assert schema["type"] == "object"
            _structural(schema, version["name"])
            assert "status" in version.get("subresources", {})
