"""The real pre-commit framework runs karsgit's hooks from a committed clone."""

from __future__ import annotations

from pathlib import Path

from tests.support.gitgate import hook_config, run
from tests.support.repos import Repo, sandbox

BAD = sandbox("agent").replace("api.github.com", "API.github.com")


def _setup(repo: Repo, source: tuple[Path, str], hooks: list[str]) -> None:
    repo.write(".pre-commit-config.yaml", hook_config(source, hooks))
    repo.write("apps/ok.yaml", sandbox("ok"))
    repo.commit("base")
    run(repo.path, "pre-commit", "install", check=True)


def test_commit_blocked_for_a_bad_manifest_then_allowed(repo, hook_source, precommit_env):
    _setup(repo, hook_source, ["karsgit-check"])
    repo.write("apps/agent.yaml", BAD)
    repo.git("add", "apps/agent.yaml")
    blocked = run(repo.path, "git", "commit", "-m", "add agent")
    assert blocked.returncode != 0
    output = blocked.stdout + blocked.stderr
    assert "karsgit check" in output and "Failed" in output
    assert "apps/agent.yaml" in output and "(host-case)" in output
    repo.write("apps/agent.yaml", sandbox("agent"))
    repo.git("add", "apps/agent.yaml")
    allowed = run(repo.path, "git", "commit", "-m", "add agent")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "Passed" in allowed.stdout + allowed.stderr


def test_hook_on_one_file_sees_the_whole_repository(repo, hook_source, precommit_env):
    _setup(repo, hook_source, ["karsgit-check"])
    repo.write("apps/copy.yaml", sandbox("ok"))  # the same KarsSandbox as apps/ok.yaml
    repo.git("add", "apps/copy.yaml")
    blocked = run(repo.path, "git", "commit", "-m", "copy")
    assert blocked.returncode != 0
    assert "(duplicate-resource)" in blocked.stdout + blocked.stderr


def test_try_repo_against_the_checkout(repo, hook_source, precommit_env):
    repo.write("apps/agent.yaml", BAD)
    repo.write("apps/ok.yaml", sandbox("ok"))
    repo.commit("base")
    source, sha = hook_source
    done = run(
        repo.path,
        "pre-commit",
        "try-repo",
        str(source),
        "karsgit-check",
        "--ref",
        sha,
        "--all-files",
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "apps/agent.yaml\n  10:15" in output and "(host-case)" in output
    assert "1 error, 0 warnings in 1 file (2 files checked)" in output


def test_fix_hook_rewrites_then_the_commit_goes_through(repo, hook_source, precommit_env):
    _setup(repo, hook_source, ["karsgit-fix", "karsgit-check"])
    repo.write("apps/agent.yaml", BAD)
    repo.git("add", "apps/agent.yaml")
    first = run(repo.path, "git", "commit", "-m", "add agent")
    assert first.returncode != 0  # files were modified by the hook, as with formatters
    assert "files were modified by this hook" in first.stdout + first.stderr
    assert (repo.path / "apps/agent.yaml").read_text() == sandbox("agent")
    repo.git("add", "apps/agent.yaml")
    second = run(repo.path, "git", "commit", "-m", "add agent")
    assert second.returncode == 0, second.stdout + second.stderr


def test_compile_hook_blocks_stale_bundles_until_compiled(repo, hook_source, precommit_env):
    repo.write(".karsgit.yaml", "bundles: {registry: registry.example.test}\n")
    _setup(repo, hook_source, ["karsgit-compile"])
    repo.write("apps/agent.yaml", sandbox("agent"))
    repo.git("add", "-A")
    blocked = run(repo.path, "git", "commit", "-m", "add agent")
    assert blocked.returncode != 0
    assert "allowlist.yaml" in blocked.stdout + blocked.stderr
    run(repo.path, "karsgit", "compile", check=True)
    repo.git("add", "-A")
    allowed = run(repo.path, "git", "commit", "-m", "add agent")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert (repo.path / ".kars/bundles/kars-system/agent/allowlist.yaml").is_file()
