"""hooks/pre-receive judges with a config it trusts, never the pushed one, and runs
compile --check and verify on the pushed revision (real bare repository, real push).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitgate import CONFIG, compiled, push, run
from tests.support.repos import Repo, sandbox

BAD = sandbox("agent").replace("api.github.com", "API.github.com")


def sneak(repo: Repo, message: str) -> None:
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", message)


def tip(remote: Path, ref: str = "main") -> str:
    return run(remote, "git", "log", "-1", "--format=%s", ref).stdout.strip()


@pytest.mark.parametrize(
    "pushed",
    [
        CONFIG + "include: []\n",
        CONFIG.replace('signature-missing: "off"', 'signature-missing: "off"\n  host-case: "off"'),
        CONFIG + "exclude: [apps/**]\n",
    ],
    ids=["include-empty", "rule-off", "exclude"],
)
def test_a_pushed_config_cannot_turn_the_gate_off(repo, remote, pushed):
    repo.write(".karsgit.yaml", pushed)
    repo.write("apps/agent.yaml", BAD)
    sneak(repo, "sneak")
    done = push(repo, "main")
    assert done.returncode != 0
    assert "(host-case)" in done.stderr
    assert "(config-changed)" in done.stderr
    assert tip(remote) == "base"


def test_a_config_change_alone_is_its_own_finding(repo, remote):
    repo.write(".karsgit.yaml", CONFIG + "fail_on: error\n")
    sneak(repo, "config")
    done = push(repo, "main")
    assert done.returncode != 0
    assert ".karsgit.yaml" in done.stderr and "(config-changed)" in done.stderr
    assert tip(remote) == "base"


def test_a_stale_bundle_is_rejected_by_compile_check(repo, remote):
    repo.write(
        "apps/ok.yaml",
        sandbox("ok").replace(
            "        port: 443\n",
            "        port: 443\n      - host: dev.azure.com\n        port: 443\n",
        ),
    )
    sneak(repo, "new host, no recompile")
    done = push(repo, "main")
    assert done.returncode != 0
    assert "step failed: compile --check" in done.stderr
    assert "allowlistRef is missing or out of date (kars-system/ok)" in done.stderr
    assert tip(remote) == "base"


def test_verify_runs_on_the_pushed_revision(repo, remote, tmp_path):
    # A server-side config that, unlike the repository's, wants signatures.
    server = tmp_path / "server-karsgit.yaml"
    server.write_text("bundles:\n  registry: registry.local:5000\n", encoding="utf-8")
    run(remote, "git", "config", "karsgit.config", str(server), check=True)
    repo.write("apps/two.yaml", sandbox("two"))
    compiled(repo, "two")
    done = push(repo, "main")
    assert done.returncode != 0
    assert "step failed: verify" in done.stderr and "(signature-missing)" in done.stderr
    assert tip(remote) == "base"


def test_a_server_side_config_wins_over_the_previous_tip(repo, remote, tmp_path):
    server = tmp_path / "server-karsgit.yaml"
    server.write_text(CONFIG + "  config-changed: warning\n", encoding="utf-8")
    repo.write(".karsgit.yaml", CONFIG + "fail_on: error\n")
    sneak(repo, "config")
    done = push(repo, "main", KARSGIT_CONFIG=str(server))
    assert done.returncode == 0, done.stderr
    assert "(config-changed)" in done.stderr
    assert tip(remote) == "config"


def test_a_missing_server_side_config_rejects(repo, remote, tmp_path):
    repo.write("apps/two.yaml", sandbox("two"))
    compiled(repo, "two")
    done = push(repo, "main", KARSGIT_CONFIG=str(tmp_path / "absent.yaml"))
    assert done.returncode != 0 and "absent.yaml' does not exist" in done.stderr


def test_a_new_ref_is_judged_with_the_default_branch_config(repo, remote):
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(".karsgit.yaml", CONFIG + "include: []\n")
    repo.write("apps/agent.yaml", BAD)
    sneak(repo, "sneak on a new branch")
    done = push(repo, "feature")
    assert done.returncode != 0 and "(host-case)" in done.stderr
    assert "feature" not in run(remote, "git", "branch", "--list").stdout


def test_a_good_push_still_passes(repo, remote):
    repo.write("apps/two.yaml", sandbox("two"))
    compiled(repo, "two")
    done = push(repo, "main")
    assert done.returncode == 0, done.stderr
    assert tip(remote) == "two"
