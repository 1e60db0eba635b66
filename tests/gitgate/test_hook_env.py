"""The real pre-commit framework builds the hook environments: the check hooks
without the signing libraries, karsgit-verify with them (the 'sign' extra)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.support.gitgate import hook_config, run
from tests.support.repos import ROOT, Repo, learn_sandbox, sandbox

SIGNING = ("sigstore", "cryptography", "nacl", "pydantic")


def _env_python(home: Path, repo_key: str) -> Path:
    with sqlite3.connect(home / "db.db") as db:
        rows = db.execute("SELECT path FROM repos WHERE repo = ?", (repo_key,)).fetchall()
    assert len(rows) == 1, rows
    (python,) = Path(rows[0][0]).glob("py_env-*/bin/python")
    return python


def _importable(python: Path) -> list[str]:
    probe = "import importlib.util as u, sys; print(*[m for m in sys.argv[1:] if u.find_spec(m)])"
    done = subprocess.run(
        [str(python), "-c", probe, *SIGNING], capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@pytest.fixture
def installed(repo: Repo, hook_source, precommit_env):
    repo.write(
        ".pre-commit-config.yaml",
        hook_config(hook_source, ["karsgit-check", "karsgit-edits", "karsgit-verify"]),
    )
    repo.write("apps/ok.yaml", sandbox("ok").replace("Strict", "Learn"))
    repo.commit("base")
    run(repo.path, "pre-commit", "install-hooks", check=True)
    return Path(precommit_env["PRE_COMMIT_HOME"])


def test_check_hooks_have_no_signing_libraries(installed, hook_source) -> None:
    python = _env_python(installed, str(hook_source[0]))
    assert _importable(python) == []
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True
    ).stdout
    names = sorted(line.split("==")[0].lower() for line in listed.splitlines())
    assert names == sorted(
        ["click", "idna", "jsonschema_rs", "karsgit", "pip", "publicsuffixlist", "pyyaml",
         "ruamel.yaml", "setuptools"]
    )  # fmt: skip


def test_verify_hook_gets_the_sign_extra(installed, hook_source) -> None:
    python = _env_python(installed, f"{hook_source[0]}:.[sign]")
    assert _importable(python) == list(SIGNING)


def test_hooks_run_in_their_environments(repo: Repo, installed) -> None:
    repo.write("apps/agent.yaml", sandbox("agent").replace("api.github.com", "API.github.com"))
    repo.git("add", "-A")
    done = run(repo.path, "pre-commit", "run", "--all-files")
    out = done.stdout + done.stderr
    assert done.returncode == 1
    assert "(host-case)" in out  # karsgit-check ran in the lean environment
    assert "karsgit edit rules" in out and "karsgit verify" in out
    assert "Traceback" not in out and "is not installed" not in out


def test_signing_without_the_extra_is_one_line(repo: Repo, installed, hook_source) -> None:
    karsgit = str(_env_python(installed, str(hook_source[0])).parent / "karsgit")
    repo.write("apps/agent.yaml", sandbox("agent"))
    env = {"KARS_REGISTRY": "registry.example.test"}
    # compile needs no signing library
    compiled = run(repo.path, karsgit, "compile", **env)  # type: ignore[arg-type]
    assert compiled.returncode == 0, compiled.stderr
    done = run(repo.path, karsgit, "sign", "--key", "cosign.key", **env)  # type: ignore[arg-type]
    assert done.returncode == 3
    lines = done.stderr.splitlines()
    assert lines[0].startswith("karsgit: error: signing needs the 'sign' extra of karsgit (")
    assert lines[1].startswith("hint: install it where karsgit is installed: pip install '.[sign]'")
    assert len(lines) == 2


def test_pre_commit_md_snippet_runs_as_pasted(repo: Repo, hook_source, precommit_env) -> None:
    """The first snippet of docs/pre-commit.md, with only the repository URL replaced."""
    doc = (ROOT / "docs/pre-commit.md").read_text()
    snippet = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert "rev: main\n" in snippet
    source = hook_source[0]
    # a clone in which the tested commit is the branch 'main', as on the real remote
    remote = source.parent / "as-published"
    if not remote.exists():
        run(source.parent, "git", "clone", "-q", str(source), str(remote), check=True)
        run(remote, "git", "update-ref", "refs/heads/main", hook_source[1], check=True)
    repo.write(
        ".pre-commit-config.yaml",
        snippet.replace("https://github.com/OWNER/karsgit", str(remote)),
    )
    repo.write("apps/ok.yaml", learn_sandbox("ok"))
    repo.commit("base")
    frozen = run(repo.path, "pre-commit", "autoupdate", "--freeze")
    assert frozen.returncode == 0, frozen.stdout + frozen.stderr
    config = (repo.path / ".pre-commit-config.yaml").read_text()
    assert f"rev: {hook_source[1]}" in config
    done = run(repo.path, "pre-commit", "run", "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
