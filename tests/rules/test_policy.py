"""Policy rules: empty allowlists, Learn mode, missing namespaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from karsgit.findings import Severity
from karsgit.settings import Settings
from tests.support.rulecheck import hits, where

RULES = ("empty-allowlist", "learn-mode", "namespace-missing")


def sandbox(policy: str, meta: str = "  namespace: kars-system\n") -> str:
    return (
        "apiVersion: kars.azure.com/v1alpha1\nkind: KarsSandbox\nmetadata:\n  name: web\n"
        f"{meta}spec:\n  networkPolicy:\n{policy}"
    )


STRICT_EMPTY = "    egressMode: Strict\n    allowedEndpoints: []\n"
CASES = [
    ("    egressMode: Strict\n    allowedEndpoints:\n      - {host: a.com, port: 443}\n", []),
    (STRICT_EMPTY, [(9, 5, "empty-allowlist")]),
    ("    egressMode: Strict\n", [(8, 17, "empty-allowlist")]),
    ("    egressMode: Strict\n    allowedEndpoints:\n      - {host: '*.a.com', port: 443}\n",
     [(9, 5, "empty-allowlist")]),
    ("    egressMode: Learn\n", [(8, 17, "learn-mode")]),
    ("    defaultDeny: true\n", [(7, 3, "learn-mode")]),
]  # fmt: skip


@pytest.mark.parametrize(("policy", "expected"), CASES)
def test_policy_rules(policy: str, expected: list[tuple[int, int, str]]) -> None:
    assert where(sandbox(policy), rules=RULES) == expected


def test_empty_allowlist_message() -> None:
    [hit] = hits(sandbox(STRICT_EMPTY), rules=RULES)
    assert hit.message == (
        "allowlist of Strict sandbox 'web' is empty: the kars signer refuses an empty list "
        "and an empty inline list already denies all egress"
    )
    assert hit.hint == (
        "restore an endpoint, or mark deny-all on purpose with the annotation "
        'karsgit.io/deny-all: "true"'
    )


def test_deny_all_annotation_allows_empty_list() -> None:
    meta = '  namespace: kars-system\n  annotations:\n    karsgit.io/deny-all: "true"\n'
    assert where(sandbox(STRICT_EMPTY, meta), rules=RULES) == []


def test_deny_all_annotation_name_is_configurable() -> None:
    meta = '  namespace: kars-system\n  annotations:\n    example.org/no-egress: "true"\n'
    settings = Settings(root=Path("/nonexistent"), deny_all_annotation="example.org/no-egress")
    assert where(sandbox(STRICT_EMPTY, meta), settings, RULES) == []
    assert where(sandbox(STRICT_EMPTY, meta), rules=RULES) == [(11, 5, "empty-allowlist")]


def test_signed_bundle_reference_without_inline_list_is_not_empty() -> None:
    ref = (
        "    egressMode: Strict\n    allowlistRef:\n      registry: ghcr.io\n"
        "      repository: policy/egress-allowlist/web\n"
        f"      digest: sha256:{'0' * 64}\n"
        "      artifactType: application/vnd.kars.egress-allowlist.v1+yaml\n"
    )
    assert where(sandbox(ref), rules=RULES) == []


def test_learn_mode_is_an_error_in_strict_namespaces() -> None:
    settings = Settings(root=Path("/nonexistent"), strict_namespaces=("kars-system",))
    [hit] = hits(sandbox("    egressMode: Learn\n"), settings, RULES)
    assert hit.level is Severity.ERROR
    assert hit.message == (
        "sandbox 'web' is in Learn mode, which allows every non-blocklisted host; "
        "namespace 'kars-system' is listed in strict_namespaces"
    )
    [plain] = hits(sandbox("    egressMode: Learn\n"), rules=RULES)
    assert plain.level is None


def test_learn_mode_by_default_says_so() -> None:
    [hit] = hits(sandbox("    defaultDeny: true\n"), rules=RULES)
    assert hit.message == (
        "sandbox 'web' has no egressMode, so the cluster uses Learn, which allows every "
        "non-blocklisted host"
    )


def test_namespace_missing() -> None:
    text = sandbox("    egressMode: Strict\n    allowedEndpoints: [{host: a.com, port: 443}]\n", "")
    [hit] = hits(text, rules=RULES)
    assert (hit.position.line, hit.position.column, hit.rule_id) == (3, 1, "namespace-missing")
    assert hit.message == (
        "KarsSandbox 'web' has no metadata.namespace; it lands in whatever namespace the "
        "applying tool points at"
    )
