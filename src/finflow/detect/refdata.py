"""Dated reference data the rules read: corridor country lists, crossing-price bands,
institution name patterns and the narrative lexicon.

The rules file names its data files under ``data_files``; each is validated here on load (a
problem is a ConfigError naming the file and the entry) and hashed with the rules file, so the
rule-set hash in every output covers the values that applied.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from finflow.errors import ConfigError

CORRIDOR_LISTS = ("source", "transit", "hawala_hub")
COUNTRY = re.compile(r"[A-Z]{2}")
KINDS = ("reference", "lexicon")


def load_data_files(rules_path: Path, spec: Any) -> tuple[dict[str, Any], list[bytes]]:
    """Read and validate the files named in the rules file's ``data_files`` mapping."""
    if spec is None:
        return {}, []
    if not isinstance(spec, dict) or not all(isinstance(v, str) for v in spec.values()):
        raise ConfigError(f"rules file {rules_path}: 'data_files' must map a name to a file")
    unknown = sorted(set(spec) - set(KINDS))
    if unknown:
        raise ConfigError(
            f"rules file {rules_path}: unknown data file {', '.join(unknown)} "
            f"(known: {', '.join(KINDS)})"
        )
    data: dict[str, Any] = {}
    raw: list[bytes] = []
    for name in sorted(spec):
        path = rules_path.parent / spec[name]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"data file {path}: cannot be read ({exc.strerror})") from exc
        try:
            doc = yaml.safe_load(content)
        except yaml.YAMLError as exc:
            raise ConfigError(f"data file {path}: not valid YAML ({exc})") from exc
        if not isinstance(doc, dict):
            raise ConfigError(f"data file {path}: must be a mapping")
        data[name] = _validate_reference(path, doc) if name == "reference" else _lexicon(path, doc)
        raw.append(content)
    return data, raw


def _dated(path: Path, where: str, entry: dict[str, Any]) -> tuple[date, date | None]:
    start, end = entry.get("effective_from"), entry.get("effective_to")
    if not isinstance(start, date):
        raise ConfigError(f"data file {path}: {where}: effective_from must be a date (YYYY-MM-DD)")
    if end is not None and (not isinstance(end, date) or end <= start):
        raise ConfigError(
            f"data file {path}: {where}: effective_to must be empty or a date after effective_from"
        )
    return start, end


def _validate_reference(path: Path, doc: dict[str, Any]) -> dict[str, Any]:
    corridors = doc.get("corridors")
    if not isinstance(corridors, list) or not corridors:
        raise ConfigError(f"data file {path}: 'corridors' must be a non-empty list")
    for i, entry in enumerate(corridors):
        where = f"corridors[{i}]"
        if not isinstance(entry, dict) or entry.get("list") not in CORRIDOR_LISTS:
            raise ConfigError(
                f"data file {path}: {where}: 'list' must be one of {', '.join(CORRIDOR_LISTS)}"
            )
        _dated(path, where, entry)
        countries = entry.get("countries")
        if not isinstance(countries, list) or not all(
            isinstance(c, str) and COUNTRY.fullmatch(c) for c in countries
        ):
            raise ConfigError(
                f"data file {path}: {where}: countries must be ISO 3166 alpha-2 codes"
            )
    bands = doc.get("crossing_price_bands")
    if not isinstance(bands, list) or not bands:
        raise ConfigError(f"data file {path}: 'crossing_price_bands' must be a non-empty list")
    spans = []
    for i, entry in enumerate(bands):
        where = f"crossing_price_bands[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"data file {path}: {where}: must be a mapping")
        spans.append(_dated(path, where, entry))
        per_ccy = entry.get("bands")
        if not isinstance(per_ccy, dict) or not per_ccy:
            raise ConfigError(f"data file {path}: {where}: 'bands' must map currency to [lo, hi]")
        for ccy, band in per_ccy.items():
            ok = isinstance(band, list) and len(band) == 2
            if not ok or not all(isinstance(v, int | float) for v in band) or band[0] >= band[1]:
                raise ConfigError(f"data file {path}: {where}: band {ccy} must be [low, high]")
    spans.sort()
    for (_, end), (start, _) in pairwise(spans):
        if end is None or end > start:
            raise ConfigError(f"data file {path}: crossing_price_bands overlap at {start}")
    inst = doc.get("institutions")
    keys = ("msb_name_patterns", "crypto_name_patterns", "crypto_currencies")
    if not isinstance(inst, dict) or any(not isinstance(inst.get(k), list) for k in keys):
        raise ConfigError(f"data file {path}: 'institutions' needs lists {', '.join(keys)}")
    for key in keys[:2]:
        for pattern in inst[key]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"data file {path}: {key}: bad pattern {pattern!r}") from exc
    return doc


def _lexicon(path: Path, doc: dict[str, Any]) -> dict[str, Any]:
    groups = doc.get("terms")
    if not isinstance(groups, list) or not groups:
        raise ConfigError(f"data file {path}: 'terms' must be a non-empty list")
    for i, group in enumerate(groups):
        ok = isinstance(group, dict) and isinstance(group.get("category"), str)
        terms = group.get("terms") if isinstance(group, dict) else None
        if not ok or not isinstance(terms, list) or not terms:
            raise ConfigError(f"data file {path}: terms[{i}]: needs a category and a term list")
        if not all(isinstance(t, str) and t.strip() for t in terms):
            raise ConfigError(f"data file {path}: terms[{i}]: every term must be non-empty text")
    return doc


def corridor_countries(reference: dict[str, Any], lists: tuple[str, ...], on: date) -> set[str]:
    """Countries on any of `lists` in force on `on`."""
    out: set[str] = set()
    for entry in reference["corridors"]:
        end = entry.get("effective_to")
        if entry["list"] in lists and entry["effective_from"] <= on and (end is None or on < end):
            out.update(entry["countries"])
    return out


def price_bands(reference: dict[str, Any]) -> list[tuple[date, date | None, dict[str, Any]]]:
    """(effective_from, effective_to, {currency: [lo, hi]}) in date order."""
    return sorted(
        (b["effective_from"], b.get("effective_to"), b["bands"])
        for b in reference["crossing_price_bands"]
    )
