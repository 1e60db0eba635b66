"""Every GitHub Actions workflow in the docs passes actionlint (which also flags
actions whose runtime GitHub deprecated, e.g. node20 in checkout@v4)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.repos import ROOT

ACTIONLINT = str(Path(sys.executable).parent / "actionlint")


def _workflows() -> list[tuple[str, str]]:
    found = [
        (
            "docs/examples/github-actions.yml",
            (ROOT / "docs/examples/github-actions.yml").read_text(),
        )
    ]
    for doc in sorted((ROOT / "docs").glob("*.md")):
        blocks = re.findall(r"```yaml\n(.*?)```", doc.read_text(), flags=re.S)
        for n, block in enumerate(blocks, 1):
            if "uses: actions/" in block or "runs-on:" in block:
                found.append((f"docs/{doc.name} (yaml block {n})", block))
    return found


def test_every_actions_snippet_is_a_whole_workflow() -> None:
    for name, text in _workflows():
        assert re.search(r"^on:", text, flags=re.M), f"{name} is a fragment, not a workflow"
        assert re.search(r"^jobs:", text, flags=re.M), f"{name} is a fragment, not a workflow"


@pytest.mark.parametrize(("name", "text"), _workflows(), ids=[n for n, _ in _workflows()])
def test_actionlint_passes(name: str, text: str, tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "karsgit.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(text)
    done = subprocess.run(
        [ACTIONLINT, "-no-color", str(workflow)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{name}:\n{done.stdout}{done.stderr}"


def test_actionlint_flags_a_deprecated_runtime(tmp_path: Path) -> None:
    """The linter is really looking: checkout@v4 runs on node20."""
    old = (ROOT / "docs/examples/github-actions.yml").read_text()
    workflow = tmp_path / "old.yml"
    workflow.write_text(old.replace("actions/checkout@v5", "actions/checkout@v4"))
    done = subprocess.run([ACTIONLINT, "-no-color", str(workflow)], capture_output=True, text=True)
    assert done.returncode == 1
    assert 'runtime "node20" is deprecated' in done.stdout
