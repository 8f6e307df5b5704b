"""Read the UK sanctions list: the FCDO UK Sanctions List CSV and the older OFSI layout.

The layout is recognised by content. FCDO: a ``Report Date: DD-Mon-YYYY`` line, then a header
with ``Unique ID``, ``Name 6`` (surname or whole entity name), ``Name 1``..``Name 5``, ``Name
type`` and ``Alias strength``; one row per name, rows grouped by ``Unique ID``. OFSI (2022
format): a ``Last Updated,DD/MM/YYYY`` line, then ``Name 6`` first, ``Group ID``, ``Alias
Type``, ``Alias Quality``. Anything else, or a damaged file, raises `ListFormatError` naming the
file, the line and the problem.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from finflow.errors import FeedFormatError, InputError
from finflow.resources import package_file
from finflow.screen.model import (
    ALIAS,
    NON_LATIN,
    PRIMARY,
    VARIATION,
    Designation,
    NameRow,
    SanctionsList,
)

log = logging.getLogger(__name__)

NAME_PARTS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")


class ListFormatError(FeedFormatError):
    """A sanctions list file is empty, damaged or not in a known layout."""


@dataclass(frozen=True)
class Layout:
    name: str
    preamble: str  # how the line before the header starts
    unique_id: str
    name_type: str
    strength: str
    regime: str
    kind: str
    dob: str
    non_latin: str

    @property
    def required(self) -> tuple[str, ...]:
        return (*NAME_PARTS, self.unique_id, self.name_type, self.kind)


FCDO = Layout(
    "FCDO", "Report Date:", "Unique ID", "Name type", "Alias strength", "Regime Name",
    "Designation Type", "D.O.B", "Name non-latin script",
)  # fmt: skip
OFSI = Layout(
    "OFSI", "Last Updated,", "Group ID", "Alias Type", "Alias Quality", "Regime",
    "Group Type", "DOB", "Name Non-Latin Script",
)  # fmt: skip


def default_list_path() -> Path:
    """The shipped fictional list (FCDO layout) used by tests and the demo."""
    return package_file("data", "sanctions", "fictional-uk-sanctions-list.csv")


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: sanctions list not found") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the sanctions list ({exc.strerror})") from exc
    if not raw.strip():
        raise ListFormatError(f"{path}: the sanctions list file is empty")
    if b"\x00" in raw[:4096]:
        raise ListFormatError(f"{path}: binary file, not a sanctions list CSV")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s: not UTF-8, reading it as Windows-1252", path)
        return raw.decode("cp1252", errors="replace")


def _layout(path: Path, first: list[str], second: list[str] | None) -> tuple[Layout, str, int]:
    """The layout, the list's date and the index of the header row."""
    joined = ",".join(first)
    for layout in (FCDO, OFSI):
        if joined.startswith(layout.preamble) and second and layout.unique_id in second:
            return layout, joined[len(layout.preamble) :].strip(" ,"), 1
        if layout.unique_id in first and "Name 6" in first:
            return layout, "", 0
    raise ListFormatError(
        f"{path}: not a UK sanctions list CSV (expected the FCDO layout: a 'Report Date:' line "
        "and a header with 'Unique ID' and 'Name 6', or the OFSI layout with 'Group ID')"
    )


def _name_type(value: str, path: Path, line: int) -> str:
    text = value.strip().lower()
    if "primary" in text:
        return VARIATION if "variation" in text else PRIMARY
    if text in ("alias", "aka", "a.k.a", "") or "alias" in text:
        return ALIAS
    raise ListFormatError(f"{path}: line {line}: unknown name type {value!r}")


def load_list(path: Path | str) -> SanctionsList:
    """Read an FCDO or OFSI sanctions list CSV (layout recognised by content)."""
    path = Path(path)
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ListFormatError(
            f"{path}: line {reader.line_num}: damaged CSV ({exc}); is the file truncated?"
        ) from exc
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ListFormatError(f"{path}: the sanctions list file is empty")
    layout, report_date, header_at = _layout(path, rows[0], rows[1] if len(rows) > 1 else None)
    header = [h.strip() for h in rows[header_at]]
    missing = [c for c in layout.required if c not in header]
    if missing:
        raise ListFormatError(f"{path}: {layout.name} header lacks columns {', '.join(missing)}")
    col = {name: i for i, name in enumerate(header)}
    body = rows[header_at + 1 :]
    if not body:
        raise ListFormatError(f"{path}: the {layout.name} sanctions list has no designations")
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, row in enumerate(body, start=header_at + 2):
        if len(row) != len(header):
            raise ListFormatError(
                f"{path}: record {number}: {len(row)} fields, the header has {len(header)}"
            )
        record = {name: row[i].strip() for name, i in col.items()}
        uid = record[layout.unique_id]
        if not uid:
            raise ListFormatError(f"{path}: record {number}: no {layout.unique_id}")
        grouped.setdefault(uid, []).append((number, record))
    designations = tuple(_designation(path, layout, uid, recs) for uid, recs in grouped.items())
    log.info("%s: %s layout, %d designations", path, layout.name, len(designations))
    return SanctionsList(path, layout.name, report_date, designations)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def _designation(
    path: Path, layout: Layout, uid: str, records: list[tuple[int, dict[str, str]]]
) -> Designation:
    names: list[NameRow] = []
    dobs: list[str] = []
    kind = regime = ""
    for number, record in records:
        full = " ".join(p for p in (record[c] for c in NAME_PARTS) if p)
        non_latin = _split(record.get(layout.non_latin, ""))
        if not full and not non_latin:
            raise ListFormatError(f"{path}: record {number} ({uid}): no name")
        if full:
            given = any(record[c] for c in NAME_PARTS[:5])
            names.append(
                NameRow(
                    full,
                    _name_type(record[layout.name_type], path, number),
                    record.get(layout.strength, ""),
                    record["Name 6"] if given else "",
                )
            )
        names.extend(NameRow(n, NON_LATIN) for n in non_latin)
        dobs.extend(d for d in _split(record.get(layout.dob, "")) if d not in dobs)
        kind = kind or record[layout.kind]
        regime = regime or record.get(layout.regime, "")
    unique = tuple(dict.fromkeys(names))
    primary = next((n.name for n in unique if n.name_type == PRIMARY), unique[0].name)
    return Designation(uid, _kind(kind), regime, primary, unique, tuple(dobs))


def _kind(value: str) -> str:
    text = value.lower()
    if text.startswith("individual") or text == "person":
        return "Individual"
    if text.startswith("ship") or text == "vessel":
        return "Ship"
    return "Entity"
