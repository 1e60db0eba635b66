"""hooks/pre-receive on a real bare repository, exercised with real ``git push``."""

from __future__ import annotations

from tests.support.gitgate import compiled, push, run
from tests.support.repos import sandbox

BAD = sandbox("agent").replace("api.github.com", "API.github.com")
# The hook also runs compile --check and verify: pushes carry compiled bundles;
# signatures are covered by the signing tests.


def test_no_verify_commit_is_rejected(repo, remote):
    repo.write("apps/agent.yaml", BAD)
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "sneak")
    done = push(repo, "main")
    assert done.returncode != 0
    assert "(host-case)" in done.stderr and "rejected refs/heads/main" in done.stderr
    assert "sneak" not in run(remote, "git", "log", "--format=%s", "main").stdout


def test_update_and_new_branch_are_checked(repo, remote):
    repo.write("apps/agent.yaml", sandbox("agent"))
    compiled(repo, "good")
    assert push(repo, "main").returncode == 0
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("apps/bad.yaml", BAD.replace("agent", "other"))
    repo.commit("bad on a new branch")
    done = push(repo, "feature")
    assert done.returncode != 0 and "(host-case)" in done.stderr


def test_edit_rules_run_against_the_old_revision(repo, remote):
    repo.write("apps/ok.yaml", sandbox("ok").replace("Strict", "Learn"))
    repo.commit("relax")
    done = push(repo, "main")
    assert done.returncode != 0 and "(mode-relaxed)" in done.stderr


def test_deletion_is_allowed(repo, remote):
    assert push(repo, "main:doomed").returncode == 0
    done = push(repo, ":doomed")
    assert done.returncode == 0, done.stderr
    assert "doomed deleted: allowed" in done.stderr


def test_force_push_is_checked(repo, remote):
    repo.write("apps/two.yaml", sandbox("two"))
    compiled(repo, "two")
    assert push(repo, "main").returncode == 0
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.write("apps/three.yaml", BAD.replace("agent", "three"))
    repo.commit("rewrite")
    rejected = push(repo, "--force", "main")
    assert rejected.returncode != 0 and "(host-case)" in rejected.stderr
    repo.write("apps/three.yaml", sandbox("three"))
    compiled(repo, "fixed")
    accepted = push(repo, "--force", "main")
    assert accepted.returncode == 0, accepted.stderr
    assert "fixed" in run(remote, "git", "log", "-1", "--format=%s", "main").stdout
