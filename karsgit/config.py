"""Load ``.karsgit.yaml`` (and the environment) into ``Settings``.

A bad config is not a finding but a reason not to run (exit 3): the message names
``file:line`` and the key, so the fix is one edit away.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from karsgit.errors import ConfigError
from karsgit.findings import Severity
from karsgit.settings import (
    CACHE_DIR_ENV,
    CONFIG_NAME,
    DEFAULT_EXCLUDE,
    DEFAULT_INCLUDE,
    REGISTRY_ENV,
    TTL_DEFAULT_CEILING,
    Settings,
)


def load_settings(root: Path, config: Path | None = None) -> Settings:
    path = config if config is not None else root / CONFIG_NAME
    if not path.is_file():
        if config is not None:
            raise ConfigError(f"config file {config} does not exist", "check the --config path")
        return Settings(root=root, **_environment())
    return _parse(root, path)


def _read(path: Path) -> tuple[Any, Any]:
    from karsgit.source.load import parse_documents

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config: {error}", "save it as UTF-8") from error
    loaded = parse_documents(str(path), text)
    if loaded.hits:
        hit = loaded.hits[0]
        raise ConfigError(f"{path}:{hit.position.line}: {hit.message}", hit.hint)
    if len(loaded.documents) > 1:
        raise ConfigError(f"{path}: config has several YAML documents", "keep one document")
    if not loaded.documents:
        return {}, None
    doc = loaded.documents[0]
    return doc.data, doc


def _parse(root: Path, path: Path) -> Settings:
    data, doc = _read(path)
    if data is None:
        data = {}
    _validate(path, data, doc)
    return _settings(root, path, data, doc)


def _validate(path: Path, data: Any, doc: Any) -> None:
    from karsgit.schema import first_violation, load_schema

    found = first_violation("config.schema.json", data)
    if found is None:
        return
    if found.unknown_key:
        line = doc.key_pos(found.at).line
        known = _known_keys(load_schema("config.schema.json"))
        raise ConfigError(f"{path}:{line}: unknown key '{_dotted(found.at)}'", known)
    position = doc.pos(found.at) if doc else None
    line = position.line if position else 1
    key = _dotted(found.at) or "<root>"
    value = _value_at(data, found.at)
    if isinstance(value, bool) and position is not None:
        # the cluster's YAML 1.1 reads off/on/yes/no as booleans, and so does karsgit
        written = _token(path, position.line, position.column) or str(value).lower()
        raise ConfigError(
            f"{path}:{line}: key '{key}': {written} is read as the boolean {str(value).lower()}"
            ", not a string",
            f'quote it: {found.at[-1]}: "{written}"',
        )
    raise ConfigError(
        f"{path}:{line}: key '{key}': {found.message}",
        "see docs/configuration.md for the accepted values",
    )


def _value_at(data: Any, at: tuple[Any, ...]) -> Any:
    for part in at:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _token(path: Path, line: int, column: int) -> str:
    """The scalar as written at a 1-based position (the config is small and already read)."""
    try:
        text = path.read_text(encoding="utf-8").splitlines()[line - 1][column - 1 :]
    except (OSError, UnicodeDecodeError, IndexError):
        return ""
    return text.split("#", 1)[0].strip().rstrip(",}]").strip()


def _dotted(at: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in at)


def _known_keys(schema: dict[str, Any]) -> str:
    return "known keys: " + ", ".join(sorted(schema["properties"]))


def _settings(root: Path, path: Path, data: dict[str, Any], doc: Any) -> Settings:
    bundles = data.get("bundles", {})
    render = data.get("render", {})
    environment = _environment()
    return Settings(
        root=root,
        config_path=path,
        include=tuple(data.get("include", DEFAULT_INCLUDE)),
        exclude=tuple(data.get("exclude", ())) + DEFAULT_EXCLUDE,
        rule_levels=_rule_levels(path, data.get("rules", {}), doc),
        fail_on=Severity.parse(data.get("fail_on", "error")),
        max_file_bytes=data.get("max_file_bytes", Settings.max_file_bytes),
        strict_namespaces=tuple(data.get("strict_namespaces", ())),
        deny_all_annotation=data.get("deny_all_annotation", Settings.deny_all_annotation),
        ttl_ceiling=_ttl_ceiling(path, data.get("approvals", {}), doc),
        ttl_ceiling_text=data.get("approvals", {}).get("ttl_ceiling"),
        bundle_dir=_bundle_dir(path, bundles.get("dir", Settings.bundle_dir), doc),
        registry=bundles.get("registry", "") or environment["registry"],
        repository=bundles.get("repository", Settings.repository),
        signing=dict(data.get("signing", {})),
        cache_dir=environment["cache_dir"],
        render_enabled=render.get("enabled", True),
        renderer=render.get("renderer", "auto"),
        render_roots=tuple(render.get("roots", ())),
        render_timeout=float(render.get("timeout", 300)),
    )


def _bundle_dir(path: Path, value: str, doc: Any) -> str:
    """A repository-relative folder: compile writes there and sign reads there, so an
    absolute path or one through ``..`` or ``.git`` would make them disagree or
    write outside the repository."""
    from pathlib import PurePosixPath

    from karsgit.edit.paths import lexical_error

    why = lexical_error(value)
    normal = PurePosixPath(value).as_posix()
    if why is None and normal == ".":
        why = "the path is the repository root"
    if why is None:
        return normal
    line = doc.pos(("bundles", "dir")).line
    raise ConfigError(
        f"{path}:{line}: key 'bundles.dir': {value!r} is not usable: {why}",
        "use a folder inside the repository, e.g. .kars/bundles",
    )


def _rule_levels(path: Path, rules: dict[str, str], doc: Any) -> dict[str, Severity | None]:
    from karsgit.rules import catalog

    known = catalog()
    levels: dict[str, Severity | None] = {}
    for rule_id, level in rules.items():
        if rule_id not in known:
            line = doc.key_pos(("rules", rule_id)).line
            raise ConfigError(
                f"{path}:{line}: unknown rule id '{rule_id}' under 'rules'",
                "run 'karsgit rules' to list the rule ids",
            )
        levels[rule_id] = None if level == "off" else Severity.parse(level)
    return levels


def _ttl_ceiling(path: Path, approvals: dict[str, str], doc: Any) -> timedelta:
    text = approvals.get("ttl_ceiling")
    if text is None:
        return TTL_DEFAULT_CEILING
    from karsgit.normalize.duration import HARD_CEILING, parse_ttl

    value = parse_ttl(text)
    line = doc.pos(("approvals", "ttl_ceiling")).line
    if not isinstance(value, timedelta):
        raise ConfigError(
            f"{path}:{line}: key 'approvals.ttl_ceiling': {value}", "write e.g. PT12H"
        )
    if value > HARD_CEILING:
        raise ConfigError(
            f"{path}:{line}: key 'approvals.ttl_ceiling': {text} is above the 7-day hard ceiling",
            "use at most P7D",
        )
    return value


def _environment() -> dict[str, Any]:
    """The only read of karsgit's environment variables."""
    cache_dir = os.environ.get(CACHE_DIR_ENV, "")
    return {
        "registry": os.environ.get(REGISTRY_ENV, "").strip(),
        "cache_dir": Path(cache_dir) if cache_dir else None,
    }
