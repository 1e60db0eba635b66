"""Regenerate the example outputs in docs/formats.md (real runs of karsgit on
fixtures/example-repo) and docs/diff.md (a real run on the scenario built below);
tests/test_docs_examples.py keeps them in sync.

Each formats.md example follows a marker ``<!-- real output: karsgit ARGS -->``;
the fenced block after it is replaced by what that command prints, run in a
fresh git repository holding a copy of the example repository. diff.md's example
sits between ``<!-- real output: diff scenario -->`` and ``<!-- end -->``.

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
DIFF_DOC = ROOT / "docs" / "diff.md"
DIFF_BLOCK = re.compile(r"(<!-- real output: diff scenario -->\n)(.*?)(<!-- end -->)", re.S)
EXAMPLE = ROOT / "fixtures" / "example-repo"
MARKER = re.compile(r"<!-- real output: karsgit (.+?) -->\n```(\w*)\n(.*?)```", re.S)
GIT_ENV = {"GIT_AUTHOR_NAME": "docs", "GIT_AUTHOR_EMAIL": "docs@example.invalid",
           "GIT_COMMITTER_NAME": "docs", "GIT_COMMITTER_EMAIL": "docs@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_DATE": "2026-11-23T22:28:00Z",
           "GIT_COMMITTER_DATE": "2026-11-23T22:28:00Z"}  # fmt: skip
SANDBOX = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: {name}
  namespace: kars-system
spec:
  networkPolicy:
    egressMode: {mode}
    allowedEndpoints:
{entries}"""
APPROVAL = """\
apiVersion: kars.azure.com/v1alpha1
kind: EgressApproval
metadata:
  name: temp
  namespace: kars-system
spec:
  sandbox: agent
  hosts:
    - host: pyindex.org
      port: 443
  ttl: PT2H
  reason: install deps
"""


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


def _sandbox(name: str, mode: str, *hosts: str) -> str:
    entries = "".join(f"      - host: {h}\n        port: 443\n" for h in hosts)
    return SANDBOX.format(name=name, mode=mode, entries=entries)


def render_diff(text: str) -> str:
    """A branch that adds endpoints to a compiled Strict sandbox without compiling,
    adds an approval, and turns a Learn sandbox Strict: the markdown PR comment."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "gitops"
        env = {**os.environ, **GIT_ENV, "NO_COLOR": "1"}

        def sh(*argv: str) -> str:
            done = subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True)
            return done.stdout

        def write(rel: str, body: str) -> None:
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_text(body)

        repo.mkdir()
        sh("git", "init", "-q", "-b", "main")
        write(".karsgit.yaml", "bundles:\n  registry: registry.example.test\n")
        write("apps/agent.yaml", _sandbox("agent", "Strict", "api.github.com"))
        write("apps/coder.yaml", _sandbox("coder", "Learn", "api.github.com"))
        sh(sys.executable, "-m", "karsgit", "compile")
        sh("git", "add", "-A")
        sh("git", "commit", "-q", "-m", "base")
        sh("git", "checkout", "-q", "-b", "feature")
        agent = (repo / "apps/agent.yaml").read_text()
        extra = "".join(
            f"      - host: {h}\n        port: 443\n"
            for h in ("github.io", "pyindex.org", "uploads.github.com")
        )
        write("apps/agent.yaml", agent.replace("    allowlistRef:", extra + "    allowlistRef:"))
        write("apps/temp.yaml", APPROVAL)
        write("apps/coder.yaml", _sandbox("coder", "Strict", "dev.azure.com"))
        output = sh(sys.executable, "-m", "karsgit", "diff", "--format", "markdown")
    return DIFF_BLOCK.sub(lambda m: m.group(1) + "\n" + output + "\n" + m.group(3), text)


def main(argv: list[str]) -> int:
    stale = False
    for doc, renderer in ((DOC, render), (DIFF_DOC, render_diff)):
        current = doc.read_text(encoding="utf-8")
        fresh = renderer(current)
        stale = stale or fresh != current
        if "--check" not in argv:
            doc.write_text(fresh, encoding="utf-8")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
