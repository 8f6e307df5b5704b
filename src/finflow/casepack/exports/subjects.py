"""subjects.csv: one row per account holder or entity, with its data-subject category."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from finflow.casepack.csvsafe import write_safe_rows
from finflow.casepack.model import Entity

log = logging.getLogger(__name__)

SUBJECT_COLUMNS: dict[str, pl.DataType] = {
    "marking": pl.String(),
    "entity_id": pl.String(),
    "name_as_stated": pl.String(),
    "entity_type": pl.String(),
    "data_subject_category": pl.String(),
    "accounts": pl.String(),
    "institutions": pl.String(),
    "roles": pl.String(),
    "alerted_accounts": pl.Int64(),
    "value_moved_gbp": pl.Float64(),
    "shared_attributes": pl.String(),
    "entity_resolution": pl.String(),
}
"""Columns of subjects.csv. The category is ``unknown`` unless an officer recorded one."""


def write_subjects(entities: Sequence[Entity], marking: str, path: Path) -> Path:
    """Write `path` (subjects.csv) with one row per entity, neutralised for spreadsheets."""
    rows = [
        {
            "marking": marking,
            "entity_id": e.entity_id,
            "name_as_stated": e.name,
            "entity_type": e.kind,
            "data_subject_category": e.category,
            "accounts": "; ".join(f"{p.bank}/{p.account}" for p in e.accounts),
            "institutions": "; ".join(sorted({p.bank_name or p.bank for p in e.accounts})),
            "roles": "; ".join(sorted({p.role for p in e.accounts})),
            "alerted_accounts": sum(1 for p in e.accounts if p.alerted),
            "value_moved_gbp": round(sum(p.value_gbp for p in e.accounts), 2),
            "shared_attributes": "; ".join(e.shared),
            "entity_resolution": e.resolution,
        }
        for e in entities
    ]
    return write_safe_rows(rows, SUBJECT_COLUMNS, path)
