"""Gate rules: edits to what the gate itself trusts, judged against a base revision.

``config-changed``
    The change edits, adds or removes ``.karsgit.yaml`` (or the config file
    given with ``--config``, when it lives in the repository) or a trust file
    that the config's ``signing`` section names with a relative path
    (``public_key``, ``key``, ``signer_policy``, ``trust_config``). The config
    decides which files are read and how severe each finding is, so an edit to
    it could switch the gate off for the very change that carries it. The
    server-side hook therefore judges a push with the config it trusts (the
    branch's previous tip, or a server-side file), and this finding makes the
    config change itself a decision for a reviewer. Land it on its own, through
    review; an administrator who accepts config changes in pushes sets the rule
    to ``warning`` in the trusted config. A suppression comment does not
    silence it: the comment would sit in the file under review.

    Fails:

    ```yaml .karsgit.yaml
    rules:
      learn-mode: error
    ```

    ```console
    $ git add .karsgit.yaml
    $ git commit -q -m "gate config"
    ```

    ```yaml .karsgit.yaml
    rules:
      learn-mode: warning
    ```

    ```console
    $ karsgit check --base HEAD
    ```

    Passes:

    ```yaml .karsgit.yaml
    rules:
      learn-mode: error
    ```

    ```console
    $ git add .karsgit.yaml
    $ git commit -q -m "gate config"
    $ karsgit check --base HEAD
    ```

    Fix: Land the config change on its own, reviewed; the server-side hook judges
    every push with the config of the branch's previous tip.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from karsgit.findings import WHOLE_FILE, Hit, Severity
from karsgit.rules.base import RuleInfo
from karsgit.settings import CONFIG_NAME, Settings
from karsgit.source.revisions import Change

RULES = (
    RuleInfo(
        "config-changed", Severity.ERROR, "the karsgit config or a trust file it names changed"
    ),
)

_TRUST_KEYS = ("public_key", "key", "signer_policy", "trust_config")


def trusted_files(settings: Settings) -> dict[str, str]:
    """Repository paths the gate's judgement rests on, each with what it is."""
    files = {CONFIG_NAME: "config file"}
    if settings.config_path is not None:
        inside = _inside(settings.root, settings.config_path)
        if inside is not None:
            files[inside] = "config file"
    for key in _TRUST_KEYS:
        value = settings.signing.get(key)
        if value and not PurePosixPath(value).is_absolute():
            files.setdefault(PurePosixPath(value).as_posix(), f"signing.{key} file")
    return files


def config_changes(change: Change, settings: Settings) -> Iterator[tuple[str, Hit]]:
    changed = set(change.paths)
    for path, what in sorted(trusted_files(settings).items()):
        if path in changed:
            yield path, _hit(path, what)


def _hit(path: str, what: str) -> Hit:
    return Hit(
        "config-changed",
        WHOLE_FILE,
        f"{what} '{path}' changed since the base revision; it decides what the gate checks",
        "land the config change on its own, reviewed; it is judged with the previous config",
    )


def _inside(root: Path, path: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (OSError, ValueError):
        return None
