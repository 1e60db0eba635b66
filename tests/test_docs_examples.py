"""Example outputs in the docs are real runs: regenerated and compared."""

from __future__ import annotations

import importlib.util

from tests.support.repos import ROOT


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_format_examples", ROOT / "tools/gen_format_examples.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_formats_md_examples_are_real_output() -> None:
    on_disk = (ROOT / "docs/formats.md").read_text(encoding="utf-8")
    assert on_disk.count("<!-- real output: karsgit ") == 6
    assert _generator().render(on_disk) == on_disk, (
        "docs/formats.md examples are stale: run python tools/gen_format_examples.py"
    )


def test_the_text_example_shows_every_finding_of_the_run() -> None:
    """The defect this guards against: a hand-made 'real output' missing a finding."""
    doc = (ROOT / "docs/formats.md").read_text(encoding="utf-8")
    text = doc.split("## text", 1)[1].split("```\n", 2)[1]
    assert "(yaml-ambiguous-scalar)" in text
    assert "3 errors, 0 warnings in 1 file (1 file checked)" in text


def test_diff_md_example_is_a_real_run() -> None:
    on_disk = (ROOT / "docs/diff.md").read_text(encoding="utf-8")
    assert "<!-- real output: diff scenario -->" in on_disk
    assert _generator().render_diff(on_disk) == on_disk, (
        "docs/diff.md example is stale: run python tools/gen_format_examples.py"
    )
    assert "**stale**" in on_disk and "**missing**" in on_disk
