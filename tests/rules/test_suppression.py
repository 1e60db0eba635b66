"""Suppression comments: what they silence, and when they are findings themselves."""

from __future__ import annotations

from datetime import date

import pytest

from karsgit.rules import suppression as suppress
from karsgit.run.check import run_check
from karsgit.settings import Settings
from tests.support.repos import Repo
from tests.support.rulecheck import SANDBOX_HEAD, where

RULES = ("suppression-invalid", "suppression-expired", "host-case")
HOST = "      - host: API.github.com  {comment}\n        port: 443\n"


def test_directive_parsing() -> None:
    known = {"host-case", "public-suffix"}
    text = (
        '# karsgit: ignore[host-case, public-suffix] reason="vendor" until=2030-01-01\n'
        "x: 1  # karsgit: ignore[host-case]\n"
        '# karsgit: ignore[nope] reason="r" until=tomorrow extra\n'
        '# karsgit: ignore[host-case] reason="old" until=2020-01-01\n'
    )
    d = suppress.parse(text, known, date(2026, 1, 1))
    assert [(x.line, x.column, x.rule_ids, x.covers, x.active) for x in d] == [
        (1, 1, ("host-case", "public-suffix"), (1, 2), True),
        (2, 7, ("host-case",), (2,), False),
        (3, 1, ("nope",), (3, 4), False),
        (4, 1, ("host-case",), (4, 5), False),
    ]
    assert d[1].problems == ('has no reason="..."',)
    assert d[2].problems == (
        "has an unknown option 'extra'",
        "names unknown rule id 'nope'",
        "has until=tomorrow, which is not a YYYY-MM-DD date",
    )
    assert d[3].expired


CASES = [
    ('# karsgit: ignore[host-case] reason="vendor docs use it"', []),
    ("# karsgit: ignore[host-case]", [(10, 31, "suppression-invalid"), (10, 15, "host-case")]),
    ('# karsgit: ignore[hots-case] reason="typo"',
     [(10, 15, "host-case"), (10, 31, "suppression-invalid")]),
    ('# karsgit: ignore[host-case] reason="x" until=2020-01-31',
     [(10, 15, "host-case"), (10, 31, "suppression-expired")]),
]  # fmt: skip


@pytest.mark.parametrize(("comment", "expected"), CASES)
def test_suppression_findings(
    repo: Repo, comment: str, expected: list[tuple[int, int, str]]
) -> None:
    repo.write("m.yaml", SANDBOX_HEAD + HOST.format(comment=comment))
    result = run_check(Settings(root=repo.path), ())
    active = sorted((f.line, f.column, f.rule_id) for f in result.findings
                    if f.rule_id in RULES and f.suppressed is None)  # fmt: skip
    assert active == sorted(expected)


def test_line_before_and_suppressed_findings_are_kept(repo: Repo) -> None:
    body = '      # karsgit: ignore[host-case] reason="pinned by vendor"\n' + HOST.format(
        comment=""
    )
    repo.write("m.yaml", SANDBOX_HEAD + body)
    [finding] = [f for f in run_check(Settings(root=repo.path), ()).findings
                 if f.rule_id == "host-case"]  # fmt: skip
    assert finding.suppressed is not None
    assert finding.suppressed.reason == "pinned by vendor"


def test_check_text_reports_without_a_repo() -> None:
    text = SANDBOX_HEAD + HOST.format(comment="# karsgit: ignore[host-case]")
    assert where(text, rules=("suppression-invalid",)) == [(10, 31, "suppression-invalid")]
