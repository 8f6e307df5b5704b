"""sections 0-14: every section present, powers matrix, neutral prose in every generated file."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from casepack_sample import build_case
from test_render import visible_text

from finflow.casepack.language import check_neutral, check_prose
from finflow.casepack.powers import JUDGEMENT, POWERS, balance_note
from finflow.casepack.render import write_case_pack

SECTIONS = [
    "Cover",
    "Scope",
    "Summary of observations",
    "Persons and entities",
    "Accounts schedule",
    "Indicator findings",
    "Schedule of transactions",
    "Flow of funds",
    "Link chart",
    "Timeline",
    "Powers options matrix",
    "Information gaps and lines of enquiry",
    "Data quality and limitations",
    "Method and audit",
    "Disclosure annex",
]


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    case, transactions = build_case()
    return case, write_case_pack(case, transactions, tmp_path_factory.mktemp("s") / "c")


def test_every_section_0_to_14_is_present_in_order(pack: tuple[dict[str, Any], Path]) -> None:
    _, out = pack
    html = (out / "index.html").read_text(encoding="utf-8")
    found = re.findall(r'<h2><span class="num">(\d+)</span>([^<]+)</h2>', html)
    assert [int(n) for n, _ in found] == list(range(15))
    for (_, title), expected in zip(found, SECTIONS, strict=True):
        assert title.startswith(expected)
    assert html.count("<svg ") == 3  # flow, link chart and timeline inline


def test_powers_matrix_lists_every_power_with_tests_and_no_recommendation(
    pack: tuple[dict[str, Any], Path],
) -> None:
    _, out = pack
    html = (out / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="powers"') : html.index('id="enquiry"')]
    text = " ".join(visible_text(section).split())
    for power in POWERS:
        assert power.name in text and power.section in text
    for ref in ("s303Z1", "s303Z8", "s303Z9", "s303Z14", "s345", "s363", "s370", "s357", "s294"):
        assert ref in text
    assert "balance not in the data" in text
    assert text.count(JUDGEMENT) >= len(POWERS)
    rest = text.replace("it is not a recommendation to apply for any order", "")
    assert not re.search(r"\b(recommend|should apply|must apply|apply for an? )", rest, re.I)
    assert re.search(r'<a class="mono txn" href="#txn-', section)


def test_balance_note_compares_a_known_balance_with_the_minimum() -> None:
    assert balance_note({}) == "balance not in the data"
    assert "at or above the £1,000 minimum" in balance_note(
        {"closing_balance": 1000, "balance_date": "2022-09-30"}
    )
    assert "below the £1,000 minimum" in balance_note({"balance": 999.99})


def test_balance_walk_is_shown_where_balances_exist(tmp_path: Path) -> None:
    case, transactions = build_case()
    case["accounts"][0].update(opening_balance=100.0, closing_balance=250.0)
    out = write_case_pack(case, transactions, tmp_path / "b")
    text = " ".join(visible_text((out / "index.html").read_text(encoding="utf-8")).split())
    assert "Balance walk" in text and "Stated closing" in text
    assert "balances are not in the data for any account" not in text.lower()


def test_enquiries_include_lines_that_point_away_from_the_subject(
    pack: tuple[dict[str, Any], Path],
) -> None:
    case, out = pack
    html = (out / "index.html").read_text(encoding="utf-8")
    section = visible_text(html[html.index('id="enquiry"') : html.index('id="data-quality"')])
    assert "Could point away from the subject" in section
    assert "potential victims" in section
    for benign in case["alerts"][0]["benign_explanations"]:
        assert benign in section


def test_summary_lists_every_benign_explanation_once(
    pack: tuple[dict[str, Any], Path],
) -> None:
    case, out = pack
    html = (out / "index.html").read_text(encoding="utf-8")
    summary = html[html.index('id="summary"') : html.index('id="entities"')]
    listed = summary[summary.index('<ul class="benign all">') :]
    listed = listed[: listed.index("</ul>")]
    items = [visible_text(li).strip() for li in listed.split("<li>")[1:]]
    wanted = sorted({b for a in case["alerts"] for b in a["benign_explanations"]})
    assert items == wanted


def test_disclosure_annex_lists_every_file_and_every_rule(
    pack: tuple[dict[str, Any], Path],
) -> None:
    case, out = pack
    html = (out / "index.html").read_text(encoding="utf-8")
    annex = html[html.index('id="disclosure"') :]
    for path in out.rglob("*"):
        if path.is_file():
            assert f'href="{path.relative_to(out).as_posix()}"' in annex
    assert 'href="case.pdf"' in annex
    for rule in case["rules_not_fired"]:
        assert rule["rule_id"] in annex
    assert "evaluated, did not fire" in annex


def _generated_prose(out: Path) -> dict[str, str]:
    """Every piece of text the software wrote (source data excluded by the clean sample)."""
    texts = {"index.html": visible_text((out / "index.html").read_text(encoding="utf-8"))}
    for svg in (out / "figures").glob("*.svg"):
        texts[svg.name] = re.sub(r"<[^>]+>", " ", svg.read_text(encoding="utf-8"))
    for name in ("transactions.csv", "subjects.csv", "i2_entities.csv", "i2_links.csv"):
        frame = pl.read_csv(out / name, infer_schema=False)
        texts[name] = " ".join(frame.columns)
        if name == "subjects.csv":
            texts[name] += " " + " ".join(
                frame["shared_attributes"].drop_nulls().to_list()
                + frame["entity_resolution"].to_list()
            )
    with zipfile.ZipFile(io.BytesIO((out / "transactions.xlsx").read_bytes())) as z:
        texts["transactions.xlsx"] = re.sub(
            r"<[^>]+>", " ", z.read("xl/worksheets/sheet1.xml").decode()
        )
    return texts


def test_generated_prose_everywhere_is_neutral(pack: tuple[dict[str, Any], Path]) -> None:
    _, out = pack
    for name, text in _generated_prose(out).items():
        assert check_prose(text) == [], name


def test_docs_are_neutral() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs"
    for name in ("casepack.md", "i2.md"):
        path = docs / name
        if path.exists():
            assert check_prose(path.read_text(encoding="utf-8")) == [], name


def test_check_prose_allows_statutory_terms_only() -> None:
    assert check_prose("benefited from criminal conduct; criminal property") == []
    assert check_prose("the criminal paid") == ["criminal"]
    assert check_neutral("criminal conduct") == ["criminal"]


def test_kyc_gaps_follow_the_customer_records_the_case_has(tmp_path: Path) -> None:
    case, transactions = build_case()
    case["parties"] = []
    out = write_case_pack(case, transactions, tmp_path / "none")
    text = " ".join(visible_text((out / "index.html").read_text(encoding="utf-8")).split())
    assert "Customer (KYC) records are not in the data" in text

    case, transactions = build_case()
    case["parties"] = [
        {"party_id": "P-1", "name": "A", "customer_ids": ["K1"], "role": "payer"},
        {"party_id": "P-2", "name": "B", "customer_ids": [], "role": "collector"},
    ]
    out = write_case_pack(case, transactions, tmp_path / "some")
    text = " ".join(visible_text((out / "index.html").read_text(encoding="utf-8")).split())
    assert "Customer (KYC) records are not in the data" not in text
    assert "1 of 2 parties have no customer (KYC) record in the data" in text
    assert "customer (KYC) records and the purpose" not in text
