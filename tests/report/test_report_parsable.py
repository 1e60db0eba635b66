"""The parsable format: yamllint's ``path:line:col: [level] message (rule)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from karsgit.findings import Finding
from karsgit.report import ReportData, render


def test_sample(sample: ReportData) -> None:
    assert render("parsable", sample) == (
        "sandboxes/db.yaml:3:5: [info] KarsSandbox kars-system/db adds egress to"
        " db.internal:5432 (egress-widened)\n"
        "sandboxes/web.yaml:0:0: [warning] symbolic link points outside the repository (to"
        " '/etc/web.yaml'); not followed (unsafe-path)\n"
        "sandboxes/web.yaml:7:11: [error] host 'API.github.com' is not lowercase"
        " (host-case)\n"
    )


def test_empty_prints_nothing(empty: ReportData) -> None:
    assert render("parsable", empty) == ""


def test_one_finding_stays_on_one_line(make: Callable[..., ReportData], host: Finding) -> None:
    finding = replace(host, message="value 'a\r\nb' spans lines\x00", path="dir with space/ü.yaml")
    assert render("parsable", make(finding)) == (
        "dir with space/ü.yaml:7:11: [error] value 'a\\r\\nb' spans lines\\x00 (host-case)\n"
    )
