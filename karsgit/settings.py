"""The karsgit configuration: ``.karsgit.yaml`` at the repository root.

A bad config is not a finding but a reason not to run (exit 3): the message names
``file:line`` and the key, so the fix is one edit away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from karsgit.errors import ConfigError
from karsgit.findings import Severity

CONFIG_NAME = ".karsgit.yaml"
DEFAULT_INCLUDE = ("**/*.yaml", "**/*.yml")
DEFAULT_EXCLUDE = (".kars/**", "**/node_modules/**", ".git/**")
TTL_DEFAULT_CEILING = timedelta(hours=24)


@dataclass(frozen=True)
class Settings:
    root: Path
    config_path: Path | None = None
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    rule_levels: Mapping[str, Severity | None] = field(default_factory=dict)
    fail_on: Severity = Severity.ERROR
    max_file_bytes: int = 10 * 1024 * 1024
    strict_namespaces: tuple[str, ...] = ()
    deny_all_annotation: str = "karsgit.io/deny-all"
    ttl_ceiling: timedelta = TTL_DEFAULT_CEILING
    bundle_dir: str = ".kars/bundles"
    registry: str = ""
    repository: str = "policy/egress-allowlist/{name}"
    signing: Mapping[str, str] = field(default_factory=dict)
    # The render stage (karsgit.render): kustomization roots judged as rendered.
    render_enabled: bool = True
    renderer: str = "auto"
    render_roots: tuple[str, ...] = ()

    def level(self, rule_id: str, default: Severity) -> Severity | None:
        """The configured severity of a rule; None when it is off."""
        return self.rule_levels.get(rule_id, default)


def load_settings(root: Path, config: Path | None = None) -> Settings:
    path = config if config is not None else root / CONFIG_NAME
    if not path.is_file():
        if config is not None:
            raise ConfigError(f"config file {config} does not exist", "check the --config path")
        return Settings(root=root)
    return _parse(root, path)


def _read(path: Path) -> tuple[Any, Any]:
    from karsgit.load import parse_documents

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
    line = doc.pos(found.at).line if doc else 1
    raise ConfigError(
        f"{path}:{line}: key '{_dotted(found.at) or '<root>'}': {found.message}",
        "see docs/configuration.md for the accepted values",
    )


def _dotted(at: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in at)


def _known_keys(schema: dict[str, Any]) -> str:
    return "known keys: " + ", ".join(sorted(schema["properties"]))


def _settings(root: Path, path: Path, data: dict[str, Any], doc: Any) -> Settings:
    bundles = data.get("bundles", {})
    render = data.get("render", {})
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
        bundle_dir=bundles.get("dir", Settings.bundle_dir),
        registry=bundles.get("registry", ""),
        repository=bundles.get("repository", Settings.repository),
        signing=dict(data.get("signing", {})),
        render_enabled=render.get("enabled", True),
        renderer=render.get("renderer", "auto"),
        render_roots=tuple(render.get("roots", ())),
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
    from karsgit.duration import HARD_CEILING, parse_ttl

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
