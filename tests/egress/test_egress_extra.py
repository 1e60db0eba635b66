"""egress allow-extra: a checked EgressApproval beside the sandbox manifest."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.support.egress import commits

NAME = re.compile(r"agent-extra-\d{8}-\d{6}z")


def _written(out: str) -> str:
    match = re.search(r"wrote (\S+\.yaml):", out)
    assert match, out
    return match.group(1)


def test_allow_extra_writes_a_valid_approval(gitops, karsgit) -> None:
    result = karsgit(
        "egress", "allow-extra", "agent", "--host", "Status.Example.com", "--host", "b.io:8443",
        "--ttl", "PT4H", "--reason", "incident 42: vendor status page", "--ticket", "OPS-42",
    )  # fmt: skip
    assert result.code == 0, result.err
    path = _written(result.out)
    assert path.startswith("clusters/prod/agent-extra-")
    name = path.rsplit("/", 1)[1].removesuffix(".yaml")
    assert NAME.fullmatch(name)
    assert name[12:20] == datetime.now(UTC).strftime("%Y%m%d")
    text = (gitops.path / path).read_text()
    assert text == (
        "apiVersion: kars.azure.com/v1alpha1\n"
        "kind: EgressApproval\n"
        "metadata:\n"
        f"  name: {name}\n"
        "  namespace: kars-system\n"
        "spec:\n"
        "  sandbox: agent\n"
        "  hosts:\n"
        "    - host: status.example.com\n"
        "      port: 443\n"
        "    - host: b.io\n"
        "      port: 8443\n"
        "  ttl: PT4H\n"
        "  reason: 'incident 42: vendor status page'\n"
        "  ticket: OPS-42\n"
    )
    assert karsgit("check").code == 0


@pytest.mark.parametrize(
    ("args", "rule"),
    [
        (("--ttl", "P2W"), "approval-ttl-invalid"),
        (("--ttl", "4h"), "approval-ttl-invalid"),
        (("--ttl", "P3D"), "approval-ttl-ceiling"),
        (("--ttl", "PT1H", "--host", "*.example.com"), "wildcard-host"),
        (("--ttl", "PT1H", "--host", "https://example.com/"), "host-invalid"),
        (("--ttl", "PT1H", "--reason", "bad\x07bell"), "approval-reason-invalid"),
    ],
)
def test_allow_extra_refuses_what_check_refuses(gitops, karsgit, args, rule: str) -> None:
    base = {"--host": "example.com", "--reason": "why"}
    argv = ["egress", "allow-extra", "agent", *args]
    for option, value in base.items():
        if option not in args:
            argv += [option, value]
    result = karsgit(*argv)
    assert result.code == 1
    assert f"({rule})" in result.err
    assert "nothing was written" in result.err
    assert gitops.git("status", "--porcelain") == ""


def test_allow_extra_warns_when_the_host_is_already_admitted(gitops, karsgit) -> None:
    result = karsgit(
        "egress", "allow-extra", "agent", "--host", "upload.pyindex.org", "--ttl", "PT1H",
        "--reason", "upload",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "(approval-redundant)" in result.err


def test_allow_extra_ambiguous_name_and_dir(gitops, karsgit) -> None:
    gitops.write("clusters/team/agent.yaml", (gitops.path / "clusters/prod/agent.yaml").read_text()
                 .replace("kars-system", "team-a"))  # fmt: skip
    argv = ("egress", "allow-extra", "agent", "--host", "a.io", "--ttl", "PT1H", "--reason", "x")
    refused = karsgit(*argv)
    assert refused.code == 1
    assert "exists in multiple namespaces" in refused.err
    result = karsgit(*argv, "-n", "team-a", "--dir", "approvals")
    assert result.code == 0, result.err
    path = _written(result.out)
    assert path.startswith("approvals/agent-extra-")
    assert "namespace: team-a" in (gitops.path / path).read_text()


def test_allow_extra_commit(gitops, karsgit) -> None:
    before = commits(gitops)
    result = karsgit(
        "egress", "allow-extra", "agent", "--host", "a.io", "--ttl", "PT30M", "--reason",
        "debugging", "--commit",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert commits(gitops) == before + 1
    subject = gitops.git("log", "-1", "--format=%s").strip()
    assert subject == "egress kars-system/agent: allow extra a.io for PT30M"
    files = gitops.git("show", "--name-only", "--format=", "HEAD").split()
    assert files == [_written(result.out)]
