"""Hosts that serde_yaml 0.9 (the controller) reads as non-strings once written into
the canonical bundle: a finding in check, a problem in the strict bundle parse, and
nothing compiled."""

from __future__ import annotations

import pytest

from karsgit.bundle.canonical import canonical_bytes, parse_canonical
from karsgit.bundle.serdeyaml import scalar_type
from karsgit.normalize.endpoints import Endpoint
from tests.rules.conftest import endpoints, hits, where

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
