"""The parsable format: ``path:line:col: [severity] message (rule-id)``, one a line.

The same shape as yamllint's parsable output, so editors' error formats read it.
Line and column are 0 for a finding about the whole file. Suppressed findings
and hints are left out; control characters are escaped to keep one finding a line.
"""

from __future__ import annotations

from karsgit.findings import Finding
from karsgit.report.base import ReportData, printable


def render(data: ReportData) -> str:
    return "".join(line(finding) + "\n" for finding in data.visible())


def line(finding: Finding) -> str:
    return (
        f"{printable(finding.path)}:{finding.line}:{finding.column}: "
        f"[{finding.severity.label}] {printable(finding.message)} ({finding.rule_id})"
    )
