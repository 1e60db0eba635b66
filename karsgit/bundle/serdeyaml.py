"""How serde_yaml 0.9 (the kars controller's parser) types a plain scalar.

The canonical bundle writes hosts unquoted, so a host that serde_yaml reads as a
null, a bool, an integer or a float reaches the controller as a non-string and
the whole bundle fails (``host not a string``). This mirrors serde_yaml 0.9's
``visit_untagged_scalar``: null (``~``, ``null``, ``Null``, ``NULL``, empty),
bool (``true``/``True``/``TRUE``, ``false``/...), integers through Rust's
``from_str_radix`` (decimal without leading zeros, ``0x``/``0o``/``0b``, an
optional sign, up to 128 bits), then floats through Rust's ``f64::from_str``
when finite (``1e5``, ``1.``, ``.5``, ``2.5e10``; ``inf``, ``nan`` and
``1e999`` stay strings) and YAML's ``.inf``/``.nan``. A leading zero followed
only by digits (``0443``) is a string, as YAML 1.2 says.
"""

from __future__ import annotations

import functools
import math
import re

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_SPECIAL_FLOATS = frozenset(
    {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"}
    | {".nan", ".NaN", ".NAN"}
)
# Rust's f64 grammar (case-insensitive 'e'; the inf/nan names are never finite)
_RUST_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
# what a null, bool, integer or float can start with
_FIRST_CHARS = frozenset("0123456789+-.~nNtTfF")
_PREFIXES = (("0x", 16), ("0o", 8), ("0b", 2))


@functools.lru_cache(maxsize=16384)
def scalar_type(text: str) -> str | None:
    """'null', 'bool', 'int' or 'float' when serde_yaml 0.9 does not read a plain
    scalar ``text`` as a string; None when it does."""
    if text and text[0] not in _FIRST_CHARS:
        return None  # most hosts: a letter no null, bool or number starts with
    if text in _NULLS:
        return "null"
    if text in _BOOLS:
        return "bool"
    if _unsigned_int(text) or _negative_int(text):
        return "int"
    if not _digits_but_not_number(text) and _finite_float(text):
        return "float"
    return None


def _digits_but_not_number(text: str) -> bool:
    body = text[1:] if text[:1] in ("+", "-") else text
    return len(body) > 1 and body[0] == "0" and body[1:].isascii() and body[1:].isdigit()


def _from_str_radix(text: str, radix: int, signed: bool) -> int | None:
    """Rust's ``from_str_radix`` for u128 / i128: one optional sign, then digits."""
    sign = 1
    if text[:1] == "+":
        text = text[1:]
    elif text[:1] == "-" and signed:
        sign, text = -1, text[1:]
    allowed = _DIGITS[:radix]
    if not text or not all(c in allowed for c in text.lower()):
        return None
    value = sign * int(text, radix)
    low, high = (-(2**127), 2**127 - 1) if signed else (0, 2**128 - 1)
    return value if low <= value <= high else None


def _unsigned_int(text: str) -> bool:
    body = text[1:] if text.startswith("+") else text
    for prefix, radix in _PREFIXES:
        if body.startswith(prefix):
            rest = body[len(prefix) :]
            if rest[:1] in ("+", "-"):
                return False
            if _from_str_radix(rest, radix, signed=False) is not None:
                return True
    if body[:1] in ("+", "-") or _digits_but_not_number(text):
        return False
    return _from_str_radix(body, 10, signed=False) is not None


def _negative_int(text: str) -> bool:
    for prefix, radix in _PREFIXES:
        if text.startswith("-" + prefix):
            rest = text[len(prefix) + 1 :]
            if _from_str_radix("-" + rest, radix, signed=True) is not None:
                return True
    if _digits_but_not_number(text):
        return False
    return _from_str_radix(text, 10, signed=True) is not None


def _finite_float(text: str) -> bool:
    body = text
    if text.startswith("+"):
        body = text[1:]
        if body[:1] in ("+", "-"):
            return False
    if text in _SPECIAL_FLOATS:
        return True
    if not _RUST_FLOAT.fullmatch(body):
        return False
    return math.isfinite(float(body))
