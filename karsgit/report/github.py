"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` a finding.

GitHub turns each into an annotation on the pull request's diff. Escaping follows
the Actions toolkit: ``%``, CR and LF in the message; also ``:`` and ``,`` in the
``key=value`` properties, where they would end a value early.
"""

from __future__ import annotations

from karsgit.findings import Finding, Severity
from karsgit.report.base import ReportData

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_DATA_ESCAPES = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_PROPERTY_ESCAPES = (*_DATA_ESCAPES, (":", "%3A"), (",", "%2C"))


def render(data: ReportData) -> str:
    return "".join(command(finding) + "\n" for finding in data.visible())


def command(finding: Finding) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in _properties(finding))
    text = finding.message if not finding.hint else f"{finding.message}\n{finding.hint}"
    return f"::{_COMMAND[finding.severity]} {props}::{escape_data(text)}"


def _properties(finding: Finding) -> list[tuple[str, str]]:
    props = [("file", finding.path)]
    if finding.line > 0:
        props.append(("line", str(finding.line)))
        if finding.column > 0:
            props.append(("col", str(finding.column)))
    props.append(("title", finding.rule_id))
    return props


def escape_data(text: str) -> str:
    return _replace_all(text, _DATA_ESCAPES)


def escape_property(text: str) -> str:
    return _replace_all(text, _PROPERTY_ESCAPES)


def _replace_all(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text
