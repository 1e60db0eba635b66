"""Read the rule documentation out of the family docstrings (yamllint's way).

A family docstring opens with a one-line summary, then documents each rule under
a line holding its id in double backticks. The indented body of a rule is
Markdown: what the rule catches and why (paragraphs), then ``Fails:`` and
``Passes:`` examples, then ``Fix:`` and its text. An example is paragraphs and
fenced blocks in order; the info string of a fence says how to set the example
up (see ``docs/rules.md``), so the same text is both the doc and a test.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from types import ModuleType

_HEADER = re.compile(r"^``([a-z0-9-]+)``$")
_SECTION = re.compile(r"^(Fails|Passes|Fix):(?: (.*))?$")


@dataclass(frozen=True, slots=True)
class Block:
    """A fenced block: its language, the words after it, and its text."""

    lang: str
    info: tuple[str, ...]
    text: str


# An example is paragraphs (str) and blocks, in the order they are read.
Part = str | Block


@dataclass(frozen=True, slots=True)
class RuleDoc:
    id: str
    what: tuple[str, ...]
    fails: tuple[Part, ...]
    passes: tuple[Part, ...]
    fix: str


@dataclass(frozen=True, slots=True)
class FamilyDoc:
    name: str
    summary: str
    rules: dict[str, RuleDoc]


def family_doc(module: ModuleType) -> FamilyDoc:
    text = inspect.cleandoc(module.__doc__ or "")
    lines = text.splitlines()
    ids = {info.id for info in module.RULES}
    summary = _join(lines[: lines.index("")] if "" in lines else lines)
    rules: dict[str, RuleDoc] = {}
    index = 0
    while index < len(lines):
        match = _HEADER.match(lines[index])
        index += 1
        if match is None or match.group(1) not in ids:
            continue
        body: list[str] = []
        while index < len(lines) and (not lines[index] or lines[index].startswith(" ")):
            body.append(lines[index])
            index += 1
        rules[match.group(1)] = _rule(match.group(1), _dedent(body))
    return FamilyDoc(module.__name__.rsplit(".", 1)[-1], summary, rules)


def _dedent(lines: list[str]) -> list[str]:
    return [line[4:] for line in lines]


def _rule(rule_id: str, lines: list[str]) -> RuleDoc:
    sections: dict[str, list[str]] = {"what": [], "Fails": [], "Passes": [], "Fix": []}
    current = "what"
    for line in lines:
        match = _SECTION.match(line)
        if match is not None:
            current = match.group(1)
            if match.group(2):
                sections[current].append(match.group(2))
            continue
        sections[current].append(line)
    return RuleDoc(
        rule_id,
        tuple(p for p in _parts(sections["what"]) if isinstance(p, str)),
        _parts(sections["Fails"]),
        _parts(sections["Passes"]),
        " ".join(p for p in _parts(sections["Fix"]) if isinstance(p, str)),
    )


def _parts(lines: list[str]) -> tuple[Part, ...]:
    parts: list[Part] = []
    paragraph: list[str] = []
    fence: list[str] | None = None
    opening: list[str] = []
    for line in lines:
        if fence is not None:
            if line == "```":
                parts.append(Block(opening[0], tuple(opening[1:]), "".join(fence)))
                fence = None
            else:
                fence.append(line + "\n")
        elif line.startswith("```"):
            opening = line[3:].split() or ["text"]
            fence = []
        elif line.strip():
            paragraph.append(line)
            continue
        if paragraph:
            parts.append(_join(paragraph))
            paragraph = []
    if fence is not None:
        raise ValueError(f"unclosed fence in a rule docstring: {opening}")
    if paragraph:
        parts.append(_join(paragraph))
    return tuple(parts)


def _join(lines: list[str]) -> str:
    return " ".join(line.strip() for line in lines)
