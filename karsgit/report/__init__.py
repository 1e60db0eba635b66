"""Report formats: turn a run's findings into text for people, editors and CI.

Each format lives in its own module, imported only when asked for, so that the
pre-commit hook path (text) never pays for json, hashlib or xml machinery.
"""

from __future__ import annotations

from karsgit.errors import UsageError
from karsgit.report.base import ReportData, counts, printable

__all__ = ["FORMATS", "ReportData", "counts", "printable", "render"]

FORMATS: tuple[str, ...] = ("text", "parsable", "json", "github", "sarif", "junit")


def render(fmt: str, data: ReportData, *, color: bool = False) -> str:
    """Render ``data`` in format ``fmt`` (one of ``FORMATS``); ``color`` is for text only."""
    if fmt == "text":
        from karsgit.report import text

        return text.render(data, color=color)
    if fmt == "parsable":
        from karsgit.report import parsable

        return parsable.render(data)
    if fmt == "json":
        from karsgit.report import json_report

        return json_report.render(data)
    if fmt == "github":
        from karsgit.report import github

        return github.render(data)
    if fmt == "sarif":
        from karsgit.report import sarif

        return sarif.render(data)
    if fmt == "junit":
        from karsgit.report import junit

        return junit.render(data)
    raise UsageError(f"unknown report format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
