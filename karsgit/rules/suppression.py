"""Suppression rules: the ``# karsgit: ignore[...]`` comments themselves.

Write ``# karsgit: ignore[rule-id] reason="why" until=YYYY-MM-DD`` at the end of
the line a finding is on, or alone on the line before it. Several ids may be
listed with commas; ``until`` is optional.

``suppression-invalid``
    A directive without a ``reason="..."``, naming no or an unknown rule id,
    with an unknown option or a malformed ``until`` date. It silences nothing:
    an unexplained exception is how gates rot.

``suppression-expired``
    A directive past its ``until`` date. It silences nothing any more, and is
    itself an error, so the exception is reviewed again rather than forgotten.
"""

from __future__ import annotations

from collections.abc import Iterator

from karsgit.findings import Hit, Position, Severity
from karsgit.rules import RuleInfo, catalog
from karsgit.rules import suppressions as suppress

RULES = (
    RuleInfo(
        "suppression-invalid",
        Severity.ERROR,
        "a suppression comment without a reason or a known id",
    ),
    RuleInfo("suppression-expired", Severity.ERROR, "a suppression comment past its until date"),
)


def check_text(text: str) -> Iterator[Hit]:
    if "karsgit:" not in text:
        return
    for directive in suppress.parse(text, catalog()):
        where = Position(directive.line, directive.column)
        if directive.problems:
            yield Hit(
                "suppression-invalid",
                where,
                "suppression " + "; ".join(directive.problems),
                'write # karsgit: ignore[rule-id] reason="why it is safe"',
            )
        elif directive.expired:
            ids = ", ".join(directive.rule_ids)
            yield Hit(
                "suppression-expired",
                where,
                f"suppression of {ids} expired on {directive.until}",
                "fix the finding, or renew the suppression with a new reason and date",
            )
