"""Where a ``karsgit check`` spends its time, per stage, in one process.

    python benchmarks/profile_check.py CORPUS_DIR [--files N]

Runs the check pipeline's stages by hand on the corpus files (one core, no
worker pool) and prints the cost per file of each: read + YAML load, schema,
object extraction, per-document rules, then the repository-wide rules once.
Complements ``python -X importtime`` (import cost) and cProfile (call detail);
see docs/benchmarks.md. Uses karsgit internals, so it may need updating when
the pipeline changes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class Clock:
    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def run(self, stage: str, func: Callable[..., T], *args: Any) -> T:
        start = time.perf_counter()
        try:
            return func(*args)
        finally:
            self.spent[stage] = self.spent.get(stage, 0.0) + time.perf_counter() - start


def corpus_files(corpus: Path, limit: int) -> list[tuple[str, str]]:
    out = subprocess.run(["git", "ls-files", "*.yaml"], cwd=corpus, capture_output=True, text=True)
    names = [n for n in out.stdout.splitlines() if n][:limit]
    return [(str(corpus / n), n) for n in names]


def _drain(items: Iterable[Any]) -> int:
    return sum(1 for _ in items)


def profile(corpus: Path, limit: int) -> tuple[Clock, int, int]:
    from karsgit import schema
    from karsgit.rules import engine
    from karsgit.settings import load_settings
    from karsgit.source.extract import to_object
    from karsgit.source.load import ReadLimits, iter_kars_documents, load_file

    settings = load_settings(corpus)
    clock, objects, files = Clock(), [], corpus_files(corpus, limit)
    for abspath, rel in files:
        loaded = clock.run("read + load", load_file, abspath, rel, ReadLimits(10**7))
        clock.run("text rules", _drain, engine.text_hits(loaded.text or ""))
        for doc in iter_kars_documents(loaded):
            clock.run("schema", _drain, schema.validate_document(doc))
            obj: Any = clock.run("extract", to_object, doc)
            clock.run("document rules", _drain, engine.document_hits(doc, obj, settings))
            objects.append(obj)
    context = engine.RepoContext(settings, [o for o in objects if o is not None])
    clock.run("repo rules (once)", _drain, engine.repo_hits(context))
    return clock, len(files), len(objects)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--files", type=int, default=2000, help="files to profile (2000)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    clock, files, docs = profile(args.corpus.resolve(), args.files)
    total = sum(clock.spent.values())
    print(f"{files} files, {docs} kars documents, {total:.2f} s in stages")
    for stage, spent in clock.spent.items():
        share = spent / total * 100 if total else 0.0
        print(f"  {stage:18} {spent:7.3f} s  {spent / files * 1e6:8.0f} us/file  {share:5.1f} %")
    print(f"wall (incl. imports and settings): {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
