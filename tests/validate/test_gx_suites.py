"""The great-expectations batch validation stage: shipped suites, results, Data Docs, errors.

great-expectations takes several seconds to import, paid once per session; each validation
then takes about a second, so these tests validate small frames only.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from finflow.errors import ConfigError, ValidationFailed
from finflow.resources import share_dir
from finflow.schema import ACCOUNT_SCHEMA, TRANSACTION_SCHEMA
from finflow.validate.gx_suites import SuiteValidationFailed, load_suite, validate_frame

SHIPPED_SUITES = tuple(sorted(p.stem for p in share_dir("expectations").glob("*.json")))


def declared_count(name: str) -> int:
    """Expectations a suite's JSON declares: its own plus those of the suites it includes."""
    spec = json.loads((share_dir("expectations") / f"{name}.json").read_text())
    return len(spec["expectations"]) + sum(declared_count(i) for i in spec.get("includes", []))


def transactions(n: int = 4) -> pl.DataFrame:
    """A clean batch of canonical transactions that passes every expectation."""
    start = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)
    rows = {
        "txn_id": [f"tx-{i:04d}" for i in range(n)],
        "source_file": ["feeds/bank_a.csv"] * n,
        "source_sha256": ["ab" * 32] * n,
        "source_row": list(range(1, n + 1)),
        "source_locator": [f"row {i}" for i in range(1, n + 1)],
        "source_format": ["csv"] * n,
        "booked_at": [start + dt.timedelta(hours=i) for i in range(n)],
        "payer_bank": ["011"] * n,
        "payer_account": [f"ACC{i}" for i in range(n)],
        "payee_bank": ["022"] * n,
        "payee_account": ["ACC900"] * n,
        "payer_name": [None] * n,
        "payee_name": [None] * n,
        "amount_paid": [100.0 + i for i in range(n)],
        "currency_paid": ["EUR", "GBP", "XBT", "USD"][:n] + ["GBP"] * max(0, n - 4),
        "amount_received": [100.0 + i for i in range(n)],
        "currency_received": ["EUR", "GBP", "XBT", "USD"][:n] + ["GBP"] * max(0, n - 4),
        "amount_gbp": [85.0 + i for i in range(n)],
        "fx_rate": [0.85] * n,
        "channel": ["wire", "cash", "crypto", "card"][:n] + ["ach"] * max(0, n - 4),
        "reference": ["rent", None, "lodging", "fees"][:n] + ["x"] * max(0, n - 4),
        "end_to_end_id": [None] * n,
        "uetr": [None] * n,
        "label": [0] * n,
        "ingest_run_id": ["run-1"] * n,
    }
    return pl.DataFrame(rows, schema=TRANSACTION_SCHEMA)


def accounts() -> pl.DataFrame:
    """Clean account reference data, one row per (bank, account)."""
    rows = {
        "bank": ["011", "011", "022"],
        "account": ["ACC0", "ACC1", "ACC0"],
        "bank_name": ["Bank A", "Bank A", "Bank B"],
        "entity_id": ["E1", "E2", "E3"],
        "entity_name": ["Ann", "Bob", "Cy"],
        "source_file": ["accounts.csv"] * 3,
        "source_sha256": ["cd" * 32] * 3,
        "source_row": [1, 2, 3],
    }
    return pl.DataFrame(rows, schema=ACCOUNT_SCHEMA)


def set_value(df: pl.DataFrame, column: str, row: int, value: object) -> pl.DataFrame:
    """`df` with one cell replaced."""
    series = df.get_column(column).to_list()
    series[row] = value
    return df.with_columns(pl.Series(column, series, dtype=df.schema[column]))


@pytest.mark.parametrize("name", SHIPPED_SUITES)
def test_each_shipped_suite_loads_every_expectation_in_its_json(name: str) -> None:
    suite = load_suite(name)
    assert suite.name == name
    assert len(suite.expectations) == declared_count(name) > 0
    for expectation in suite.expectations:
        meta = expectation.meta or {}
        assert meta["severity"] in ("critical", "warning")
        assert meta["notes"].strip()
        # GX's own severity field follows finflow's meta.severity.
        assert expectation.severity.value == meta["severity"]


def test_every_feed_type_has_its_own_suite() -> None:
    assert {"amlworld", "camt053", "bankcsv", "transactions", "accounts"} <= set(SHIPPED_SUITES)


def test_a_clean_batch_passes_and_writes_result_and_data_docs(tmp_path: Path) -> None:
    summary = validate_frame(transactions(), "transactions", tmp_path, "2024-03-01")
    spec = json.loads((share_dir("expectations") / "transactions.json").read_text())

    assert summary["success"] is True
    assert summary["suite"] == "transactions"
    assert summary["batch_id"] == "2024-03-01"
    assert summary["evaluated"] == len(spec["expectations"])
    assert summary["failed_critical"] == [] and summary["failed_warning"] == []
    result_file = Path(summary["result_file"])
    assert result_file == tmp_path / "transactions__2024-03-01.json"
    result = json.loads(result_file.read_text())
    assert result["success"] is True
    assert result["suite_name"] == "transactions"
    assert result["meta"]["run_name"] == "2024-03-01"
    index = Path(summary["data_docs"])
    assert index == tmp_path / "data_docs" / "index.html"
    html = index.read_text()
    # The offline list links to the rendered validation page, which exists on disk.
    page = next((tmp_path / "data_docs" / "validations" / "transactions").rglob("*.html"))
    assert page.relative_to(index.parent).as_posix() in html
    assert "transactions on batch 2024-03-01</a>: <strong>passed</strong>" in html


def test_a_clean_accounts_batch_passes(tmp_path: Path) -> None:
    summary = validate_frame(accounts(), "accounts", tmp_path, "accounts-v1")
    assert summary["success"] is True
    assert summary["evaluated"] == 4


@pytest.mark.parametrize(
    ("column", "row", "value", "expectation", "shown"),
    [
        ("txn_id", 2, "tx-0001", "expect_column_values_to_be_unique", "'tx-0001'"),
        ("amount_paid", 1, -50.0, "expect_column_values_to_be_between", "-50.0"),
        ("currency_received", 0, "ZZZ", "expect_column_values_to_be_in_set", "'ZZZ'"),
    ],
)
def test_a_critical_failure_raises_after_writing_the_result(
    tmp_path: Path, column: str, row: int, value: object, expectation: str, shown: str
) -> None:
    bad = set_value(transactions(), column, row, value)

    with pytest.raises(ValidationFailed) as caught:
        validate_frame(bad, "transactions", tmp_path, "b1")

    message = str(caught.value)
    assert message.startswith("validation suite transactions failed on b1: ")
    assert f"{expectation}({column})" in message
    assert shown in message
    assert isinstance(caught.value, SuiteValidationFailed)
    summary = caught.value.summary
    assert [(f["expectation"], f["column"]) for f in summary["failed_critical"]] == [
        (expectation, column)
    ]
    result = json.loads((tmp_path / "transactions__b1.json").read_text())
    assert result["success"] is False
    assert (tmp_path / "data_docs" / "index.html").is_file()
    assert "<strong>failed</strong>" in (tmp_path / "data_docs" / "index.html").read_text()


def test_a_missing_column_is_a_critical_failure_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_frame(transactions().drop("channel"), "transactions", tmp_path, "b1")
    message = str(caught.value)
    assert "expect_column_values_to_be_in_set(channel): error:" in message
    assert "does not exist" in message


def test_duplicate_accounts_fail_the_compound_key(tmp_path: Path) -> None:
    bad = set_value(accounts(), "account", 1, "ACC0")
    with pytest.raises(ValidationFailed) as caught:
        validate_frame(bad, "accounts", tmp_path, "a1")
    assert "expect_compound_columns_to_be_unique(bank,account)" in str(caught.value)


def test_a_warning_failure_is_reported_without_raising(tmp_path: Path) -> None:
    long_reference = set_value(transactions(), "reference", 0, "x" * 1001)

    summary = validate_frame(long_reference, "transactions", tmp_path, "b1")

    assert summary["success"] is False
    assert summary["failed_critical"] == []
    assert [(f["expectation"], f["column"]) for f in summary["failed_warning"]] == [
        ("expect_column_value_lengths_to_be_between", "reference")
    ]
    assert summary["failed_warning"][0]["observed"].startswith("1 of 3 values unexpected")
    html = (tmp_path / "data_docs" / "index.html").read_text()
    assert "<strong>passed with warnings</strong>" in html


def test_a_bogus_expectation_type_is_a_config_error(tmp_path: Path) -> None:
    spec = json.loads((share_dir("expectations") / "accounts.json").read_text())
    spec["name"] = "broken"
    spec["expectations"].append(
        {
            "type": "expect_column_values_to_be_bogus",
            "kwargs": {"column": "bank"},
            "meta": {"severity": "warning", "notes": "Not a GX expectation."},
        }
    )
    (tmp_path / "broken.json").write_text(json.dumps(spec))

    with pytest.raises(ConfigError, match=r"#5 \('expect_column_values_to_be_bogus'\)"):
        load_suite("broken", suites_dir=tmp_path)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"kwargs": {"column": "bank", "mostly": 2}}, "is invalid"),
        ({"meta": {"severity": "critcal", "notes": "typo"}}, "meta.severity"),
        ({"meta": {"severity": "critical"}}, "meta.notes"),
    ],
)
def test_invalid_expectations_are_config_errors(
    tmp_path: Path, change: dict[str, object], match: str
) -> None:
    spec = json.loads((share_dir("expectations") / "accounts.json").read_text())
    spec["name"] = "edited"
    spec["expectations"][0].update(change)
    (tmp_path / "edited.json").write_text(json.dumps(spec))
    with pytest.raises(ConfigError, match=match):
        load_suite("edited", suites_dir=tmp_path)


def test_unsafe_suite_names_and_batch_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_suite("../transactions")
    with pytest.raises(ConfigError):
        validate_frame(transactions(), "transactions", tmp_path, "a/../../b")


def test_identical_input_gives_a_byte_identical_result_file(tmp_path: Path) -> None:
    frame = set_value(transactions(), "amount_paid", 3, 0.0)  # fails, so results carry values
    texts = []
    for run in ("first", "second"):
        with pytest.raises(ValidationFailed):
            validate_frame(frame, "transactions", tmp_path / run, "b1")
        texts.append((tmp_path / run / "transactions__b1.json").read_bytes())
    assert texts[0] == texts[1]


def test_revalidating_keeps_other_suites_docs_and_replaces_the_batch(tmp_path: Path) -> None:
    validate_frame(transactions(), "transactions", tmp_path, "b1")
    validate_frame(accounts(), "accounts", tmp_path, "a1")
    validate_frame(transactions(), "transactions", tmp_path, "b1")

    docs = tmp_path / "data_docs"
    assert len(list((docs / "validations" / "transactions" / "b1").rglob("*.html"))) == 1
    assert len(list((docs / "validations" / "accounts" / "a1").rglob("*.html"))) == 1
    html = (docs / "index.html").read_text()
    assert "transactions on batch b1" in html and "accounts on batch a1" in html
    assert 'href="expectations/accounts.html"' in html
