"""pdf: case.pdf from the pack's HTML, deterministic; the run index links to it."""

from __future__ import annotations

import copy
import json
import logging
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from casepack_sample import build_case, build_cases
from test_render import CHROMIUM, run_header

from finflow.casepack import pdf
from finflow.casepack.devtools import Browser, RenderError
from finflow.casepack.manifest import sha256_file
from finflow.casepack.pdf import fix_pdf_dates, render_top_cases, write_pdf
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


def three_packs(folder: Path) -> list[dict[str, Any]]:
    """Three ranked sample cases, each written as a pack under `folder`; the cases."""
    _, transactions = build_case()
    cases = build_cases(3)
    for case in cases:
        write_case_pack(copy.deepcopy(case), transactions, folder / case["case_id"])
    return cases


@needs_chromium
def test_top_cases_get_pdfs_and_the_index_links_them(tmp_path: Path) -> None:
    cases = three_packs(tmp_path)
    done = render_top_cases(tmp_path, [c["case_id"] for c in cases], top_n=1, png=False)
    assert list(done) == [cases[0]["case_id"]]
    html = write_cases_index(cases, run_header(cases[0]), tmp_path).read_text(encoding="utf-8")
    assert f'href="./{cases[0]["case_id"]}/case.pdf"' in html
    assert f'href="./{cases[1]["case_id"]}/case.pdf"' not in html


@needs_chromium
def test_top_cases_are_printed_by_one_chromium_with_the_bytes_of_a_lone_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = three_packs(tmp_path / "run")
    started: list[Browser] = []

    def counting_browser(*args: object) -> Browser:
        started.append(Browser(*args))  # type: ignore[arg-type]
        return started[-1]

    monkeypatch.setattr(pdf, "Browser", counting_browser)
    done = render_top_cases(tmp_path / "run", [c["case_id"] for c in cases], png=False, workers=2)
    assert list(done) == [c["case_id"] for c in cases]
    assert len(started) == 1  # not one Chromium per case
    monkeypatch.undo()
    alone = tmp_path / "alone"
    shutil.copytree(tmp_path / "run" / cases[1]["case_id"], alone)
    (alone / "case.pdf").unlink()
    write_pdf(alone)  # the same folder printed on a Chromium of its own
    assert (alone / "case.pdf").read_bytes() == done[cases[1]["case_id"]][0].read_bytes()


@needs_chromium
def test_a_case_that_fails_to_print_is_logged_and_the_others_still_get_pdfs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cases = three_packs(tmp_path)
    broken = cases[1]["case_id"]
    (tmp_path / broken / "index.html").unlink()
    with caplog.at_level(logging.ERROR):
        done = render_top_cases(tmp_path, [c["case_id"] for c in cases], png=False)
    assert sorted(done) == sorted([cases[0]["case_id"], cases[2]["case_id"]])
    assert not (tmp_path / broken / "case.pdf").exists()
    assert f"case {broken}: no PDF rendered" in caplog.text


def test_missing_chromium_is_a_clear_render_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="Chromium not found"):
        render_top_cases(tmp_path, ["C-1"], chromium=tmp_path / "no-such-chromium")


def _fake_chromium(tmp_path: Path, body: str) -> Path:
    exe = tmp_path / "chromium"
    exe.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    exe.chmod(0o755)
    return exe


def test_a_chromium_that_never_answers_times_out(tmp_path: Path) -> None:
    exe = _fake_chromium(tmp_path, "exec sleep 30")
    with pytest.raises(RenderError, match="timed out"):
        Browser(exe, timeout=0.5)


def test_a_chromium_that_exits_is_reported_with_its_last_words(tmp_path: Path) -> None:
    exe = _fake_chromium(tmp_path, "echo 'no display for you' >&2; exit 1")
    with pytest.raises(RenderError, match="no display for you"):
        Browser(exe, timeout=30)
