"""The check pipeline: discover -> load -> schema -> rules -> findings.

Never prints, never exits: it returns values for the CLI to report. Large runs
use both cores (measured in benchmarks/); the hook path stays in one process.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from karsgit import workers
from karsgit.errors import KarsgitError
from karsgit.findings import Finding, sort_findings
from karsgit.rules import engine
from karsgit.rules.base import RepoContext
from karsgit.rules.engine import file_hits
from karsgit.settings import Settings
from karsgit.source.discover import STDIN_NAME, Discovery, discover
from karsgit.source.load import ReadLimits, holds_nothing, load_file
from karsgit.source.objects import Approval, KarsObject

if TYPE_CHECKING:
    from karsgit.render.kustomize import Output
    from karsgit.render.stage import Stage

PARALLEL_THRESHOLD = workers.PARALLEL_THRESHOLD


@dataclass
class FileOutcome:
    path: str
    findings: list[Finding] = field(default_factory=list)
    objects: list[KarsObject] = field(default_factory=list)
    text: str | None = None
    empty: bool = False  # no YAML document at all (an empty stream is a failed producer)


@dataclass
class CheckResult:
    findings: list[Finding]
    files_checked: int
    objects: list[KarsObject]
    texts: dict[str, str] = field(default_factory=dict)
    # each kustomization root this check rendered (karsgit.render), by its folder
    renders: dict[str, Output] = field(default_factory=dict)


def check_file(abspath: str, relpath: str, settings: Settings) -> FileOutcome:
    loaded = load_file(abspath, relpath, ReadLimits(settings.max_file_bytes))
    hits, objects = file_hits(loaded, settings)
    # Suppressions are applied here, in the worker: shipping every file's text back
    # to the parent cost more than checking it (benchmarks/, 10,000 sandboxes).
    texts = {relpath: loaded.text} if loaded.text is not None else {}
    findings = engine.finalize(((relpath, hit) for hit in hits), settings, texts)
    return FileOutcome(
        relpath,
        findings,
        objects,
        loaded.text if findings else None,
        holds_nothing(loaded),
    )


def _check_chunk(args: tuple[list[tuple[str, str]], Settings]) -> list[FileOutcome]:
    files, settings = args
    return [check_file(a, r, settings) for a, r in files]


Progress = Callable[[int, int], None]  # (files done, files in all)


def check_files(
    files: Sequence[tuple[str, str]], settings: Settings, progress: Progress | None = None
) -> list[FileOutcome]:
    if not workers.worth_forking(len(files), PARALLEL_THRESHOLD):
        return [check_file(a, r, settings) for a, r in files]
    # Chunks of files, not single files: progress per chunk, fewer round trips.
    size = max(50, len(files) // (workers.worker_count() * 8))
    chunks = [(list(files[i : i + size]), settings) for i in range(0, len(files), size)]
    outcomes: list[FileOutcome] = []
    for part in workers.fork_map(_check_chunk, chunks):
        outcomes += part
        if progress is not None:
            progress(len(outcomes), len(files))
    return outcomes


@contextmanager
def _without_gc() -> Iterator[None]:
    """A run allocates ~10^6 small containers that all live to its end; the cyclic
    collector rescanning them made building and unpickling results 2-4x slower.
    Reference counting still frees everything that is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_check(
    settings: Settings,
    paths: Sequence[str],
    progress: Progress | None = None,
    render: bool = False,
) -> CheckResult:
    """``progress`` hears about large (parallel) runs only: a hook run stays silent.
    ``render`` judges kustomization roots as rendered (karsgit.render)."""
    with _without_gc():
        return _run_check(settings, paths, progress, render)


def _run_check(
    settings: Settings, paths: Sequence[str], progress: Progress | None, render: bool
) -> CheckResult:
    found = discover(settings, paths)
    stage = _render_stage(settings, paths, found) if render else None
    outcomes = check_files(found.files, settings, progress)
    _refuse_empty_streams(outcomes, set(found.streams.values()))
    if stage is not None:
        outcomes = stage.narrow(outcomes)
    findings = engine.finalize(found.hits, settings)
    objects: list[KarsObject] = []
    texts: dict[str, str] = {}
    for outcome in outcomes:
        findings.extend(outcome.findings)
        objects.extend(outcome.objects)
        if outcome.text is not None:
            texts[outcome.path] = outcome.text
    checked = frozenset(o.path for o in outcomes)
    # A stream is a whole rendered output (a root): judged alone, not with the repository.
    files = [p for p in paths if str(Path(p)) not in found.streams]
    everything = objects + _elsewhere(settings, files, checked, objects)
    context = RepoContext(settings, everything, checked, partial=bool(files))
    hits = engine.repo_hits(context) if stage is None else stage.repo_hits(context)
    # Files without findings of their own were not sent back by the workers;
    # finalize reads again the few that a cross-file finding hits.
    findings += engine.finalize(hits, settings, texts)
    renders = {} if stage is None else stage.outputs
    if stage is not None:
        objects += stage.objects
    return CheckResult(sort_findings(findings), len(found.files), objects, texts, renders)


def _render_stage(settings: Settings, paths: Sequence[str], found: Discovery) -> Stage | None:
    """Kustomization roots rendered and judged (karsgit.render); None for plain
    repositories and for a run on streams alone (a stream is already rendered)."""
    files = [p for p in paths if str(Path(p)) not in found.streams]
    if (paths and not files) or not settings.render_enabled:
        return None
    from karsgit.render.stage import render_stage

    return render_stage(settings, files)


def _refuse_empty_streams(outcomes: list[FileOutcome], streams: set[str]) -> None:
    for outcome in outcomes:
        if outcome.empty and outcome.path in streams:
            shown = "standard input" if outcome.path == STDIN_NAME else f"'{outcome.path}'"
            raise KarsgitError(
                f"{shown} held no YAML documents; nothing was checked",
                "check the command that feeds it (with 'set -o pipefail' a failed render "
                "stops the job)",
            )


def _elsewhere(
    settings: Settings, paths: Sequence[str], checked: frozenset[str], objects: list[KarsObject]
) -> list[KarsObject]:
    """With explicit paths (pre-commit), cross-file rules still see the whole repository."""
    if not paths:
        return []
    from karsgit.source.repoindex import objects_outside

    names = {o.ref.name for o in objects} | {o.sandbox for o in objects if isinstance(o, Approval)}
    return objects_outside(settings, checked, objects, names)
