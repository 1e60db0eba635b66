"""Deep nesting gives a finding or a one-line refusal, never exit 4 or a crash
(issue 10, item 11).

Where each depth broke: karsgit's own conversion of the node graph recursed in
Python (RecursionError from about 300 levels in a repository, exit 4); against a
libyaml without a nesting limit, PyYAML's C composer recursed until the C stack
overflowed (SIGSEGV at 100,000 levels); and the json module recurses per level
(learned-hosts files, Sigstore bundles).
"""

from __future__ import annotations

import pytest

from karsgit.errors import KarsgitError
from karsgit.signing.bundle import parse_bundle
from karsgit.signing.errors import MalformedBundle
from karsgit.source import load, nesting
from karsgit.source.learned import parse_learned
from tests.support.corpus import SANDBOX, messages, where
from tests.support.repos import Repo

TOO_DEEP = "the document nests deeper than 100 levels"


def flow(depth: int) -> str:
    return "[" * depth + "]" * depth


def mappings(depth: int) -> str:
    return "{a: " * depth + "}" * depth


def block(depth: int) -> str:
    return "\n" + "- " * depth + "x"


@pytest.mark.parametrize("depth", [150, 300, 999, 1001, 5000, 20_000, 100_000])
@pytest.mark.parametrize("shape", [flow, mappings, block])
def test_deep_document_is_a_syntax_finding(shape, depth: int) -> None:
    text = SANDBOX + "---\nx: " + shape(depth) + "\n"
    found = where(text)
    assert [rule for _, _, rule in found] == ["syntax"]
    assert messages(text, "syntax") == [TOO_DEEP]
    assert found[0][0] in (13, 14)  # the deep document's line


def test_a_hundred_levels_are_read() -> None:
    text = SANDBOX + "---\nx: " + flow(99) + "\n"  # the mapping, then 99 lists
    assert where(text) == []


def test_a_hundred_and_one_levels_are_not() -> None:
    text = SANDBOX + "---\nx: " + flow(100) + "\n"
    assert where(text) == [(13, 103, "syntax")]


def test_depth_built_from_aliases_is_counted() -> None:
    # three anchors of 40 levels each, every one nested in the next: 120 levels
    # once the aliases are expanded, though no line nests deeper than 41
    lines = ["l0: &l0 " + flow(40)]
    for i in range(1, 3):
        lines.append(f"l{i}: &l{i} " + "[" * 40 + f"*l{i - 1}" + "]" * 40)
    text = SANDBOX + "---\n" + "\n".join(lines) + "\n"
    assert messages(text, "syntax") == [TOO_DEEP]


def test_chained_merge_keys_are_counted() -> None:
    # 1,000 anchors, each merging the one before: merges read inside one another
    lines = ["m0: &m0 {k0: v}"] + [
        f"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: v}}" for i in range(1, 1000)
    ]
    text = SANDBOX + "---\n" + "\n".join(lines) + "\n"
    assert messages(text, "syntax") == [TOO_DEEP]


def test_without_libyamls_limit_the_depth_is_measured_before_composing(monkeypatch) -> None:
    # a libyaml build without a nesting limit: the C composer must never see 100,000 levels
    monkeypatch.setattr(nesting, "_libyaml_limits_nesting", lambda: False)

    def composer_must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("composed a document nested 100,000 levels")

    monkeypatch.setattr(load.yaml, "compose_all", composer_must_not_run)  # type: ignore[attr-defined]
    loaded = load.parse_documents("m.yaml", "a: b\nx: " + flow(100_000) + "\n")
    # (this machine's libyaml stops at its own limit first, the position differs)
    assert [(h.position.line, h.message) for h in loaded.hits] == [(2, TOO_DEEP)]


def test_measure_is_exact_where_the_cheap_bound_is_not() -> None:
    # 300 brackets on one line, nested only two deep: the bound says "maybe", the
    # events say no
    text = "x: [" + ", ".join(["[a]"] * 300) + "]\n"
    assert nesting.measure(text, 100) is None
    assert nesting.measure("x: " + flow(100), 100) == (1, 103)  # the mapping is level 1
    assert nesting.measure("x: " + flow(99), 100) is None


@pytest.mark.parametrize("command", [("check",), ("fix",), ("compile",)])
@pytest.mark.parametrize("shape", [flow, mappings])
def test_commands_report_deep_nesting_without_crashing(
    repo: Repo, karsgit, monkeypatch, command: tuple[str, ...], shape
) -> None:
    monkeypatch.setenv("KARS_REGISTRY", "registry.example")
    repo.write("sb.yaml", SANDBOX + "---\nx: " + shape(100_000) + "\n")
    repo.write(
        "other.yaml", SANDBOX.replace("name: web", "name: other") + "---\nx: " + shape(300) + "\n"
    )
    result = karsgit(*command)
    assert result.code not in (3, 4), result.err
    assert "internal error" not in result.err
    if command == ("fix",):
        assert "sb.yaml: not fixed: has syntax findings" in result.err
    else:
        assert result.code == 1
        assert "the document nests deeper than 100 levels" in result.out


def test_deep_learned_json_is_a_one_line_refusal() -> None:
    with pytest.raises(KarsgitError, match=r"learned\.json: JSON nests too deeply to read"):
        parse_learned(("[" * 100_000 + "]" * 100_000).encode(), "learned.json")


def test_deep_learned_json_through_the_cli(repo: Repo, karsgit) -> None:
    repo.write("sb.yaml", SANDBOX)
    repo.write("learned.json", '{"hosts": ' + "[" * 50_000 + "]" * 50_000 + "}")
    result = karsgit("egress", "web", "--pending", "--learned", "learned.json")
    assert result.code == 3
    assert (
        result.err.splitlines()[0] == "karsgit: error: learned.json: JSON nests too deeply to read"
    )


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deep_sigstore_bundle_is_malformed(depth: int) -> None:
    deep = '{"mediaType": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(MalformedBundle, match="bundle json nests too deeply to read"):
        parse_bundle(deep.encode())


def test_fix_and_compile_read_the_deepest_allowed_document(
    repo: Repo, karsgit, monkeypatch
) -> None:
    # 100 levels (the limit) go through every recursive reader downstream: the
    # loader, fix's deepcopy check and ruamel.yaml's round trip in fix and compile
    monkeypatch.setenv("KARS_REGISTRY", "registry.example")
    text = (
        SANDBOX.replace("api.github.com", "API.github.com")
        + "---\nx: "
        + "{a: " * 98
        + "1"
        + "}" * 98
        + "\n"
    )
    repo.write("sb.yaml", text)
    fixed = karsgit("fix")
    assert fixed.err == "" and fixed.out == "sb.yaml: fixed 1 finding (host-case)\n"
    assert karsgit("compile").code == 0
    assert karsgit("check").code == 0
