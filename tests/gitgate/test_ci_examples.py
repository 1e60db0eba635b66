"""The CI examples in docs/ parse as YAML and only run karsgit commands that exist."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.support.gitgate import run
from tests.support.repos import ROOT

EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yml"))


def _scripts(node: object) -> list[str]:
    if isinstance(node, dict):
        out = [v for k, v in node.items() if k in ("run", "script") and isinstance(v, str)]
        out += [s for k, v in node.items() if k == "script" and isinstance(v, list) for s in v]
        return out + [s for v in node.values() for s in _scripts(v)]
    if isinstance(node, list):
        return [s for v in node for s in _scripts(v)]
    return []


def _commands() -> set[str]:
    found = set()
    for path in EXAMPLES:
        for script in _scripts(yaml.safe_load(path.read_text())):
            found.update(re.findall(r"\bkarsgit ([a-z]+)", script))
    return found


def test_examples_parse_and_run_karsgit():
    assert [p.name for p in EXAMPLES] == ["github-actions.yml", "gitlab-ci.yml"]
    assert {"check", "compile", "verify", "diff"} <= _commands()


@pytest.mark.parametrize("command", sorted(_commands()))
def test_each_command_exists(command, tmp_path):
    done = run(tmp_path, "karsgit", command, "--help")
    assert done.returncode == 0, done.stderr


def test_ci_doc_embeds_the_examples():
    doc = (ROOT / "docs" / "ci.md").read_text()
    for path in EXAMPLES:
        assert path.read_text().strip() in doc, path.name
