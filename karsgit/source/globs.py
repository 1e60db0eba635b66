"""Glob matching for ``include``/``exclude`` in time linear in the path's length.

``**/`` matches any number of directories, ``**`` elsewhere anything, ``*`` and
``?`` stay within one path segment; everything else is literal. A backtracking
regular expression takes time exponential in the number of ``**`` (12 of them
hung ``check`` for over a minute, issue 10, item 13), so the patterns are run as
one automaton instead: the set of pattern positions a path prefix can reach,
advanced one character at a time. Each (set, character) step is computed once
and cached, and so is each (set, directory name) step: a repository's paths
cost about one dictionary lookup per directory and per character of the file
name (10,000 paths: about 2x the time of one backtracking regular expression).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

_LITERAL, _ONE, _STAR, _ANY, _DIRS, _END = range(6)
_CACHE_LIMIT = 1 << 16


def _tokens(pattern: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            # nothing, or anything ending in '/': a branch, then '**' and '/'
            out += [(_DIRS, ""), (_ANY, ""), (_LITERAL, "/")]
            i += 3
        elif pattern.startswith("**", i):
            out.append((_ANY, ""))
            i += 2
        elif pattern[i] in "*?":
            out.append((_STAR if pattern[i] == "*" else _ONE, ""))
            i += 1
        else:
            out.append((_LITERAL, pattern[i]))
            i += 1
    return out


class GlobSet:
    """Matches a path against any of several globs (the whole path, not a prefix)."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self._kinds: list[tuple[int, str]] = []
        starts = []
        self._accept = 0
        for pattern in patterns:
            starts.append(len(self._kinds))
            self._kinds += _tokens(pattern)
            self._accept |= 1 << len(self._kinds)
            self._kinds.append((_END, ""))
        self._closure = self._closures()
        self._start = 0
        for start in starts:
            self._start |= self._closure[start]
        self._steps: dict[int, dict[str, int]] = {}
        self._segments: dict[tuple[int, str], int] = {}

    def _closures(self) -> list[int]:
        """Per position: itself and every position reachable without a character."""
        closure = [0] * (len(self._kinds) + 1)
        for i in range(len(self._kinds) - 1, -1, -1):
            kind = self._kinds[i][0]
            closure[i] = 1 << i
            if kind in (_STAR, _ANY, _DIRS):
                closure[i] |= closure[i + 1]
            if kind == _DIRS:
                closure[i] |= closure[i + 3]
        return closure

    def _step(self, state: int, char: str) -> int:
        out = 0
        while state:
            low = state & -state
            state ^= low
            i = low.bit_length() - 1
            kind, literal = self._kinds[i]
            if (kind == _LITERAL and char == literal) or (kind == _ONE and char != "/"):
                out |= self._closure[i + 1]
            elif kind == _ANY or (kind == _STAR and char != "/"):
                out |= self._closure[i]
        return out

    def match(self, path: str) -> bool:
        state = self._start
        if len(self._segments) > _CACHE_LIMIT or len(self._steps) > _CACHE_LIMIT:
            self._segments.clear()
            self._steps.clear()
        *directories, name = path.split("/")
        # Directory names repeat across a repository's paths: one lookup each.
        for directory in directories:
            key = (state, directory)
            following = self._segments.get(key)
            if following is None:
                following = self._segments[key] = self._run(state, directory + "/")
            state = following
            if not state:
                return False
        return bool(self._run(state, name) & self._accept)

    def _run(self, state: int, text: str) -> int:
        steps = self._steps
        for char in text:
            table = steps.get(state)
            if table is None:
                table = steps[state] = {}
            following = table.get(char)
            if following is None:
                following = table[char] = self._step(state, char)
            state = following
            if not state:
                return 0
        return state


@cache
def glob_set(patterns: tuple[str, ...]) -> GlobSet:
    return GlobSet(patterns)
