"""include/exclude globs match in linear time (issue 10, item 13) and mean what
they meant: ``**/`` any directories, ``**`` anything, ``*`` and ``?`` one segment."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from karsgit.source.discover import matches
from karsgit.source.globs import GlobSet
from tests.support.repos import Repo, sandbox

EVIL = "/".join(["**"] * 12) + "/*.yaml"


def reference(pattern: str) -> re.Pattern[str]:
    """The glob as a backtracking regular expression: an independent oracle."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z", re.DOTALL)


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("a.yaml", "**/*.yaml", True),
        ("x/y/a.yaml", "**/*.yaml", True),
        ("x/y/a.yml", "**/*.yaml", False),
        (".kars/bundles/a/b/allowlist.yaml", ".kars/**", True),
        ("a/node_modules/b/c.yaml", "**/node_modules/**", True),
        ("node_modules/c.yaml", "**/node_modules/**", True),
        ("clusters/prod/legacy/a.yaml", "clusters/**/legacy/**", True),
        ("clusters/legacy/a.yaml", "clusters/**/legacy/**", True),
        ("clusters/a/b.yaml", "clusters/*.yaml", False),
        ("clusters/b.yaml", "clusters/?.yaml", True),
        ("clusters/bb.yaml", "clusters/?.yaml", False),
        ("a/b/c/d.yaml", EVIL, True),
        ("d.yaml", EVIL, True),
        ("a/b/c/d.yml", EVIL, False),
    ],
)
def test_table(path: str, pattern: str, expected: bool) -> None:
    assert matches(path, (pattern,)) is expected


SEGMENT = st.text("ab.*?", min_size=0, max_size=4)
PATTERN = st.lists(st.one_of(SEGMENT, st.just("**")), min_size=1, max_size=5).map("/".join)
PATH = st.lists(st.text("ab.", min_size=1, max_size=4), min_size=1, max_size=5).map("/".join)


@given(st.lists(PATTERN, min_size=1, max_size=3), PATH)
def test_agrees_with_the_backtracking_reference(patterns: list[str], path: str) -> None:
    expected = any(reference(p).match(path) for p in patterns)
    assert GlobSet(patterns).match(path) is expected


def test_twelve_double_stars_cost_one_step_per_character(monkeypatch) -> None:
    # The regex took time exponential in the number of '**' for a path that does
    # not match; the automaton computes at most one step per character.
    steps = []
    original = GlobSet._step

    def counted(self: GlobSet, state: int, char: str) -> int:
        steps.append(char)
        return original(self, state, char)

    monkeypatch.setattr(GlobSet, "_step", counted)
    path = "d/" * 200 + "x.yml"
    assert GlobSet((EVIL,)).match(path) is False
    assert len(steps) <= len(path)


def test_check_with_the_glob_finishes_and_reports(repo: Repo, karsgit) -> None:
    repo.write(".karsgit.yaml", f"include: ['{EVIL}']\n")
    repo.write("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/agent.yaml", sandbox().replace("api.", "API."))
    repo.write("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/notes.txt", "x\n")
    repo.commit("deep")
    done = karsgit("check")
    assert done.code == 1
    assert "(host-case)" in done.out
