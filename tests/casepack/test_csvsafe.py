"""csvsafe: text cells are neutralised against spreadsheet formulas; output is deterministic."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from finflow.casepack.csvsafe import SMALL_FRAME_ROWS, safe_cell, write_safe_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("-12.50", "-12.50"),
        ("+44", "+44"),
        ("-1,234.50", "-1,234.50"),
        ("-1e5", "-1e5"),
        ("invoice 1001", "invoice 1001"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
        (12.5, 12.5),
        (-3, -3),
    ],
)
def test_safe_cell_neutralises_formulas_but_keeps_numbers(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "reference": ['=HYPERLINK("http://x")', "-12.50", "rent, march", None, "@x"],
            "tags": [["B", "A"], [], None, ["=BAD"], ["OIC_NARRATIVE"]],
            "amount_gbp": [1.005, -12.5, 1234567.891, None, 0.0],
            "fx_rate": [0.8612345, 1.0, 1.1, None, 2.0],
            "booked_at": [datetime(2022, 9, 1, 0, 20, tzinfo=UTC)] * 5,
            "source_row": [1, 2, 3, 4, 5],
        }
    )


def test_write_safe_csv_neutralises_every_text_and_list_cell(tmp_path: Path) -> None:
    path = write_safe_csv(_frame(), tmp_path / "t.csv")
    back = pl.read_csv(path, infer_schema=False)
    assert back["reference"].to_list() == [
        '\'=HYPERLINK("http://x")',
        "-12.50",
        "rent, march",
        None,
        "'@x",
    ]
    assert back["tags"].to_list() == ["A; B", "", None, "'=BAD", "OIC_NARRATIVE"]
    assert back["amount_gbp"].to_list() == ["1.00", "-12.50", "1234567.89", None, "0.00"]
    assert back["fx_rate"][0] == "0.8612345"
    assert back["booked_at"][0] == "2022-09-01T00:20:00Z"


def test_write_safe_csv_is_utf8_lf_and_deterministic(tmp_path: Path) -> None:
    frame = _frame().with_columns(pl.lit("Zoë Ş").alias("name"))
    a = write_safe_csv(frame, tmp_path / "a.csv").read_bytes()
    b = write_safe_csv(frame.clone(), tmp_path / "b.csv").read_bytes()
    assert a == b
    assert b"\r\n" not in a
    assert "Zoë Ş".encode() in a


def test_a_large_frame_is_checked_in_polars_with_the_same_result(tmp_path: Path) -> None:
    small = _frame()
    large = pl.concat([small] * (SMALL_FRAME_ROWS // small.height + 1))
    assert large.height > SMALL_FRAME_ROWS
    write_safe_csv(small, tmp_path / "small.csv")
    write_safe_csv(large, tmp_path / "large.csv")
    small_lines = (tmp_path / "small.csv").read_text("utf-8").splitlines()
    large_lines = (tmp_path / "large.csv").read_text("utf-8").splitlines()
    assert large_lines[: len(small_lines)] == small_lines
    assert len(large_lines) == large.height + 1
    back = pl.read_csv(tmp_path / "large.csv", infer_schema=False)
    assert back["reference"].str.starts_with("=").sum() == 0
    assert back["tags"].str.starts_with("'=").sum() == large.height // small.height
