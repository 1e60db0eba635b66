"""A rendered sandbox whose overlay changed the endpoints but kept the base's
allowlistRef: `check` reports the drift at the line that changed them."""

from __future__ import annotations

from tests.support.render import needs_kubectl, parsable
from tests.support.repos import Repo

pytestmark = needs_kubectl

BASE = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: research-agent
  namespace: kars-system
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
      - host: api.github.com
        port: 443
"""
OVERLAY = """\
resources:
  - ../base
patches:
  - target:
      kind: KarsSandbox
    patch: |-
      - op: {op}
        path: /spec/networkPolicy/allowedEndpoints/{where}
{value}"""
ADD = "        value:\n          host: evil-exfil.example.net\n          port: 443\n"


def compiled_repo(repo: Repo, karsgit, overlay: str) -> None:
    repo.write(".karsgit.yaml", "bundles:\n  registry: registry.example.com\n")
    repo.write("base/sb.yaml", BASE)
    repo.write("base/kustomization.yaml", "resources:\n  - sb.yaml\n")
    repo.write("prod/kustomization.yaml", "resources:\n  - ../base\n")
    assert karsgit("compile").code == 0  # the base carries the ref of prod's bundle
    repo.write("prod/kustomization.yaml", overlay)
    repo.commit()


def test_overlay_added_host_drifts_from_the_base_bundle(repo: Repo, karsgit) -> None:
    compiled_repo(repo, karsgit, OVERLAY.format(op="add", where="-", value=ADD))
    result = karsgit("check", "-f", "parsable")
    assert result.code == 1
    assert [line for line in parsable(result) if "(inline-drift)" in line] == [
        "prod/kustomization.yaml:10:17: [error] rendered KarsSandbox kars-system/research-agent "
        "lists evil-exfil.example.net:443, not in "
        ".kars/bundles/prod/kars-system/research-agent/allowlist.yaml, the bundle its allowlistRef "
        "names (the controller enforces the bundle) (inline-drift)"
    ]


def test_overlay_removed_host_drifts_at_the_root(repo: Repo, karsgit) -> None:
    compiled_repo(repo, karsgit, OVERLAY.format(op="remove", where="0", value=""))
    lines = [line for line in parsable(karsgit("check", "-f", "parsable")) if "drift" in line]
    assert len(lines) == 1 and "lacks api.github.com:443, listed in" in lines[0], lines


def test_overlay_that_keeps_the_endpoints_does_not_drift(repo: Repo, karsgit) -> None:
    compiled_repo(repo, karsgit, "namespace: kars-system\nresources:\n  - ../base\n")
    result = karsgit("check", "-f", "parsable")
    assert (result.code, result.out) == (0, "")


def test_verify_reports_the_rendered_drift(repo: Repo, karsgit) -> None:
    compiled_repo(repo, karsgit, OVERLAY.format(op="add", where="-", value=ADD))
    result = karsgit("verify", "-f", "parsable")
    assert result.code == 1
    assert [line for line in parsable(result) if "(inline-drift)" in line] == [
        "prod/kustomization.yaml:10:17: [error] rendered KarsSandbox kars-system/research-agent "
        "lists evil-exfil.example.net:443, not in "
        ".kars/bundles/prod/kars-system/research-agent/allowlist.yaml, the bundle its allowlistRef "
        "names (the controller enforces the bundle) (inline-drift)"
    ]


def test_verify_without_drift_has_none(repo: Repo, karsgit) -> None:
    compiled_repo(repo, karsgit, "namespace: kars-system\nresources:\n  - ../base\n")
    assert not [
        line for line in parsable(karsgit("verify", "-f", "parsable")) if "(inline-drift)" in line
    ]
