"""Turn a great-expectations validation result (as a JSON dict) into finflow's summary.

Pure functions on plain dicts with no GX import: cheap to test, and usable on a written
result file without paying for great-expectations' import.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, TypedDict

log = logging.getLogger(__name__)

__all__ = [
    "Failure",
    "deterministic_result",
    "expectation_column",
    "failure_text",
    "failures_by_severity",
    "observed_text",
    "write_json",
]

OBSERVED_MAX = 200
"""Longest `observed` text kept in a summary and an error message."""

SAMPLE_SIZE = 3
"""How many unexpected values an `observed` text quotes."""

_VOLATILE_META = ("run_id", "validation_time", "validation_id", "checkpoint_id")
"""Result meta keys GX fills per run (clock, uuids), dropped so that equal input gives equal
output. The run name (finflow's batch id) is kept under ``meta.run_name``."""


class Failure(TypedDict):
    """One failed expectation as reported to the pipeline and the engineer."""

    expectation: str
    column: str | None
    observed: str


def deterministic_result(result: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a GX result dict without the fields that change from run to run.

    GX stamps each run with its clock time (``meta.run_id.run_time``,
    ``meta.validation_time``, ``meta.batch_markers.ge_load_time``) and with uuids (the
    validation definition id, each expectation's id once its suite is stored). Everything
    else depends only on the data and the suite.
    """
    out: dict[str, Any] = json.loads(json.dumps(result, default=str))
    meta = out.get("meta") or {}
    run_id = meta.get("run_id")
    if isinstance(run_id, dict) and run_id.get("run_name") is not None:
        meta["run_name"] = run_id["run_name"]
    for key in _VOLATILE_META:
        meta.pop(key, None)
    markers = meta.get("batch_markers")
    if isinstance(markers, dict):
        markers.pop("ge_load_time", None)
    for item in out.get("results") or []:
        config = item.get("expectation_config") or {}
        config.pop("id", None)
        config.pop("rendered_content", None)
        item.pop("rendered_content", None)
    return out


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write `data` as stable JSON (sorted keys, fixed indent), replacing `path` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def expectation_column(config: dict[str, Any]) -> str | None:
    """The column(s) an expectation checks, as text; None for a table-level expectation."""
    kwargs = config.get("kwargs") or {}
    if kwargs.get("column") is not None:
        return str(kwargs["column"])
    if kwargs.get("column_list"):
        return ",".join(str(c) for c in kwargs["column_list"])
    pair = [kwargs.get("column_A"), kwargs.get("column_B")]
    if all(c is not None for c in pair):
        return ",".join(str(c) for c in pair)
    return None


def _exception_message(item: dict[str, Any]) -> str | None:
    """The first exception message GX recorded for an expectation, if it raised one.

    GX puts ``exception_info`` either flat or keyed by metric id, one level down.
    """
    info = item.get("exception_info") or {}
    candidates = [info, *(v for v in info.values() if isinstance(v, dict))]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            return str(candidate.get("exception_message") or "exception raised")
    return None


def _one_line(text: str, limit: int = OBSERVED_MAX) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def observed_text(item: dict[str, Any]) -> str:
    """A short, one-line description of what GX observed for one expectation result."""
    error = _exception_message(item)
    if error is not None:
        return _one_line(f"error: {error}")
    result = item.get("result") or {}
    if "unexpected_count" in result:
        count = result.get("unexpected_count")
        total = result.get("element_count")
        # Column map expectations skip nulls; their percent is over the non-null values.
        missing = result.get("missing_count")
        if isinstance(total, int) and isinstance(missing, int):
            total -= missing
        percent = result.get("unexpected_percent")
        text = f"{count} of {total} values unexpected"
        if isinstance(percent, int | float):
            text += f" ({percent:.4g}%)"
        sample = (result.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
        if sample:
            text += f", e.g. {', '.join(_short(v) for v in sample)}"
        return _one_line(text)
    if "observed_value" in result:
        return _one_line(f"observed {_short(result['observed_value'])}")
    return "failed (no detail from great-expectations)"


def _short(value: Any) -> str:
    """repr of a sample value, cut so one long reference cannot flood a message."""
    return _one_line(repr(value), limit=60)


def failure_text(failure: Failure) -> str:
    """``expectation(column): observed`` for an error message."""
    column = failure["column"] or "table"
    return f"{failure['expectation']}({column}): {failure['observed']}"


def failures_by_severity(result: dict[str, Any]) -> tuple[list[Failure], list[Failure]]:
    """Split the failed expectations of a result dict into (critical, warning) lists.

    Severity comes from the expectation's ``meta.severity``; anything but ``warning`` counts
    as critical, so a suite that forgot to say is strict rather than silently lenient.
    """
    critical: list[Failure] = []
    warning: list[Failure] = []
    for item in result.get("results") or []:
        if item.get("success"):
            continue
        config = item.get("expectation_config") or {}
        failure = Failure(
            expectation=str(config.get("type")),
            column=expectation_column(config),
            observed=observed_text(item),
        )
        severity = (config.get("meta") or {}).get("severity")
        (warning if severity == "warning" else critical).append(failure)
    return critical, warning
