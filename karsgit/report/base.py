"""What every report format is given (``ReportData``) and the helpers they share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from karsgit.findings import Finding, Severity, sort_findings
from karsgit.rules.base import RuleInfo

# Bidirectional controls reorder what a reader sees ("trojan source", CVE-2021-42574).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass(frozen=True)
class ReportData:
    """Everything a format may show about one run."""

    findings: Sequence[Finding]
    files_checked: int
    objects_checked: int
    rules: Mapping[str, RuleInfo]
    tool_version: str
    command: str = "check"
    # The run's failure threshold: formats with a pass/fail notion (junit) fail
    # exactly the findings that make the exit code 1.
    fail_on: Severity = Severity.ERROR

    def ordered(self) -> list[Finding]:
        """All findings, suppressed ones included, in report order."""
        return sort_findings(self.findings)

    def visible(self) -> list[Finding]:
        """Findings that count, in report order (what text/parsable/github/junit show)."""
        return [f for f in self.ordered() if f.suppressed is None]

    def suppressed_count(self) -> int:
        return sum(1 for f in self.findings if f.suppressed is not None)


def counts(findings: Sequence[Finding]) -> dict[Severity, int]:
    """How many findings of each severity, every severity present (0 if none)."""
    out = dict.fromkeys(Severity, 0)
    for finding in findings:
        out[finding.severity] += 1
    return out


def printable(text: str) -> str:
    """One line, safe for a terminal: control and bidi characters become escapes."""
    return "".join(_escape_char(ch) for ch in text)


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if code < 0x20 or 0x7F <= code < 0xA0:
        return f"\\x{code:02x}"
    if ch in _BIDI:
        return f"\\u{code:04x}"
    return ch
