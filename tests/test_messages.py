"""Messages that say what the user wrote and what to do (issue 10, item 27)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.repos import APPROVAL, sandbox


@pytest.mark.parametrize(
    ("config", "line", "written", "boolean"),
    [
        ("rules:\n  entry-subsumed: off\n", 2, "off", "false"),
        ("rules: {entry-subsumed: no}\n", 1, "no", "false"),
        ("rules:\n  host-public-suffix: on  # louder\n", 2, "on", "true"),
    ],
)
def test_unquoted_off_says_to_quote_it(repo, karsgit, config, line, written, boolean) -> None:
    repo.write(".karsgit.yaml", config)
    result = karsgit("check")
    assert result.code == 3
    key = "entry-subsumed" if "entry" in config else "host-public-suffix"
    assert result.err.splitlines() == [
        f"karsgit: error: {repo.path / '.karsgit.yaml'}:{line}: key 'rules.{key}': "
        f"{written} is read as the boolean {boolean}, not a string",
        f'hint: quote it: {key}: "{written}"',
    ]


def test_quoted_off_turns_the_rule_off(repo, karsgit) -> None:
    repo.write(".karsgit.yaml", 'rules:\n  approval-target-missing: "off"\n')
    repo.write("extra.yaml", APPROVAL.format(ttl="PT1H"))
    repo.commit()
    assert karsgit("check").code == 0


def test_ttl_ceiling_message_quotes_the_config_and_the_manifest(repo, karsgit) -> None:
    repo.write(".karsgit.yaml", "approvals:\n  ttl_ceiling: PT24H\n")
    repo.write("agent.yaml", sandbox())
    repo.write("extra.yaml", APPROVAL.format(ttl="PT48H"))
    repo.commit()
    result = karsgit("check", "-f", "parsable")
    assert result.code == 1
    assert result.out.splitlines() == [
        "extra.yaml:12:8: [error] ttl PT48H is longer than the ceiling of PT24H "
        "(approval-ttl-ceiling)"
    ]


def test_hard_ceiling_message_names_seven_days(repo, karsgit) -> None:
    repo.write(".karsgit.yaml", "approvals:\n  ttl_ceiling: P7D\n")
    repo.write("agent.yaml", sandbox())
    repo.write("extra.yaml", APPROVAL.format(ttl="PT192H"))
    repo.commit()
    result = karsgit("check", "-f", "parsable")
    assert "ttl PT192H is longer than the hard ceiling of P7D" in result.out


class _Frozen(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 12, 6, 1, 2, 3, tzinfo=UTC)


def test_two_allow_extra_calls_in_one_second_both_write(repo, karsgit, monkeypatch) -> None:
    import karsgit.cli.egress as egress_cli

    monkeypatch.setattr(egress_cli, "datetime", _Frozen)
    repo.write("clusters/agent.yaml", sandbox())
    repo.commit()
    args = ("egress", "allow-extra", "agent", "--ttl", "PT1H", "--reason", "incident")
    first = karsgit(*args, "--host", "a.example.com")
    second = karsgit(*args, "--host", "b.example.com")
    assert (first.code, second.code) == (0, 0), second.err
    assert "wrote clusters/agent-extra-20261206-010203z.yaml:" in first.out
    assert "wrote clusters/agent-extra-20261206-010203z-2.yaml:" in second.out
    assert "a.example.com" in (repo.path / "clusters/agent-extra-20261206-010203z.yaml").read_text()
    second_text = (repo.path / "clusters/agent-extra-20261206-010203z-2.yaml").read_text()
    assert "name: agent-extra-20261206-010203z-2\n" in second_text
    assert "b.example.com" in second_text
    assert karsgit("check").code == 0
