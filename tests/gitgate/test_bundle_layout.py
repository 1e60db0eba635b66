"""One bundle layout for compile, check --base and diff (issue 9, bug 1).

A sandbox written without a namespace files its bundle under ``default/``;
every command must find it there.
"""

from __future__ import annotations

import pytest

NO_NAMESPACE = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: agent
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
      - host: api.github.com
        port: 443
"""
MORE = "      - host: pyindex.org\n        port: 443\n"
BUNDLE = ".kars/bundles/default/agent/allowlist.yaml"


@pytest.fixture
def compiled_twice(repo, karsgit, monkeypatch):
    monkeypatch.setenv("KARS_REGISTRY", "registry.example.test")
    repo.write("agent.yaml", NO_NAMESPACE)
    assert karsgit("compile").code == 0
    assert (repo.path / BUNDLE).is_file()
    repo.commit()
    text = (repo.path / "agent.yaml").read_text()
    repo.write("agent.yaml", text.replace("        port: 443\n", "        port: 443\n" + MORE, 1))
    assert karsgit("compile").code == 0
    return repo


def test_recompiled_bundle_is_not_an_artifact_edit(compiled_twice, karsgit):
    done = karsgit("check", "--base", "HEAD", "-f", "parsable")
    assert "artifact-edited" not in done.out
    assert done.code == 0, done.out


def test_diff_shows_the_bundle_of_a_namespace_less_sandbox(compiled_twice, karsgit):
    done = karsgit("diff", "HEAD", "--format", "json")
    import json

    (entry,) = json.loads(done.out)["sandboxes"]
    assert entry["added"][0]["endpoint"] == "pyindex.org:443"
    assert entry["bundle_before"] is not None and entry["bundle_after"] is not None
    assert entry["bundle_before"] != entry["bundle_after"]
