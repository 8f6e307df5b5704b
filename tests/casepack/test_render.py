"""render: the case pack folder and the run's index of cases."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from casepack_sample import (
    HOSTILE_NAME,
    HOSTILE_REFERENCE,
    NUMERIC_REFERENCE,
    build_case,
    build_cases,
)

from finflow.casepack import fragments, render, schedule
from finflow.casepack.devtools import CHROMIUM_FLAGS
from finflow.casepack.language import check_neutral, check_prose
from finflow.casepack.manifest import sha256_file
from finflow.casepack.render import DRAFT_LINE, write_case_pack, write_cases_index

CHROMIUM = Path("/usr/bin/chromium")
FILES = {
    "index.html",
    "transactions.csv",
    "transactions.xlsx",
    "subjects.csv",
    "i2_entities.csv",
    "i2_links.csv",
    "ftm.jsonl",
    "case.json",
    "manifest.json",
    "figures/linkchart.svg",
    "figures/timeline.svg",
    "figures/flow.svg",
    "linkchart.png",
}


class _VisibleText(HTMLParser):
    """The text a reader sees: everything outside tags, except style and script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def folder_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_header(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "run_id": "run-20221001",
        "generated_at": case["generated_at"],
        "rules_hash": case["rules_hash"],
        "rules_version": case["rules_version"],
        "software_version": case["software_version"],
        "inputs": case["inputs"],
    }


@pytest.fixture
def rendered(tmp_path: Path) -> tuple[dict[str, Any], Path]:
    case, transactions = build_case()
    out = write_case_pack(case, transactions, tmp_path / "cases" / case["case_id"])
    return case, out


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    case, transactions = build_case(hostile=True)
    return write_case_pack(case, transactions, tmp_path / "hostile" / case["case_id"])


def test_it_writes_the_four_files_and_returns_the_folder(
    rendered: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    case, out = rendered
    assert out == tmp_path / "cases" / case["case_id"]
    assert set(folder_hashes(out)) == FILES


def test_case_json_is_the_case_sorted_indented_with_trailing_newline(
    rendered: tuple[dict[str, Any], Path],
) -> None:
    case, out = rendered
    text = (out / "case.json").read_text(encoding="utf-8")
    assert json.loads(text) == case
    assert text == json.dumps(case, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_manifest_hashes_match_the_files(rendered: tuple[dict[str, Any], Path]) -> None:
    case, out = rendered
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == FILES - {"manifest.json"}
    assert [f["path"] for f in manifest["files"]] == sorted(listed)
    for name, digest in listed.items():
        assert digest == sha256_file(out / name)
    assert manifest["inputs"] == sorted(case["inputs"], key=lambda i: i["file"])
    assert manifest["rules_hash"] == case["rules_hash"]


def test_two_renders_are_byte_identical(tmp_path: Path) -> None:
    case, transactions = build_case(hostile=True)
    a = write_case_pack(copy.deepcopy(case), transactions, tmp_path / "a" / case["case_id"])
    shuffled = transactions.sample(fraction=1.0, shuffle=True, seed=7)
    b = write_case_pack(copy.deepcopy(case), shuffled, tmp_path / "b" / case["case_id"])
    assert folder_hashes(a) == folder_hashes(b)
    assert len(folder_hashes(a)) == len(FILES)


def test_html_is_self_contained_with_markings(rendered: tuple[dict[str, Any], Path]) -> None:
    _, out = rendered
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<header class="banner" role="banner">OFFICIAL-SENSITIVE</header>' in html
    assert '<footer class="banner">OFFICIAL-SENSITIVE</footer>' in html
    assert html.count(DRAFT_LINE) == 2
    assert "OFFICIAL-SENSITIVE" in html
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html
    assert "same inputs + same version + same rules =&gt; identical output hashes" in html


def test_hostile_text_is_inert_in_html(hostile: Path) -> None:
    html = (hostile / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE_NAME in visible_text(html)
    assert HOSTILE_REFERENCE in visible_text(html)


def test_hostile_text_is_neutralised_in_csv(hostile: Path) -> None:
    raw = (hostile / "transactions.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in raw
    assert not re.search(r"(^|,)\"?=HYPERLINK", raw, flags=re.MULTILINE)
    back = pl.read_csv(hostile / "transactions.csv", infer_schema=False)
    refs = back["reference"].to_list()
    assert "'" + HOSTILE_REFERENCE in refs
    assert NUMERIC_REFERENCE in refs  # "-12.50" is a number: left alone
    assert "label" not in back.columns
    assert set(back["marking"].to_list()) == {"OFFICIAL-SENSITIVE"}


def test_schedule_is_sorted_by_booking_time_then_id(hostile: Path) -> None:
    back = pl.read_csv(hostile / "transactions.csv", infer_schema=False)
    keys = list(zip(back["booked_at"], back["txn_id"], strict=True))
    assert keys == sorted(keys)
    assert back.height == 30


def test_generated_prose_is_neutral(rendered: tuple[dict[str, Any], Path]) -> None:
    _, out = rendered
    text = visible_text((out / "index.html").read_text(encoding="utf-8"))
    assert "consistent with" in text and "requires enquiry" in text and "observed" in text
    assert check_prose(text) == []  # statutory terms ("criminal conduct") quoted in section 10


def test_every_evidence_row_links_to_its_schedule_anchor(
    rendered: tuple[dict[str, Any], Path],
) -> None:
    case, out = rendered
    html = (out / "index.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<tr id="txn-([^"]+)"', html))
    links = set(re.findall(r'href="#txn-([^"]+)"', html))
    assert len(anchors) == 30
    for alert in case["alerts"]:
        for txn_id in alert["evidence_txn_ids"]:
            assert txn_id in anchors
            assert txn_id in links
    assert links <= anchors


def test_an_evidence_id_missing_from_the_schedule_is_flagged_not_linked(tmp_path: Path) -> None:
    case, transactions = build_case()
    case["alerts"][0]["evidence_txn_ids"] = [*case["alerts"][0]["evidence_txn_ids"], "ghost-1"]
    out = write_case_pack(case, transactions, tmp_path / case["case_id"])
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="#txn-ghost-1"' not in html
    assert "not in this schedule" in html and "ghost-1" in html


def test_scoring_section_shows_how_the_score_was_built(
    rendered: tuple[dict[str, Any], Path],
) -> None:
    case, out = rendered
    text = " ".join(visible_text((out / "index.html").read_text(encoding="utf-8")).split())
    assert "Corroboration bonus 5" in text
    assert "Total (contributions + bonus) 50" in text
    for rule in case["rules_not_fired"]:
        assert rule["rule_id"] in text
    assert "£95,990.26" in text  # total value, GBP with separators and 2 decimals


def test_an_invalid_marking_is_refused(tmp_path: Path) -> None:
    case, transactions = build_case()
    case["marking"] = 'OFFICIAL"; } body { display: none'
    with pytest.raises(ValueError, match="marking"):
        write_case_pack(case, transactions, tmp_path / "x")


def test_cases_index_lists_cases_in_rank_order(tmp_path: Path) -> None:
    cases = build_cases(3)
    shuffled = [cases[2], cases[0], cases[1]]
    out = write_cases_index(shuffled, run_header(cases[0]), tmp_path / "cases")
    assert out == tmp_path / "cases" / "index.html"
    html = out.read_text(encoding="utf-8")
    links = re.findall(r'href="\./([^"/]+)/index\.html"', html)
    assert links == [c["case_id"] for c in sorted(cases, key=lambda c: c["rank"])]
    assert 'id="filters" hidden' in html  # readable without JS: filters appear only with it
    assert html.count(DRAFT_LINE) == 2
    assert "run-20221001" in html and cases[0]["rules_hash"] in html
    assert check_neutral(visible_text(html)) == []
    again = write_cases_index(list(reversed(cases)), run_header(cases[0]), tmp_path / "again")
    assert again.read_bytes() == out.read_bytes()


def test_cases_index_allows_only_its_own_script(tmp_path: Path) -> None:
    cases = build_cases(2)
    html = write_cases_index(cases, run_header(cases[0]), tmp_path).read_text(encoding="utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    assert len(scripts) == 1
    digest = hashlib.sha256(scripts[0].encode()).digest()
    assert f"'sha256-{base64.b64encode(digest).decode()}'" in unescape(html)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_case_page_renders_in_headless_chromium(
    rendered: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    _, out = rendered
    png = tmp_path / "case.png"
    profile = tmp_path / "profile"
    shutil.rmtree(profile, ignore_errors=True)
    subprocess.run(
        [
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            "--window-size=1280,2000",
            (out / "index.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert png.exists()
    assert png.stat().st_size > 10_000


def test_schedule_rows_are_those_of_the_sorted_frame_whatever_order_they_come_in() -> None:
    _, transactions = build_case()
    frame = transactions.with_columns(
        pl.col("tags").cast(pl.List(pl.String)).list.unique().list.sort()
    ).sort("booked_at", "txn_id")
    variants = {
        "in schedule form": frame,
        "reversed": frame.reverse(),
        "tags unsorted": frame.with_columns(pl.col("tags").list.reverse()),
        "tags repeated": frame.with_columns(pl.col("tags").list.concat(pl.col("tags"))),
        "tags null": frame.with_columns(pl.lit(None, dtype=pl.List(pl.String)).alias("tags")),
        "no tags": frame.drop("tags"),
        "a null booking time": frame.with_columns(
            pl.when(pl.int_range(pl.len()) == 0)
            .then(None)
            .otherwise(pl.col("booked_at"))
            .alias("booked_at")
        ),
        "one time": frame.with_columns(pl.col("booked_at").min()).reverse(),
    }
    for name, variant in variants.items():
        got_frame, got_rows = schedule.schedule_rows(variant)
        expected = schedule.schedule_frame(variant)
        assert got_rows == expected.to_dicts(), name
        assert got_frame.to_dicts() == got_rows, name
        assert got_frame.schema == expected.schema, name


def test_account_cells_are_what_the_account_macro_renders() -> None:
    holders = {
        ("001", "A1"): {"entity_name": HOSTILE_NAME},
        ("002", "B&2"): {"entity_name": ""},
        ("None", "None"): {"entity_name": "Ann <Lee>"},
        ("3", "7"): {},
    }
    macro = render.environment().get_template("_macros.html").module.account  # type: ignore[attr-defined]
    cells = fragments.AccountCells(holders)
    for bank, account in [("001", "A1"), ("002", "B&2"), (None, None), (3, 7), ("<b>", "x")]:
        assert cells[bank, account] == macro(bank, account, holders)
        assert cells[bank, account] is cells[bank, account]  # built once


def test_rows_rendered_once_per_content_are_the_macros_rows() -> None:
    macros = fragments.macros()
    rules: list[dict[str, Any]] = [
        {"rule_id": "A", "rule_version": True},
        {"rule_id": "A", "rule_version": 1},  # equal to True as a key, shown differently
        {"rule_id": "A", "rule_version": 1.5, "description": HOSTILE_NAME},
        {"rule_id": "B", "rule_version": [1, 2]},  # not hashable: rendered, not cached
        {"rule_id": "C"},
    ]
    for name in ("not_fired_row", "not_fired_annex_row"):
        for rule in rules:
            assert fragments.macro_html(name, rule) == str(getattr(macros, name)(rule))
    assert fragments.macro_html("not_fired_row", rules[0]) != fragments.macro_html(
        "not_fired_row", rules[1]
    )
    inputs: list[dict[str, Any]] = [{"file": "<a>.csv", "sha256": "x", "rows_read": 10}]
    assert fragments.inputs_html(inputs) == macros.inputs_table(inputs)
    assert fragments.inputs_html([]) == macros.inputs_table([])


def test_a_case_where_every_rule_fired_says_so(tmp_path: Path) -> None:
    case, transactions = build_case()
    case["rules_not_fired"] = []
    case["inputs"] = []
    html = (write_case_pack(case, transactions, tmp_path) / "index.html").read_text("utf-8")
    assert (
        '<tbody>\n<tr><td colspan="3" class="muted">Every rule evaluated fired for this case.'
        "</td></tr>\n</tbody>"
    ) in html
    assert "No input files recorded." in html
