"""Reference data: the customers (KYC) file and the institutions file -> lake reference tables.

Both are CSV with a header naming the columns (any order; extra columns are ignored). Every
data row is either accepted or quarantined with a reason code, so rows read == accepted +
quarantined. Values are kept verbatim (facts); normalisation for matching happens in
`finflow.score.entities`. The formats are documented in docs/feeds.md.
"""

from __future__ import annotations

import csv
import gc
import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from finflow.errors import FeedFormatError
from finflow.schema import QUARANTINE_SCHEMA

log = logging.getLogger(__name__)

CUSTOMERS = "customers"
INSTITUTIONS = "institutions"
REFERENCE_FEEDS = (CUSTOMERS, INSTITUTIONS)

CUSTOMER_COLUMNS = (
    "customer_id",
    "name",
    "date_of_birth",
    "addresses",
    "phone",
    "email",
    "nationality",
    "account_ids",
)
CUSTOMER_REQUIRED = ("customer_id", "name", "date_of_birth", "account_ids")
CUSTOMER_OPTIONAL = ("device_id",)
INSTITUTION_COLUMNS = ("institution_id", "name", "bic", "country", "type")

LIST_SEPARATOR = ";"
"""Several addresses or account ids in one field are separated by semicolons."""

INSTITUTION_TYPES = {
    "bank": "bank",
    "msb": "msb",
    "money service business": "msb",
    "money_service_business": "msb",
    "payment institution": "payment_institution",
    "payment_institution": "payment_institution",
    "emi": "payment_institution",
    "crypto exchange": "crypto_exchange",
    "crypto_exchange": "crypto_exchange",
    "vasp": "crypto_exchange",
}
"""Accepted spellings (case-insensitive) -> the canonical institution type."""

MIN_DOB = date(1900, 1, 1)
MAX_FIELD = 2000
BIC_RE = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
COUNTRY_RE = re.compile(r"[A-Z]{2}")
ACCOUNT_RE = re.compile(r"[^:\s]+:[^:\s]+")

REASONS = {
    "WRONG_FIELD_COUNT": "the row has a different number of fields from the header",
    "MISSING_ID": "the id field is empty",
    "DUPLICATE_ID": "the same id is listed on an earlier row",
    "MISSING_NAME": "the name is empty",
    "BAD_DATE_OF_BIRTH": "date of birth is not a valid YYYY-MM-DD date from 1900 on",
    "BAD_ACCOUNT_ID": "an account id is not BANK:ACCOUNT",
    "BAD_EMAIL": "the email address has no single '@' with text on both sides",
    "UNKNOWN_INSTITUTION_TYPE": "type is not bank, MSB, payment institution or crypto exchange",
    "BAD_BIC": "the BIC is not 8 or 11 letters/digits in the SWIFT layout",
    "BAD_COUNTRY": "country is not an ISO 3166 two-letter code",
    "FIELD_TOO_LONG": f"a field is longer than {MAX_FIELD} characters",
}

CUSTOMER_SCHEMA: dict[str, pl.DataType] = {
    "customer_id": pl.String(),
    "name": pl.String(),
    "date_of_birth": pl.Date(),
    "addresses": pl.List(pl.String()),
    "phone": pl.String(),
    "email": pl.String(),
    "nationality": pl.String(),
    "account_keys": pl.List(pl.String()),
    "device_id": pl.String(),
    "source_file": pl.String(),
    "source_sha256": pl.String(),
    "source_row": pl.Int64(),
}
"""A KYC customer as delivered; ``account_keys`` are ``bank:account`` like everywhere."""

INSTITUTION_SCHEMA: dict[str, pl.DataType] = {
    "institution_id": pl.String(),
    "name": pl.String(),
    "bic": pl.String(),
    "country": pl.String(),
    "type": pl.String(),
    "source_file": pl.String(),
    "source_sha256": pl.String(),
    "source_row": pl.Int64(),
}


def _header(line: str) -> list[str]:
    return [c.strip().lower() for c in next(csv.reader([line.lstrip("\ufeff")]), [])]


def reference_kind(first_line: str) -> str | None:
    """``customers``, ``institutions`` or None, from a file's header line."""
    columns = set(_header(first_line))
    if set(CUSTOMER_REQUIRED) <= columns:
        return CUSTOMERS
    if set(INSTITUTION_COLUMNS) <= columns:
        return INSTITUTIONS
    return None


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedFormatError(f"{path.name}: not valid UTF-8 (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from enumerate(reader)
    except csv.Error as exc:
        raise FeedFormatError(f"{path.name}: malformed CSV ({exc})") from exc


def _split(value: str) -> list[str]:
    """The stripped, non-empty items of a `LIST_SEPARATOR` list (C-level loops: this runs twice
    per customer, 800k times for a 400k-customer file)."""
    return list(filter(None, map(str.strip, value.split(LIST_SEPARATOR))))


def _dob(value: str) -> date | str | None:
    """The date, None when empty, or the reason code when invalid."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return "BAD_DATE_OF_BIRTH"
    return day if day >= MIN_DOB and len(value) == 10 else "BAD_DATE_OF_BIRTH"


def _customer(rec: dict[str, str]) -> dict[str, Any] | str:
    """The accepted record, or the reason code of its first problem."""
    if not rec["customer_id"]:
        return "MISSING_ID"
    if not rec["name"]:
        return "MISSING_NAME"
    dob = _dob(rec["date_of_birth"])
    if isinstance(dob, str):
        return dob
    accounts = _split(rec["account_ids"])
    if any(not ACCOUNT_RE.fullmatch(a) for a in accounts):
        return "BAD_ACCOUNT_ID"
    email = rec.get("email", "")
    if email and (email.count("@") != 1 or email.startswith("@") or email.endswith("@")):
        return "BAD_EMAIL"
    return {
        "customer_id": rec["customer_id"],
        "name": rec["name"],
        "date_of_birth": dob,
        "addresses": _split(rec.get("addresses", "")),
        "phone": rec.get("phone") or None,
        "email": email or None,
        "nationality": (rec.get("nationality") or "").upper() or None,
        "account_keys": accounts,
        "device_id": rec.get("device_id") or None,
    }


def _institution(rec: dict[str, str]) -> dict[str, Any] | str:
    if not rec["institution_id"]:
        return "MISSING_ID"
    if not rec["name"]:
        return "MISSING_NAME"
    kind = INSTITUTION_TYPES.get(" ".join(rec["type"].lower().split()))
    if kind is None:
        return "UNKNOWN_INSTITUTION_TYPE"
    bic = rec["bic"].upper()
    if bic and not BIC_RE.fullmatch(bic):
        return "BAD_BIC"
    country = rec["country"].upper()
    if country and not COUNTRY_RE.fullmatch(country):
        return "BAD_COUNTRY"
    return {
        "institution_id": rec["institution_id"],
        "name": rec["name"],
        "bic": bic or None,
        "country": country or None,
        "type": kind,
    }


def _frame(
    records: list[dict[str, Any]], schema: dict[str, pl.DataType], constant: dict[str, str]
) -> pl.DataFrame:
    """The accepted records as a frame, built column by column.

    A frame built from row dicts with list columns costs about 20x more (half the ingest time
    of a 400k-customer file). A list column is passed as its values joined by
    `LIST_SEPARATOR`, which `_split` guarantees no value contains, and split again in polars.
    """
    columns: list[pl.Series] = []
    for name, dtype in schema.items():
        if name in constant:
            columns.append(
                pl.repeat(constant[name], len(records), dtype=dtype, eager=True).alias(name)
            )
        elif isinstance(dtype, pl.List):
            joined = pl.Series(
                name, [LIST_SEPARATOR.join(r[name]) if r[name] else None for r in records]
            )
            columns.append(
                joined.str.split(LIST_SEPARATOR).fill_null(pl.lit([], dtype=dtype)).cast(dtype)
            )
        else:
            columns.append(pl.Series(name, [r[name] for r in records], dtype=dtype))
    return pl.DataFrame(columns)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block, back as it was after.

    Reading a file builds a record (a dict and a few lists) per row, all kept to the end: the
    collector, triggered by the allocations, goes over the ever-growing set of records again
    and again for nothing (they hold no cycles), 40% of the CPU time of a 400k-customer file.
    Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_reference(path: Path, sha256: str, kind: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read a customers or institutions file into (accepted rows, quarantined rows)."""
    if kind not in REFERENCE_FEEDS:
        raise ValueError(f"not a reference feed: {kind}")
    with _gc_paused():
        return _read_reference(path, sha256, kind)


def _read_reference(path: Path, sha256: str, kind: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = _rows(path)
    first = next(rows, None)
    if first is None:
        raise FeedFormatError(f"{path.name}: the file is empty")
    header = [c.strip().lower() for c in first[1]]
    if header:
        header[0] = header[0].lstrip("\ufeff")
    wanted = CUSTOMER_COLUMNS + CUSTOMER_OPTIONAL if kind == CUSTOMERS else INSTITUTION_COLUMNS
    required = CUSTOMER_REQUIRED if kind == CUSTOMERS else INSTITUTION_COLUMNS
    missing = [c for c in required if c not in header]
    if missing:
        raise FeedFormatError(f"{path.name}: {kind} file lacks column(s) {', '.join(missing)}")
    where = [(c, header.index(c)) for c in wanted if c in header]
    absent = dict.fromkeys(c for c in wanted if c not in header)  # optional, not delivered
    id_col = "customer_id" if kind == CUSTOMERS else "institution_id"
    check = _customer if kind == CUSTOMERS else _institution
    width = len(header)
    seen: set[str] = set()
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    # The loop runs once per row (400k for a large KYC file), so it is kept lean: no
    # per-row lookups of what is the same for every row, each record updated in place.
    for n, row in rows:
        if not "".join(row).strip():
            continue  # blank line (no field or only blank ones): not a data row
        result: dict[str, Any] | str
        if len(row) != width:
            result = "WRONG_FIELD_COUNT"
        elif max(map(len, row)) > MAX_FIELD:
            result = "FIELD_TOO_LONG"
        else:
            rec = {c: row[i].strip() for c, i in where}
            if absent:
                rec.update(dict.fromkeys(absent, ""))
            result = check(rec)
            if not isinstance(result, str):
                if result[id_col] in seen:
                    result = "DUPLICATE_ID"
                else:
                    seen.add(result[id_col])
        if isinstance(result, str):
            raw = ",".join(row)[:4000]
            rejected.append(
                {"source_row": n, "reason": result, "detail": REASONS[result], "raw": raw}
            )
        else:
            result["source_row"] = n
            accepted.append(result)
    schema = CUSTOMER_SCHEMA if kind == CUSTOMERS else INSTITUTION_SCHEMA
    provenance = {"source_file": path.name, "source_sha256": sha256}
    good = _frame(accepted, schema, provenance) if accepted else pl.DataFrame(schema=schema)
    bad = (
        pl.DataFrame([r | provenance for r in rejected], schema=QUARANTINE_SCHEMA)
        if rejected
        else pl.DataFrame(schema=QUARANTINE_SCHEMA)
    )
    log.info("%s: %d %s accepted, %d quarantined", path.name, good.height, kind, bad.height)
    return good, bad


def reference_files(out_dir: Path, files: list[dict[str, Any]], kind: str) -> list[Path]:
    """The lake files of reference table `kind` that this run ingested."""
    return [
        out_dir / "lake" / "reference" / kind / f"{f['sha256'][:16]}.parquet"
        for f in files
        if f["status"] == "ingested" and f["format"] == kind
    ]


def load_reference_table(out_dir: Path, files: list[dict[str, Any]], kind: str) -> pl.DataFrame:
    """All rows of reference table `kind` for this run (empty with the schema when none)."""
    schema = CUSTOMER_SCHEMA if kind == CUSTOMERS else INSTITUTION_SCHEMA
    paths = [p for p in reference_files(out_dir, files, kind) if p.exists()]
    if not paths:
        return pl.DataFrame(schema=schema)
    return pl.read_parquet(paths)
