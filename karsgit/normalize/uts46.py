"""IDNA (UTS-46, non-transitional) through the ``idna`` package, its one importer.

Imported lazily by its callers' functions: most hosts are ASCII, and the hook
path must not pay for the package's tables.
"""

from __future__ import annotations


class IdnaError(ValueError):
    """A name that IDNA refuses; the message says why (from the idna package)."""


def remap(text: str) -> str:
    """UTS-46 mapping; non-transitional is the only mode idna >= 3.10 implements (ß stays ß)."""
    import idna

    try:
        return str(idna.uts46_remap(text, std3_rules=False, transitional=False))
    except idna.IDNAError as error:
        raise IdnaError(str(error)) from error


def alabel(label: str) -> str:
    """The punycode (A-label) form of one Unicode label."""
    import idna

    try:
        return bytes(idna.alabel(label)).decode("ascii")
    except idna.IDNAError as error:
        raise IdnaError(str(error)) from error


def ulabel(label: str) -> str:
    """The Unicode (U-label) form of one label; an invalid A-label raises."""
    import idna

    try:
        return str(idna.ulabel(label))
    except idna.IDNAError as error:
        raise IdnaError(str(error)) from error
