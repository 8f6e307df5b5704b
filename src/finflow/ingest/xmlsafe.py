"""Hardened, streaming XML events for bank-statement files.

Safety: the parser never sees a DTD. A ``<!DOCTYPE`` or ``<!ENTITY`` anywhere in the file is
refused before parsing with :class:`~finflow.errors.FeedFormatError`, so there is no external
entity, no entity expansion (billion laughs) and no network or file access; only the five
predefined entities and character references exist.

Streaming: the file is decoded in 1 MiB chunks and fed to an ``XMLPullParser``. Callers drop the
elements they are done with (see ``camt053``), so memory stays bounded by one statement entry.

Several documents in one file (concatenated exports, each with its own XML declaration) are read
as one stream: every ``<?xml ...?>`` declaration is blanked (same length, so line and column
numbers stay true) and the whole text is wrapped in a synthetic root element. The encoding comes
from the byte-order mark or the first declaration (UTF-8 by default) and is decoded strictly.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from finflow.errors import FeedFormatError

CHUNK = 1 << 18
WRAPPER = "finflow-wrap"
_DECLARATION = re.compile(r"<\?xml\s[^>]*?\?>")
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING = re.compile(rb"""^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")

Event = tuple[str, ET.Element, str]
"""(``start``/``end``, the element (tag reduced to its local name), its namespace on ``start``)."""


def detect_encoding(head: bytes) -> str:
    """The codec of an XML file: its byte-order mark, else its declaration, else UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    match = _ENCODING.match(head[:512])
    return match.group(1).decode("ascii").lower() if match else "utf-8"


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


class _Feeder:
    """Decode, check and clean the text in chunks; track lines for error messages."""

    def __init__(self, name: str, encoding: str) -> None:
        self.name = name
        try:
            self.decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        except LookupError as exc:
            raise FeedFormatError(f"{name}: unknown XML encoding {encoding!r}") from exc
        self.encoding = encoding
        self.carry = ""
        self.line = 1
        self.offset = 0

    def text(self, data: bytes, final: bool = False) -> str:
        try:
            decoded = self.decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            raise FeedFormatError(
                f"{self.name}: not valid {self.encoding} text "
                f"(byte 0x{data[exc.start]:02x} at offset {self.offset + exc.start})"
            ) from exc
        self.offset += len(data)
        text = self.carry + decoded
        self.carry = ""
        cut = text.rfind("<")
        if not final and cut != -1 and ">" not in text[cut:]:
            text, self.carry = text[:cut], text[cut:]
        dtd = _DTD.search(text)
        if dtd:
            line = self.line + text.count("\n", 0, dtd.start())
            raise FeedFormatError(
                f"{self.name}: {dtd.group(0)[2:].upper()} declaration at line {line} refused "
                "(DTDs and entity declarations are not accepted in bank statements)"
            )
        self.line += text.count("\n")
        return _DECLARATION.sub(lambda m: " " * len(m.group(0)), text)


def _parse_error(name: str, exc: ET.ParseError) -> FeedFormatError:
    line, column = getattr(exc, "position", (0, 0))
    if line == 1:
        column -= len(WRAPPER) + 2
    reason = str(exc).split(":")[0]
    return FeedFormatError(
        f"{name}: not well-formed XML at line {line}, column {column + 1}: {reason}"
    )


def iter_events(path: Path) -> Iterator[Event]:
    """Stream ``start``/``end`` events of `path` with namespace-free tags.

    Raises FeedFormatError for a DOCTYPE/ENTITY, undecodable bytes or malformed XML (with line
    and column). The caller must remove finished elements from their parent to bound memory.
    """
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    with path.open("rb") as fh:
        data = fh.read(CHUNK)
        feeder = _Feeder(path.name, detect_encoding(data))
        parser.feed(f"<{WRAPPER}>")
        while True:
            final = len(data) < CHUNK
            yield from _drain(path.name, parser, feeder.text(data, final=final))
            if final:
                yield from _drain(path.name, parser, f"</{WRAPPER}>", close=True)
                return
            data = fh.read(CHUNK)


def _drain(
    name: str, parser: ET.XMLPullParser[ET.Element], text: str, close: bool = False
) -> Iterator[Event]:
    """Feed `text` and yield the events it completes (a parse error is raised at its place)."""
    try:
        parser.feed(text)
        if close:
            parser.close()
        events = cast(list[tuple[str, ET.Element]], list(parser.read_events()))
    except ET.ParseError as exc:
        raise _parse_error(name, exc) from exc
    for event, elem in events:  # start/end events always carry an element
        if elem.tag == WRAPPER:
            continue
        if event == "start":
            namespace, elem.tag = _split_tag(elem.tag)
            yield event, elem, namespace
        else:
            yield event, elem, ""
