"""karsgit reads the Public Suffix List itself (for speed); it must agree with the
publicsuffixlist package's own reader on every rule, their parents and children;
a run that asks about a few hosts searches the list's text instead, which must
agree with the rule sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from publicsuffixlist import PublicSuffixList

from karsgit.normalize import unsafe
from karsgit.normalize.unsafe import _suffix_rules, public_suffix


def test_agrees_with_publicsuffixlist() -> None:
    reference = PublicSuffixList(accept_unknown=False)
    rules = _suffix_rules()
    hosts: set[str] = set()
    for rule in rules.plain | rules.wildcard | rules.exception:
        hosts |= {rule, f"x.{rule}", f"a.b.{rule}", rule.partition(".")[2]}
    hosts |= {"my-service", "localhost", "api.github.com", "github.io", "co.uk", "ck", "www.ck"}
    hosts.discard("")
    assert len(hosts) > 20_000
    disagree = sorted(h for h in hosts if public_suffix(h) != bool(reference.is_public(h)))
    assert disagree == []


def _sample() -> set[str]:
    rules = _suffix_rules()
    every = sorted(rules.plain | rules.wildcard | rules.exception)
    # All wildcard, exception and Unicode rules, and a slice of the rest: the
    # search costs ~0.4 ms a host.
    picked = [*every[::25], *rules.wildcard, *rules.exception]
    picked += [r for r in every if "xn--" in r]
    hosts: set[str] = set()
    for rule in picked:
        hosts |= {rule, f"x.{rule}", rule.partition(".")[2]}
    hosts |= {"my-service", "github.io", "co.uk", "ck", "www.ck", "a.ck", "xn--p1ai"}
    hosts |= {"xn--zz-invalid-punycode-", "xn--", "a..com"}
    hosts.discard("")
    return hosts


def test_the_text_search_agrees_with_the_rule_sets() -> None:
    text = unsafe._list_text()
    assert text is not None  # the bundled list is written one plain rule a line
    hosts = _sample()
    assert len(hosts) > 2_000
    disagree = sorted(h for h in hosts if unsafe._in_text(text, h) != unsafe._in_sets(h))
    assert disagree == []


def test_a_hook_run_searches_and_a_large_run_builds_the_sets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unsafe._suffix_rules.cache_clear()
    monkeypatch.setattr(unsafe, "_searched", 0)
    hosts = [f"h{i}.example.com" for i in range(unsafe._SEARCHED_HOSTS - 1)]
    assert [public_suffix(h) for h in [*hosts, "co.uk"]] == [False] * len(hosts) + [True]
    assert unsafe._suffix_rules.cache_info().currsize == 0
    assert public_suffix("github.io") is True  # one past the limit
    assert unsafe._suffix_rules.cache_info().currsize == 1


@pytest.mark.parametrize(
    ("line", "host"),
    [
        ("Example.Com", "example.com"),
        ("example.com // a comment after whitespace", "example.com"),
        ("exa\u2028mple.com", "mple.com"),  # a line boundary to splitlines
    ],
)
def test_a_list_not_written_one_plain_rule_a_line_is_not_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, host: str
) -> None:
    data = tmp_path / "public_suffix_list.dat"
    data.write_text(f"// comment\ncom\n{line}\n", encoding="utf-8")
    monkeypatch.setattr(unsafe, "_list_path", lambda: data)
    monkeypatch.setattr(unsafe, "_searched", 0)
    unsafe._list_text.cache_clear()
    unsafe._suffix_rules.cache_clear()
    try:
        assert unsafe._list_text() is None
        assert public_suffix(host) is True  # as the sets read it
    finally:
        unsafe._list_text.cache_clear()
        unsafe._suffix_rules.cache_clear()
