"""karsgit reads the Public Suffix List itself (for speed); it must agree with the
publicsuffixlist package's own reader on every rule, their parents and children."""

from __future__ import annotations

from publicsuffixlist import PublicSuffixList

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
