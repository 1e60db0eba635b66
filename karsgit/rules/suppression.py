"""Suppression rules: the ``# karsgit: ignore[...]`` comments themselves.

Write ``# karsgit: ignore[rule-id] reason="why" until=YYYY-MM-DD`` at the end of
the line a finding is on, or alone on the line before it. Several ids may be
listed with commas; ``until`` is optional.

``suppression-invalid``
    A directive without a ``reason="..."``, naming no or an unknown rule id,
    with an unknown option or a malformed ``until`` date. It silences nothing:
    an unexplained exception is how gates rot.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: API.github.com  # karsgit: ignore[host-case]
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: API.github.com  # karsgit: ignore[host-case] reason="vendor pin"
            port: 443
    ```

    Fix: Add ``reason="..."`` and use a rule id from ``karsgit rules``.

``suppression-expired``
    A directive past its ``until`` date. It silences nothing any more, and is
    itself an error, so the exception is reviewed again rather than forgotten.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          # karsgit: ignore[public-suffix] reason="pilot" until=2024-01-31
          - host: github.io
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: my-org.github.io
            port: 443
    ```

    Fix: Fix the finding, or renew the suppression with a new reason and date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from karsgit.findings import Finding, Hit, Position, Severity, Suppression
from karsgit.rules.base import RuleInfo

RULES = (
    RuleInfo(
        "suppression-invalid",
        Severity.ERROR,
        "a suppression comment without a reason or a known id",
    ),
    RuleInfo("suppression-expired", Severity.ERROR, "a suppression comment past its until date"),
)


def check_text(text: str, rule_ids: frozenset[str]) -> Iterator[Hit]:
    if "karsgit:" not in text:
        return
    for directive in parse(text, rule_ids):
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


# The directives themselves: parsed here, applied by the engine's finalize step.
_DIRECTIVE = re.compile(r"#\s*karsgit:\s*ignore\[(?P<ids>[^\]]*)\](?P<rest>.*)$")
_OPTION = re.compile(r'\s*(?:reason="(?P<reason>[^"]*)"|until=(?P<until>\S+)|(?P<bad>\S+))')
# Findings about suppressions themselves, and a changed gate config, cannot be suppressed.
UNSUPPRESSIBLE = frozenset(("suppression-invalid", "suppression-expired", "config-changed"))


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
