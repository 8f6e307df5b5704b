"""`finflow run` end to end on real bank statements (camt.053 and CSV exports from other
parsers' fixtures, read from ../shared/samples): few rows, few or no cases, every stage runs."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "ingest"))
from statement_samples import BANK_CAMT, BANK_CSV

from finflow.cli import main


def run_folder(sources: list[Path], tmp_path: Path) -> dict:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for source in sources:
        shutil.copy(source, feeds / source.name)
    out = tmp_path / "out"
    assert main(["run", "--input", str(feeds), "--out", str(out), "--pdf-top", "0"]) == 0
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    for entry in run["files"]:
        assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"], entry
    assert (out / "cases" / "index.html").exists()
    return run


def test_bank_csv_exports_without_any_case_run_to_the_end(tmp_path: Path) -> None:
    """No alert, no case: the case-pack stage still writes its index (it used to fail joining
    an empty, untyped list of evidence)."""
    run = run_folder(sorted(BANK_CSV.glob("*.csv")), tmp_path)
    assert {e["status"] for e in run["files"]} == {"ingested"}
    assert json.loads((tmp_path / "out" / "cases.json").read_text(encoding="utf-8")) == []


def test_camt053_statements_run_to_the_end(tmp_path: Path) -> None:
    run = run_folder(sorted(BANK_CAMT.glob("*.xml")), tmp_path)
    statuses = {e["file"]: e["status"] for e in run["files"]}
    assert statuses["prowide-v07-apphdr-envelope.xml"] == "no_rows"
    assert sum(e["rows_accepted"] for e in run["files"]) > 250
