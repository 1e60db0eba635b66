"""The rule catalog: every rule id karsgit can report, with its default severity.

Each family module under ``karsgit.rules`` owns a few related rules; its module
docstring is the user documentation of those rules, and it exports ``RULES``.
The engine (not the rule) stamps severity: a rule only says what it found.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType

from karsgit.rules.base import RuleInfo

__all__ = ["FAMILIES", "RuleInfo", "catalog", "family_modules"]

# Order is the order of the rules reference; add a family here to register it.
FAMILIES: tuple[str, ...] = (
    "karsgit.rules.document",
    "karsgit.rules.structure",
    "karsgit.rules.hosts",
    "karsgit.rules.policy",
    "karsgit.rules.references",
    "karsgit.rules.approvals",
    "karsgit.rules.scalars",
    "karsgit.rules.suppression",
    "karsgit.rules.edits",
    "karsgit.rules.gate",
    "karsgit.rules.keys",
    "karsgit.rules.bundles",
    "karsgit.rules.signerpolicy",
    "karsgit.rules.registry",
    "karsgit.rules.render",
)


def family_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in FAMILIES]


@cache
def catalog() -> dict[str, RuleInfo]:
    rules: dict[str, RuleInfo] = {}
    for module in family_modules():
        short = module.__name__.rsplit(".", 1)[-1]
        for info in module.RULES:
            if info.id in rules:
                raise RuntimeError(f"rule id {info.id!r} registered twice")
            rules[info.id] = RuleInfo(info.id, info.severity, info.summary, info.fixable, short)
    return rules
