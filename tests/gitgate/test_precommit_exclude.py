"""Paths given on the command line obey include/exclude, so the pre-commit hook
(which passes paths) and a CI run (which does not) agree (issue 10, item 21)."""

from __future__ import annotations

from tests.support.gitgate import hook_config, run
from tests.support.repos import Repo, sandbox

HELM = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: {{ .Values.name }}
spec:
  networkPolicy:
    allowedEndpoints:
{{- range .Values.hosts }}
      - host: {{ . }}
{{- end }}
"""
TEMPLATE = "charts/agent/templates/sandbox.yaml"


def _repo(repo: Repo) -> None:
    repo.write(".karsgit.yaml", "exclude: ['charts/**']\n")
    repo.write("apps/ok.yaml", sandbox("ok"))
    repo.write(TEMPLATE, HELM)


def test_the_hook_skips_an_excluded_helm_template(repo, hook_source, precommit_env):
    _repo(repo)
    repo.write(".pre-commit-config.yaml", hook_config(hook_source, ["karsgit-check"]))
    repo.commit("base")
    run(repo.path, "pre-commit", "install", check=True)
    repo.write(TEMPLATE, HELM + "# touched\n")
    repo.git("add", TEMPLATE)
    done = run(repo.path, "git", "commit", "-m", "edit the chart")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "karsgit check" in output and "Passed" in output
    ci = run(repo.path, "karsgit", "check")
    assert ci.returncode == 0, ci.stdout + ci.stderr


def test_given_paths_and_a_full_run_agree(repo: Repo, karsgit) -> None:
    _repo(repo)
    repo.write("apps/bad.yaml", sandbox("bad").replace("api.", "API."))
    repo.commit("base")
    given = karsgit("check", "-f", "parsable", TEMPLATE, "apps/bad.yaml", "apps/ok.yaml")
    full = karsgit("check", "-f", "parsable")
    assert given.code == full.code == 1
    assert given.out == full.out
    assert TEMPLATE not in given.out and "apps/bad.yaml" in given.out
    only_excluded = karsgit("check", TEMPLATE)
    assert only_excluded.code == 0
    assert only_excluded.out == "no findings in 0 files\n"


def test_fix_skips_an_excluded_file_too(repo: Repo, karsgit) -> None:
    _repo(repo)
    repo.write("charts/agent/templates/static.yaml", sandbox("x").replace("api.", "API."))
    repo.commit("base")
    done = karsgit("fix", "charts/agent/templates/static.yaml", TEMPLATE)
    assert done.code == 0, done.out + done.err
    assert "API.github.com" in (repo.path / "charts/agent/templates/static.yaml").read_text()
