"""Explicitly tagged YAML scalars, read the way the cluster reads them.

The Kubernetes decoder (go-yaml v2 ``resolve`` and ``decoder.scalar``) honours
the standard scalar tags: ``!!str`` keeps the text, ``!!int``/``!!float``/
``!!bool``/``!!null``/``!!timestamp`` resolve the text and refuse the document
when it is not of that type (``!!float`` also takes an integer), and
``!!binary`` is base64-decoded into a string. Any other tag (``!foo``,
``!!set`` on a scalar, ``!``) is ignored: the value is the text, unresolved.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from karsgit.source import scalars

_YAML = "tag:yaml.org,2002:"
STR = _YAML + "str"
BINARY = _YAML + "binary"
INT = _YAML + "int"
FLOAT = _YAML + "float"
BOOL = _YAML + "bool"
NULL = _YAML + "null"
TIMESTAMP = _YAML + "timestamp"
MERGE = _YAML + "merge"
MAP = _YAML + "map"
SEQ = _YAML + "seq"

# Tags whose meaning every reader shares; the rest are "custom" (ambiguous).
SCALAR_TAGS = frozenset((STR, BINARY, INT, FLOAT, BOOL, NULL, TIMESTAMP))
# go-yaml v2's parseTimestamp layouts: date, optionally a time after T/t/space.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]{1,9})?"
    r"(?:Z|[-+][0-9]{1,2}:[0-9]{2})?)?"
)
_TYPES: dict[str, tuple[type[int] | type[float], ...]] = {
    INT: (int,),
    FLOAT: (int, float),
    BOOL: (bool,),
}


class TagRefused(ValueError):
    """The cluster's decoder refuses the document: the text is not of the tag's type."""


@dataclass(frozen=True, slots=True)
class Tagged:
    value: Any
    # True where readers may disagree: a custom tag the cluster ignores, or
    # !!binary, whose text a reviewer cannot read.
    hidden: bool = False


def short(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag


def read(tag: str, text: str) -> Tagged:
    """The value of a scalar written with an explicit ``tag`` (raises TagRefused)."""
    if tag == STR:
        return Tagged(text)
    if tag == BINARY:
        return Tagged(_binary(text), hidden=True)
    if tag == TIMESTAMP:
        if not _TIMESTAMP.fullmatch(text):
            raise TagRefused(_refusal(text, tag))
        return Tagged(text)  # decoded into interface{}, a timestamp stays a string
    if tag in (INT, FLOAT, BOOL, NULL):
        return Tagged(_typed(tag, text))
    return Tagged(text, hidden=True)


def _typed(tag: str, text: str) -> Any:
    value: Any = scalars.cluster_value(text)
    if tag == NULL:
        if value is not None:
            raise TagRefused(_refusal(text, tag))
        return None
    wanted = _TYPES[tag]
    if isinstance(value, bool) != (tag == BOOL) or not isinstance(value, wanted):
        raise TagRefused(_refusal(text, tag))
    return float(value) if tag == FLOAT else value


def _binary(text: str) -> str:
    # Go's base64.StdEncoding skips CR and LF and nothing else; padding is required.
    packed = text.replace("\r", "").replace("\n", "")
    try:
        data = base64.b64decode(packed, validate=True)
    except (binascii.Error, ValueError) as error:
        raise TagRefused(f"!!binary value '{_clip(text)}' is not valid base64") from error
    # Go keeps the bytes; JSON encoding (the API server's wire) replaces invalid UTF-8.
    return data.decode("utf-8", "replace")


def _refusal(text: str, tag: str) -> str:
    return f"'{_clip(text)}' cannot be read as {short(tag)}"


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
