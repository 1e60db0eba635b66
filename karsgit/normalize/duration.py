"""The EgressApproval TTL grammar, as the kars controller accepts it (DESIGN.md §2).

ISO-8601 durations with days before ``T`` and hours, minutes, seconds after it;
anything else (weeks, months, years, fractions, signs, lowercase) is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

HARD_CEILING = timedelta(days=7)
DEFAULT_CEILING = timedelta(hours=24)

_GRAMMAR = re.compile(r"P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?)?")
# What the CRD's own pattern admits beyond the controller's grammar, to name it.
_UNITS = re.compile(r"P(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+W)?(?:[0-9]+D)?(?:T.*)?")
_MAX_SECONDS = timedelta.max // timedelta(seconds=1)
_HUGE = _MAX_SECONDS + 1
_EXAMPLES = "write e.g. 'PT15M', 'PT4H' or 'P1D'"


@dataclass(frozen=True, slots=True)
class TtlError:
    """Why a TTL is not accepted: a lowercase fact and an imperative hint."""

    message: str
    hint: str = _EXAMPLES

    def __str__(self) -> str:
        return self.message


def parse_ttl(text: object) -> timedelta | TtlError:
    """The duration of a TTL, or why the controller would reject it."""
    if not isinstance(text, str):
        return TtlError(f"ttl {text!r} is not a string", _EXAMPLES)
    shown = f"ttl '{text}'"
    if not text:
        return TtlError("ttl is empty")
    match = _GRAMMAR.fullmatch(text)
    if match is None:
        return _diagnose(text, shown)
    if text in ("P", "PT") or text.endswith("T"):
        return TtlError(f"{shown} has no value after '{text[-1]}'")
    # Digit runs are capped before int(): Python refuses over 4300 digits, and
    # timedelta overflows long before 16.
    groups = [(g or "0").lstrip("0") or "0" for g in match.groups()]
    days, hours, minutes, seconds = (int(g) if len(g) <= 16 else _HUGE for g in groups)
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total == 0:
        return TtlError(f"{shown} is zero", "write a positive duration, e.g. 'PT1H'")
    if total > _MAX_SECONDS:
        return TtlError(f"{shown} is longer than the hard ceiling of 7 days", "use at most P7D")
    return timedelta(seconds=total)


def _diagnose(text: str, shown: str) -> TtlError:
    """Name the one thing wrong with a TTL outside the grammar."""
    upper = text.upper()
    if text != upper and _GRAMMAR.fullmatch(upper):
        return TtlError(f"{shown} is not in uppercase", f"write '{upper}'")
    if text != text.strip() or any(c.isspace() for c in text):
        return TtlError(f"{shown} contains whitespace", f"write '{''.join(text.split())}'")
    if text.startswith(("-", "+")):
        return TtlError(f"{shown} has a sign", "write a positive duration without a sign")
    if "." in text or "," in text:
        return TtlError(f"{shown} has a fraction", "write whole units, e.g. 'PT90M' for 1.5 hours")
    if _UNITS.fullmatch(text):
        return _unit_error(text, shown)
    return TtlError(f"{shown} is not an iso-8601 duration of days, hours, minutes and seconds")


def _unit_error(text: str, shown: str) -> TtlError:
    date = text.split("T", 1)[0]
    if "W" in date:
        weeks = re.search(r"([0-9]+)W", date)
        hint = f"write 'P{int(weeks.group(1)) * 7}D'" if weeks else "write days, e.g. 'P7D'"
        return TtlError(f"{shown} uses weeks, which are not accepted", hint)
    if "Y" in date:
        return TtlError(f"{shown} uses years, which are not accepted", "write days, e.g. 'P1D'")
    if "M" in date:
        return TtlError(f"{shown} uses months, which are not accepted", "write days, e.g. 'P1D'")
    return TtlError(f"{shown} is not an iso-8601 duration of days, hours, minutes and seconds")


def exceeds(ttl: timedelta, ceiling: timedelta = DEFAULT_CEILING) -> TtlError | None:
    """Why a parsed TTL is above a ceiling (the cluster's, or the 7-day hard one)."""
    limit = min(ceiling, HARD_CEILING)
    if ttl <= limit:
        return None
    which = "hard ceiling" if limit == HARD_CEILING else "ceiling"
    fact = f"ttl {format_ttl(ttl)} is longer than the {which} of {format_ttl(limit)}"
    return TtlError(fact, f"use at most {format_ttl(limit)}")


def format_ttl(ttl: timedelta) -> str:
    """The shortest TTL text for a positive whole-second duration (90 min -> 'PT1H30M')."""
    if ttl <= timedelta(0) or ttl.microseconds:
        raise ValueError(f"ttl must be a positive whole number of seconds, not {ttl!r}")
    hours, rest = divmod(ttl.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    date = f"{ttl.days}D" if ttl.days else ""
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return f"P{date}T{time}" if time else f"P{date}"
