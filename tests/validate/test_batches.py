"""A stage's batches validated on several processes give what one process gives: the same
result files, the same Data Docs listing in batch order, and the first failed batch's error."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import polars as pl
import pytest
from test_gx_suites import set_value, transactions

from finflow.validate.batches import PARALLEL_FROM, Batch, validate_batches
from finflow.validate.gx_suites import SuiteValidationFailed

BATCH_ROWS = 4


def batches_of(frame: pl.DataFrame, tmp_path: Path) -> list[Batch]:
    """`frame` as a lake file, in batches of `BATCH_ROWS` rows."""
    path = tmp_path / "lake.parquet"
    frame.write_parquet(path)
    return [
        Batch(path, start, BATCH_ROWS, "transactions", f"t-{start}", "feed.csv")
        for start in range(0, frame.height, BATCH_ROWS)
    ]


def gx_index_batches(folder: Path) -> list[str]:
    """The batches in GX's own index table, in its order (newest run first)."""
    text = (folder / "data_docs" / "index.html").read_text()
    return re.findall(r"'run_name': '([^']+)'", text)


def test_two_processes_write_the_results_and_docs_one_process_writes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    batches = batches_of(transactions(BATCH_ROWS * 4), tmp_path)
    assert len(batches) >= PARALLEL_FROM
    one = validate_batches(tmp_path / "one", batches, workers=1)
    with caplog.at_level(logging.INFO, logger="finflow.validate.batches"):
        two = validate_batches(tmp_path / "two", batches, workers=2)
    assert "4 batches on 2 processes" in caplog.text
    assert [s["batch_id"] for s in two] == [b.batch_id for b in batches]
    assert [{**s, "result_file": "", "data_docs": ""} for s in one] == [
        {**s, "result_file": "", "data_docs": ""} for s in two
    ]
    for batch in batches:
        name = f"transactions__{batch.batch_id}.json"
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    in_order = [b.batch_id for b in reversed(batches)]
    assert gx_index_batches(tmp_path / "one") == gx_index_batches(tmp_path / "two") == in_order
    html = (tmp_path / "two" / "data_docs" / "index.html").read_text()
    assert all(f"on batch {b.batch_id}</a>: <strong>passed</strong>" in html for b in batches)


def test_the_first_failed_batch_in_order_is_raised_after_the_docs_are_built(
    tmp_path: Path,
) -> None:
    frame = transactions(BATCH_ROWS * 4)
    for row in (BATCH_ROWS + 1, 3 * BATCH_ROWS):  # batches t-4 and t-12
        frame = set_value(frame, "currency_received", row, "ZZZ")
    batches = batches_of(frame, tmp_path)
    with pytest.raises(SuiteValidationFailed, match=r"^feed\.csv: .* failed on t-4: ") as caught:
        validate_batches(tmp_path / "out", batches, workers=2)
    assert caught.value.summary["batch_id"] == "t-4"
    html = (tmp_path / "out" / "data_docs" / "index.html").read_text()
    assert "transactions on batch t-4</a>: <strong>failed</strong>" in html
