"""csvsafe: text cells are neutralised against spreadsheet formulas; output is deterministic."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from finflow.casepack.csvsafe import SMALL_FRAME_ROWS, safe_cell, write_safe_csv, write_safe_rows


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


_CHARS = ["a", "Z", "0", "9", ",", '"', "\n", "\r", " ", "\t", "=", "+", "-", "@", ";", ".", "é"]
_ROW_SCHEMA: dict[str, pl.DataType] = {
    "text one": pl.String(),
    "count": pl.Int64(),
    "flag": pl.Boolean(),
    "value": pl.Float64(),
    "note": pl.String(),
    "amount_gbp": pl.Float64(),
    "booked_at": pl.Datetime("us", "UTC"),
    "tags": pl.List(pl.String),
    "small": pl.Int32(),
}


def _random_rows(rng: random.Random) -> list[dict[str, Any]]:
    def text() -> str | None:
        pick = rng.random()
        if pick < 0.1:
            return None
        if pick < 0.3:
            return rng.choice(["", "-12.50", "+44", "-1e5", "=1+1", "-", "@x", " ", '"', "\r\n"])
        return "".join(rng.choice(_CHARS) for _ in range(rng.randint(1, 8)))

    def number() -> float | int | None:
        pick = rng.random()
        if pick < 0.1:
            return None
        if pick < 0.3:
            return rng.choice([0.0, -0.0, 1.0, 12.125, 1e15, 1e16, 1e-4, -1e-4, 1e300, 7])
        return rng.choice([-1, 1]) * rng.random() * float(10 ** rng.randint(-3, 25))

    def when() -> datetime | None:
        if rng.random() < 0.1:
            return None
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(-(10**9), 10**10))
        return moment.replace(microsecond=rng.choice([0, 1, 1000, 123000, 123456]))

    def tags() -> list[str] | None:
        return None if rng.random() < 0.1 else [text() or "x" for _ in range(rng.randint(0, 3))]

    return [
        {
            "text one": text(),
            "count": rng.choice([None, 0, -5, 2**62]),
            "flag": rng.choice([None, True, False]),
            "value": number(),
            "note": text(),
            "amount_gbp": number(),
            "booked_at": when(),
            "tags": tags(),
            "small": rng.choice([None, -3, 2**31 - 1]),
        }
        for _ in range(rng.randint(0, 6))
    ]


def test_write_safe_rows_writes_the_bytes_of_write_safe_csv_on_the_frame(tmp_path: Path) -> None:
    rng = random.Random(5)
    for i in range(400):
        rows = _random_rows(rng)
        frame = pl.DataFrame(rows, schema=_ROW_SCHEMA, orient="row")
        expected = write_safe_csv(frame, tmp_path / f"{i}-frame.csv").read_bytes()
        assert write_safe_rows(rows, _ROW_SCHEMA, tmp_path / f"{i}-rows.csv").read_bytes() == (
            expected
        )


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"value": pl.Float64()}, 1e-5),  # polars writes 0.00001, not Python's 1e-05
        ({"value": pl.Float64()}, math.nan),
        ({"amount_gbp": pl.Float64()}, math.inf),
        ({"when": pl.Datetime("ns", "UTC")}, datetime(2022, 9, 1, tzinfo=UTC)),
        ({"when": pl.Date()}, date(2022, 9, 1)),
        ({"tags": pl.List(pl.String)}, ["a", None]),
        ({"count": pl.Int64()}, True),
    ],
)
def test_write_safe_rows_leaves_what_it_does_not_handle_to_polars(
    tmp_path: Path, schema: dict[str, pl.DataType], value: object
) -> None:
    rows = [dict.fromkeys(schema, value)]
    frame = pl.DataFrame(rows, schema=schema, orient="row", strict=False)
    expected = write_safe_csv(frame, tmp_path / "frame.csv").read_bytes()
    assert write_safe_rows(rows, schema, tmp_path / "rows.csv").read_bytes() == expected
