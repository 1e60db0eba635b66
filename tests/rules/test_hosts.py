"""Endpoint rules on sandbox allowlists and approval hosts: exact positions and messages."""

from __future__ import annotations

import pytest

from karsgit.bundle.canonical import canonical_bytes, parse_canonical
from karsgit.normalize.endpoints import Endpoint
from karsgit.normalize.serdeyaml import scalar_type
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


# Hosts that serde_yaml 0.9 (the controller) reads as non-strings once written into

# (host as written, what serde_yaml 0.9 makes of it) - from its visit_untagged_scalar
NON_STRINGS = [
    ("null", "null"),
    ("true", "bool"),
    ("false", "bool"),
    ("1e5", "float"),
    ("1.5e3", "float"),
    ("1.e5", "float"),
    ("2.5e10", "float"),
    ("1e-5", "float"),
    ("10.25", "float"),
    ("0o17", "int"),
    ("0b101", "int"),
    ("0x1f", "int"),
    ("0xdeadbeef", "int"),
]
STRINGS = ["0443", "1e999", "inf", "nan", "infinity", "e5", "1e", "0x", "0b102", "1-2", "a1e5"]


@pytest.mark.parametrize(("host", "kind"), NON_STRINGS)
def test_scalar_types(host: str, kind: str) -> None:
    assert scalar_type(host) == kind


@pytest.mark.parametrize(
    "text",
    [*STRINGS, "api.github.com", "1.2.3", "dev.azure.com", "xn--bcher-kva.example", "-"],
)
def test_strings_stay_strings(text: str) -> None:
    assert scalar_type(text) is None


# inet_aton reads these as addresses: ip-literal already refuses them
IP_LIKE = {"10.25", "0x1f", "0xdeadbeef"}


@pytest.mark.parametrize(("host", "kind"), [c for c in NON_STRINGS if c[0] not in IP_LIKE])
def test_check_reports_the_host(host: str, kind: str) -> None:
    text = endpoints(f'- host: "{host}"\n  port: 443\n')
    assert (10, 15, "host-not-string") in where(text)
    (hit,) = hits(text, rules=("host-not-string",))
    assert f"host '{host}' is read as a {kind}, not a string" in hit.message
    assert hit.json_path == "$.spec.networkPolicy.allowedEndpoints[0].host"


@pytest.mark.parametrize("host", sorted(IP_LIKE))
def test_ip_like_numbers_are_already_refused(host: str) -> None:
    assert where(endpoints(f'- host: "{host}"\n  port: 443\n'), rules=("ip-literal",)) == [
        (10, 15, "ip-literal")
    ]


def test_uppercase_is_judged_after_fix_would_lowercase() -> None:
    assert (10, 15, "host-not-string") in where(endpoints('- host: "NULL"\n  port: 443\n'))


def test_strict_parse_names_the_host() -> None:
    good = canonical_bytes(1, [Endpoint("a.example", 443)])
    for host, kind in NON_STRINGS:
        forged = good.replace(b"a.example", host.encode())
        problems = parse_canonical(forged)
        assert isinstance(problems, list), host
        assert problems[0].line == 7
        assert problems[0].message == f"host '{host}' is read as a {kind}, not a string"


def test_canonical_bytes_refuses_to_write_one() -> None:
    with pytest.raises(ValueError, match="not in normal form"):
        canonical_bytes(1, [Endpoint("1e5", 443)])


def test_compile_refuses(repo, karsgit, monkeypatch) -> None:
    monkeypatch.setenv("KARS_REGISTRY", "registry.example.test")
    repo.write("s.yaml", endpoints('- host: "2.5e10"\n  port: 443\n'))
    result = karsgit("compile")
    assert result.code != 0
    assert not (repo.path / ".kars/bundles/kars-system/web/allowlist.yaml").exists()


def test_verify_flags_a_committed_bundle_with_one(repo, karsgit, monkeypatch) -> None:
    monkeypatch.setenv("KARS_REGISTRY", "registry.example.test")
    repo.write("s.yaml", endpoints("- host: a.example\n  port: 443\n"))
    assert karsgit("compile").code == 0
    bundle = repo.path / ".kars/bundles/kars-system/web/allowlist.yaml"
    bundle.write_bytes(bundle.read_bytes().replace(b"a.example", b"0o17"))
    result = karsgit("verify", "-f", "parsable")
    assert "allowlist.yaml:7:1: [error] host '0o17' is read as a int, not a string" in result.out
