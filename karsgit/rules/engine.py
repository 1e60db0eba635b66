"""The rule engine: runs every rule family over a file or the whole repository,
and ``finalize``, the one way hits become the findings a command reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from types import ModuleType

from karsgit import schema
from karsgit.findings import Finding, Hit, sort_findings
from karsgit.rules import catalog, family_modules, suppression
from karsgit.rules.base import RepoContext
from karsgit.settings import Settings
from karsgit.source.extract import to_object
from karsgit.source.load import Document, LoadedFile, iter_kars_documents
from karsgit.source.objects import KarsObject


@cache
def _families_with(hook: str) -> tuple[ModuleType, ...]:
    return tuple(m for m in family_modules() if hasattr(m, hook))


def document_hits(doc: Document, obj: KarsObject | None, settings: Settings) -> Iterator[Hit]:
    for family in _families_with("check_document"):
        yield from family.check_document(doc, obj, settings)


def text_hits(text: str) -> Iterator[Hit]:
    known = frozenset(catalog())
    for family in _families_with("check_text"):
        yield from family.check_text(text, known)


def repo_hits(
    context: RepoContext, families: Callable[[str], bool] | None = None
) -> Iterator[tuple[str, Hit]]:
    """``families`` picks rule families by module name (the render stage judges the
    cross-object ones per kustomization root)."""
    for family in _families_with("check_repo"):
        if families is None or families(family.__name__):
            yield from family.check_repo(context)


def stamp(path: str, hits: Iterable[Hit], settings: Settings) -> list[Finding]:
    """Hits -> findings, with the configured severity; rules set 'off' are dropped."""
    rules = catalog()
    out = []
    for hit in hits:
        info = rules.get(hit.rule_id)
        if info is None:
            raise RuntimeError(f"rule {hit.rule_id!r} is not in the catalog")
        level = settings.level(hit.rule_id, hit.level or info.severity)
        if level is None:
            continue
        pos = hit.position
        out.append(
            Finding(
                hit.rule_id,
                level,
                path,
                pos.line,
                pos.column,
                hit.message,
                hit.hint,
                hit.json_path,
                hit.fixable or info.fixable,
            )
        )
    return out


PathHit = tuple[str, Hit]


def finalize(
    hits: Iterable[PathHit], settings: Settings, texts: Mapping[str, str] | None = None
) -> list[Finding]:
    """Hits -> reported findings: severity stamped, suppression comments applied, sorted.

    Every command that reports findings ends here, so a ``# karsgit: ignore[...]``
    comment means the same under ``check``, ``check --base``, ``verify`` and
    ``egress``. ``texts`` are files already in memory; the others that carry a
    finding are read from the work tree.
    """
    grouped: dict[str, list[Hit]] = {}
    for path, hit in hits:
        grouped.setdefault(path, []).append(hit)
    findings = [f for path, group in grouped.items() for f in stamp(path, group, settings)]
    return sort_findings(suppression.apply(findings, _texts(findings, texts, settings), catalog()))


def _texts(
    findings: list[Finding], texts: Mapping[str, str] | None, settings: Settings
) -> dict[str, str]:
    out = dict(texts or {})
    for path in {f.path for f in findings if f.line} - out.keys():
        try:
            out[path] = (settings.root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            continue
    return out


def _not_an_object(doc: Document) -> Hit:
    shape = "a list" if isinstance(doc.data, list) else "a scalar"
    return Hit(
        "schema",
        doc.start,
        f"document is {shape}, not a Kubernetes object",
        "write one object (a mapping with apiVersion and kind) per '---' document",
    )


def _not_a_mapping(data: object) -> bool:
    # None: the document was not read (a syntax hit says why), or it is empty.
    return data is not None and not isinstance(data, dict)


def file_hits(loaded: LoadedFile, settings: Settings) -> tuple[list[Hit], list[KarsObject]]:
    hits = list(loaded.hits)
    objects: list[KarsObject] = []
    if loaded.kars and loaded.text is not None:
        hits.extend(text_hits(loaded.text))
        hits.extend(_not_an_object(d) for d in loaded.documents if _not_a_mapping(d.data))
    for doc in iter_kars_documents(loaded):
        hits.extend(schema.validate_document(doc))
        obj = to_object(doc)
        hits.extend(document_hits(doc, obj, settings))
        if obj is not None:
            objects.append(obj)
    return hits, objects
