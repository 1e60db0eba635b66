"""``karsgit fix`` keeps every comment with its entry when it reorders a list
(issue 10, item 6), and a file it leaves unfixed fails the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from karsgit.run.fix import fix_bytes
from karsgit.settings import Settings
from tests.support.repos import Repo

HEAD = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: agent
  namespace: kars-system
spec:
  networkPolicy:
    egressMode: Strict
"""

CASES = {
    # The layout: a comment between the key and the first entry, at the key's column.
    "comment-above-first-entry-unindented": (
        """\
    allowedEndpoints:
    # vendors
    - host: zeta.example.com
      port: 443
    - host: API.github.com
      port: 443
""",
        """\
    allowedEndpoints:
    - host: api.github.com
      port: 443
    # vendors
    - host: zeta.example.com
      port: 443
""",
    ),
    "comment-above-first-entry-indented": (
        """\
    allowedEndpoints:
      # vendors
      - host: zeta.example.com
        port: 443
      - host: api.github.com
        port: 443
""",
        """\
    allowedEndpoints:
      - host: api.github.com
        port: 443
      # vendors
      - host: zeta.example.com
        port: 443
""",
    ),
    "comment-at-column-0": (
        """\
    allowedEndpoints:
# vendors
    - host: zeta.example.com
      port: 443
# github
    - host: api.github.com
      port: 443
# after the list
""",
        """\
    allowedEndpoints:
# github
    - host: api.github.com
      port: 443
# vendors
    - host: zeta.example.com
      port: 443
# after the list
""",
    ),
    "flow-entries-key-comment-and-line-ends": (
        """\
    allowedEndpoints:  # reviewed by sec
      # c
      - {host: c.example.com, port: 443}
      # b
      - {host: b.example.com, port: 443}  # ticket 12
      # a
      - {host: a.example.com}
""",
        """\
    allowedEndpoints:  # reviewed by sec
      # a
      - {host: a.example.com, port: 443}
      # b
      - {host: b.example.com, port: 443}  # ticket 12
      # c
      - {host: c.example.com, port: 443}
""",
    ),
    "comments-inside-entries-and-blank-lines": (
        """\
    allowedEndpoints:
      # z
      - host: zeta.example.com
        # the port of z
        port: 443

      - host: api.github.com  # main api
        port: 443  # https
    # after the list
""",
        """\
    allowedEndpoints:
      - host: api.github.com  # main api
        port: 443  # https

      # z
      - host: zeta.example.com
        # the port of z
        port: 443
    # after the list
""",
    ),
    "dropped-duplicate-keeps-its-comment": (
        """\
    allowedEndpoints:
      # b
      - host: b.example.com
        port: 443
      # a
      - host: a.example.com
        port: 443
      # a again
      - host: A.example.com
        port: 443
""",
        """\
    allowedEndpoints:
      # a
      # a again
      - host: a.example.com
        port: 443
      # b
      - host: b.example.com
        port: 443
""",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_comments_move_with_their_entries(name: str) -> None:
    before, after = CASES[name]
    result = fix_bytes("m.yaml", (HEAD + before).encode(), Settings(root=Path(".")))
    assert result.skipped == ""
    assert result.fixed == HEAD + after


def cli(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from karsgit.cli import cli as command

    done = CliRunner().invoke(command, list(args), catch_exceptions=False, standalone_mode=False)
    return done.return_value, done.output


UNFIXABLE = HEAD + CASES["comment-above-first-entry-indented"][0].replace(
    "      - host: zeta", "      - host: zeta\n        host: twice"
)


@pytest.mark.parametrize("mode", [(), ("--check",), ("--diff",)])
def test_a_file_left_unfixed_fails_the_run(repo: Repo, mode: tuple[str, ...]) -> None:
    repo.write("m.yaml", UNFIXABLE)
    code, output = cli("fix", *mode, "m.yaml")
    assert code == 1
    assert "m.yaml: not fixed: has duplicate-key findings" in output
    assert (repo.path / "m.yaml").read_text() == UNFIXABLE


def test_the_round_trip_keeps_the_line_break_after_the_key() -> None:
    # The fallback (and egress deny) path: ruamel shares the comment above the first
    # entry with the key; emptied, it used to print 'allowedEndpoints:   -'.
    from karsgit.edit import rewrite

    before, after = CASES["comment-above-first-entry-indented"]
    path = ("spec", "networkPolicy", "allowedEndpoints")
    edit = rewrite.ListEdit(0, path, (rewrite.EntryEdit(1), rewrite.EntryEdit(0)))
    assert rewrite.edit_lists(HEAD + before, [edit]) == HEAD + after


def test_an_entry_written_over_several_lines_moves_whole() -> None:
    before = """\
    allowedEndpoints:
      # z
      - {host: zeta.example.com,
         port: 443
        }
      - {host: api.github.com, port: 443}
"""
    after = """\
    allowedEndpoints:
      - {host: api.github.com, port: 443}
      # z
      - {host: zeta.example.com,
         port: 443
        }
"""
    result = fix_bytes("m.yaml", (HEAD + before).encode(), Settings(root=Path(".")))
    assert result.skipped == ""
    assert result.fixed == HEAD + after


def test_a_list_of_plain_scalars_is_left_to_the_rules() -> None:
    # Entries that are not mappings are reported by the schema rule; fix leaves them.
    text = HEAD + "    allowedEndpoints:\n      - b.example.com\n      - a.example.com\n"
    result = fix_bytes("m.yaml", text.encode(), Settings(root=Path(".")))
    assert result.fixed in (None, text)
