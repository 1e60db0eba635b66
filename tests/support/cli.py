"""What an in-process run of the real entry point gave (the ``karsgit`` fixture)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]
