"""Every rule's Fails and Passes examples, run through the real CLI in a git repository.

The examples are the family docstrings that docs/rules.md is generated from; the
block labels that set an example up are described at the top of that page.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from karsgit.rules import catalog, family_modules
from karsgit.rules.ruledocs import Block, Part, RuleDoc, family_doc
from tests.support.cli import Result, Run
from tests.support.repos import GIT_ENV, ROOT, git

DOCS: dict[str, RuleDoc] = {
    rule_id: doc for module in family_modules() for rule_id, doc in family_doc(module).rules.items()
}
CASES = [(rule_id, side) for rule_id in catalog() for side in ("fails", "passes")]
_ID = re.compile(r"\(([a-z0-9-]+)\)$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*=")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")

# The commands whose findings an example is judged by; others only set it up.
REPORTING = ("check", "verify")


def _write(root: Path, block: Block) -> None:
    path, escaped, encoding = "manifest.yaml", False, "utf-8"
    for word in block.info:
        if word == "escaped":
            escaped = True
        elif word.startswith("encoding="):
            encoding = word.partition("=")[2]
        elif "=" in word:
            raise AssertionError(f"unknown block option {word!r}")
        else:
            path = word
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), block.text) if escaped else block.text
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode(encoding))


def _command(root: Path, line: str, karsgit: Run, monkeypatch: pytest.MonkeyPatch) -> Result | None:
    words = shlex.split(line)
    env = {}
    while words and _ENV.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if words[0] != "karsgit":
        subprocess.run(words, cwd=root, check=True, env={**os.environ, **GIT_ENV, **env})
        return None
    with monkeypatch.context() as scoped:
        for name, value in env.items():
            scoped.setenv(name, value)
        if words[1] not in REPORTING:
            done = karsgit(*words[1:])
            assert done.code == 0, f"{line}: exit {done.code}: {done.err}"
            return None
        return karsgit(*words[1:], "-f", "parsable")


def run_example(
    root: Path, parts: tuple[Part, ...], karsgit: Run, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, set[str]]:
    """Apply the blocks in order; the rule ids the last karsgit command reported."""
    result = None
    for block in (part for part in parts if isinstance(part, Block)):
        if block.lang != "console":
            _write(root, block)
            continue
        for line in block.text.splitlines():
            if line.startswith("$ "):
                result = _command(root, line[2:], karsgit, monkeypatch) or result
    if result is None:
        result = karsgit("check", "-f", "parsable")
    lines = result.out.splitlines()
    return result.code, {m.group(1) for m in map(_ID.search, lines) if m}


def test_every_rule_has_runnable_examples() -> None:
    assert sorted(set(catalog()) - set(DOCS)) == []
    for rule_id, doc in DOCS.items():
        for side in (doc.fails, doc.passes):
            assert any(isinstance(part, Block) for part in side), rule_id
        assert doc.what and doc.fix, rule_id


def _without_privileges(root: Path) -> tuple[int, set[str]]:
    """``karsgit check`` as root without capabilities (util-linux ``setpriv``): root
    reads any file, so a ``chmod 000`` example needs a run that permissions bind."""
    unprivileged = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--"]
    done = subprocess.run(
        [*unprivileged, sys.executable, "-m", "karsgit", "check", "-f", "parsable"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **GIT_ENV},
    )
    return done.returncode, {m.group(1) for m in map(_ID.search, done.stdout.splitlines()) if m}


def _tested_by(parts: tuple[Part, ...]) -> str | None:
    """``tested-by=FILE::TEST`` on a block: the example needs a server (a real
    registry), so the named test runs it; here we hold the reference true."""
    for part in parts:
        if isinstance(part, Block):
            for word in part.info:
                if word.startswith("tested-by="):
                    return word.partition("=")[2]
    return None


@pytest.mark.parametrize(("rule_id", "side"), CASES, ids=[f"{r}-{s}" for r, s in CASES])
def test_example(
    rule_id: str,
    side: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    karsgit: Run,
) -> None:
    parts = getattr(DOCS[rule_id], side)
    reference = _tested_by(parts)
    if reference is not None:
        path, _, name = reference.partition("::")
        source = (ROOT / path).read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"{rule_id} {side}: {reference} does not exist"
        assert side == "passes" or rule_id in source.split(f"def {name}(", 1)[1].split("\ndef ")[0]
        return
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    monkeypatch.chdir(root)
    assert any(isinstance(part, Block) for part in parts), f"{rule_id}: no {side} example to run"
    code, reported = run_example(root, parts, karsgit, monkeypatch)
    if rule_id == "unreadable" and os.geteuid() == 0:
        code, reported = _without_privileges(root)
    assert code in (0, 1), f"{rule_id} {side}: exit {code}"
    if side == "fails":
        assert rule_id in reported, sorted(reported)
    else:
        assert rule_id not in reported, sorted(reported)
