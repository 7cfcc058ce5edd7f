#!/usr/bin/env bash
# Chart checks: lint and render charts/segura-operator with Helm's own library
# (helm-python-sdk, no helm binary), validate the objects against Kubernetes
# schemas (kubernetes-validate), and assert security and RBAC properties.
# Needs only python3 (>= 3.10, with venv) and access to PyPI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${CHART_VENV:-$ROOT/target/chart-venv}"
REQS="$ROOT/tests/chart/requirements.txt"
PYTHON="${PYTHON:-python3}"

if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -m venv "$VENV"
fi
# Reinstall only when requirements.txt changed since the last install.
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$REQS" | cut -d' ' -f1)"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"
  echo "$WANT" > "$STAMP"
fi

cd "$ROOT"
exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/chart "$@"
