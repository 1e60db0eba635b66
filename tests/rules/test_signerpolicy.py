"""The kars-signer-policy ConfigMap: every malformed kind the controller refuses
(exit 3 in verify, a finding in check), and the look-alike / literal-glob / empty lint."""

from __future__ import annotations

import pytest

from karsgit.rules.signerpolicy import policy_hits
from tests.bundles.conftest import manifest

GH = "https://token.actions.githubusercontent.com"
WORKFLOW = "https://github.com/acme/gitops/.github/workflows/sign.yml@refs/heads/main"

TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: kars-signer-policy
  namespace: kars-system
data:
  fulcioIssuers: |
    # CI
    {issuer}
  sanPatterns: |
    # who signs
    {san}
"""


def policy(issuer: str = GH, san: str = WORKFLOW, extra: str = "") -> str:
    return TEMPLATE.format(issuer=issuer, san=san) + extra


def hits(text: str) -> list[tuple[int, int, str]]:
    return [(h.position.line, h.position.column, h.rule_id) for h in policy_hits("p.yaml", text)]


MALFORMED = [
    pytest.param(
        policy(issuer="token.actions.githubusercontent.com"),
        9,
        "not an http(s) url",
        id="issuer-no-scheme",
    ),
    pytest.param(policy(issuer="ftp://issuer.example"), 9, "not an http(s) url", id="issuer-ftp"),
    pytest.param(policy(issuer="https://"), 9, "not an http(s) url", id="issuer-no-host"),
    pytest.param(policy(san="ci@example.test trailing"), 12, "contains whitespace", id="san-space"),
    pytest.param(policy(san="re:("), 12, "does not compile", id="re-invalid"),
    pytest.param(policy(san=r"re:(a)\1@x\.test$"), 12, "backreference", id="re-backreference"),
    pytest.param(policy(san=r"re:^(?=ci)ci@x\.test$"), 12, "lookahead", id="re-lookahead"),
    pytest.param(policy(san=r"re:^ci(?<!x)@x\.test$"), 12, "lookbehind", id="re-lookbehind"),
    pytest.param(policy(san=r"re:^c++@x\.test$"), 12, "possessive", id="re-possessive"),
    pytest.param(policy(san=r"re:^ci@x\.test\Z"), 12, r"'\Z'", id="re-capital-z"),
    pytest.param(policy(san=r"re:^c{,2}i@x\.test$"), 12, "'{'", id="re-open-brace"),
    pytest.param(policy(san=r"re:^(?a)ci@x\.test$"), 12, "inline flags", id="re-python-flag"),
    pytest.param(
        policy(extra="  ed25519Keys: |\n    bm90IGEga2V5\n"), 14, "ed25519 key", id="ed25519-short"
    ),
    pytest.param(
        policy(extra="  ed25519Keys: |\n    %%%notbase64\n"), 14, "ed25519 key", id="ed25519-junk"
    ),
]


@pytest.mark.parametrize(("text", "line", "fact"), MALFORMED)
def test_malformed_kinds_are_findings(text: str, line: int, fact: str) -> None:
    found = list(policy_hits("p.yaml", text))
    malformed = [h for h in found if h.rule_id == "signer-policy-malformed"]
    assert [h.position.line for h in malformed] == [line]
    assert fact in malformed[0].message and malformed[0].hint


@pytest.mark.parametrize(("text", "line", "fact"), MALFORMED)
def test_malformed_kinds_stop_verify(
    repo, karsgit, monkeypatch, text: str, line: int, fact: str
) -> None:
    monkeypatch.setenv("KARS_REGISTRY", "registry.example.test")
    repo.write("sandboxes/a.yaml", manifest("a"))
    repo.write("policy.yaml", text)
    assert karsgit("compile").code == 0
    result = karsgit("verify", "--signer-policy", "policy.yaml", "--trust-config", "x.json")
    assert result.code == 3
    assert f"policy.yaml:{line} is malformed (SignerPolicyMalformed)" in result.err
    assert fact in result.err and "hint: " in result.err and "Traceback" not in result.err


def test_valid_keys_and_a_sound_policy_pass() -> None:
    key = "A" * 43 + "="  # base64 of 32 zero-ish bytes
    text = policy(san=r"re:^ci@example\.test$", extra=f"  ed25519Keys: |\n    {key}\n")
    assert hits(text) == []
    assert hits(policy()) == []


def test_not_a_configmap() -> None:
    assert hits("- just\n- a list\n") == [(1, 1, "signer-policy-malformed")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TEMPLATE.format(issuer="# none", san=WORKFLOW), [(6, 1, "signer-policy-empty")]),
        (TEMPLATE.format(issuer=GH, san="# none"), [(6, 1, "signer-policy-empty")]),
        ("kind: ConfigMap\ndata: {}\n", [(2, 1, "signer-policy-empty")]),
    ],
)
def test_empty_policy(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert hits(text) == expected


@pytest.mark.parametrize(
    ("san", "expected"),
    [
        (r"re:ci@example\.com", "also admits 'ci@example.com.attacker.net'"),
        (r"re:^ci@example\.com", "also admits 'ci@example.com.attacker.net'"),
        (r"re:^[a-z]+@example\.com", "not anchored at the end"),
        (r"re:^ci@corp.example\.com$", "unescaped '.'"),
    ],
)
def test_lookalike_regexes(san: str, expected: str) -> None:
    (hit,) = policy_hits("p.yaml", policy(san=san))
    assert (hit.rule_id, hit.position.line, hit.position.column) == (
        "signer-pattern-lookalike",
        12,
        5,
    )
    assert expected in hit.message


@pytest.mark.parametrize(
    "san",
    [
        r"re:^ci@example\.com$",
        r"re:^[a-z.]+@example\.com$",
        r"re:@example\.com\z",  # rust's end of text, which python spells \Z
        r"re:^(?<user>ci)@example\.com$",  # rust's named group, python's (?P<...>)
        r"re:^c{1,2}i@example\.com$",
        r"re:^[{]ci@example\.com$",
    ],
)
def test_anchored_escaped_regexes_pass(san: str) -> None:
    assert hits(policy(san=san)) == []


def test_helm_default_glob_is_literal() -> None:
    helm = "https://github.com/ORG/REPO/.github/workflows/*.yml@*"
    assert hits(policy(san=helm)) == [(12, 5, "signer-pattern-literal-glob")]
    assert hits(policy(san="*@example.com")) == [(12, 5, "signer-pattern-literal-glob")]


def test_check_lints_the_configured_policy(repo, karsgit) -> None:
    repo.write(".karsgit.yaml", "signing:\n  signer_policy: policy/signers.yaml\n")
    repo.write("sandboxes/a.yaml", manifest("a"))
    repo.write("policy/signers.yaml", policy(san=r"re:ci@example\.com"))
    result = karsgit("check", "-f", "parsable")
    assert result.code == 1
    assert (
        r"policy/signers.yaml:12:5: [error] san pattern 're:ci@example\.com' is not anchored"
        in result.out
    ), result.out


def test_verify_reports_the_lint_of_the_given_policy(repo, karsgit, monkeypatch, tmp_path) -> None:
    from tests.support.fakesigstore import FakeSigstore

    monkeypatch.setenv("KARS_REGISTRY", "registry.example.test")
    with FakeSigstore() as fake:
        root = fake.write_trust_files(tmp_path)[1]
    repo.write("sandboxes/a.yaml", manifest("a"))
    repo.write("policy.yaml", policy(san="https://github.com/o/r/.github/workflows/*.yml@*"))
    assert karsgit("compile").code == 0
    result = karsgit(
        "verify", "-f", "parsable", "--signer-policy", "policy.yaml", "--trust-config", str(root)
    )
    assert "policy.yaml:12:5:" in result.out and "(signer-pattern-literal-glob)" in result.out
