# ruff: noqa: E501
"""KYC customers and institutions files: recognised by content, every row accounted for."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import polars as pl
import pytest

from finflow.errors import FeedFormatError
from finflow.ingest.reference import read_reference
from finflow.ingest.runner import ingest_folder
from finflow.ingest.sniff import SNIFF_BYTES, sniff

CUSTOMERS = """customer_id,name,date_of_birth,addresses,phone,email,nationality,account_ids,device_id
C1,Ahmed Karimi,1990-04-02,12 High St London;3 Quay Rd Dover,+44 7700 900001,ak@example.org,af,0011:80001;0011:80002,
C2,Ana Popescu,1985-13-01,1 Rue X,,,RO,0011:80003,
,No Id,1980-01-01,,,,GB,0011:80004,
C1,Ahmed Karimi,1990-04-02,,,,AF,0011:80005,
C3,Bo Li,1999-01-01,,,not-an-email,CN,0011:80006,
C4,Cara Doyle,,,,,IE,bad account,
C5,"=HYPERLINK(""x"")",2001-02-03,,,,GB,0011:80007,dev-1
C6,Too,Few
"""

INSTITUTIONS = """institution_id,name,bic,country,type
0011,First Bank,FIRSGB2L,GB,Bank
0012,Quick Transfer,,GB,MSB
0013,Pay Ltd,PAYLGB21XXX,GB,payment institution
0014,Coins,,MT,Crypto Exchange
0015,Odd,,GB,hawaladar
0015,Twice,,GB,bank
0016,Bad Bic,12,GB,bank
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_customers_rows_are_accepted_or_quarantined_with_a_reason(tmp_path: Path) -> None:
    path = _write(tmp_path, "kyc.dat", CUSTOMERS)
    assert sniff(path).format == "customers"
    good, bad = read_reference(path, "0" * 64, "customers")
    assert good["customer_id"].to_list() == ["C1", "C5"]
    first = good.row(0, named=True)
    assert first["account_keys"] == ["0011:80001", "0011:80002"]
    assert first["addresses"] == ["12 High St London", "3 Quay Rd Dover"]
    assert first["nationality"] == "AF"
    assert str(first["date_of_birth"]) == "1990-04-02"
    assert good.row(1, named=True)["name"] == '=HYPERLINK("x")'  # verbatim: a fact
    reasons = dict(zip(bad["source_row"], bad["reason"], strict=True))
    assert reasons == {
        2: "BAD_DATE_OF_BIRTH",
        3: "MISSING_ID",
        4: "DUPLICATE_ID",
        5: "BAD_EMAIL",
        6: "BAD_ACCOUNT_ID",
        8: "WRONG_FIELD_COUNT",
    }
    assert bad["detail"].null_count() == 0


def test_institutions_types_are_normalised_and_bad_rows_quarantined(tmp_path: Path) -> None:
    path = _write(tmp_path, "inst.csv", INSTITUTIONS)
    assert sniff(path).format == "institutions"
    good, bad = read_reference(path, "0" * 64, "institutions")
    assert dict(zip(good["institution_id"], good["type"], strict=True)) == {
        "0011": "bank",
        "0012": "msb",
        "0013": "payment_institution",
        "0014": "crypto_exchange",
        "0015": "bank",
    }
    assert bad.select("source_row", "reason").rows() == [
        (5, "UNKNOWN_INSTITUTION_TYPE"),
        (7, "BAD_BIC"),
    ]


def test_blank_rows_are_skipped_and_long_or_short_rows_quarantined_with_their_text(
    tmp_path: Path,
) -> None:
    header = CUSTOMERS.splitlines()[0]
    rows = [
        "C1,Ann,1980-01-01, a ; ;b ,,,gb, 01:A ; ;02:B ;,",  # list items stripped, empties dropped
        "",  # blank line
        "  ,\t, , , , , , , ",  # only blank fields: a blank line too
        "C2,Bob,1980-01-01,,,,,01:A,,extra",
        "C3," + "x" * 2001 + ",1980-01-01,,,,,01:A,",
    ]
    path = _write(tmp_path, "kyc.csv", "\n".join([header, *rows]) + "\n")
    good, bad = read_reference(path, "0" * 64, "customers")
    first = good.row(0, named=True)
    assert (first["addresses"], first["account_keys"]) == (["a", "b"], ["01:A", "02:B"])
    assert bad.select("source_row", "reason").rows() == [
        (4, "WRONG_FIELD_COUNT"),
        (5, "FIELD_TOO_LONG"),
    ]
    assert bad["raw"][0] == rows[3]  # the row's fields joined again by commas


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path, enabled: bool) -> None:
    path = _write(tmp_path, "kyc.csv", CUSTOMERS)
    bad_path = _write(tmp_path, "bad.csv", "customer_id,name\n1,A\n")
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        read_reference(path, "0" * 64, "customers")
        assert gc.isenabled() is enabled
        with pytest.raises(FeedFormatError):
            read_reference(bad_path, "0" * 64, "customers")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


ONE_PAYMENT = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
    "Amount Paid,Payment Currency,Payment Format,Is Laundering\n"
    "2022/09/01 00:20,0011,80001,0012,90001,100.00,UK Pound,100.00,UK Pound,Wire,0\n"
)
"""An AMLworld transactions file of one payment, beside the reference files."""


def test_a_file_without_the_required_columns_is_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.csv", "institution_id,name\n1,A\n")
    with pytest.raises(FeedFormatError, match="lacks column"):
        read_reference(path, "0" * 64, "institutions")


def test_runner_counts_reference_files_and_writes_reference_tables(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    _write(feeds, "a.txt", CUSTOMERS)
    _write(feeds, "b.txt", INSTITUTIONS)
    _write(feeds, "t.csv", ONE_PAYMENT)
    out = tmp_path / "out"
    result = ingest_folder(feeds, out)
    by_format = {e["format"]: e for e in result["files"]}
    for kind, accepted, quarantined in (("customers", 2, 6), ("institutions", 5, 2)):
        entry = by_format[kind]
        assert entry["status"] == "ingested"
        assert (entry["rows_accepted"], entry["rows_quarantined"]) == (accepted, quarantined)
        assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"]
        lake = out / "lake" / "reference" / kind / f"{entry['sha256'][:16]}.parquet"
        assert pl.read_parquet(lake).height == accepted
    quarantine = pl.read_parquet(out / "quarantine" / "quarantine.parquet")
    assert {"UNKNOWN_INSTITUTION_TYPE", "BAD_DATE_OF_BIRTH"} <= set(quarantine["reason"])


def test_reference_files_are_read_on_a_thread_and_committed_in_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finflow.ingest import runner

    threads: dict[str, str] = {}

    def recording(path: Path, sha256: str, kind: str) -> tuple[pl.DataFrame, pl.DataFrame]:
        threads[path.name] = threading.current_thread().name
        return read_reference(path, sha256, kind)

    monkeypatch.setattr(runner, "read_reference", recording)
    feeds = tmp_path / "feeds"
    _write(feeds, "a.txt", CUSTOMERS)
    _write(feeds, "b.txt", "customer_id,name,date_of_birth,account_ids\n")  # no data row
    good_rows = b"".join(b"%d,Bank,,GB,bank\n" % n for n in range(SNIFF_BYTES // 10))
    institutions = b"institution_id,name,bic,country,type\n" + good_rows + b"0,B\xff,,GB,bank\n"
    (feeds / "c.txt").write_bytes(institutions)  # not UTF-8 past what sniffing reads
    _write(feeds, "t.csv", ONE_PAYMENT)
    result = ingest_folder(feeds, tmp_path / "out")
    assert [e["file"] for e in result["files"]] == ["a.txt", "b.txt", "c.txt", "t.csv"]
    assert [e["status"] for e in result["files"]] == ["ingested", "no_rows", "rejected", "ingested"]
    assert "not valid UTF-8" in result["files"][2]["message"]
    assert set(threads) == {"a.txt", "b.txt", "c.txt"}
    assert all(name.startswith("finflow-reference") for name in threads.values())
