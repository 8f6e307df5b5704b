"""Summaries of GX result dicts, the polars -> pandas bridge, and the lazy GX import."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pandas as pd
import polars as pl

from finflow.validate.gx_report import deterministic_result, failures_by_severity, observed_text
from finflow.validate.pandas_bridge import to_pandas


def test_importing_the_stage_does_not_import_great_expectations() -> None:
    code = (
        "import sys, finflow.validate.gx_suites\n"
        "assert 'great_expectations' not in sys.modules, 'GX imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_run_clock_and_uuids_are_dropped_from_results() -> None:
    raw: dict[str, Any] = {
        "success": True,
        "results": [{"expectation_config": {"type": "t", "id": "uuid-1", "kwargs": {}}}],
        "meta": {
            "run_id": {"run_name": "b1", "run_time": "2026-01-01T00:00:00+00:00"},
            "validation_time": "2026-01-01T00:00:00+00:00",
            "validation_id": "uuid-2",
            "checkpoint_id": None,
            "batch_markers": {"ge_load_time": "20260101T000000Z", "pandas_data_fingerprint": "f"},
        },
    }
    out = deterministic_result(raw)
    assert out["meta"] == {"run_name": "b1", "batch_markers": {"pandas_data_fingerprint": "f"}}
    assert out["results"][0]["expectation_config"] == {"type": "t", "kwargs": {}}
    assert raw["meta"]["validation_id"] == "uuid-2"  # the input is not modified


def test_failures_split_by_severity_and_unknown_severity_counts_as_critical() -> None:
    def failed(severity: str | None, column: str) -> dict[str, object]:
        meta = {} if severity is None else {"severity": severity}
        return {
            "success": False,
            "expectation_config": {"type": "x", "kwargs": {"column": column}, "meta": meta},
            "result": {"observed_value": 0},
        }

    result = {"results": [failed("warning", "a"), failed(None, "b"), failed("critical", "c")]}
    critical, warning = failures_by_severity(result)
    assert [f["column"] for f in critical] == ["b", "c"]
    assert warning == [{"expectation": "x", "column": "a", "observed": "observed 0"}]


def test_an_expectation_that_raised_shows_its_error_on_one_line() -> None:
    item = {
        "success": False,
        "exception_info": {
            "MetricConfigurationID(...)": {
                "raised_exception": True,
                "exception_message": 'Error: The column "zz"\nin BatchData does not exist.',
            }
        },
    }
    assert observed_text(item) == 'error: Error: The column "zz" in BatchData does not exist.'


def test_the_bridge_keeps_rows_nulls_and_timezones_without_pyarrow() -> None:
    df = pl.DataFrame(
        {
            "t": [dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC), None],
            "i": [1, None],
            "s": ["a", None],
            "unused": [1.0, 2.0],
        },
        schema={
            "t": pl.Datetime("us", "Europe/London"),
            "i": pl.Int64(),
            "s": pl.String(),
            "unused": pl.Float64(),
        },
    )
    pdf = to_pandas(df, ["t", "i", "s", "missing"])
    assert list(pdf.columns) == ["t", "i", "s"]
    assert pdf["t"].iloc[0] == pd.Timestamp("2024-01-01 12:00", tz="UTC")
    assert str(pdf["t"].dt.tz) == "Europe/London"
    assert pd.isna(pdf["t"].iloc[1]) and pd.isna(pdf["i"].iloc[1]) and pd.isna(pdf["s"].iloc[1])
    assert pdf["i"].iloc[0] == 1 and str(pdf["i"].dtype) == "Int64"
    assert len(to_pandas(df, [])) == 2  # table-level suites still see every row
