"""Docs are part of the feature: the CLI reference matches --help."""

from __future__ import annotations

import importlib.util

from tests.support.repos import ROOT


def _generator():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "tools/gen_cli_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_matches_help() -> None:
    generated = _generator().render()
    on_disk = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    assert on_disk == generated, "docs/cli.md is stale: run python tools/gen_cli_docs.py"


def test_readme_quickstart_has_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```sh\n")[1:]
    assert len(blocks) == 2
    assert "karsgit check fixtures/example-repo" in blocks[0]
    assert "pytest" in blocks[1]
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert blocks[1].split("```")[0].strip().replace("npm ci --silent", "npm ci --silent") in ci
