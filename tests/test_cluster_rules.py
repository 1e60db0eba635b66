"""What the cluster accepts is what karsgit accepts: TTL grammar and the ref's registry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from karsgit.normalize.duration import parse_ttl
from tests.support.repos import APPROVAL, sandbox


# The CRD pattern ^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$ admits a
# trailing T, and the controller's parser (egress_approval_reconciler.rs) needs only
# one component before or after it.
@pytest.mark.parametrize(
    ("text", "expected"),
    [("P1DT", timedelta(days=1)), ("P2DT", timedelta(days=2))],
)
def test_trailing_t_after_days_is_accepted(text: str, expected: timedelta) -> None:
    assert parse_ttl(text) == expected


@pytest.mark.parametrize("text", ["P", "PT", "P0DT"])
def test_a_t_with_no_value_anywhere_is_still_refused(text: str) -> None:
    assert not isinstance(parse_ttl(text), timedelta)


def test_check_passes_an_approval_with_p1dt(repo, karsgit) -> None:
    repo.write("agent.yaml", sandbox())
    repo.write("extra.yaml", APPROVAL.format(ttl="P1DT"))
    repo.commit()
    result = karsgit("check", "-f", "parsable")
    assert "approval-ttl" not in result.out
    assert result.code == 0, result.out


def test_compile_refuses_a_registry_with_a_path(repo, karsgit, monkeypatch) -> None:
    repo.write("agent.yaml", sandbox())
    repo.commit()
    monkeypatch.setenv("KARS_REGISTRY", "myacr.azurecr.io/team")
    result = karsgit("compile")
    assert result.code == 3
    assert result.err.splitlines() == [
        "karsgit: error: KARS_REGISTRY 'myacr.azurecr.io/team' is not a bare registry host: "
        "allowlistRef.registry takes no path or whitespace",
        "hint: set KARS_REGISTRY=myacr.azurecr.io and put the path in bundles.repository "
        "(e.g. 'team/policy/egress-allowlist/{name}')",
    ]
    assert "allowlistRef" not in (repo.path / "agent.yaml").read_text()
    assert not (repo.path / ".kars").exists()


def test_compile_takes_a_bare_registry_from_the_environment(repo, karsgit, monkeypatch) -> None:
    repo.write("agent.yaml", sandbox())
    repo.commit()
    monkeypatch.setenv("KARS_REGISTRY", "myacr.azurecr.io")
    assert karsgit("compile").code == 0
    assert "registry: myacr.azurecr.io\n" in (repo.path / "agent.yaml").read_text()
    assert karsgit("check").code == 0
