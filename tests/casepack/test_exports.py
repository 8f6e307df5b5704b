"""exports: xlsx, subjects, i2 and FollowTheMoney files are safe, complete and deterministic."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from casepack_sample import HOSTILE_NAME, HOSTILE_REFERENCE, NUMERIC_REFERENCE, build_case

from finflow.casepack.exports.xlsx import _text as xlsx_text
from finflow.casepack.render import write_case_pack


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    case, transactions = build_case(hostile=True)
    out = tmp_path_factory.mktemp("exports") / case["case_id"]
    return case, write_case_pack(copy.deepcopy(case), transactions, out)


def test_xlsx_has_marking_numbers_totals_and_neutralised_text(
    hostile_pack: tuple[dict[str, Any], Path],
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    case, out = hostile_pack
    ws = openpyxl.load_workbook(out / "transactions.xlsx").active
    assert ws["A1"].value == "OFFICIAL-SENSITIVE"
    header = [c.value for c in ws[5]]
    assert header[0] == "Row id" and "GBP equivalent" in header
    gbp = header.index("GBP equivalent")
    ref = header.index("Reference (verbatim)")
    data = list(ws.iter_rows(min_row=6, max_row=35, values_only=True))
    assert len(data) == 30
    assert all(isinstance(r[gbp], int | float) for r in data)
    refs = {r[ref] for r in data}
    assert "'" + HOSTILE_REFERENCE in refs and HOSTILE_REFERENCE not in refs
    assert NUMERIC_REFERENCE in refs
    assert "<script>alert(1)</script>" in refs  # verbatim: inert text in a spreadsheet
    totals = [c.value for c in ws[36]]
    assert totals[0] == "Totals: 30 transactions"
    assert totals[gbp] == pytest.approx(case["total_value_gbp"])
    assert all(
        not (isinstance(c.value, str) and c.value.startswith("=")) for row in ws for c in row
    )


def test_xlsx_bytes_do_not_depend_on_the_clock(tmp_path: Path) -> None:
    case, transactions = build_case()
    a = write_case_pack(copy.deepcopy(case), transactions, tmp_path / "a")
    b = write_case_pack(copy.deepcopy(case), transactions, tmp_path / "b")
    assert (a / "transactions.xlsx").read_bytes() == (b / "transactions.xlsx").read_bytes()
    later = copy.deepcopy(case)
    later["generated_at"] = "2023-01-01T00:00:00+00:00"
    c = write_case_pack(later, transactions, tmp_path / "c")
    assert (a / "transactions.xlsx").read_bytes() != (c / "transactions.xlsx").read_bytes()


def test_subjects_have_one_row_per_entity_and_category_unknown(
    hostile_pack: tuple[dict[str, Any], Path],
) -> None:
    case, out = hostile_pack
    subjects = pl.read_csv(out / "subjects.csv", infer_schema=False)
    assert subjects.height == len({a["entity_id"] for a in case["accounts"]})
    assert set(subjects["data_subject_category"]) == {"unknown"}
    assert "suspect" not in (out / "subjects.csv").read_text(encoding="utf-8")
    assert HOSTILE_NAME in subjects["name_as_stated"].to_list()
    assert set(subjects["marking"]) == {"OFFICIAL-SENSITIVE"}


def test_an_officer_recorded_category_is_kept_and_nothing_else_is_invented(tmp_path: Path) -> None:
    case, transactions = build_case()
    case["accounts"][2]["data_subject_category"] = "victim"
    case["accounts"][3]["data_subject_category"] = "definitely bad"
    out = write_case_pack(case, transactions, tmp_path / "x")
    cats = pl.read_csv(out / "subjects.csv", infer_schema=False)["data_subject_category"]
    assert sorted(cats.to_list()) == ["unknown", "unknown", "unknown", "unknown", "victim"]


def test_i2_files_link_known_identities_and_are_neutralised(
    hostile_pack: tuple[dict[str, Any], Path],
) -> None:
    _, out = hostile_pack
    ents = pl.read_csv(out / "i2_entities.csv", infer_schema=False)
    links = pl.read_csv(out / "i2_links.csv", infer_schema=False)
    assert ents["Identity"].n_unique() == ents.height
    ids = set(ents["Identity"])
    assert set(links["From Identity"]) <= ids and set(links["To Identity"]) <= ids
    assert links.filter(pl.col("Link Type") == "Payment").height == 30
    assert links.filter(pl.col("Link Type") == "Holds").height == 5
    assert "'" + HOSTILE_REFERENCE in links["Reference"].to_list()
    assert set(ents["Entity Type"]) <= {"Account", "Person", "Organisation", "Unknown Entity"}


def test_ftm_entities_validate_with_followthemoney(
    hostile_pack: tuple[dict[str, Any], Path],
) -> None:
    ftm = pytest.importorskip("followthemoney")
    _, out = hostile_pack
    lines = (out / "ftm.jsonl").read_text(encoding="utf-8").splitlines()
    entities = [json.loads(line) for line in lines]
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities)
    by_schema: dict[str, int] = {}
    for data in entities:
        proxy = ftm.model.get_proxy(data, cleaned=False)
        by_schema[proxy.schema.name] = by_schema.get(proxy.schema.name, 0) + 1
        for prop in proxy.schema.required:
            assert proxy.get(prop), (data["id"], prop)
        for prop, values in data["properties"].items():
            assert proxy.schema.get(prop) is not None, prop
            assert proxy.get(prop) == values, (prop, values)  # nothing dropped as invalid
        for prop in proxy.schema.properties.values():
            if prop.type.name == "entity":
                assert set(proxy.get(prop)) <= ids, (data["id"], prop.name)
    assert by_schema["Payment"] == 30
    assert by_schema["BankAccount"] == 5
    assert by_schema["Ownership"] == 5
    payments = [e for e in entities if e["schema"] == "Payment"]
    assert {"payer", "beneficiary", "amount", "currency", "date"} <= set(payments[0]["properties"])
    assert any(e["properties"].get("purpose") == [HOSTILE_REFERENCE] for e in payments)


def test_xlsx_text_drops_what_xml_cannot_hold_and_keeps_tab_and_line_ends() -> None:
    assert xlsx_text("a\x00\x08b\t\n\r\x0b\x0c\x0e\x1fc <&> é") == "ab\t\n\rc &lt;&amp;&gt; é"
