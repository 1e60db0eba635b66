"""How plain YAML scalars are read: by the cluster, by YAML 1.2 and by YAML 1.1.

The cluster (kubectl, Argo CD, Flux) decodes manifests with go-yaml v2 semantics
(DESIGN.md §2): ``0443`` is octal 291, ``no``/``on``/``y`` are booleans. karsgit
reads every value that way, and compares with the other two readers to find the
scalars that different tools would read differently (``yaml-ambiguous-scalar``).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

_V2_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_SPECIAL_FLOATS = {
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
}
# go-yaml v2's yamlStyleFloat.
_V2_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# Go's strconv.ParseInt(s, 0, 64) after go-yaml removed every "_".
_GO_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[0-7]*|0[bB][01]+|[1-9][0-9]*)")
_INT64 = 2**63
_UINT64 = 2**64


def _go_int(text: str) -> int | None:
    if not _GO_INT.fullmatch(text):
        return None
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if digits[:2] in ("0x", "0X"):
        value = int(digits[2:], 16)
    elif digits[:2] in ("0b", "0B"):
        value = int(digits[2:], 2)
    elif digits[:2] in ("0o", "0O"):
        value = int(digits[2:], 8)
    elif digits.startswith("0") and len(digits) > 1:
        value = int(digits[1:], 8)
    else:
        value = int(digits)
    value *= sign
    if -_INT64 <= value < _UINT64:
        return value
    return None


@lru_cache(maxsize=8192)
def cluster_value(text: str) -> Any:
    """A plain scalar as go-yaml v2 (and so the Kubernetes decoder) reads it."""
    if text in _NULLS:
        return None
    if text in _V2_BOOLS:
        return _V2_BOOLS[text]
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if not text or text[0] not in "+-.0123456789":
        return text
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None:
        return number
    if _V2_FLOAT.fullmatch(plain):
        return float(plain)
    return text


_CORE_INT = re.compile(r"[-+]?[0-9]+")
_CORE_OCT = re.compile(r"0o[0-7]+")
_CORE_HEX = re.compile(r"0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_CORE_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_CORE_BOOLS["FALSE"] = False


def yaml12_value(text: str) -> Any:
    """A plain scalar under the YAML 1.2 core schema (ruamel.yaml, most editors)."""
    if text in _NULLS:
        return None
    if text in _CORE_BOOLS:
        return _CORE_BOOLS[text]
    if _CORE_INT.fullmatch(text):
        return int(text)
    if _CORE_OCT.fullmatch(text):
        return int(text[2:], 8)
    if _CORE_HEX.fullmatch(text):
        return int(text[2:], 16)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if _CORE_FLOAT.fullmatch(text):
        return float(text)
    return text


_YAML11_SEXAGESIMAL = re.compile(r"[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+")


def yaml11_value(text: str) -> Any:
    """Where a full YAML 1.1 reader (PyYAML) differs from go-yaml v2: base 60."""
    if _YAML11_SEXAGESIMAL.fullmatch(text):
        sign = -1 if text.startswith("-") else 1
        value = 0
        for part in text.lstrip("+-").replace("_", "").split(":"):
            value = value * 60 + int(part)
        return sign * value
    return cluster_value(text)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return a == b and type(a) is type(b)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


_NUMERIC_START = frozenset("+-.0123456789")


@lru_cache(maxsize=8192)
def disagreement(text: str) -> tuple[Any, Any] | None:
    """``(cluster value, other reader's value)`` when readers disagree, else None."""
    if text[:1] not in _NUMERIC_START and text not in _V2_BOOLS:
        return None  # a word: every reader sees the same string, null or true/false
    ours = cluster_value(text)
    for other in (yaml12_value(text), yaml11_value(text)):
        if not _same(ours, other):
            return ours, other
    return None


def shown(value: Any) -> str:
    """A value as a finding names it: YAML's words for bools and null, strings quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string '{value}'"
    return "null" if value is None else repr(value)
