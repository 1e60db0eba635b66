"""Properties over arbitrary text: every format renders, and stays well-formed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from karsgit.findings import Finding, Severity
from karsgit.report import FORMATS, ReportData, render
from karsgit.rules import catalog

texts = st.text(max_size=40)
findings = st.builds(
    Finding,
    rule_id=st.sampled_from(sorted(catalog())),
    severity=st.sampled_from(list(Severity)),
    path=st.text(min_size=1, max_size=20),
    line=st.integers(0, 10_000),
    column=st.integers(0, 500),
    message=st.text(min_size=1, max_size=40),
    hint=texts,
    json_path=texts,
)


def run(items: list[Finding]) -> ReportData:
    return ReportData(
        items, files_checked=len(items) + 1, objects_checked=0, rules={}, tool_version="0"
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(findings, max_size=5))
def test_every_format_renders_anything(items: list[Finding]) -> None:
    # Whatever the text, no format raises, and each names the rule of every finding.
    for fmt in FORMATS:
        out = render(fmt, run(items))
        assert isinstance(out, str)
        for item in items:
            assert item.rule_id in out, (fmt, item.rule_id)


@settings(max_examples=60, deadline=None)
@given(st.lists(findings, max_size=5))
def test_machine_formats_stay_well_formed(items: list[Finding]) -> None:
    data = run(items)
    assert len(json.loads(render("json", data))["findings"]) == len(items)
    assert len(json.loads(render("sarif", data))["runs"][0]["results"]) == len(items)
    ET.fromstring(render("junit", data))
    assert render("parsable", data).count("\n") == len(items)
    assert render("github", data).count("\n") == len(items)
