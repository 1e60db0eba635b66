"""Port 0 is refused by every egress flow (issue 10, item 16): --approve HOST:0
approved HOST:443 and signed it; --deny HOST:0 treated 0 as a port."""

from __future__ import annotations

import pytest

from tests.support.egress import AGENT, BUNDLE, read

AGENT_YAML = "clusters/prod/agent.yaml"


@pytest.mark.parametrize(
    "args",
    [
        ("agent", "--approve", "files.example.com:0"),
        ("agent", "--approve", "files.example.com:00"),
        ("agent", "--approve", "files.example.com:65536"),
        ("agent", "--deny", "pyindex.org:0"),
        ("allow-extra", "agent", "--host", "files.example.com:0", "--reason", "r", "--ttl", "PT1H"),
    ],
    ids=["approve-0", "approve-00", "approve-65536", "deny-0", "allow-extra-0"],
)
def test_port_out_of_range_is_refused(gitops, karsgit, args: tuple[str, ...]) -> None:
    before = sorted(
        p.relative_to(gitops.path) for p in gitops.path.rglob("*") if ".git" not in p.parts
    )
    result = karsgit("egress", *args)
    assert result.code == 1, result.out + result.err
    assert "outside 1-65535; nothing was written" in result.err
    assert read(gitops, AGENT_YAML) == AGENT
    assert not (gitops.path / BUNDLE).exists()
    after = sorted(
        p.relative_to(gitops.path) for p in gitops.path.rglob("*") if ".git" not in p.parts
    )
    assert after == before


def test_an_explicit_valid_port_still_works(gitops, karsgit) -> None:
    result = karsgit("egress", "agent", "--approve", "files.example.com:1")
    assert result.code == 0, result.err
    assert "approved files.example.com:1" in result.out
