"""Unsafe-host checks: public suffixes (which admit a whole registry) and look-alikes.

Pure and offline: the public suffix list is the copy bundled with the
``publicsuffixlist`` package, loaded once per process on first use.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# Letters that render like Latin ones in common fonts, after UTS-46 mapping (so
# lowercase only); escapes keep the source itself free of look-alikes. A compact
# subset of Unicode's confusables.txt (UTS #39) rather than a dependency: the
# packages that ship the full table are either years without a release or new
# and unproven, and egress hosts are almost always ASCII, so a table of the
# known phishing alphabets (Cyrillic, Greek, Armenian) covers the real risk.
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "\u0430": "a", "\u0432": "b", "\u0441": "c", "\u0501": "d", "\u0435": "e", "\u04bb": "h",
    "\u0456": "i", "\u0458": "j", "\u043a": "k", "\u04cf": "l", "\u043c": "m", "\u043f": "n",
    "\u043e": "o", "\u0440": "p", "\u051b": "q", "\u0433": "r", "\u0455": "s", "\u0442": "t",
    "\u0475": "v", "\u051d": "w", "\u0445": "x", "\u0443": "y", "\u04af": "y", "\u050d": "g",
    "\u0451": "e", "\u0457": "i",
    # Greek
    "\u03b1": "a", "\u03f2": "c", "\u03b5": "e", "\u03b7": "n", "\u03b9": "i", "\u03f3": "j",
    "\u03ba": "k", "\u03bd": "v", "\u03bf": "o", "\u03c1": "p", "\u03c4": "t", "\u03c5": "u",
    "\u03c7": "x", "\u03b3": "y", "\u03c9": "w", "\u03af": "i", "\u03cc": "o",
    # Armenian
    "\u0561": "w", "\u0570": "h", "\u0578": "n", "\u057d": "u", "\u0585": "o", "\u0581": "g",
    "\u0566": "q",
    # Latin letters outside ASCII that pass for ASCII ones
    "\u0131": "i", "\u0251": "a", "\u0261": "g", "\u0269": "i", "\u028f": "y", "\u026a": "i",
    "\u1d0f": "o",
}  # fmt: skip

# Scripts that legitimately share a label (UTS #39 "highly restrictive" sets).
_CJK_SETS = (
    frozenset({"CJK", "HIRAGANA", "KATAKANA", "LATIN"}),
    frozenset({"CJK", "BOPOMOFO", "LATIN"}),
    frozenset({"CJK", "HANGUL", "LATIN"}),
)


@dataclass(frozen=True, slots=True)
class Confusable:
    """A host that renders like another one: what it is and what it looks like."""

    host: str
    punycode: str
    skeleton: str
    reason: str


@cache
def _psl() -> Any:
    from publicsuffixlist import PublicSuffixList  # lazy: ~40 ms to load

    # accept_unknown=False: an unlisted single label (a cluster-local service
    # name) is not a registry; the private section (github.io, ...) is kept.
    return PublicSuffixList(accept_unknown=False)


@dataclass(frozen=True)
class _SuffixRules:
    plain: frozenset[str]
    wildcard: frozenset[str]  # "*.ck" is stored as "ck"
    exception: frozenset[str]


def _list_path() -> Path:
    from importlib.util import find_spec

    spec = find_spec("publicsuffixlist")  # locate the data file without importing
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).with_name("public_suffix_list.dat")


@cache
def _suffix_rules() -> _SuffixRules:
    """The list shipped in the publicsuffixlist package, read directly: its own
    loader IDNA-encodes every rule (~0.1 s), more than a whole pre-commit run."""
    plain: set[str] = set()
    wildcard: set[str] = set()
    exception: set[str] = set()
    for line in _list_path().read_text(encoding="utf-8").splitlines():
        rule = line.split(maxsplit=1)[0] if line.strip() else ""
        if not rule or rule.startswith("//"):
            continue
        rule = _ace(rule.lower())
        if rule.startswith("!"):
            exception.add(rule[1:])
        elif rule.startswith("*."):
            wildcard.add(rule[2:])
        else:
            plain.add(rule)
    return _SuffixRules(frozenset(plain), frozenset(wildcard), frozenset(exception))


def _ace(rule: str) -> str:
    if rule.isascii():
        return rule
    return ".".join(
        label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        for label in rule.split(".")
    )


# Building the rule sets costs ~15 ms. A run that asks about a few hosts (a hook)
# checks the list once (~6 ms) and searches its text for each host's rule lines
# (~0.4 ms a host); past this many hosts the sets are cheaper.
_SEARCHED_HOSTS = 16
_searched = 0


@cache
def _list_text() -> str | None:
    """The list framed by newlines, when each rule line is exactly its rule (no
    spaces, already lowercase), so that "\n<rule>\n" finds a rule as the sets
    would; None when it is not, and the sets are used."""
    text = _list_path().read_text(encoding="utf-8")  # "\r\n" and "\r" read as "\n"
    # The sets split the text on every line boundary splitlines knows, comments too.
    if any(c in text for c in "\v\f\x1c\x1d\x1e\x85\u2028\u2029"):
        return None
    lines = [line for line in text.split("\n") if line and not line.startswith("//")]
    rules = "\n".join(lines)
    # No other whitespace in a rule line, and nothing that lowercasing changes.
    if rules.split() != lines or rules != rules.lower():
        return None
    return f"\n{text}\n"


def _written(host: str) -> list[str]:
    """The ways a rule line can spell this host: each punycode label as written or
    as the Unicode label it encodes (the sets hold rules in punycode)."""
    forms = [""]
    for label in host.split("."):
        spellings = [label]
        if label.startswith("xn--"):
            try:
                decoded = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                decoded = ""
            if not decoded.isascii() and _ace(decoded) == label:
                spellings.append(decoded)
        forms = [
            f"{form}.{spelling}" if form else spelling for form in forms for spelling in spellings
        ]
    return forms


def public_suffix(host: str) -> bool:
    """Whether the host is itself a public suffix (``com``, ``co.uk``, ``github.io``).

    Rules of the Public Suffix List, private section included; an unlisted single
    label (a cluster-local service name) is not a suffix.
    """
    global _searched
    host = host.lower()
    if not host:
        return False
    _searched += 1
    # A host that could spell a comment, an exception or a wildcard line, or span
    # lines, is looked up in the sets.
    plain = host.isprintable() and not host.startswith(("/", "!", "*")) and " " not in host
    text = _list_text() if plain and _searched <= _SEARCHED_HOSTS else None
    return _in_sets(host) if text is None else _in_text(text, host)


def _in_sets(host: str) -> bool:
    rules = _suffix_rules()
    if host in rules.exception:
        return False
    # "*.kobe.jp" makes kobe.jp a suffix too: listing it admits only suffixes.
    if host in rules.plain or host in rules.wildcard:
        return True
    parent = host.partition(".")[2]
    return bool(parent) and parent in rules.wildcard


def _in_text(text: str, host: str) -> bool:
    """``_in_sets`` by searching the list's text (``_list_text``) for the rule lines."""

    def listed(rule: str, prefix: str) -> bool:
        return any(f"\n{prefix}{form}\n" in text for form in _written(rule))

    if listed(host, "!"):
        return False
    if listed(host, "") or listed(host, "*."):
        return True
    parent = host.partition(".")[2]
    return bool(parent) and listed(parent, "*.")


def script_of(char: str) -> str | None:
    """The script of a letter, from its Unicode name; None for digits, marks, signs."""
    # Modifier letters (Lm) such as the Japanese prolonged sound mark are shared.
    if unicodedata.category(char) not in ("Lu", "Ll", "Lt", "Lo"):
        return None
    name = unicodedata.name(char, "")
    if name.startswith("CJK ") or name.startswith("IDEOGRAPHIC"):
        return "CJK"
    return name.split(" ", 1)[0] or None


def confusable(raw_unicode_host: str) -> Confusable | None:
    """Say whether a host (Unicode or punycode) mixes scripts or spells an ASCII look-alike."""
    host = raw_unicode_host.strip()
    if host.isascii() and "xn--" not in host.lower():
        return None
    mapped = _uts46(host)
    if mapped is None or mapped.isascii():
        # Unmappable names are normalize's business; names that map to plain
        # ASCII (fullwidth letters) resolve to that very ASCII name.
        return None
    reasons = [r for r in map(_label_reason, mapped.split(".")) if r]
    if not reasons:
        return None
    skeleton = "".join(CONFUSABLES.get(c, c) for c in mapped)
    return Confusable(host, _punycode(mapped), skeleton, "; ".join(reasons))


def _label_reason(label: str) -> str | None:
    scripts = sorted({s for s in map(script_of, label) if s})
    if len(scripts) > 1 and not any(set(scripts) <= allowed for allowed in _CJK_SETS):
        return f"label '{label}' mixes {' and '.join(s.lower() for s in scripts)} letters"
    skeleton = "".join(CONFUSABLES.get(c, c) for c in label)
    if skeleton != label and skeleton.isascii():
        script = scripts[0].lower() if scripts else "non-latin"
        return f"label '{label}' is written in {script} letters that look like '{skeleton}'"
    return None


def _uts46(host: str) -> str | None:
    """The lowercase Unicode form, with A-labels decoded: a spoof already in punycode counts."""
    from karsgit.normalize import uts46

    try:
        labels = uts46.remap(host).split(".")
        return ".".join(uts46.ulabel(x) if x.startswith("xn--") else x for x in labels)
    except uts46.IdnaError:
        return None


def _punycode(mapped: str) -> str:
    from karsgit.normalize import uts46

    try:
        return ".".join(
            label if label.isascii() else uts46.alabel(label) for label in mapped.split(".")
        )
    except uts46.IdnaError:
        # Look-alike but not encodable: still worth reporting, with no A-label.
        return ""


def registrable_domain(host: str) -> str | None:
    """Public suffix + 1 (``api.github.com`` -> ``github.com``); None for a suffix itself."""
    found = _psl().privatesuffix(host.lower()) if host else None
    return str(found) if found else None
