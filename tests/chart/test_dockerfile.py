"""Static checks of the Dockerfile (no Docker engine runs here)."""

from __future__ import annotations

import json
import re

from conftest import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text()


def instructions():
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            yield word.upper(), rest.strip()


def test_multi_stage_build():
    froms = [rest for word, rest in instructions() if word == "FROM"]
    assert froms[0].startswith("rust:1-bookworm AS ")
    assert froms[-1] in ("gcr.io/distroless/cc-debian12:nonroot", "scratch")
    runs = " ".join(rest for word, rest in instructions() if word == "RUN")
    assert "cargo build --release --locked" in runs


def test_runs_as_nonroot_with_the_operator_entrypoint():
    final = list(instructions())
    last_from = max(i for i, (word, _) in enumerate(final) if word == "FROM")
    final = final[last_from:]
    users = [rest for word, rest in final if word == "USER"]
    assert users and users[-1].split(":")[0] == "65532"
    (entrypoint,) = [rest for word, rest in final if word == "ENTRYPOINT"]
    (cmd,) = [rest for word, rest in final if word == "CMD"]
    assert json.loads(entrypoint) == ["/segura-operator"]
    assert json.loads(cmd) == ["run"]


def test_dockerignore_keeps_the_build_inputs():
    ignored = [l.strip() for l in (REPO / ".dockerignore").read_text().splitlines()
               if l.strip() and not l.startswith("#")]
    assert "target" in ignored and ".git" in ignored
    for needed in ("src", "Cargo.toml", "Cargo.lock", "crds", "*"):
        assert needed not in ignored
