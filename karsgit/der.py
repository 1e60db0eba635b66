"""Reading DER (ASN.1) elements, with the standard library only: the private-key
rule looks into key files on the hook path, where cryptography is not loaded."""

from __future__ import annotations


def tlv(data: bytes, pos: int) -> tuple[int, int, int] | None:
    """(tag, content start, content end) of the element at ``pos``; None when it is
    malformed (short, or a length of 0 or more than 4 bytes, or past the end)."""
    if pos + 2 > len(data):
        return None
    tag, length = data[pos], data[pos + 1]
    start = pos + 2
    if length & 0x80:
        width = length & 0x7F
        if not 1 <= width <= 4 or start + width > len(data):
            return None
        length = int.from_bytes(data[start : start + width], "big")
        start += width
    end = start + length
    return (tag, start, end) if end <= len(data) else None
