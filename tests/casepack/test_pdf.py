"""pdf: case.pdf from the pack's HTML, deterministic; the run index links to it."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from casepack_sample import build_case, build_cases
from test_render import CHROMIUM, run_header

from finflow.casepack.manifest import sha256_file
from finflow.casepack.pdf import fix_pdf_dates, render_top_cases
from finflow.casepack.render import write_case_pack, write_cases_index

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


def test_fix_pdf_dates_keeps_length_and_uses_generated_at() -> None:
    raw = b"<</CreationDate (D:20261124152707+00'00')\n/ModDate (D:20261124152707+00'00')>>"
    fixed = fix_pdf_dates(raw, datetime(2022, 10, 1, tzinfo=UTC))
    assert len(fixed) == len(raw)
    assert fixed.count(b"(D:20221001000000+00'00')") == 2


@needs_chromium
def test_pdf_is_rendered_deterministically_and_listed_in_the_manifest(tmp_path: Path) -> None:
    case, transactions = build_case()
    pdfs = []
    for name in ("a", "b"):
        out = write_case_pack(
            copy.deepcopy(case), transactions, tmp_path / name, pdf=True, png=name == "a"
        )
        data = (out / "case.pdf").read_bytes()
        assert data.startswith(b"%PDF-")
        assert re.search(rb"/CreationDate \(D:20221001000000", data)
        pdfs.append(data)
    assert pdfs[0] == pdfs[1]
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert listed["case.pdf"] == sha256_file(tmp_path / "a" / "case.pdf")
    assert listed["linkchart.png"] == sha256_file(tmp_path / "a" / "linkchart.png")
    assert "Chromium" in manifest["renderer"] and "case.pdf" in manifest["notes"]
    assert (tmp_path / "a" / "linkchart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"/URI (transactions.csv)" in pdfs[0]  # relative links, no output path inside
    assert str(tmp_path).encode() not in pdfs[0]
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(tmp_path / "a" / "case.pdf")], capture_output=True, text=True
        )
        assert info.returncode == 0 and info.stderr == ""  # xref rebuilt correctly
        assert "Pages:" in info.stdout


@needs_chromium
def test_top_cases_get_pdfs_and_the_index_links_them(tmp_path: Path) -> None:
    _, transactions = build_case()
    cases = build_cases(3)
    for case in cases:
        write_case_pack(copy.deepcopy(case), transactions, tmp_path / case["case_id"])
    done = render_top_cases(tmp_path, [c["case_id"] for c in cases], top_n=1, png=False)
    assert list(done) == [cases[0]["case_id"]]
    html = write_cases_index(cases, run_header(cases[0]), tmp_path).read_text(encoding="utf-8")
    assert f'href="./{cases[0]["case_id"]}/case.pdf"' in html
    assert f'href="./{cases[1]["case_id"]}/case.pdf"' not in html
