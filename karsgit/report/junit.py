"""JUnit XML, the test report shape GitLab, Jenkins and Azure Pipelines display.

One ``testsuite`` per file with findings, one ``testcase`` per finding: a finding
at or above the run's failure threshold (``fail_on``, error by default) fails it,
one below passes with the message in ``system-out`` (a report that shows failures
must not sit beside exit code 0). Files without
findings are summed up in one passing testcase of a closing ``karsgit`` suite,
because the report knows how many files were checked, not which.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from karsgit.findings import Finding, Severity
from karsgit.report.base import ReportData

# Characters XML 1.0 forbids even as references (its Char production, section 2.2).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(data: ReportData) -> str:
    root = ET.Element("testsuites", name=f"karsgit {data.command}")
    findings = data.visible()
    for path, group in groupby(findings, key=lambda f: f.path):
        root.append(_suite(path, list(group), data.fail_on))
    clean = data.files_checked - len({f.path for f in findings})
    if clean > 0 or not findings:
        root.append(_clean_suite(clean))
    _count(root, root.findall("testsuite"))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _suite(path: str, findings: list[Finding], fail_on: Severity) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_safe(path))
    for finding in findings:
        suite.append(_case(finding, fail_on))
    failures = sum(1 for f in findings if f.severity >= fail_on)
    _set_counts(suite, len(findings), failures)
    return suite


def _case(finding: Finding, fail_on: Severity) -> ET.Element:
    case = ET.Element("testcase", name=case_name(finding), classname=xml_safe(finding.path))
    body = xml_safe(_body(finding))
    if finding.severity >= fail_on:
        message = xml_safe(finding.message)
        failure = ET.SubElement(case, "failure", message=message, type=finding.severity.label)
        failure.text = body
    else:
        ET.SubElement(case, "system-out").text = body
    return case


def case_name(finding: Finding) -> str:
    """The rule id and where: ``host-lowercase at 3:5``, or ``... (whole file)``."""
    if finding.line <= 0:
        return f"{finding.rule_id} (whole file)"
    where = f"{finding.line}:{finding.column}" if finding.column > 0 else str(finding.line)
    return f"{finding.rule_id} at {where}"


def _body(finding: Finding) -> str:
    lines = [f"{finding.severity.label}: {finding.message}"]
    if finding.hint:
        lines.append(f"hint: {finding.hint}")
    if finding.json_path:
        lines.append(f"at: {finding.json_path}")
    where = f":{finding.line}:{finding.column}" if finding.line > 0 else ""
    lines.append(f"file: {finding.path}{where}")
    return "\n".join(lines)


def _clean_suite(clean: int) -> ET.Element:
    suite = ET.Element("testsuite", name="karsgit")
    noun = "file" if clean == 1 else "files"
    ET.SubElement(suite, "testcase", name=f"{clean} {noun} without findings", classname="karsgit")
    _set_counts(suite, 1, 0)
    return suite


def _count(root: ET.Element, suites: list[ET.Element]) -> None:
    tests = sum(int(s.get("tests", "0")) for s in suites)
    failures = sum(int(s.get("failures", "0")) for s in suites)
    _set_counts(root, tests, failures)


def _set_counts(element: ET.Element, tests: int, failures: int) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 cannot carry by a visible ``\\xNN``/``\\uNNNN`` escape."""
    return _NOT_XML.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
