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

from karsgit import engine, schema, suppress, workers
from karsgit.discover import STDIN_NAME, Discovery, discover
from karsgit.errors import KarsgitError
from karsgit.extract import to_object
from karsgit.findings import Finding, Hit, sort_findings
from karsgit.load import Document, LoadedFile, ReadLimits, iter_kars_documents, load_file
from karsgit.model import KARS_GROUP, Approval, KarsObject
from karsgit.rules import catalog
from karsgit.settings import Settings

if TYPE_CHECKING:
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


def _not_an_object(doc: Document) -> Hit:
    shape = "a list" if isinstance(doc.data, list) else "a scalar"
    return Hit(
        "schema",
        doc.start,
        f"document is {shape}, not a Kubernetes object",
        "write one object (a mapping with apiVersion and kind) per '---' document",
    )


def file_hits(loaded: LoadedFile, settings: Settings) -> tuple[list[Hit], list[KarsObject]]:
    hits = list(loaded.hits)
    objects: list[KarsObject] = []
    if loaded.text is not None and KARS_GROUP in loaded.text:
        hits.extend(engine.text_hits(loaded.text))
        hits.extend(_not_an_object(d) for d in loaded.documents if not isinstance(d.data, dict))
    for doc in iter_kars_documents(loaded):
        hits.extend(schema.validate_document(doc))
        obj = to_object(doc)
        hits.extend(engine.document_hits(doc, obj, settings))
        if obj is not None:
            objects.append(obj)
    return hits, objects


def check_file(abspath: str, relpath: str, settings: Settings) -> FileOutcome:
    loaded = load_file(abspath, relpath, ReadLimits(settings.max_file_bytes))
    hits, objects = file_hits(loaded, settings)
    findings = engine.stamp(relpath, hits, settings)
    # Suppressions are applied here, in the worker: shipping every file's text back
    # to the parent cost more than checking it (benchmarks/, 10,000 sandboxes).
    text = loaded.text if findings else None
    if text is not None:
        findings = suppress.apply(findings, {relpath: text}, catalog())
    return FileOutcome(relpath, findings, objects, text, not loaded.documents and not loaded.hits)


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
    findings = [f for rel, hit in found.hits for f in engine.stamp(rel, [hit], settings)]
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
    context = engine.RepoContext(settings, everything, checked, partial=bool(files))
    hits = engine.repo_hits(context) if stage is None else stage.repo_hits(context)
    repo_findings = [f for rel, hit in hits for f in engine.stamp(rel, [hit], settings)]
    findings += suppress.apply(repo_findings, _texts_of(repo_findings, texts, settings), catalog())
    if stage is not None:
        objects += stage.objects
    return CheckResult(sort_findings(findings), len(found.files), objects, texts)


def _render_stage(settings: Settings, paths: Sequence[str], found: Discovery) -> Stage | None:
    """Kustomization roots rendered and judged (karsgit.render); None for plain
    repositories and for a run on streams alone (a stream is already rendered)."""
    files = [p for p in paths if str(Path(p)) not in found.streams]
    if paths and not files:
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


def _texts_of(findings: list[Finding], texts: dict[str, str], settings: Settings) -> dict[str, str]:
    """Texts for suppressing cross-file findings; files without findings of their own
    were not sent back by the workers, so read them again (few: only those hit)."""
    out = dict(texts)
    for path in {f.path for f in findings} - texts.keys():
        try:
            out[path] = (settings.root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return out


def _elsewhere(
    settings: Settings, paths: Sequence[str], checked: frozenset[str], objects: list[KarsObject]
) -> list[KarsObject]:
    """With explicit paths (pre-commit), cross-file rules still see the whole repository."""
    if not paths:
        return []
    from karsgit.repoindex import objects_outside

    names = {o.ref.name for o in objects} | {o.sandbox for o in objects if isinstance(o, Approval)}
    return objects_outside(settings, checked, objects, names)
