"""The learned-hosts export: accepted shapes, and --pending grouping."""

from __future__ import annotations

import json

import pytest

from karsgit.errors import KarsgitError
from karsgit.source.learned import Learned, parse_learned, pending


@pytest.mark.parametrize(
    "data",
    [
        b"a.example.com\n# seen yesterday\nb.example.com:8443  # note\n\n",
        json.dumps(["a.example.com", "b.example.com:8443"]).encode(),
        json.dumps({"hosts": ["a.example.com", {"host": "b.example.com", "port": 8443}]}).encode(),
        json.dumps([{"host": "a.example.com"}, {"host": "b.example.com", "port": 8443}]).encode(),
    ],
)
def test_accepted_shapes(data: bytes) -> None:
    assert parse_learned(data) == [Learned("a.example.com"), Learned("b.example.com", 8443)]


def test_counts_and_bad_ports_are_kept_or_dropped() -> None:
    data = json.dumps({"hosts": [{"host": "a.io", "port": 0, "count": 4}, {"host": "b.io"}]})
    assert parse_learned(data.encode()) == [Learned("a.io", None, 4), Learned("b.io")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[1, 2", "invalid JSON at line 1"),
        (b'{"learned": []}', "expected a list of hosts or an object with 'hosts'"),
        (b'[{"port": 443}]', "entry 0 has no string 'host'"),
        (b"\xff\xfe", "is not UTF-8 text"),
    ],
)
def test_bad_exports_are_errors(data: bytes, message: str) -> None:
    with pytest.raises(KarsgitError, match=message):
        parse_learned(data, "learned.json")


def test_pending_groups_by_registrable_domain() -> None:
    learned = [
        Learned("api.github.com", 443, 10),
        Learned("x.openai.com", 443, 2),
        Learned("cdn.openai.com"),
        Learned("a.cdn.openai.com", 443, 1),
        Learned("10.0.0.1"),
        Learned("github.io"),
        Learned("API.Example.com", 8443),
    ]
    report = pending(learned, ["github.com"])
    assert report.allowed == 1
    assert [g.domain for g in report.groups] == ["example.com", "openai.com"]
    openai = report.groups[1]
    assert [h.host for h in openai.hosts] == ["a.cdn.openai.com", "cdn.openai.com", "x.openai.com"]
    assert openai.hosts[1].also == ["a.cdn.openai.com"]
    assert report.groups[0].hosts[0].ports == {8443}
    assert [host for host, _ in report.unusable] == ["10.0.0.1", "github.io"]


def test_pending_cli_output(gitops, karsgit) -> None:
    gitops.write(
        "learned.json",
        json.dumps(
            {
                "hosts": [
                    {"host": "pyindex.org", "port": 443, "count": 40},
                    {"host": "files.pyfiles.org", "port": 443, "count": 12},
                    {"host": "a.openai.com", "port": 443, "count": 3},
                    {"host": "b.openai.com", "count": 1},
                    {"host": "169.254.169.254", "port": 80},
                ]
            }
        ),
    )
    result = karsgit("egress", "agent", "--pending", "--learned", "learned.json")
    assert result.code == 0, result.err
    assert result.out == (
        "sandbox kars-system/agent (Strict), learned hosts from learned.json: 3 not "
        "allowlisted in 2 domain(s), 1 already allowed\n"
        "\n"
        "openai.com (2 host(s))\n"
        "  a.openai.com:443, seen 3 times: admits a.openai.com and its subdomains\n"
        "  b.openai.com:443, seen 1 times: admits b.openai.com and its subdomains\n"
        "  approving openai.com instead would admit all 2 and every other subdomain of "
        "openai.com\n"
        "\n"
        "pyfiles.org (1 host(s))\n"
        "  files.pyfiles.org:443, seen 12 times: admits files.pyfiles.org and its "
        "subdomains\n"
        "\n"
        "cannot be approved:\n"
        "  169.254.169.254: host '169.254.169.254' is an ip address literal, which the router "
        "blocks\n"
        "\n"
        "approve with: karsgit egress agent -n kars-system --approve HOST[:PORT]\n"
    )
    assert gitops.git("status", "--porcelain", "--", "clusters") == ""


def test_pending_with_a_plain_host_list(gitops, karsgit) -> None:
    gitops.write("learned.txt", "api.github.com\nraw.githubusercontent.com\n")
    result = karsgit("egress", "agent", "--pending", "--learned", "learned.txt")
    assert result.code == 0, result.err
    assert "1 not allowlisted in 1 domain(s), 1 already allowed" in result.out
    assert "raw.githubusercontent.com:443: admits raw.githubusercontent.com" in result.out
