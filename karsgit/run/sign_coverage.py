"""Which bundles ``sign`` must have covered: every bundle ``compile`` writes.

``sign`` finds bundles on disk under ``bundles.dir``; a bundle it cannot find
there (not compiled yet, behind a symlinked directory, under a directory that
is not the one it lists) would otherwise be skipped in silence and the run
would still pass (issue 10, item 15).
"""

from __future__ import annotations

from collections.abc import Iterable

from karsgit.bundle.plan import Target
from karsgit.run.check import run_check
from karsgit.settings import Settings


def planned_targets(settings: Settings) -> list[Target]:
    """The bundle of every Strict sandbox, as ``compile`` would write it: plain
    files, and each sandbox a kustomization root renders (karsgit.render.bundles)."""
    from karsgit.render.bundles import all_targets

    result = run_check(settings, (), render=True)
    return all_targets(settings, result.objects, result.renders).targets


def left_unsigned(
    settings: Settings, expected: Iterable[str], covered: Iterable[str]
) -> list[tuple[str, str]]:
    """(bundle, why) for every expected bundle that the run neither signed nor found current."""
    done = set(covered)
    out = []
    for rel in sorted(set(expected) - done):
        path = settings.root / rel
        if not path.is_file():
            out.append((rel, "there is no bundle there; run 'karsgit compile', then sign"))
        else:
            out.append(
                (
                    rel,
                    f"sign does not find it under bundles.dir '{settings.bundle_dir}' "
                    "(a symlinked or outside directory is never signed); "
                    "commit the bundle under the repository's bundles.dir",
                )
            )
    return out
