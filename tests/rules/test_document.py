"""conflict-marker and hidden-unicode: exact positions in the file's characters."""

from __future__ import annotations

import pytest

from karsgit.rules.document import check_text
from tests.support.repos import Repo, sandbox


def hits(text: str) -> list[tuple[int, int, str, str]]:
    return [
        (h.position.line, h.position.column, h.rule_id, h.message)
        for h in check_text(text, frozenset())
    ]


def test_conflict_markers() -> None:
    text = "a: 1\n<<<<<<< HEAD\nb: 2\n=======\nb: 3\n>>>>>>> feature\n"
    assert hits(text) == [
        (2, 1, "conflict-marker", "merge conflict marker '<<<<<<<'"),
        (4, 1, "conflict-marker", "merge conflict marker '======='"),
        (6, 1, "conflict-marker", "merge conflict marker '>>>>>>>'"),
    ]


@pytest.mark.parametrize("text", ["a: '<<<<<<< not at start'\n", "========\n", "# =======\n"])
def test_not_conflict_markers(text: str) -> None:
    assert hits(text) == []


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u202e", "right-to-left override"),
        ("\u2066", "left-to-right isolate"),
        ("\u200b", "zero width space"),
        ("\u200d", "zero width joiner"),
        ("\u2060", "word joiner"),
        ("\u00ad", "soft hyphen"),
        ("\U000e0041", "tag latin capital letter a"),
    ],
)
def test_hidden_characters(char: str, name: str) -> None:
    text = f"spec:\n  host: api.git{char}hub.com\n"
    code = f"{ord(char):04X}"
    assert hits(text) == [(2, 16, "hidden-unicode", f"hidden character U+{code} ({name})")]


def test_leading_bom_is_allowed_but_not_inside() -> None:
    assert hits("\ufeffa: 1\n") == []
    assert hits("a: 1\nb: \ufeff2\n")[0][:3] == (2, 4, "hidden-unicode")


def test_trojan_source_through_the_cli(repo: Repo, karsgit) -> None:
    repo.write("sb.yaml", sandbox().replace("api.github.com", "api.github.com\u202e"))
    result = karsgit("check", "-f", "parsable", "sb.yaml")
    assert result.code == 1
    assert "sb.yaml:10:29: [error] hidden character U+202E (right-to-left override)" in result.out
