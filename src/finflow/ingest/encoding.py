"""Decode statement text explicitly: UTF-8 (with or without BOM), else Windows-1252.

Nothing is ever replaced silently: bytes that are neither valid UTF-8 nor defined in
Windows-1252 make the file unreadable (:class:`~finflow.errors.FeedFormatError`).
"""

from __future__ import annotations

import codecs

from finflow.errors import FeedFormatError

ENCODINGS = ("utf-8", "cp1252")


def decode_bytes(data: bytes, name: str, *, partial: bool = False) -> tuple[str, str]:
    """(text, encoding) of `data`; `partial` allows a multi-byte character cut at the end.

    The BOM is removed. Raises FeedFormatError for NUL bytes (binary or UTF-16 without BOM)
    and for bytes that no supported encoding accepts.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16", name, partial), "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[3:], "utf-8", name, partial), "utf-8-sig"
    if b"\x00" in data:
        raise FeedFormatError(f"{name}: binary content (NUL bytes), not a text statement")
    try:
        return _decode(data, "utf-8", name, partial), "utf-8"
    except FeedFormatError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise FeedFormatError(
            f"{name}: neither UTF-8 nor Windows-1252 text "
            f"(byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc


def _decode(data: bytes, encoding: str, name: str, partial: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(data, final=not partial)
    except UnicodeDecodeError as exc:
        raise FeedFormatError(
            f"{name}: not valid {encoding} text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start})"
        ) from exc
