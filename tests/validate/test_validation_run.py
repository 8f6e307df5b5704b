"""One great-expectations context per stage: every batch validated, one Data Docs build, nothing
kept of a batch once its result is written, and text columns as pandas categoricals giving
exactly the results plain strings give."""

from __future__ import annotations

import datetime as dt
import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from test_gx_suites import accounts, set_value, transactions

from finflow import pipeline
from finflow.ingest.sniff import AMLWORLD_TRANS_HEADER
from finflow.validate.gx_suites import SuiteValidationFailed, ValidationRun, validate_frame
from finflow.validate.pandas_bridge import to_pandas

PERIOD = {
    "period_start": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    "period_end": dt.datetime(2024, 12, 31, tzinfo=dt.UTC),
    "volume_min": 0,
    "volume_max": None,
}


def feed_frame(suite: str, n: int = 8) -> pl.DataFrame:
    """A batch for a per-feed suite: the canonical columns plus the rows-read column."""
    frame = transactions(n).with_columns(feed_rows_read=pl.lit(n, dtype=pl.Int64))
    if suite == "amlworld":
        frame = frame.with_columns(
            source_format=pl.lit("amlworld_transactions"),
            source_locator=pl.format("row {}", pl.col("source_row")),
            reference=pl.lit(None, dtype=pl.String),
        )
    elif suite == "camt053":
        frame = frame.with_columns(
            source_format=pl.lit("camt053.001.08"),
            source_locator=pl.format("Stmt[1]/Ntry[{}]", pl.col("source_row")),
            source_row=pl.lit(None, dtype=pl.Int64),
            label=pl.lit(None, dtype=pl.Int8),
            payer_name=pl.lit("Owner Ltd"),
            payee_name=pl.lit("Shop"),
        )
    elif suite == "bankcsv":
        frame = frame.with_columns(
            source_format=pl.lit("bankcsv.lloyds"), label=pl.lit(None, dtype=pl.Int8)
        )
    return frame


def broken(frame: pl.DataFrame) -> pl.DataFrame:
    """Failures in text columns of every kind the suites check: unique, regex, set, null,
    not-null, lengths, with repeated and distinct bad values. The regex values include the
    ones where pyarrow's RE2 and Python's ``re`` disagree (``$`` before a trailing newline,
    non-ASCII digits): the results must be those of ``re``, as they were
    before finflow had pyarrow."""
    bad = frame
    for column, row, value in [
        ("txn_id", 2, "tx-0001"),
        ("txn_id", 5, "tx-0001"),
        ("source_locator", 3, "line three"),
        ("source_locator", 4, "row 5\n"),
        ("source_locator", 6, None),
        ("source_locator", 7, "row \u0667"),
        ("source_format", 2, "bankcsv.x\n"),
        ("uetr", 3, "0123abcd-0000-0000-0000-00000000000a\n"),
        ("source_format", 4, "csv?"),
        ("currency_paid", 0, "ZZZ"),
        ("currency_paid", 6, "ZZZ"),
        ("currency_received", 1, "eur"),
        ("channel", 7, "teleport"),
        ("payer_bank", 2, None),
        ("reference", 3, "x" * 1001),
        ("payer_name", 1, "N" * 141),
        ("end_to_end_id", 4, "E" * 40),
        ("uetr", 5, "not-a-uuid"),
    ]:
        if column in bad.columns:
            bad = set_value(bad, column, row, value)
    return bad


def result_text(folder: Path, suite: str, batch: str) -> str:
    return (folder / f"{suite}__{batch}.json").read_text()


@pytest.mark.parametrize("suite", ["transactions", "amlworld", "camt053", "bankcsv", "accounts"])
def test_categorical_text_gives_the_results_plain_strings_give(tmp_path: Path, suite: str) -> None:
    if suite == "accounts":
        bad = set_value(set_value(accounts(), "account", 1, "ACC0"), "bank", 2, None)
        frames = {"ok": accounts(), "bad": bad}
        parameters = None
    else:
        clean = feed_frame(suite) if suite != "transactions" else transactions(8)
        frames = {"ok": clean, "bad": broken(clean)}
        parameters = PERIOD
    texts = {}
    for categorical in (True, False):
        folder = tmp_path / str(categorical)
        run = ValidationRun(folder, categorical_text=categorical)
        for batch, frame in frames.items():
            try:
                run.validate(frame, suite, batch, parameters=parameters)
            except SuiteValidationFailed:
                pass
        texts[categorical] = [result_text(folder, suite, b) for b in frames]
    assert texts[True] == texts[False]
    failed = [r for r in json.loads(texts[True][1])["results"] if not r["success"]]
    assert failed  # the comparison covered failing expectations with their unexpected values
    assert any(r["result"].get("partial_unexpected_list") for r in failed)
    assert any(r["result"].get("unexpected_count") for r in failed)
    fingerprint = json.loads(texts[True][0])["meta"]["batch_markers"]["pandas_data_fingerprint"]
    assert fingerprint  # GX's batch fingerprint is kept, and the same for both forms


def unexpected(result_file: str, column: str, kind: str) -> list[object]:
    """The partial unexpected list of the `kind` expectation on `column`."""
    for r in json.loads(result_file)["results"]:
        config = r["expectation_config"]
        if config["type"] == kind and config["kwargs"].get("column") == column:
            return list(r["result"]["partial_unexpected_list"])
    raise AssertionError(f"no {kind} on {column}")


@pytest.mark.parametrize("categorical", [True, False])
def test_regex_expectations_match_as_pythons_re_does(tmp_path: Path, categorical: bool) -> None:
    # pandas runs str.contains on pyarrow's RE2 where it answers as re does; these values are
    # where RE2 alone would differ: re's "$" also matches before a trailing newline, and
    # "[1-9][0-9]*" is ASCII in both (a non-ASCII digit is unexpected either way)
    run = ValidationRun(tmp_path, categorical_text=categorical)
    with pytest.raises(SuiteValidationFailed):
        run.validate(broken(feed_frame("amlworld")), "amlworld", "bad", parameters=PERIOD)
    found = unexpected(
        result_text(tmp_path, "amlworld", "bad"),
        "source_locator",
        "expect_column_values_to_match_regex",
    )
    assert found == ["line three", "row \u0667"]  # "row 5\n" matches; the null is not checked


def test_text_columns_are_categorical_with_every_value_and_null(tmp_path: Path) -> None:
    frame = pl.DataFrame({"s": ["b", None, "a", "b"], "u": ["x", "y", "z", "w"]})
    pdf = to_pandas(frame)
    assert str(pdf["s"].dtype) == str(pdf["u"].dtype) == "category"
    assert pdf["s"].tolist()[0::2] == ["b", "a"] and pd.isna(pdf["s"].iloc[1])
    assert pdf["u"].tolist() == ["x", "y", "z", "w"]
    assert to_pandas(frame, categorical_text=False)["s"].tolist()[2:] == ["a", "b"]


def test_text_columns_are_the_categoricals_pandas_checked_constructor_gives() -> None:
    frame = pl.DataFrame(
        {
            "constant": ["f.csv"] * 4,
            "distinct": ["r1", "r2", "r3", "r4"],
            "repeats": ["b", "a", "b", "c"],
            "nulls": [None, "a", None, "a"],
            "all_null": pl.Series([None] * 4, dtype=pl.String),
        }
    )
    pdf = to_pandas(frame)
    for name in frame.columns:
        values = frame[name].to_list()
        first_seen = list(dict.fromkeys(v for v in values if v is not None))
        expected = pd.Categorical(values, categories=pd.Index(first_seen, dtype=object))
        pd.testing.assert_extension_array_equal(pdf[name].array, expected)
        assert pdf[name].cat.categories.is_unique
    assert to_pandas(frame.clear())["constant"].tolist() == []


def test_a_run_validates_every_batch_and_builds_the_data_docs_once_at_the_end(
    tmp_path: Path,
) -> None:
    run = ValidationRun(tmp_path / "run")
    batches = [("transactions", "t-0", transactions(4)), ("accounts", "a-0", accounts())]
    batches.append(("transactions", "t-4", transactions(6)))
    summaries = [run.validate(frame, suite, batch) for suite, batch, frame in batches]
    assert all(s["success"] for s in summaries)
    index = tmp_path / "run" / "data_docs" / "index.html"
    assert not index.exists()  # no build per batch
    assert run.finish() == index
    html = index.read_text()
    for suite, batch, _ in batches:
        assert f"{suite} on batch {batch}</a>: <strong>passed</strong>" in html
        pages = list((index.parent / "validations" / suite / batch).rglob("*.html"))
        assert len(pages) == 1
    # each batch's result file is the one a validation of its own writes
    for suite, batch, frame in batches:
        validate_frame(frame, suite, tmp_path / "alone", batch)
        assert result_text(tmp_path / "run", suite, batch) == result_text(
            tmp_path / "alone", suite, batch
        )


def test_a_critical_failure_builds_the_docs_then_raises(tmp_path: Path) -> None:
    run = ValidationRun(tmp_path)
    run.validate(transactions(), "transactions", "b0")
    bad = set_value(transactions(), "currency_received", 0, "ZZZ")
    with pytest.raises(SuiteValidationFailed, match=r"failed on b1: .*currency_received"):
        run.validate(bad, "transactions", "b1")
    html = (tmp_path / "data_docs" / "index.html").read_text()
    assert "transactions on batch b0</a>: <strong>passed</strong>" in html
    assert "transactions on batch b1</a>: <strong>failed</strong>" in html


def test_nothing_of_a_batch_is_kept_after_its_result_is_written(tmp_path: Path) -> None:
    run = ValidationRun(tmp_path)
    rows = 777  # a length nothing else in the process has
    for batch in ("b0", "b1"):
        run.validate(transactions(rows), "transactions", batch)
    gc.collect()
    kept = [
        o for o in gc.get_objects() if isinstance(o, pd.DataFrame | pd.Series) and len(o) == rows
    ]
    assert kept == []


def test_stage_validate_validates_every_batch_of_a_file_in_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINFLOW_FEED_HISTORY", str(tmp_path / "history.json"))
    monkeypatch.setattr(pipeline, "VALIDATION_BATCH_ROWS", 15)
    feed = tmp_path / "in"
    feed.mkdir()
    line = "2022/09/0{d} 0{h}:2{m},0011,A{m},03208,B{h},1500.00,UK Pound,1500.00,UK Pound,Wire,0"
    lines = [line.format(d=1 + i // 60 % 9, h=i // 10 % 6, m=i % 10) for i in range(40)]
    (feed / "bank.csv").write_text("\n".join([AMLWORLD_TRANS_HEADER, *lines]) + "\n")
    pipeline.stage_ingest(feed, tmp_path / "out")
    summary: dict[str, Any] = pipeline.stage_validate(tmp_path / "out")
    batches = [r["batch_id"] for r in summary["results"] if r["suite"] == "amlworld"]
    assert [b.rsplit("-", 1)[1] for b in batches] == ["0", "15", "30"]
    assert all(r["success"] and r["evaluated"] == 44 for r in summary["results"])
    validation = tmp_path / "out" / "validation"
    counts = [json.loads(result_text(validation, "amlworld", b))["results"] for b in batches]
    element_counts = [
        next(r["result"]["element_count"] for r in c if "element_count" in r["result"])
        for c in counts
    ]
    assert element_counts == [15, 15, 10]  # every row, each in exactly one batch
    html = (validation / "data_docs" / "index.html").read_text()
    assert all(f"amlworld on batch {b}</a>: <strong>passed</strong>" in html for b in batches)


def test_importing_gx_leaves_the_collector_on_and_its_objects_out_of_later_passes() -> None:
    # a process of its own: in this one great_expectations is imported already
    code = (
        "import gc; from finflow.validate.gx_specs import import_gx; "
        "frozen = gc.get_freeze_count(); import_gx(); "
        "print(gc.isenabled(), gc.get_freeze_count() - frozen)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    enabled, frozen = out.stdout.split()
    assert enabled == "True"
    assert int(frozen) > 100_000  # GX's modules and what they hold
