"""``check --base REF``: the files changed since REF, checked like a hook run
(the rest of the repository through the repo index), plus the edit rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from karsgit.findings import sort_findings
from karsgit.rules import engine
from karsgit.rules.edits import check_edits
from karsgit.rules.gate import config_changes
from karsgit.run.check import CheckResult, run_check
from karsgit.settings import Settings
from karsgit.source.discover import selected
from karsgit.source.objects import KarsObject
from karsgit.source.revisions import load_change


def run_base_check(settings: Settings, base: str, paths: Sequence[str]) -> CheckResult:
    """Check ``paths`` (default: the changed files) and judge every edit since ``base``."""
    change = load_change(settings, base)
    root = settings.root
    targets = list(paths) or [
        str(root / p) for p in change.paths if selected(p, settings) and (root / p).is_file()
    ]
    result = run_check(settings, targets, render=True) if targets else CheckResult([], 0, [])
    given = frozenset(change.paths)

    def elsewhere() -> list[KarsObject]:
        from karsgit.source.repoindex import objects_outside

        return objects_outside(settings, given)

    hits = [*check_edits(change, settings, elsewhere), *config_changes(change, settings)]
    if change.paths:  # kustomization roots the change reaches: judged as rendered
        from karsgit.render.edits import rendered_edits

        rendered = rendered_edits(settings, change.old.rev or base, change.paths)
        hits = [(p, h) for p, h in hits if p not in rendered.consumed] + rendered.hits
    edits = engine.finalize(hits, settings, result.texts)
    return replace(result, findings=sort_findings([*result.findings, *edits]))
