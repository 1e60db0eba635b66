"""SARIF 2.1.0, the format GitHub code scanning and other CI dashboards ingest.

One run; ``tool.driver.rules`` holds every rule so results can point at it by
index. Each result carries a fingerprint made without line numbers, so an alert
keeps its identity when unrelated lines are added above it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any
from urllib.parse import quote

from karsgit.findings import Finding, Severity, Suppression
from karsgit.report.base import ReportData
from karsgit.rules.base import RuleInfo

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "karsgitFinding/v1"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(data: ReportData) -> str:
    return json.dumps(log(data), indent=2, ensure_ascii=True) + "\n"


def log(data: ReportData) -> dict[str, Any]:
    findings = data.ordered()
    rule_ids = sorted(set(data.rules) | {f.rule_id for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    run = {
        "tool": {"driver": _driver(data, rule_ids)},
        # PyYAML-style marks count code points, not UTF-16 units.
        "columnKind": "unicodeCodePoints",
        "results": _results(findings, index),
        "properties": {
            "command": data.command,
            "filesChecked": data.files_checked,
            "objectsChecked": data.objects_checked,
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _driver(data: ReportData, rule_ids: list[str]) -> dict[str, Any]:
    return {
        "name": "karsgit",
        "version": data.tool_version,
        "rules": [_rule(rule_id, data.rules.get(rule_id)) for rule_id in rule_ids],
    }


def _rule(rule_id: str, info: RuleInfo | None) -> dict[str, Any]:
    summary = info.summary.rstrip(".") if info is not None else rule_id
    rule: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": summary},
        "help": {"text": f"{summary}. See docs/rules.md#{rule_id} in the karsgit documentation."},
    }
    if info is not None:
        rule["defaultConfiguration"] = {"level": LEVEL[info.severity]}
        rule["properties"] = {"fixable": info.fixable}
        if info.family:
            rule["properties"]["tags"] = [info.family]
    return rule


def _results(findings: list[Finding], index: dict[str, int]) -> list[dict[str, Any]]:
    seen: Counter[str] = Counter()
    results = []
    for finding in findings:
        digest = fingerprint(finding)
        seen[digest] += 1
        results.append(_result(finding, index[finding.rule_id], f"{digest}:{seen[digest]}"))
    return results


def _result(finding: Finding, rule_index: int, print_: str) -> dict[str, Any]:
    text = finding.message if not finding.hint else f"{finding.message}\n{finding.hint}"
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [_location(finding)],
        "partialFingerprints": {FINGERPRINT_KEY: print_},
    }
    if finding.suppressed is not None:
        result["suppressions"] = [_suppression(finding.suppressed)]
    return result


def _location(finding: Finding) -> dict[str, Any]:
    physical: dict[str, Any] = {
        # A URI reference: spaces, '%' and non-ASCII in a path must be percent-encoded.
        "artifactLocation": {"uri": quote(finding.path, safe="/"), "uriBaseId": "%SRCROOT%"},
    }
    if finding.line > 0:
        region = {"startLine": finding.line}
        if finding.column > 0:
            region["startColumn"] = finding.column
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if finding.json_path:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.json_path}]
    return location


def _suppression(suppressed: Suppression) -> dict[str, Any]:
    suppression: dict[str, Any] = {"kind": "inSource", "justification": suppressed.reason}
    if suppressed.until:
        suppression["properties"] = {"until": suppressed.until}
    return suppression


def fingerprint(finding: Finding) -> str:
    """sha256 of what identifies a finding, never its line or column."""
    fields = (finding.rule_id, finding.path, finding.json_path, finding.message)
    return hashlib.sha256("\0".join(fields).encode("utf-8")).hexdigest()
