"""The generated CRD validates Credentials the way a real API server would.

A small admission model of the API server's CRD validation: the openAPIV3Schema
(with `nullable: true` allowing null, patterns matched with RE2 as Go does) and
every `x-kubernetes-validations` CEL rule at every node (`self` bound to the
node, `has(self.x)` false for an absent field). Errors are reported as the API
server reports them: a field path (`spec.tags[0]`, `spec.jitSettings`) and a
message (`Required value`, `Unsupported value: "High": ...`, the rule's message).

- every Credential in examples/ and tests/fixtures/valid/ passes;
- every manifest in tests/fixtures/invalid/ fails with exactly one error whose
  field and message hold the fixture's `# expect:` / `# expect-apiserver:` lines;
- every rule the CRD carries is broken by at least one invalid fixture;
- the schema is structural and every CEL rule compiles against its node.

The Rust twin of these checks is tests/validate.rs (same fixtures).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import celpy
import jsonschema
import pytest
import re2
import yaml

from conftest import REPO

CRD_PATH = REPO / "crds" / "credentials.pam.segura.io.yaml"
FIXTURES = REPO / "tests" / "fixtures"
# examples/simulator.yaml, when present, configures the simulator: not a manifest.
NOT_MANIFESTS = {"simulator.yaml"}


def _schema() -> dict[str, Any]:
    crd = yaml.safe_load(CRD_PATH.read_text())
    versions = crd["spec"]["versions"]
    assert len(versions) == 1 and versions[0]["name"] == "v1alpha1"
    return versions[0]["schema"]["openAPIV3Schema"]


SCHEMA = _schema()


# --- manifests and their expectations ------------------------------------------------------


def _credentials(path: Path) -> list[dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    return [
        d for d in docs
        if d.get("apiVersion") == "pam.segura.io/v1alpha1" and d.get("kind") == "Credential"
    ]


def _valid_files() -> list[Path]:
    examples = [p for p in sorted((REPO / "examples").glob("*.yaml")) if p.name not in NOT_MANIFESTS]
    return examples + sorted((FIXTURES / "valid").glob("*.yaml"))


def _invalid_files() -> list[Path]:
    return sorted((FIXTURES / "invalid").glob("*.yaml"))


def expectation(path: Path) -> dict[str, str]:
    """The fixture's header: `# expect: FIELD[: FRAGMENT]` (both sides), `# expect-apiserver:
    FRAGMENT` (this side's wording only)."""
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        m = re.match(r"#\s*(expect(?:-apiserver|-operator)?):\s*(.*?)\s*$", line)
        if m:
            out[m.group(1)] = m.group(2)
    assert "expect" in out, f"{path.name}: no `# expect: FIELD[: FRAGMENT]` header"
    field, _, fragment = out["expect"].partition(": ")
    out["field"], out["fragment"] = field, fragment
    return out


def field_matches(reported: str, expected: str) -> bool:
    """`spec.tags` names `spec.tags[0]` too (the API server points at the item)."""
    return reported == expected or reported.startswith((expected + "[", expected + "."))


# --- the OpenAPI part ----------------------------------------------------------------------


def to_json_schema(node: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI v3 (CRD) schema as JSON Schema: `nullable: true` admits null, and nothing
    else of the `x-kubernetes-*` extensions applies here."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {k: to_json_schema(v) for k, v in value.items()}
        elif key == "items":
            out[key] = to_json_schema(value)
        elif key in ("type", "required", "enum", "pattern", "minLength", "maxLength",
                     "minimum", "maximum", "minItems", "maxItems"):
            out[key] = value
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _re2_pattern(validator, pattern, instance, schema):
    # The API server matches patterns with Go's regexp (RE2): `\s` is [\t\n\f\r ] only.
    if validator.is_type(instance, "string") and not re2.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = jsonschema.validators.extend(jsonschema.Draft4Validator, {"pattern": _re2_pattern})
Validator.check_schema(to_json_schema(SCHEMA))


def _path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _schema_path(parts) -> str:
    """Where a rule sits, indices dropped: `spec.additionalSettings[].criticality`."""
    return _path("[]" if isinstance(p, int) else p for p in parts).replace(".[]", "[]")


_GO_TYPE = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array",
            dict: "object", type(None): "null"}


def _quote(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


def openapi_errors(obj: dict[str, Any]) -> list[dict[str, str]]:
    """The API server's schema errors for `obj`, each {field, message, rule}."""
    out = []
    for e in Validator(to_json_schema(SCHEMA)).iter_errors(obj):
        where = _path(e.absolute_path)
        at = f"{where} in body" if where else "body"
        kind, value = e.validator, e.instance
        if kind == "required":
            for name in e.validator_value:
                if name not in value:
                    field = f"{where}.{name}" if where else name
                    out.append({"field": field, "message": "Required value",
                                "rule": f"required {_schema_path([*e.absolute_path, name])}"})
            continue
        if kind == "type":
            got = _GO_TYPE.get(type(value), "object")
            msg = f'Invalid value: "{got}": {at} must be of type {e.validator_value[0] if isinstance(e.validator_value, list) else e.validator_value}: "{got}"'
        elif kind == "enum":
            allowed = ", ".join(_quote(v) for v in e.validator_value if v is not None)
            msg = f"Unsupported value: {_quote(value)}: supported values: {allowed}"
        elif kind == "pattern":
            msg = f"Invalid value: {_quote(value)}: {at} should match '{e.validator_value}'"
        elif kind == "minLength":
            msg = f"Invalid value: {_quote(value)}: {at} should be at least {e.validator_value} chars long"
        elif kind == "maxLength":
            msg = f"Too long: may not be more than {e.validator_value} bytes"
        else:
            msg = f"Invalid value: {_quote(value)}: {e.message}"
        out.append({"field": where, "message": msg,
                    "rule": f"{kind} {_schema_path(e.absolute_path)}"})
    return out


# --- the CEL part --------------------------------------------------------------------------

CEL = celpy.Environment()


def cel_rules(node: dict[str, Any] = SCHEMA, path: tuple = ()) -> Iterator[tuple[tuple, dict, dict]]:
    """(schema path, node, rule) for every x-kubernetes-validations rule in the schema."""
    for rule in node.get("x-kubernetes-validations", []):
        yield path, node, rule
    for name, child in node.get("properties", {}).items():
        yield from cel_rules(child, (*path, name))
    if "items" in node:
        yield from cel_rules(node["items"], (*path, 0))


_PROGRAMS: dict[str, Any] = {}


def _program(rule: str):
    if rule not in _PROGRAMS:
        _PROGRAMS[rule] = CEL.program(CEL.compile(rule))
    return _PROGRAMS[rule]


def cel_errors(value: Any, node: dict[str, Any] = SCHEMA, parts: tuple = ()) -> list[dict[str, str]]:
    """Every CEL rule at every node present in `value`, `self` bound to that node's value. A
    node of the wrong type is left to the OpenAPI errors, as the API server does."""
    want = node.get("type")
    if value is None or _GO_TYPE.get(type(value)) != want and not (want == "number" and type(value) is int):
        return []
    out = []
    for rule in node.get("x-kubernetes-validations", []):
        where = _path(parts)
        try:
            result = _program(rule["rule"]).evaluate({"self": celpy.json_to_cel(value)})
        except celpy.CELEvalError as err:  # pragma: no cover - reported as the API server does
            result = err
        if isinstance(result, celpy.CELEvalError):
            out.append({"field": where, "message": f"Invalid value: \"object\": {rule['rule']}: {result}",
                        "rule": f"cel {_schema_path(parts)} {rule['rule']}"})
        elif result is not True and result != celpy.celtypes.BoolType(True):
            message = rule.get("message") or f"failed rule: {rule['rule']}"
            out.append({"field": where, "message": f'Invalid value: "{want}": {message}',
                        "rule": f"cel {_schema_path(parts)} {rule['rule']}"})
    if want == "object":
        for name, child in node.get("properties", {}).items():
            if name in value:
                out += cel_errors(value[name], child, (*parts, name))
    elif want == "array" and "items" in node:
        for i, item in enumerate(value):
            out += cel_errors(item, node["items"], (*parts, i))
    return out


def prune_nulls_and_default(value: Any, node: dict[str, Any] = SCHEMA) -> Any:
    """What the API server does before validating: a null in a field that is not `nullable`
    is dropped, and a field with a `default` that is absent (or such a null) gets it."""
    if isinstance(value, dict) and "properties" in node:
        out = {}
        for name, child in node["properties"].items():
            if name in value and (value[name] is not None or child.get("nullable")):
                out[name] = prune_nulls_and_default(value[name], child)
            elif "default" in child:
                out[name] = child["default"]
        return {**{k: v for k, v in value.items() if k not in node["properties"]}, **out}
    if isinstance(value, list) and "items" in node:
        return [prune_nulls_and_default(v, node["items"]) for v in value]
    return value


def admission_errors(obj: dict[str, Any]) -> list[dict[str, str]]:
    obj = prune_nulls_and_default(obj)
    return openapi_errors(obj) + cel_errors(obj)


def _fmt(errors) -> str:
    return "\n".join(f"  {e['field']}: {e['message']}" for e in errors) or "  (none)"


# --- the checks ----------------------------------------------------------------------------


def test_fixture_sets_are_not_empty():
    assert len(_credentials_in(_valid_files())) >= 8 + 5
    assert len(_invalid_files()) >= 20


def _credentials_in(files):
    return [c for f in files for c in _credentials(f)]


@pytest.mark.parametrize("path", _valid_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_credential_is_admitted(path: Path):
    creds = _credentials(path)
    assert creds, f"{path.name}: no Credential"
    for cred in creds:
        errors = admission_errors(cred)
        assert not errors, f"{path.name} ({cred['metadata']['name']}) rejected:\n{_fmt(errors)}"


@pytest.mark.parametrize("path", _invalid_files(), ids=lambda p: p.name)
def test_invalid_credential_is_rejected_naming_the_field(path: Path):
    want = expectation(path)
    (cred,) = _credentials(path)
    errors = admission_errors(cred)
    assert len(errors) == 1, f"{path.name}: expected one error, got:\n{_fmt(errors)}"
    (err,) = errors
    assert field_matches(err["field"], want["field"]), f"{path.name}: wrong field:\n{_fmt(errors)}"
    for fragment in (want["fragment"], want.get("expect-apiserver", "")):
        assert fragment in err["message"], (
            f"{path.name}: message lacks {fragment!r}:\n{_fmt(errors)}"
        )


def _crd_rules(node: dict[str, Any] = SCHEMA["properties"]["spec"], parts: tuple = ("spec",)) -> set[str]:
    """Every rule the spec's schema carries, named as `admission_errors` names them (type
    checks aside: one type-error fixture stands for them)."""
    rules: set[str] = set()
    where = _schema_path(parts)
    for name in node.get("required", []):
        rules.add(f"required {_schema_path((*parts, name))}")
    for kw in ("enum", "pattern", "minLength", "maxLength"):
        if kw in node:
            rules.add(f"{kw} {where}")
    for rule in node.get("x-kubernetes-validations", []):
        rules.add(f"cel {where} {rule['rule']}")
    for name, child in node.get("properties", {}).items():
        rules |= _crd_rules(child, (*parts, name))
    if "items" in node:
        rules |= _crd_rules(node["items"], (*parts, 0))
    return rules


def _same_rule(name: str) -> str:
    """The secret reference is one schema used at three places: one fixture covers it."""
    kind, _, where = name.partition(" ")
    for ref in ("contentFrom", "secretKeyFrom", "valueFrom"):
        where = re.sub(rf"^.*\.{ref}(?=\.|$)", "secretValueSource", where)
    return f"{kind} {where}"


def test_every_rule_the_crd_carries_has_an_invalid_fixture():
    broken: set[str] = set()
    for path in _invalid_files():
        broken |= {e["rule"] for e in admission_errors(_credentials(path)[0])}
    carried = {_same_rule(r) for r in _crd_rules()}
    missing = carried - {_same_rule(r) for r in broken}
    assert len(carried) >= 20
    assert not missing, "rules no fixture in tests/fixtures/invalid/ breaks:\n  " + "\n  ".join(sorted(missing))
    assert "required spec" in {e["rule"] for e in admission_errors(
        _credentials(FIXTURES / "invalid" / "spec-missing.yaml")[0])}


def _nodes(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    yield path or "<root>", node
    for name, child in node.get("properties", {}).items():
        yield from _nodes(child, f"{path}.{name}")
    if "items" in node:
        yield from _nodes(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from _nodes(node["additionalProperties"], f"{path}{{}}")


def test_schema_is_structural():
    problems = []
    for path, node in _nodes(SCHEMA):
        if "type" not in node and not node.get("x-kubernetes-int-or-string") \
                and not node.get("x-kubernetes-preserve-unknown-fields"):
            problems.append(f"{path}: no type")
        for kw in ("anyOf", "oneOf", "allOf", "not", "$ref"):
            if kw in node:
                problems.append(f"{path}: {kw}")
        if "x-kubernetes-validations" in node and "properties" not in node:
            problems.append(f"{path}: x-kubernetes-validations on a node without properties")
        if node.get("nullable") and "default" in node:
            problems.append(f"{path}: nullable with a default (the default never applies to null)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("where,node,rule", list(cel_rules()),
                         ids=[f"{_schema_path(p)}:{i}" for i, (p, _, _) in enumerate(cel_rules())])
def test_cel_rule_compiles_against_its_node(where, node, rule):
    CEL.compile(rule["rule"])  # raises CELParseError when it does not parse
    # As the API server type-checks `self`: every field a rule names exists on its node.
    named = set(re.findall(r"\bself\.([A-Za-z_][A-Za-z0-9_]*)", rule["rule"]))
    assert named, f"{rule['rule']}: names no field of self"
    assert named <= set(node["properties"]), f"{rule['rule']}: no such field {named - set(node['properties'])}"
    assert rule.get("message"), f"{rule['rule']}: no message (the API server would print the rule)"


def test_model_catches_a_broken_rule():
    """The model is not vacuous: dropping a rule's condition lets its fixture through."""
    cred = _credentials(FIXTURES / "invalid" / "jit-no-variant.yaml")[0]
    assert admission_errors(cred)
    del cred["spec"]["jitSettings"]["jit"]
    assert not admission_errors(cred)
    cred["spec"]["tags"] = [" x"]
    assert [e["field"] for e in admission_errors(cred)] == ["spec.tags[0]"]
    cred["spec"]["hostname"] = None  # pruned, then missing
    assert [e["message"] for e in admission_errors(cred)] == [
        'Invalid value: " x": spec.tags[0] in body should match \'^[^,\\s]([^,]*[^,\\s])?$\'',
        "Required value",
    ]
