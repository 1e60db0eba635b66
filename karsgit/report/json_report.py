"""The JSON document: versioned, described by ``schemas/report.schema.json``.

Deterministic: findings in report order, keys in a fixed order, indent 2, ASCII
only (non-ASCII as ``\\u`` escapes, so no pipe's encoding can mangle it).
Suppressed findings are listed with their reason; the counts leave them out.
"""

from __future__ import annotations

import json
from typing import Any

from karsgit.findings import Finding
from karsgit.report.base import ReportData, counts

VERSION = 1


def render(data: ReportData) -> str:
    return json.dumps(document(data), indent=2, ensure_ascii=True) + "\n"


def document(data: ReportData) -> dict[str, Any]:
    return {
        "version": VERSION,
        "tool": {"name": "karsgit", "version": data.tool_version},
        "summary": _summary(data),
        "findings": [_finding(f) for f in data.ordered()],
    }


def _summary(data: ReportData) -> dict[str, int]:
    by_severity = counts(data.visible())
    ranked = sorted(by_severity, reverse=True)
    summary = {severity.label: by_severity[severity] for severity in ranked}
    summary["suppressed"] = data.suppressed_count()
    summary["files_checked"] = data.files_checked
    summary["objects_checked"] = data.objects_checked
    return summary


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.label,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "hint": finding.hint,
        "json_path": finding.json_path,
        "fixable": finding.fixable,
        "suppressed": _suppressed(finding),
    }


def _suppressed(finding: Finding) -> dict[str, str | None] | None:
    if finding.suppressed is None:
        return None
    return {"reason": finding.suppressed.reason, "until": finding.suppressed.until or None}
