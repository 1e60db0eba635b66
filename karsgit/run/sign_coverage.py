"""Which bundles ``sign`` must have covered: every bundle ``compile`` writes.

``sign`` finds bundles on disk under ``bundles.dir``; a bundle it cannot find
there (not compiled yet, behind a symlinked directory, under a directory that
is not the one it lists) would otherwise be skipped in silence and the run
would still pass (issue 10, item 15).
"""

from __future__ import annotations

from collections.abc import Iterable

from karsgit.bundle.plan import plan
from karsgit.run.check import run_check
from karsgit.settings import Settings


def expected_bundles(settings: Settings) -> list[str]:
    """The bundle path of every Strict sandbox, as ``compile`` would write it."""
    return [target.rel for target in plan(settings, run_check(settings, ()).objects)]


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
