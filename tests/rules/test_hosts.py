"""Endpoint rules on sandbox allowlists and approval hosts: exact positions and messages."""

from __future__ import annotations

import pytest

from tests.support.rulecheck import approval, endpoints, hits, where

HOST_RULES = (
    "host-case", "host-idna", "host-whitespace", "port-missing", "endpoint-duplicate",
    "endpoint-order", "host-invalid", "port-invalid", "wildcard-host", "ip-literal",
    "public-suffix", "entry-subsumed", "confusable-host",
)  # fmt: skip

CASES = [
    # (entries, expected (line, col, rule-id)); the first entry is on line 10.
    ("- host: api.github.com\n  port: 443\n", []),
    ("- host: API.github.com\n  port: 443\n", [(10, 15, "host-case")]),
    ('- host: " api.github.com"\n  port: 443\n', [(10, 15, "host-whitespace")]),
    ("- host: bücher.example\n  port: 443\n", [(10, 15, "host-idna")]),
    ("- host: api.github.com\n", [(10, 9, "port-missing")]),
    (
        "- host: a.com\n  port: 443\n- host: A.com\n  port: 443\n",
        [(12, 9, "endpoint-duplicate"), (12, 15, "host-case")],
    ),
    ("- host: b.com\n  port: 443\n- host: a.com\n  port: 443\n", [(10, 9, "endpoint-order")]),
    ("- host: a.com\n  port: 443\n- host: a.com\n  port: 80\n", [(10, 9, "endpoint-order")]),
    ("- host: https://a.com/x\n  port: 443\n", [(10, 15, "host-invalid")]),
    ("- host: a.com:8443\n  port: 443\n", [(10, 15, "host-invalid")]),
    ("- host: a..com\n  port: 443\n", [(10, 15, "host-invalid")]),
    ("- host: .a.com\n  port: 443\n", [(10, 15, "host-invalid")]),
    ("- host: a_b.com\n  port: 443\n", [(10, 15, "host-invalid")]),
    ('- host: ""\n  port: 443\n', [(10, 15, "host-invalid")]),
    ("- host: '*.example.com'\n  port: 443\n", [(10, 15, "wildcard-host")]),
    ("- host: 10.0.0.1\n  port: 443\n", [(10, 15, "ip-literal")]),
    ("- host: '[::1]'\n  port: 443\n", [(10, 15, "ip-literal")]),
    ("- host: com\n  port: 443\n", [(10, 15, "public-suffix")]),
    ("- host: github.io\n  port: 443\n", [(10, 15, "public-suffix")]),
    ("- host: co.uk\n  port: 443\n", [(10, 15, "public-suffix")]),
    (
        "- host: api.github.com\n  port: 443\n- host: github.com\n  port: 443\n",
        [(10, 15, "entry-subsumed")],
    ),
    (
        "- host: \u0430pi.github.com\n  port: 443\n",
        [(10, 15, "confusable-host"), (10, 15, "host-idna")],
    ),
    ("- host: a.com\n  port: 443.0\n", [(11, 15, "port-invalid")]),
    # The schema reports these port-invalid findings; the rule does not double them.
    ("- host: a.com\n  port: '443'\n", [(11, 15, "port-invalid")]),
    ("- host: a.com\n  port: 70000\n", [(11, 15, "port-invalid")]),
    ("- host: a.com\n  port: true\n", [(11, 15, "port-invalid")]),
    # An invalid entry stops order and duplicate judgements (fix cannot sort it).
    ("- host: b.com\n  port: 443\n- host: 'a b'\n  port: 443\n", [(12, 15, "host-invalid")]),
]


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_sandbox_endpoint_rules(body: str, expected: list[tuple[int, int, str]]) -> None:
    assert where(endpoints(body), rules=HOST_RULES) == expected


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_same_rules_on_approval_hosts(body: str, expected: list[tuple[int, int, str]]) -> None:
    # Approval host entries start one line later (line 11) and two columns left.
    shifted = [(line + 1, col - 2, rule) for line, col, rule in expected]
    assert where(approval(body), rules=HOST_RULES) == shifted


MESSAGES = [
    (
        "- host: API.github.com\n  port: 443\n",
        "host 'API.github.com' is not lowercase",
        "write 'api.github.com'",
    ),
    (
        "- host: bücher.example\n  port: 443\n",
        "host 'bücher.example' contains non-ascii characters",
        "write 'xn--bcher-kva.example'",
    ),
    (
        "- host: api.github.com\n",
        "port is missing; the kars cli reads a missing port as 443",
        "add port: 443",
    ),
    (
        "- host: '*.example.com'\n  port: 443\n",
        "host '*.example.com' is a wildcard, which never matches in kars",
        "list 'example.com', which admits all its subdomains",
    ),
    (
        "- host: 10.0.0.1\n  port: 443\n",
        "host '10.0.0.1' is an ip address literal, which the router blocks",
        "list the host name the service is reached by",
    ),
    (
        "- host: github.io\n  port: 443\n",
        "host 'github.io' is a public suffix; the router would admit every site under it",
        "list the specific hosts under 'github.io' that are needed",
    ),
    (
        "- host: github.com\n  port: 443\n- host: api.github.com\n  port: 443\n",
        "host 'api.github.com' is already admitted by 'github.com'",
        "remove 'api.github.com'; the router admits every subdomain of 'github.com'",
    ),
    (
        "- host: \u0430pi.github.com\n  port: 443\n",
        "host '\u0430pi.github.com' (punycode 'xn--pi-6kc.github.com') looks like "
        "'api.github.com': label '\u0430pi' mixes cyrillic and latin letters",
        "write 'api.github.com' if that is the host you mean; otherwise suppress with a reason",
    ),
    ("- host: a.com\n  port: 443.0\n", "port 443.0 is not an integer", "write 443"),
    (
        "- host: a.com\n  port: 443\n- host: a.com\n  port: 443\n",
        "endpoint 'a.com:443' at index 1 repeats index 0",
        "remove the duplicate entry",
    ),
]


@pytest.mark.parametrize(("body", "message", "hint"), MESSAGES)
def test_messages_and_hints(body: str, message: str, hint: str) -> None:
    assert (message, hint) in [(h.message, h.hint) for h in hits(endpoints(body), rules=HOST_RULES)]


def test_fixable_flags() -> None:
    body = "- host: B.com\n- host: A.com\n  port: 443\n- host: a.com\n  port: 443\n"
    found = {h.rule_id: h.fixable for h in hits(endpoints(body), rules=HOST_RULES)}
    assert found == {
        "host-case": True, "port-missing": True, "endpoint-duplicate": True,
        "endpoint-order": True,
    }  # fmt: skip


def test_public_suffix_parent_is_not_repeated_as_subsumption() -> None:
    body = "- host: com\n  port: 443\n- host: github.com\n  port: 443\n"
    assert where(endpoints(body), rules=HOST_RULES) == [(10, 15, "public-suffix")]
