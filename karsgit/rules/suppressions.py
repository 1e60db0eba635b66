"""Suppression comments: ``# karsgit: ignore[rule-id] reason="..." until=YYYY-MM-DD``.

A trailing directive covers its own line; a directive alone on its line covers
the next line. Only a valid, unexpired directive silences anything: a
suppressed finding is kept, marked, so JSON and SARIF list it as suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from karsgit.findings import Finding, Suppression

_DIRECTIVE = re.compile(r"#\s*karsgit:\s*ignore\[(?P<ids>[^\]]*)\](?P<rest>.*)$")
_OPTION = re.compile(r'\s*(?:reason="(?P<reason>[^"]*)"|until=(?P<until>\S+)|(?P<bad>\S+))')
# Findings about suppressions themselves cannot be suppressed.
UNSUPPRESSIBLE = frozenset(("suppression-invalid", "suppression-expired"))


@dataclass(frozen=True, slots=True)
class Directive:
    line: int
    column: int
    rule_ids: tuple[str, ...]
    reason: str
    until: str
    covers: tuple[int, ...]
    problems: tuple[str, ...] = ()
    expired: bool = False

    @property
    def active(self) -> bool:
        return not self.problems and not self.expired


def today() -> date:
    return datetime.now(UTC).date()


def parse(text: str, known: Iterable[str], on: date | None = None) -> list[Directive]:
    """Every directive of a file, judged against the known rule ids and a date."""
    rule_ids = frozenset(known)
    day = on or today()
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _DIRECTIVE.search(line)
        if match is not None:
            out.append(_directive(number, line, match, rule_ids, day))
    return out


def _directive(
    number: int, line: str, match: re.Match[str], known: frozenset[str], day: date
) -> Directive:
    ids = tuple(i.strip() for i in match.group("ids").split(",") if i.strip())
    reason, until, problems = _options(match.group("rest"))
    if not ids:
        problems.append("names no rule id")
    problems.extend(f"names unknown rule id '{i}'" for i in ids if i not in known)
    expired = False
    if until:
        try:
            expired = date.fromisoformat(until) < day
        except ValueError:
            problems.append(f"has until={until}, which is not a YYYY-MM-DD date")
    alone = not line[: match.start()].strip()
    covers = (number, number + 1) if alone else (number,)
    return Directive(
        number, match.start() + 1, ids, reason, until, covers, tuple(problems), expired
    )


def _options(rest: str) -> tuple[str, str, list[str]]:
    reason, until, problems = "", "", []
    for option in _OPTION.finditer(rest):
        if option.group("reason") is not None:
            reason = option.group("reason").strip()
        elif option.group("until") is not None:
            until = option.group("until")
        elif option.group("bad"):
            problems.append(f"has an unknown option '{option.group('bad')}'")
    if not reason:
        problems.insert(0, 'has no reason="..."')
    return reason, until, problems


def apply(
    findings: Iterable[Finding],
    texts: Mapping[str, str],
    known: Iterable[str],
    on: date | None = None,
) -> list[Finding]:
    """Mark the findings that an active directive of their file covers."""
    rule_ids = frozenset(known)
    cache: dict[str, dict[tuple[int, str], Directive]] = {}
    out = []
    for finding in findings:
        text = texts.get(finding.path)
        if text is None or finding.line == 0 or finding.rule_id in UNSUPPRESSIBLE:
            out.append(finding)
            continue
        if finding.path not in cache:
            cache[finding.path] = _index(parse(text, rule_ids, on))
        directive = cache[finding.path].get((finding.line, finding.rule_id))
        if directive is None:
            out.append(finding)
        else:
            out.append(replace(finding, suppressed=Suppression(directive.reason, directive.until)))
    return out


def _index(directives: Iterable[Directive]) -> dict[tuple[int, str], Directive]:
    index = {}
    for directive in directives:
        if directive.active:
            for line in directive.covers:
                for rule_id in directive.rule_ids:
                    index[(line, rule_id)] = directive
    return index
