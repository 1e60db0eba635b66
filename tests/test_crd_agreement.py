"""karsgit is at least as strict as the cluster: whatever the kars CRDs reject,
karsgit reports as an error. The CRDs are read from ../shared/vectors/kars-crds
(the cluster's own admission schema, never copied into this repository).
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import yaml

from karsgit.findings import Severity
from karsgit.rules.engine import file_hits
from karsgit.settings import Settings
from karsgit.source.load import load_bytes
from tests.support.repos import ROOT, SHARED, sandbox

CRDS = SHARED / "vectors" / "kars-crds"


def _structural(schema: Any) -> Any:
    """OpenAPI v3 structural schema -> JSON Schema (drop k8s-only keywords)."""
    if isinstance(schema, dict):
        out = {k: _structural(v) for k, v in schema.items() if not k.startswith("x-kubernetes")}
        if out.pop("nullable", False) and "type" in out:
            out["type"] = [out["type"], "null"]
        out.pop("format", None)
        return out
    if isinstance(schema, list):
        return [_structural(v) for v in schema]
    return schema


def crd_validator(kind: str) -> jsonschema.Draft7Validator:
    assert CRDS.is_dir(), f"{CRDS} is missing: the shared vectors must sit beside the checkout"
    for path in CRDS.glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc["spec"]["names"]["kind"] == kind:
                schema = doc["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
                return jsonschema.Draft7Validator(_structural(schema))
    raise AssertionError(f"no CRD for {kind}")


def karsgit_errors(text: str) -> list[str]:
    loaded = load_bytes("m.yaml", text.encode())
    hits, _ = file_hits(loaded, Settings(root=ROOT))
    from karsgit.rules import catalog

    return [h.rule_id for h in hits if catalog()[h.rule_id].severity is Severity.ERROR]


FULL = sandbox().replace(
    "spec:\n", "spec:\n  runtime: {kind: LangGraph}\n  sandbox: {}\n  inferenceRef: {name: m}\n"
)


def test_full_sandbox_passes_both() -> None:
    assert not list(crd_validator("KarsSandbox").iter_errors(yaml.safe_load(FULL)))
    assert karsgit_errors(FULL) == []


SANDBOX_VARIANTS = [
    FULL.replace("egressMode: Strict", "egressMode: Approval"),
    FULL.replace("port: 443", 'port: "443"'),
    FULL.replace("port: 443", "port: yes"),
    FULL.replace("host: api.github.com", "host: 42"),
    FULL.replace("    egressMode: Strict\n", "    egressMode: Strict\n    defaultDeny: 'no'\n"),
    FULL + "    allowlistRef:\n      registry: r.example\n",
    FULL + "    allowlistRef: {registry: r, repository: p, digest: 'md5:x', artifactType: a}\n",
]


@pytest.mark.parametrize("text", SANDBOX_VARIANTS)
def test_what_the_crd_rejects_karsgit_rejects(text: str) -> None:
    data = yaml.safe_load(text)
    assert list(crd_validator("KarsSandbox").iter_errors(data)), "variant must be CRD-invalid"
    assert karsgit_errors(text), "karsgit let a CRD-invalid manifest through"


def test_clean_example_manifests_pass_the_crd() -> None:
    path = ROOT / "fixtures/example-repo/clusters/prod/sandboxes/research-agent.yaml"
    data = yaml.safe_load(path.read_text())
    assert not list(crd_validator("KarsSandbox").iter_errors(data))
    assert karsgit_errors(path.read_text()) == []


APPROVAL = """\
apiVersion: kars.azure.com/v1alpha1
kind: EgressApproval
metadata: {name: x, namespace: kars-system}
spec:
  sandbox: agent
  hosts: [{host: a.example.com, port: 443}]
  reason: needed
  ttl: PT1H
"""


@pytest.mark.parametrize(
    "text",
    [
        APPROVAL.replace("  reason: needed\n", ""),
        APPROVAL.replace("port: 443", "port: 70000"),
        APPROVAL.replace("  ttl: PT1H\n", "  ttl: 3600\n"),
        APPROVAL.replace("hosts: [{host: a.example.com, port: 443}]", "hosts: [{port: 443}]"),
    ],
)
def test_approval_crd_rejections(text: str) -> None:
    data = yaml.safe_load(text)
    assert list(crd_validator("EgressApproval").iter_errors(data))
    assert karsgit_errors(text)
