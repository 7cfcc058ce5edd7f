"""helm lint (Helm's own linter) and values.schema.json."""

from __future__ import annotations

import json

import helm_python as helm
import pytest

from conftest import CHART_DIR, FULL_VALUES, MINIMAL_VALUES, merged, render

ERROR = 3
WARNING = 2


def problems(report):
    return [m for m in report["messages"] if m["severity"] >= WARNING]


@pytest.mark.parametrize("values", [MINIMAL_VALUES, FULL_VALUES], ids=["minimal", "full"])
def test_lint_is_clean(values):
    report = helm.lint(CHART_DIR, values, strict=True, namespace="segura-system")
    assert report["total_charts_linted"] == 1
    assert problems(report) == [], report
    assert report["errors"] == []


def test_lint_on_oldest_supported_kubernetes():
    report = helm.lint(CHART_DIR, MINIMAL_VALUES, strict=True, kube_version="v1.29.0")
    assert problems(report) == [], report


def test_lint_flags_the_missing_url():
    # The chart's defaults alone are not installable: segura.url is required.
    report = helm.lint(CHART_DIR)
    assert report["errors"], report
    assert any("/segura/url" in e for e in report["errors"]), report


def test_schema_is_draft7_and_closed():
    schema = json.loads((CHART_DIR / "values.schema.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["additionalProperties"] is False
    assert "url" in schema["properties"]["segura"]["required"]


def test_every_values_key_is_in_the_schema(chart):
    """values.yaml and values.schema.json describe the same keys."""
    schema = chart.schema

    def walk(values, node, path):
        props = node.get("properties")
        if props is None:
            return
        for key, value in values.items():
            assert key in props, f"{path}{key} is in values.yaml but not in values.schema.json"
            if isinstance(value, dict):
                walk(value, props[key], f"{path}{key}.")

    walk(chart.values, schema, "")


@pytest.mark.parametrize("values", [MINIMAL_VALUES, FULL_VALUES], ids=["minimal", "full"])
def test_schema_accepts_good_values(chart, values):
    chart.validate_schema(values)


BAD_VALUES = {
    "missing url": {},
    "empty url": {"segura": {"url": ""}},
    "url without scheme": {"segura": {"url": "segura.example.com"}},
    "url not a string": {"segura": {"url": 42}},
    "replicas a string": {"replicas": "two"},
    "replicas negative": {"replicas": -1},
    "concurrency zero": {"concurrency": 0},
    "concurrency a float": {"concurrency": 1.5},
    "watchNamespaces a string": {"watchNamespaces": "team-a"},
    "watchNamespaces bad name": {"watchNamespaces": ["Team_A"]},
    "leaderElection.enabled a string": {"leaderElection": {"enabled": "yes"}},
    "log format unknown": {"logging": {"format": "xml"}},
    "resync not a duration": {"resyncInterval": "hourly"},
    "timeout a number": {"segura": {"timeout": 30}},
    "serviceMonitor.enabled a string": {"serviceMonitor": {"enabled": "true"}},
    "httpPort out of range": {"httpPort": 70000},
    "empty secret name": {"segura": {"credentialsSecret": {"name": ""}}},
    "typo at top level": {"replicaCount": 2},
    "typo under segura": {"segura": {"URL": "https://x"}},
    "nodeSelector value not a string": {"nodeSelector": {"disk": 1}},
    "pdb minAvailable not int or percent": {"podDisruptionBudget": {"minAvailable": "half"}},
}


@pytest.mark.parametrize("override", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_schema_rejects_bad_values(chart, override):
    values = merged(MINIMAL_VALUES, override) if override else {}
    with pytest.raises(helm.HelmValuesError):
        chart.validate_schema(values)
    # An install or `helm template` refuses them too.
    with pytest.raises(helm.HelmValuesError):
        render(chart, values)


def test_bad_values_file_is_rejected(chart, tmp_path):
    """A values file as a user would pass with -f, parsed by Helm itself."""
    bad = tmp_path / "bad-values.yaml"
    bad.write_text("segura:\n  pathPrefix: /api\nreplicas: \"3\"\n")
    values = helm.values_from_yaml(bad.read_text())
    with pytest.raises(helm.HelmValuesError) as err:
        chart.validate_schema(values)
    message = str(err.value)
    assert "url" in message or "segura" in message


TEMPLATE_FAILURES = {
    "two CA sources": ({"segura": {"caBundle": {"configMapName": "a", "secretName": "b"}}}, "not both"),
    "replicas without leader election": (
        {"replicas": 2, "leaderElection": {"enabled": False}},
        "leaderElection",
    ),
    "pdb with both bounds": (
        {"podDisruptionBudget": {"enabled": True, "minAvailable": 1, "maxUnavailable": 1}},
        "not both",
    ),
}


@pytest.mark.parametrize("override,needle", TEMPLATE_FAILURES.values(), ids=TEMPLATE_FAILURES.keys())
def test_template_rejects_contradictions(chart, override, needle):
    with pytest.raises(helm.HelmRenderError) as err:
        render(chart, merged(MINIMAL_VALUES, override))
    assert needle in str(err.value)


def test_readme_documents_the_values(chart):
    """The README's values table names only real keys and covers every top-level key."""
    import re

    readme = (CHART_DIR / "README.md").read_text()
    documented = re.findall(r"^\| `([A-Za-z][\w.]*)` \|", readme, flags=re.M)
    values = chart.values
    for path in documented:
        node = values
        for part in path.split("."):
            assert isinstance(node, dict) and part in node, f"README documents unknown value {path}"
            node = node[part]
    tops = {p.split(".")[0] for p in documented}
    assert set(values) <= tops, f"undocumented values: {set(values) - tops}"
