"""The real pre-commit framework: the karsgit-fix hook fails on a file it left
unfixed (issue 10, item 6), instead of showing Passed."""

from __future__ import annotations

from tests.support.gitgate import hook_config, run
from tests.support.repos import sandbox

# Fixable (upper case) but refused: a duplicate key makes fix leave the file alone.
UNFIXABLE = sandbox("agent").replace("api.github.com", "API.github.com") + "        host: twice\n"


def test_the_fix_hook_fails_on_a_file_it_left_unfixed(repo, hook_source, precommit_env):
    repo.write(".pre-commit-config.yaml", hook_config(hook_source, ["karsgit-fix"]))
    repo.write("apps/ok.yaml", sandbox("ok"))
    repo.commit("base")
    run(repo.path, "pre-commit", "install", check=True)
    repo.write("apps/agent.yaml", UNFIXABLE)
    repo.git("add", "apps/agent.yaml")
    blocked = run(repo.path, "git", "commit", "-m", "add agent")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "karsgit fix" in output and "Failed" in output
    assert "apps/agent.yaml: not fixed" in output
