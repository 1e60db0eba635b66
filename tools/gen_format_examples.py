"""Regenerate the example outputs in docs/formats.md from real runs of karsgit on
fixtures/example-repo (tests/test_docs_examples.py keeps them in sync).

Each example follows a marker ``<!-- real output: karsgit ARGS -->``; the fenced
block after it is replaced by what that command prints, run in a fresh git
repository holding a copy of the example repository.

Usage: python tools/gen_format_examples.py [--check]
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "formats.md"
EXAMPLE = ROOT / "fixtures" / "example-repo"
MARKER = re.compile(r"<!-- real output: karsgit (.+?) -->\n```(\w*)\n(.*?)```", re.S)
GIT_ENV = {"GIT_AUTHOR_NAME": "docs", "GIT_AUTHOR_EMAIL": "docs@example.invalid",
           "GIT_COMMITTER_NAME": "docs", "GIT_COMMITTER_EMAIL": "docs@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1"}  # fmt: skip


def run(repo: Path, args: list[str]) -> str:
    """One karsgit run; ``| sarif-result RULE`` keeps the one SARIF result shown."""
    pick = None
    if "|" in args:
        args, pick = args[: args.index("|")], args[args.index("|") + 2]
    done = subprocess.run(
        [sys.executable, "-m", "karsgit", *args],
        cwd=repo, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    if pick is None:
        return done.stdout
    results = json.loads(done.stdout)["runs"][0]["results"]
    (result,) = [r for r in results if r["ruleId"] == pick]
    return json.dumps(result, indent=2) + "\n"


def render(text: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "example-repo"
        shutil.copytree(EXAMPLE, repo)
        env = {**os.environ, **GIT_ENV}
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)

        def block(match: re.Match[str]) -> str:
            command, lang = match.group(1), match.group(2)
            output = run(repo, shlex.split(command))
            return f"<!-- real output: karsgit {command} -->\n```{lang}\n{output}```"

        return MARKER.sub(block, text)


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in argv:
        return 0 if fresh == current else 1
    DOC.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
