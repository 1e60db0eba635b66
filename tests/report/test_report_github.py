"""GitHub Actions workflow commands, with the toolkit's escaping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from karsgit.findings import Finding, Severity
from karsgit.report import ReportData, render


def test_sample(sample: ReportData) -> None:
    assert render("github", sample) == (
        "::notice file=sandboxes/db.yaml,line=3,col=5,title=egress-widened::"
        "KarsSandbox kars-system/db adds egress to db.internal:5432\n"
        "::warning file=sandboxes/web.yaml,title=unsafe-path::"
        "symbolic link points outside the repository (to '/etc/web.yaml'); not"
        " followed%0Acommit the manifest itself instead of a link to it\n"
        "::error file=sandboxes/web.yaml,line=7,col=11,title=host-case::"
        "host 'API.github.com' is not lowercase%0Awrite 'api.github.com'\n"
    )


def test_empty_prints_nothing(empty: ReportData) -> None:
    assert render("github", empty) == ""


def test_message_escaping(make: Callable[..., ReportData], host: Finding) -> None:
    finding = replace(host, message="100% of 'a\r\nb': x, y", hint="use %0A literally")
    assert render("github", make(finding)) == (
        "::error file=sandboxes/web.yaml,line=7,col=11,title=host-case::"
        "100%25 of 'a%0D%0Ab': x, y%0Ause %250A literally\n"
    )


def test_property_escaping(make: Callable[..., ReportData], host: Finding) -> None:
    finding = replace(host, path="a,b/c:d%e\nf.yaml", severity=Severity.WARNING, hint="")
    assert render("github", make(finding)) == (
        "::warning file=a%2Cb/c%3Ad%25e%0Af.yaml,line=7,col=11,title=host-case::"
        "host 'API.github.com' is not lowercase\n"
    )


def test_line_without_column(make: Callable[..., ReportData], host: Finding) -> None:
    finding = replace(host, column=0, hint="", message="ünïcode ☕")
    assert render("github", make(finding)) == (
        "::error file=sandboxes/web.yaml,line=7,title=host-case::ünïcode ☕\n"
    )
