"""What a run is configured with, as plain data (``karsgit.config`` loads it from
``.karsgit.yaml`` and the environment, once, so nothing below reads either)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from karsgit.findings import Severity

CONFIG_NAME = ".karsgit.yaml"
# The kars CLI's registry variable; karsgit reads it when the config names none.
REGISTRY_ENV = "KARS_REGISTRY"
# Where the repository index is cached instead of .git/karsgit (the pre-receive
# hook points it at its temporary directory).
CACHE_DIR_ENV = "KARSGIT_CACHE_DIR"
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
    # as written in the config, so messages quote the user's own spelling
    ttl_ceiling_text: str | None = None
    bundle_dir: str = ".kars/bundles"
    registry: str = ""
    repository: str = "policy/egress-allowlist/{name}"
    signing: Mapping[str, str] = field(default_factory=dict)
    cache_dir: Path | None = None
    # The render stage (karsgit.render): kustomization roots judged as rendered.
    render_enabled: bool = True
    renderer: str = "auto"
    render_roots: tuple[str, ...] = ()
    render_timeout: float = 300.0  # seconds per kustomize process

    def level(self, rule_id: str, default: Severity) -> Severity | None:
        """The configured severity of a rule; None when it is off."""
        return self.rule_levels.get(rule_id, default)
