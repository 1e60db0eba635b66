"""approve, deny, enforce, learn on a real git repo: edits, refusals, comments kept."""

from __future__ import annotations

import re

import pytest

from tests.egress.egress_helpers import AGENT, BUNDLE, read

AGENT_YAML = "clusters/prod/agent.yaml"


def test_approve_inserts_in_canonical_order_and_keeps_comments(gitops, karsgit) -> None:
    result = karsgit("egress", "agent", "--approve", "Files.Example.COM", "--approve", "b.io:8443")
    assert result.code == 0, result.err
    assert "kars-system/agent: approved files.example.com:443" in result.out
    assert "kars-system/agent: approved b.io:8443" in result.out
    text = read(gitops, AGENT_YAML)
    for comment in ("# agent: reviewed", "# never Learn in prod", "# source code", "# package"):
        assert comment in text
    hosts = [line.split(":", 1)[1].split("#")[0].strip() for line in text.splitlines()
             if line.strip().startswith("- host:")]  # fmt: skip
    assert hosts == ["api.github.com", "api.github.com", "b.io", "files.example.com", "pyindex.org"]
    assert "      # package index\n      - host: pyindex.org" in text
    assert "allowlistRef:" in text
    bundle = read(gitops, BUNDLE)
    assert "    - host: files.example.com\n      port: 443\n" in bundle


def test_approve_of_a_listed_endpoint_changes_nothing(gitops, karsgit) -> None:
    result = karsgit("egress", "agent", "--approve", "pyindex.org")
    assert result.code == 0
    assert "already allowlisted: pyindex.org:443" in result.out
    assert "nothing to change" in result.out
    assert read(gitops, AGENT_YAML) == AGENT


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("https://x/", "host-invalid"),
        ("*.example.org", "wildcard-host"),
        ("co.uk", "public-suffix"),
        ("github.io", "public-suffix"),
        ("10.0.0.1", "ip-literal"),
    ],
)
def test_approve_refuses_what_check_refuses(gitops, karsgit, value: str, rule: str) -> None:
    result = karsgit("egress", "agent", "--approve", value)
    assert result.code == 1
    assert f"[{rule}]" in result.err
    assert "nothing was written" in result.err
    assert read(gitops, AGENT_YAML) == AGENT
    assert not (gitops.path / BUNDLE).exists()


def test_check_gives_the_same_finding(gitops, karsgit) -> None:
    refused = karsgit("egress", "agent", "--approve", "*.example.org")
    gitops.write(AGENT_YAML, AGENT.replace("host: pyindex.org", "host: '*.example.org'"))
    checked = karsgit("check", "--format", "parsable")
    message = "host '*.example.org' is a wildcard, which never matches in kars"
    assert message in refused.err
    assert message in checked.out


def test_deny_removes_every_port_of_the_host(gitops, karsgit) -> None:
    result = karsgit("egress", "agent", "--deny", "API.github.com")
    assert result.code == 0, result.err
    assert "denied API.github.com: removed api.github.com:443, api.github.com:80" in result.out
    text = read(gitops, AGENT_YAML)
    assert "api.github.com" not in text
    assert "# package index" in text
    assert "pyindex.org" in read(gitops, BUNDLE)


def test_deny_with_a_port_removes_that_endpoint_only(gitops, karsgit) -> None:
    assert karsgit("egress", "agent", "--deny", "api.github.com:80").code == 0
    bundle = read(gitops, BUNDLE)
    assert "port: 80\n" not in bundle
    assert "    - host: api.github.com\n      port: 443\n" in bundle


def test_deny_of_an_unlisted_host_names_the_parent_entry(gitops, karsgit) -> None:
    result = karsgit("egress", "agent", "--deny", "uploads.pyindex.org")
    assert result.code == 1
    assert (
        "'uploads.pyindex.org' is not in the allowlist of sandbox kars-system/agent" in result.err
    )
    assert "deny 'pyindex.org'" in result.err


def test_deny_of_the_last_endpoint_is_refused(gitops, karsgit) -> None:
    result = karsgit("egress", "agent", "--deny", "api.github.com", "--deny", "pyindex.org")
    assert result.code == 1
    assert "would leave Strict sandbox kars-system/agent with no endpoint" in result.err
    assert "--allow-empty" in result.err
    assert read(gitops, AGENT_YAML) == AGENT


def test_allow_empty_marks_deny_all(gitops, karsgit) -> None:
    result = karsgit(
        "egress", "agent", "--deny", "api.github.com", "--deny", "pyindex.org", "--allow-empty"
    )
    assert result.code == 0, result.err
    text = read(gitops, AGENT_YAML)
    assert "karsgit.io/deny-all: 'true'" in text
    assert "allowedEndpoints: []" in text
    assert read(gitops, BUNDLE).endswith("spec:\n  endpoints: []\n")
    assert karsgit("check").code == 0


def test_ambiguous_name_is_refused_and_lists_namespaces(gitops, karsgit) -> None:
    gitops.write("clusters/team/agent.yaml", AGENT.replace("kars-system", "team-a"))
    gitops.commit("second agent")
    result = karsgit("egress", "agent", "--approve", "example.com")
    assert result.code == 1
    assert "sandbox 'agent' exists in multiple namespaces" in result.err
    assert "kars-system, team-a" in result.err
    assert "-n/--namespace" in result.err
    assert read(gitops, AGENT_YAML) == AGENT
    chosen = karsgit("egress", "agent", "-n", "team-a", "--approve", "example.com")
    assert chosen.code == 0, chosen.err
    assert "example.com" in read(gitops, "clusters/team/agent.yaml")
    assert read(gitops, AGENT_YAML) == AGENT


def test_unknown_name_is_refused(gitops, karsgit) -> None:
    result = karsgit("egress", "agent", "-n", "elsewhere", "--approve", "example.com")
    assert result.code == 1
    assert "no KarsSandbox 'agent' in namespace 'elsewhere'" in result.err
    assert "it exists in: kars-system" in result.err


def test_enforce_switches_learn_to_strict_and_compiles(gitops, karsgit) -> None:
    result = karsgit("egress", "learner", "--approve", "example.com", "--enforce")
    assert result.code == 0, result.err
    assert "egressMode: Learn -> Strict" in result.out
    text = read(gitops, "clusters/prod/learner.yaml")
    assert re.search(r"egressMode: Strict +# still learning", text)
    assert (gitops.path / ".kars/bundles/kars-system/learner/allowlist.yaml").is_file()


def test_enforce_without_endpoints_is_refused(gitops, karsgit) -> None:
    result = karsgit("egress", "learner", "--no-learn")
    assert result.code == 1
    assert "switching to Strict would leave Strict sandbox kars-system/learner" in result.err


def test_learn_sets_learn_mode_and_warns(gitops, karsgit) -> None:
    result = karsgit("egress", "agent", "--learn")
    assert result.code == 0, result.err
    assert "egressMode: Strict -> Learn" in result.out
    assert "[learn-mode]" in result.err
    # the controller still reads its bundle in Learn mode (issue 11 item 6)
    assert "signed .kars/bundles/kars-system/agent/allowlist.yaml" in result.out
    assert karsgit("compile", "--check").code == 0
    assert re.search(r"egressMode: Learn +# never Learn in prod", read(gitops, AGENT_YAML))


def test_learn_is_refused_in_a_strict_namespace(gitops, karsgit) -> None:
    config = read(gitops, ".karsgit.yaml") + "strict_namespaces: [kars-system]\n"
    gitops.write(".karsgit.yaml", config)
    result = karsgit("egress", "agent", "--learn")
    assert result.code == 1
    assert "[learn-mode]" in result.err
    assert read(gitops, AGENT_YAML) == AGENT


@pytest.mark.parametrize(
    "argv",
    [
        ("egress", "agent"),
        ("egress", "agent", "--enforce", "--learn"),
        ("egress", "agent", "--pending"),
        ("egress", "agent", "--pending", "--learned", "x", "--approve", "a.com"),
    ],
)
def test_usage_errors(gitops, karsgit, argv: tuple[str, ...]) -> None:
    gitops.write("x", "a.com\n")
    result = karsgit(*argv)
    assert result.code == 2
    assert "karsgit: error:" in result.err


def test_help_shows_both_forms(karsgit) -> None:
    result = karsgit("egress", "--help")
    assert result.code == 0
    assert "Usage: karsgit egress NAME [-n NAMESPACE] [OPTIONS]" in result.out
    assert "--approve HOST[:PORT]" in result.out
    assert "allow-extra" in result.out


def test_namespace_option_may_come_first(gitops, karsgit) -> None:
    result = karsgit("egress", "-n", "kars-system", "agent", "--approve", "a.io", "--no-sign")
    assert result.code == 0, result.err
    assert "a.io" in read(gitops, AGENT_YAML)


def test_crlf_files_stay_crlf(gitops, karsgit) -> None:
    (gitops.path / AGENT_YAML).write_bytes(AGENT.replace("\n", "\r\n").encode())
    assert karsgit("egress", "agent", "--approve", "a.io", "--no-sign").code == 0
    data = (gitops.path / AGENT_YAML).read_bytes()
    assert b"a.io\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
