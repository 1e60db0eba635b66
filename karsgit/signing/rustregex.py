"""Where Rust's ``regex`` crate and Python's ``re`` part ways, for ``re:`` SAN patterns.

The controller compiles ``re:`` patterns with Rust's ``regex``, which has no
backtracking: it rejects backreferences, lookaround, atomic groups, possessive
quantifiers, conditionals and ``\\Z``, all of which Python accepts. A pattern
Python accepts but Rust rejects would make the controller's whole policy
malformed, so karsgit reports it as malformed too. The other direction (Rust
accepts ``\\pL``, ``(?<name>...)`` before Python 3.12 does not) is reported as
malformed by ``re.compile`` and says so in the hint of the caller.
"""

from __future__ import annotations

import re

_LOOKAROUND = {
    "(?=": "lookahead",
    "(?!": "negative lookahead",
    "(?<=": "lookbehind",
    "(?<!": "negative lookbehind",
    "(?>": "atomic group",
    "(?(": "conditional group",
    "(?P=": "named backreference",
    "(?#": "comment group",
}
_RUST_FLAGS = frozenset("imsUuxR-")
_REPETITION = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")


def rust_regex_problem(pattern: str) -> str | None:
    """A construct Rust's ``regex`` refuses, named, or None."""
    i, n = 0, len(pattern)
    previous_quantifier = False
    while i < n:
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1 : i + 2]
            if escaped.isdigit() and escaped != "0":
                return f"backreference '\\{escaped}' is not supported by rust regex"
            if escaped == "Z":
                return "'\\Z' is not supported by rust regex (use '\\z')"
            i, previous_quantifier = i + 2, False
            continue
        if char == "[":
            i, previous_quantifier = skip_class(pattern, i), False
            continue
        if char == "{" and not _REPETITION.match(pattern, i):
            return "a literal '{' must be escaped in rust regex (and '{,n}' is not a repetition)"
        if char == "(" and pattern.startswith("(?", i):
            problem = _group_problem(pattern, i)
            if problem:
                return problem
        if previous_quantifier and char == "+":
            return "possessive quantifier is not supported by rust regex"
        previous_quantifier = char in "*+?}"
        i += 1
    return None


def _group_problem(pattern: str, start: int) -> str | None:
    for opener, name in _LOOKAROUND.items():
        if pattern.startswith(opener, start):
            return f"{name} '{opener}' is not supported by rust regex"
    end = start + 2
    while end < len(pattern) and pattern[end] not in ":)":
        end += 1
    flags = pattern[start + 2 : end]
    if flags and not flags.startswith(("P<", "<")) and not set(flags) <= _RUST_FLAGS:
        return f"inline flags '(?{flags}' are not supported by rust regex"
    return None


def skip_class(pattern: str, start: int) -> int:
    """The index after the ``]`` that closes the class opened at ``start``."""
    i = start + 1
    if pattern.startswith("^", i):
        i += 1
    if pattern.startswith("]", i):
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "[":
            i = skip_class(pattern, i)
            continue
        if pattern[i] == "]":
            return i + 1
        i += 1
    return i


def python_pattern(pattern: str) -> str:
    """The Python spelling of a Rust pattern that ``rust_regex_problem`` accepted:
    ``\\z`` (end of text) is Python's ``\\Z``, ``(?<name>`` is ``(?P<name>``."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":
            pair = pattern[i : i + 2]
            out.append("\\Z" if pair == "\\z" else pair)
            i += 2
        elif pattern[i] == "[":
            end = skip_class(pattern, i)
            out.append(pattern[i:end])
            i = end
        elif pattern.startswith("(?<", i) and pattern[i + 3 : i + 4] not in ("=", "!"):
            out.append("(?P<")
            i += 3
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)
