"""Glob matching: the linear automaton (karsgit.source.globs) against the
backtracking regular expression it replaced, on one machine in one run.

Usage: python benchmarks/globs.py [--paths N] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time

from karsgit.source.globs import GlobSet

INCLUDE = ("**/*.yaml", "**/*.yml")
DIRS = ("clusters", "prod", "staging", "apps", "base", "overlays", "team-a", "kars")


def regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for pattern in patterns:
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            elif pattern[i] in "*?":
                out, i = out + ("[^/]*" if pattern[i] == "*" else "[^/]"), i + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        parts.append(f"(?:{out}\\Z)")
    return re.compile("|".join(parts))


def paths(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        parts = [rng.choice(DIRS) for _ in range(rng.randint(1, 5))]
        out.append("/".join(parts) + f"/file{i}." + rng.choice(("yaml", "yml", "json", "md")))
    return out


def timed(run: object, runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    listed = paths(args.paths, args.seed)
    compiled, automaton = regex(INCLUDE), GlobSet(INCLUDE)
    assert [compiled.match(p) is not None for p in listed] == [automaton.match(p) for p in listed]
    old = timed(lambda: [compiled.match(p) for p in listed])
    new = timed(lambda: [automaton.match(p) for p in listed])
    print(f"{args.paths} paths, include {INCLUDE}: regex {old:.1f} ms, automaton {new:.1f} ms")
    evil = "/".join(["**"] * 12) + "/*.yaml"
    deep = "d/" * 26 + "notes.txt"
    one = timed(lambda: GlobSet((evil,)).match(deep), runs=3)
    print(f"12 '**' segments, one non-matching {len(deep)}-char path: automaton {one:.2f} ms")
    print("(the regex is not timed on it: it runs for minutes)")


if __name__ == "__main__":
    main()
