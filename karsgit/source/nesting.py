"""Nesting depth, bounded before libyaml's C composer runs.

PyYAML's C composer recurses once per nesting level and has no limit of its own.
libyaml builds with a nesting limit refuse 1000 levels while scanning; against a
build without one, 100,000 levels of ``[`` overflow the C stack (SIGSEGV, no
output). So where the limit is missing, and only for a text that could nest
that deep, the depth is measured first with libyaml's parser (events, no
recursion).
"""

from __future__ import annotations

from functools import cache

import yaml

# Levels the C composer survives with room to spare (libyaml's own limit).
SAFE_LEVELS = 1000


def too_deep(text: str, limit: int) -> tuple[int, int] | None:
    """1-based (line, column) where ``text`` nests deeper than ``limit``, when the
    composer could not be trusted with it; None otherwise."""
    if _shallow(text) or _libyaml_limits_nesting():
        return None
    return measure(text, limit)


def _shallow(text: str) -> bool:
    """Block levels need growing columns (two levels per column at most) and flow
    levels a bracket each (two with an implicit pair): the depth is at most twice
    the widest line plus twice the brackets."""
    if len(text) < SAFE_LEVELS:
        return True
    bound = SAFE_LEVELS // 4 - 1
    if text.count("[") + text.count("{") >= bound:
        return False
    # split, not a regex: a search for a wide line cost ~80 us per file (benchmarks/)
    return max(map(len, text.split("\n"))) < bound


@cache
def _libyaml_limits_nesting() -> bool:
    levels = SAFE_LEVELS + 1
    try:
        yaml.compose("[" * levels + "]" * levels, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return True
    return False


def measure(text: str, limit: int) -> tuple[int, int] | None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                mark = event.start_mark
                if depth > limit and mark is not None:
                    return mark.line + 1, mark.column + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        if error.problem == "exceeded maximum nesting depth" and mark is not None:
            return mark.line + 1, mark.column + 1
        return None  # the composer reports it, no deeper than measured here
    return None
