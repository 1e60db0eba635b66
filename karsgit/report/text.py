"""The human format: findings grouped by file, a hint under each, one summary line.

Colour is ANSI and only on request; the CLI asks for it on a tty without NO_COLOR.
"""

from __future__ import annotations

from itertools import groupby

from karsgit.findings import Finding, Severity
from karsgit.report.base import ReportData, counts, printable

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_GREEN = "\033[32m"
_SEVERITY_COLOR = {
    Severity.ERROR: "\033[31m",
    Severity.WARNING: "\033[33m",
    Severity.INFO: "\033[36m",
}
_POSITION_WIDTH = 8
_SEVERITY_WIDTH = 7  # len("warning")


def render(data: ReportData, *, color: bool = False) -> str:
    paint = _Paint(color)
    findings = data.visible()
    lines: list[str] = []
    for path, group in groupby(findings, key=lambda f: f.path):
        lines.append(paint(printable(path), _BOLD))
        for finding in group:
            lines.extend(_finding_lines(finding, paint))
        lines.append("")
    lines.append(_summary(data, findings, paint))
    return "\n".join(lines) + "\n"


def findings_block(findings: list[Finding], *, color: bool = False) -> str:
    """The per-file block of ``render`` without the summary: findings beside other output."""
    paint = _Paint(color)
    lines: list[str] = []
    for path, group in groupby(findings, key=lambda f: f.path):
        lines.append(paint(printable(path), _BOLD))
        for finding in group:
            lines.extend(_finding_lines(finding, paint))
    return "\n".join(lines)


def position(finding: Finding) -> str:
    """``line:col``; just the line when the column is unknown; empty for the whole file."""
    if finding.line <= 0:
        return ""
    if finding.column <= 0:
        return str(finding.line)
    return f"{finding.line}:{finding.column}"


def _finding_lines(finding: Finding, paint: _Paint) -> list[str]:
    pos = position(finding).ljust(_POSITION_WIDTH)
    label = finding.severity.label.ljust(_SEVERITY_WIDTH)
    severity = paint(label, _SEVERITY_COLOR[finding.severity])
    rule = paint(f"({finding.rule_id})", _DIM)
    out = [f"  {pos}  {severity}  {printable(finding.message)}  {rule}"]
    if finding.hint:
        out.append(f"    {paint('hint:', _DIM)} {printable(finding.hint)}")
    return out


def _summary(data: ReportData, findings: list[Finding], paint: _Paint) -> str:
    suppressed = data.suppressed_count()
    if not findings:
        tail = f" ({suppressed} suppressed)" if suppressed else ""
        return paint(f"no findings in {_plural(data.files_checked, 'file')}", _GREEN) + tail
    by_severity = counts(findings)
    parts = [
        _plural(by_severity[Severity.ERROR], "error"),
        _plural(by_severity[Severity.WARNING], "warning"),
    ]
    if by_severity[Severity.INFO]:
        parts.append(f"{by_severity[Severity.INFO]} info")
    files = len({f.path for f in findings})
    head = paint(f"{', '.join(parts)} in {_plural(files, 'file')}", _summary_color(by_severity))
    checked = [f"{_plural(data.files_checked, 'file')} checked"]
    if suppressed:
        checked.append(f"{suppressed} suppressed")
    return f"{head} ({', '.join(checked)})"


def _summary_color(by_severity: dict[Severity, int]) -> str:
    for severity in (Severity.ERROR, Severity.WARNING):
        if by_severity[severity]:
            return _SEVERITY_COLOR[severity]
    return _SEVERITY_COLOR[Severity.INFO]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class _Paint:
    """Wraps text in an ANSI style, or leaves it alone when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.enabled and text else text
