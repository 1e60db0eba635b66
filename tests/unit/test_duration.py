"""The EgressApproval TTL grammar: accepted forms, named rejections, ceilings, formatting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from karsgit.normalize.duration import (
    DEFAULT_CEILING,
    HARD_CEILING,
    TtlError,
    exceeds,
    format_ttl,
    parse_ttl,
)

EXAMPLES = "write e.g. 'PT15M', 'PT4H' or 'P1D'"
NOT_ISO = "is not an iso-8601 duration of days, hours, minutes and seconds"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P1D", timedelta(days=1)),
        ("PT2H", timedelta(hours=2)),
        ("P1DT30M", timedelta(days=1, minutes=30)),
        ("PT15M", timedelta(minutes=15)),
        ("PT45S", timedelta(seconds=45)),
        ("P1DT1H1M1S", timedelta(days=1, hours=1, minutes=1, seconds=1)),
        ("PT01H", timedelta(hours=1)),
        ("PT0H30M", timedelta(minutes=30)),
        ("P7D", HARD_CEILING),
        ("PT90M", timedelta(minutes=90)),
    ],
)
def test_accepted(text: str, expected: timedelta) -> None:
    assert parse_ttl(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("", "ttl is empty", EXAMPLES),
        ("P", "ttl 'P' has no value after 'P'", EXAMPLES),
        ("PT", "ttl 'PT' has no value after 'T'", EXAMPLES),
        ("P1DT", "ttl 'P1DT' has no value after 'T'", EXAMPLES),
        ("PT0S", "ttl 'PT0S' is zero", "write a positive duration, e.g. 'PT1H'"),
        ("P0DT0H", "ttl 'P0DT0H' is zero", "write a positive duration, e.g. 'PT1H'"),
        ("P1W", "ttl 'P1W' uses weeks, which are not accepted", "write 'P7D'"),
        ("P2W", "ttl 'P2W' uses weeks, which are not accepted", "write 'P14D'"),
        ("P1M", "ttl 'P1M' uses months, which are not accepted", "write days, e.g. 'P1D'"),
        ("P1Y", "ttl 'P1Y' uses years, which are not accepted", "write days, e.g. 'P1D'"),
        ("P1Y2M", "ttl 'P1Y2M' uses years, which are not accepted", "write days, e.g. 'P1D'"),
        (
            "PT1.5H",
            "ttl 'PT1.5H' has a fraction",
            "write whole units, e.g. 'PT90M' for 1.5 hours",
        ),
        ("PT1,5H", "ttl 'PT1,5H' has a fraction", "write whole units, e.g. 'PT90M' for 1.5 hours"),
        ("pt2h", "ttl 'pt2h' is not in uppercase", "write 'PT2H'"),
        ("P1d", "ttl 'P1d' is not in uppercase", "write 'P1D'"),
        ("-PT1H", "ttl '-PT1H' has a sign", "write a positive duration without a sign"),
        ("+PT1H", "ttl '+PT1H' has a sign", "write a positive duration without a sign"),
        (" PT1H", "ttl ' PT1H' contains whitespace", "write 'PT1H'"),
        ("2h", f"ttl '2h' {NOT_ISO}", EXAMPLES),
        ("PT1H1D", f"ttl 'PT1H1D' {NOT_ISO}", EXAMPLES),
        ("PT1M1H", f"ttl 'PT1M1H' {NOT_ISO}", EXAMPLES),
        ("P\uff11D", f"ttl 'P\uff11D' {NOT_ISO}", EXAMPLES),  # fullwidth digit
        (
            "P999999999DT24H",
            "ttl 'P999999999DT24H' is longer than the hard ceiling of 7 days",
            "use at most P7D",
        ),
        (3600, "ttl 3600 is not a string", EXAMPLES),
        (None, "ttl None is not a string", EXAMPLES),
    ],
)
def test_rejected(text: object, message: str, hint: str) -> None:
    assert parse_ttl(text) == TtlError(message, hint)


def test_error_reads_as_its_message() -> None:
    assert str(parse_ttl("P1W")) == "ttl 'P1W' uses weeks, which are not accepted"


def test_ceilings() -> None:
    assert timedelta(days=7) == HARD_CEILING
    assert timedelta(hours=24) == DEFAULT_CEILING
    assert exceeds(timedelta(hours=24)) is None
    assert exceeds(timedelta(days=2)) == TtlError(
        "ttl P2D is longer than the ceiling of P1D", "use at most P1D"
    )
    # a configured ceiling above 7 days is capped at the hard ceiling
    assert exceeds(timedelta(days=3), timedelta(days=30)) is None
    assert exceeds(timedelta(days=8), timedelta(days=30)) == TtlError(
        "ttl P8D is longer than the hard ceiling of P7D", "use at most P7D"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(days=1), "P1D"),
        (timedelta(minutes=90), "PT1H30M"),
        (timedelta(days=1, seconds=5), "P1DT5S"),
        (timedelta(hours=24), "P1D"),
        (timedelta(seconds=1), "PT1S"),
    ],
)
def test_format_ttl(value: timedelta, text: str) -> None:
    assert format_ttl(value) == text


@pytest.mark.parametrize("value", [timedelta(0), timedelta(seconds=-1), timedelta(milliseconds=1)])
def test_format_ttl_refuses_what_has_no_ttl(value: timedelta) -> None:
    with pytest.raises(ValueError, match="positive whole number of seconds"):
        format_ttl(value)


@given(st.integers(min_value=1, max_value=10**9 * 86400 - 1))
def test_format_then_parse_round_trips(seconds: int) -> None:
    value = timedelta(seconds=seconds)
    assert parse_ttl(format_ttl(value)) == value


@given(st.text(alphabet="PTDHMSWY0123456789.,-+ pt", max_size=16))
def test_parse_never_raises(text: str) -> None:
    result = parse_ttl(text)
    assert isinstance(result, timedelta | TtlError)
    if isinstance(result, timedelta):
        assert result > timedelta(0)
