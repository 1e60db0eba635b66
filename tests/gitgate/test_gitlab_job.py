"""The GitLab example's shell lines, run by bash against a real merge request
branch: every step runs, the job fails, and after_script posts the egress diff
as a merge-request note (curl is a stub that records what it would send)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from tests.support.gitgate import VENV_BIN
from tests.support.repos import GIT_ENV, ROOT, Repo, sandbox

CURL = """#!/bin/sh
printf '%s\\n' "$@" > "$CURL_LOG"
"""


def _job() -> dict[str, list[str]]:
    doc = yaml.safe_load((ROOT / "docs/examples/gitlab-ci.yml").read_text())
    job: dict[str, list[str]] = doc["karsgit"]
    return job


def _bash(lines: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # GitLab's shell executor stops a script at the first failing line, as set -e does
    script = "set -eo pipefail\n" + "\n".join(lines) + "\n"
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def _compiled(repo: Repo) -> None:
    """Learn sandboxes with endpoints are bundled too (the controller reads the ref);
    signing is another job's (docs/signing.md), so this repository does not sign."""
    repo.write(".karsgit.yaml", 'rules:\n  signature-missing: "off"\n')
    env = {**os.environ, **GIT_ENV, "KARS_REGISTRY": "registry.example.test"}
    done = subprocess.run(
        [f"{VENV_BIN}/karsgit", "compile"], cwd=repo.path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_gitlab_job_posts_the_diff_note_even_when_the_gate_fails(repo: Repo, tmp_path) -> None:
    repo.write("apps/agent.yaml", sandbox("agent").replace("Strict", "Learn"))
    _compiled(repo)
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("apps/coder.yaml", sandbox("coder").replace("Strict", "Learn"))
    _compiled(repo)
    compiled = (repo.path / "apps/agent.yaml").read_text()
    bad = compiled.replace("host: api.github.com", "host: API.github.com")
    repo.write("apps/agent.yaml", bad)
    repo.commit("feature")
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "curl").write_text(CURL)
    (stub / "curl").chmod(0o755)
    log = tmp_path / "curl.log"
    env = {
        **os.environ,
        **GIT_ENV,
        "PATH": f"{stub}:{VENV_BIN}:{os.environ['PATH']}",
        "CURL_LOG": str(log),
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
        "CI_MERGE_REQUEST_IID": "7",
        "CI_API_V4_URL": "https://gitlab.example.test/api/v4",
        "CI_PROJECT_ID": "42",
        "KARSGIT_NOTE_TOKEN": "token-from-a-masked-variable",
    }
    job = _job()
    script = _bash(job["script"], repo.path, env)
    assert script.returncode == 1
    assert "(host-case)" in script.stdout  # the check failed ...
    assert "no findings" in script.stdout  # ... and verify still ran after it
    after = _bash(job["after_script"], repo.path, env)
    assert after.returncode == 0, after.stderr
    sent = log.read_text().splitlines()
    assert sent[-1] == "https://gitlab.example.test/api/v4/projects/42/merge_requests/7/notes"
    assert "PRIVATE-TOKEN: token-from-a-masked-variable" in sent
    assert "body@egress-diff.md" in sent
    note = (repo.path / "egress-diff.md").read_text()
    assert note.startswith(f"### karsgit: egress changes `{base}` → `HEAD`")
    assert "`kars-system/coder` | added" in note


def test_gitlab_job_passes_a_clean_merge_request(repo: Repo, tmp_path) -> None:
    repo.write("apps/agent.yaml", sandbox("agent").replace("Strict", "Learn"))
    _compiled(repo)
    base = repo.commit("base")
    repo.write("apps/coder.yaml", sandbox("coder").replace("Strict", "Learn"))
    _compiled(repo)
    repo.commit("feature")
    env = {
        **os.environ,
        **GIT_ENV,
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
    }
    done = _bash(_job()["script"], repo.path, env)
    assert done.returncode == 0, done.stdout + done.stderr
