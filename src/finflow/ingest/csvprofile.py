"""Bank CSV mapping profiles: which header a bank's export has and how to read its columns.

A profile is a YAML file in ``finflow/ingest/profiles/`` (see ``docs/feeds.md``, "How to add a
bank"). Column names are matched case-insensitively after trimming; ``"#N"`` names the N-th
column (1-based) for exports with an unnamed column. An export without a header row has
``header: []`` and ``fields: N`` (its number of columns), and names every column ``#N``.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from finflow.errors import ConfigError

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
PROFILES_ENV = "FINFLOW_PROFILES"
"""A folder of the site's own profile YAML files, read beside the shipped ones."""
RESERVED_NAMES = ("inferred",)
"""Profile names finflow uses itself (``bankcsv.inferred``: a layout read without a profile)."""
HEADER_SEARCH_LINES = 30
"""The header must be within the first lines of a file (the rest before it is preamble)."""


@dataclass(frozen=True)
class Profile:
    """How to read one bank's CSV statement export (fields mirror the YAML keys)."""

    name: str
    bank: str
    header: tuple[str, ...]
    columns: dict[str, Any]
    date_formats: tuple[str, ...]
    delimiter: str = ","
    decimal: str = "."
    thousands: str = ","
    currency: str | None = None
    timezone: str = "UTC"
    amount_sign: str = "credit_positive"
    credit_markers: tuple[str, ...] = ("CR",)
    debit_markers: tuple[str, ...] = ("DR",)
    booked_values: tuple[str, ...] = ()
    not_booked_values: tuple[str, ...] = ("PENDING",)
    channels: dict[str, str] = field(default_factory=dict)
    default_channel: str = "other"
    holder_account_preamble: str | None = None
    counterparty_regex: str | None = None
    description: str = ""
    fields: int | None = None
    """Columns of an export without a header row (``header: []``); None when it has one."""

    @property
    def headerless(self) -> bool:
        """True for an export whose first line is already a data row."""
        return not self.header

    @property
    def format_name(self) -> str:
        """The ``source_format`` of rows read with this profile."""
        return f"bankcsv.{self.name}"


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def profile_from_dict(data: dict[str, Any], origin: str = "profile") -> Profile:
    """Validate a parsed YAML mapping into a Profile (ConfigError names what is wrong)."""
    missing = [k for k in ("name", "bank", "header", "columns", "date_formats") if k not in data]
    if missing:
        raise ConfigError(f"{origin}: missing keys {', '.join(missing)}")
    columns = dict(data["columns"])
    if "date" not in columns:
        raise ConfigError(f"{origin}: columns.date is required")
    if "amount" not in columns and not {"paid_in", "paid_out"} <= set(columns):
        raise ConfigError(f"{origin}: needs columns.amount or columns.paid_in + paid_out")
    if "currency" not in columns and not data.get("currency"):
        raise ConfigError(f"{origin}: needs columns.currency or a fixed currency")
    if data.get("amount_sign", "credit_positive") not in ("credit_positive", "debit_positive"):
        raise ConfigError(f"{origin}: amount_sign is credit_positive or debit_positive")
    if not data["header"]:
        _check_headerless(data, columns, origin)
    elif data.get("fields") is not None:
        raise ConfigError(f"{origin}: fields is only for an export without a header (header: [])")
    known = set(Profile.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"{origin}: unknown keys {', '.join(sorted(unknown))}")
    tuples: dict[str, Any] = {
        k: _tuple(data[k])
        for k in (
            "header",
            "date_formats",
            "credit_markers",
            "debit_markers",
            "booked_values",
            "not_booked_values",
        )
        if k in data
    }
    fields: dict[str, Any] = data | tuples | {"columns": columns}
    return Profile(**fields)


def _check_headerless(data: dict[str, Any], columns: dict[str, Any], origin: str) -> None:
    """A header-less profile gives its number of columns and names each column ``#N``."""
    fields = data.get("fields")
    if not isinstance(fields, int) or isinstance(fields, bool) or fields < 1:
        raise ConfigError(f"{origin}: header: [] needs fields: the number of columns")
    for role, value in columns.items():
        for name in [value] if isinstance(value, str) else list(value or []):
            text = str(name)
            if not (text.startswith("#") and text[1:].isdigit() and 1 <= int(text[1:]) <= fields):
                raise ConfigError(
                    f"{origin}: columns.{role} is {text!r}; without a header, columns are "
                    f"named #1 to #{fields}"
                )


def load_profile(path: Path) -> Profile:
    """Read one profile YAML file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"profile {path.name}: cannot be read ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"profile {path.name}: not a mapping")
    return profile_from_dict(data, f"profile {path.name}")


def profile_files() -> list[Path]:
    """The shipped profile files, then those in the ``FINFLOW_PROFILES`` folder, by name."""
    files = sorted(PROFILE_DIR.glob("*.yaml"))
    extra = os.environ.get(PROFILES_ENV, "").strip()
    if extra:
        folder = Path(extra)
        if not folder.is_dir():
            raise ConfigError(f"{PROFILES_ENV}={extra}: not a folder")
        files += sorted(folder.glob("*.yaml"))
    return files


def shipped_profiles() -> list[Profile]:
    """Every profile finflow reads with: the shipped ones, then the site's own
    (``FINFLOW_PROFILES``). Two profiles of one name, or one named as finflow's own
    (``inferred``), are a ConfigError."""
    files = profile_files()
    profiles = [load_profile(p) for p in files]
    seen: dict[str, Path] = {}
    for path, profile in zip(files, profiles, strict=True):
        if profile.name in RESERVED_NAMES:
            raise ConfigError(
                f"profile {path}: the name {profile.name!r} is finflow's own; choose another"
            )
        if profile.name in seen:
            raise ConfigError(
                f"profile {path}: name {profile.name!r} is also the name of {seen[profile.name]}"
            )
        seen[profile.name] = path
    return profiles


def split_record(line: str, delimiter: str) -> list[str]:
    """The fields of one CSV line (quotes handled), trimmed."""
    record = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
    return [f.strip() for f in record]


def _norm(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower()


def header_matches(fields: list[str], profile: Profile) -> bool:
    """True when every header name of `profile` is among `fields`."""
    present = {_norm(f) for f in fields}
    return all(_norm(h) in present for h in profile.header)


def find_header(lines: list[str], profile: Profile) -> int | None:
    """The index of the header line of `profile` within the first lines, else None. For an
    export without a header: the first line when it has the profile's number of fields."""
    if profile.headerless:
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is None or len(split_record(lines[first], profile.delimiter)) != profile.fields:
            return None
        return first
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if line.strip() and header_matches(split_record(line, profile.delimiter), profile):
            return i
    return None


def column_index(header: list[str], name: str) -> int | None:
    """Position of column `name` (or ``#N``) in `header`, else None."""
    if name.startswith("#") and name[1:].isdigit():
        return int(name[1:]) - 1
    wanted = _norm(name)
    for i, field_name in enumerate(header):
        if _norm(field_name) == wanted:
            return i
    return None
