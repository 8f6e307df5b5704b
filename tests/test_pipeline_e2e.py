"""The whole pipeline on a generated feed with bad files mixed in: outputs, ledger, determinism."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from finflow.pipeline import run_pipeline
from finflow.store import list_cases, open_store
from finflow.store.stage import stage_store
from finflow.synth import generate

LOGICAL_DATE = "2022-10-01T00:00:00+00:00"


def _feeds(root: Path) -> Path:
    feeds = root / "feeds"
    generate(feeds, rows=20_000, seed=11)
    shutil.copy(feeds / "SYNTH_Trans.csv", feeds / "copy_of_trans.csv")  # a file given twice
    (feeds / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(500))
    (feeds / "empty.csv").write_bytes(b"")
    return feeds


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("e2e")
    feeds = _feeds(root)
    first = run_pipeline(feeds, root / "out1", f"sqlite:///{root / 'a.db'}", None, LOGICAL_DATE)
    second = run_pipeline(feeds, root / "out2", f"sqlite:///{root / 'b.db'}", None, LOGICAL_DATE)
    return {"root": root, "first": first, "second": second}


def test_every_file_is_accounted_for(runs: dict[str, Any]) -> None:
    files = {f["file"]: f for f in runs["first"]["files"]}
    assert files["SYNTH_Trans.csv"]["status"] == "ingested"
    assert files["SYNTH_accounts.csv"]["status"] == "ingested"
    assert files["copy_of_trans.csv"]["status"] == "duplicate"
    assert files["photo.jpg"]["status"] == "rejected"
    assert "binary" in files["photo.jpg"]["message"]
    assert files["empty.csv"]["message"] == "the file is empty"
    assert files["SYNTH_Patterns.txt"]["status"] == "ground_truth"
    for entry in files.values():
        assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"]
        assert len(entry["sha256"]) == 64
    assert files["SYNTH_Trans.csv"]["rows_read"] == 20_000


def test_outputs_are_written(runs: dict[str, Any]) -> None:
    out = runs["root"] / "out1"
    for name in (
        "run.json",
        "alerts.csv",
        "flagged_transactions.csv",
        "cases/index.html",
        "quarantine/quarantine.csv",
        "validation/data_docs/index.html",
    ):
        assert (out / name).is_file(), name
    with (out / "flagged_transactions.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert rows and list(rows[0]) == [
        "source_file",
        "source_row",
        "txn_id",
        "case_id",
        "score",
        "typologies",
    ]
    cases = json.loads((out / "cases.json").read_text())
    assert runs["first"]["stages"]["score"]["cases"] == len(cases) > 0
    for case in cases:
        pack = out / "cases" / case["case_id"]
        manifest = json.loads((pack / "manifest.json").read_text())
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        assert {"index.html", "transactions.csv", "case.json"} <= set(listed)
        for name, digest in listed.items():
            assert hashlib.sha256((pack / name).read_bytes()).hexdigest() == digest
        # PDF and link-chart PNG for the top 10 (FINFLOW_PDF_TOP's default) and no others.
        top = case["rank"] <= 10
        assert ("linkchart.png" in listed) is top and ("case.pdf" in listed) is top, case["rank"]


def test_flagged_rows_trace_back_to_the_source_file(runs: dict[str, Any]) -> None:
    out = runs["root"] / "out1"
    source = (runs["root"] / "feeds" / "SYNTH_Trans.csv").read_text().splitlines()
    with (out / "flagged_transactions.csv").open() as fh:
        row = next(csv.DictReader(fh))
    line = source[int(row["source_row"])]  # line 0 is the header
    assert row["source_file"] == "SYNTH_Trans.csv"
    assert row["txn_id"].endswith(f":{row['source_row']}")
    assert line.count(",") == 10


def test_same_inputs_give_identical_outputs(runs: dict[str, Any]) -> None:
    first, second = runs["first"], runs["second"]
    assert first["run_id"] == second["run_id"]
    assert first["outputs"] == second["outputs"]
    root = runs["root"]
    for pack in sorted((root / "out1" / "cases").rglob("*")):
        if pack.is_file():
            twin = root / "out2" / pack.relative_to(root / "out1")
            assert pack.read_bytes() == twin.read_bytes(), pack


def test_the_store_holds_the_run_on_sqlite_and_postgresql(
    runs: dict[str, Any], db_url: str
) -> None:
    out = runs["root"] / "out1"
    stage_store(out, db_url)
    stage_store(out, db_url)  # re-running the stage is idempotent
    engine = open_store(db_url)
    try:
        listed = list_cases(engine, runs["first"]["run_id"])
    finally:
        engine.dispose()
    cases = json.loads((out / "cases.json").read_text())
    assert [c["case_id"] for c in listed] == [c["case_id"] for c in cases]


def test_evaluate_reports_every_planted_pattern(runs: dict[str, Any]) -> None:
    from finflow.evaluate import evaluate

    out = runs["root"] / "out1"
    truth = runs["root"] / "feeds" / "SYNTH_Patterns.txt"
    report = evaluate(truth, out)
    blocks = truth.read_text().count("BEGIN LAUNDERING ATTEMPT")
    assert sum(p["attempts"] for p in report["patterns"].values()) == blocks
    assert report["truth_rows_not_in_lake"] == 0
    assert {"FAN-OUT", "FAN-IN", "CYCLE", "OIC-CROSSING-FEE"} <= set(report["patterns"])
    tx = report["transactions"]
    assert tx["laundering"] > 0 and 0 < tx["true_positives"] <= tx["flagged"]
    assert 0 < report["patterns"]["CYCLE"]["recall"] <= 1
    assert (out / "evaluation.json").is_file() and (out / "evaluation.md").is_file()


def test_a_lower_ranked_case_gets_its_pdf_and_png_on_demand(runs: dict[str, Any]) -> None:
    from finflow.casepack.stage import casepack_pdf

    out = runs["root"] / "out2"  # out1 stays as the pipeline left it
    cases = json.loads((out / "cases.json").read_text())
    case = max(cases, key=lambda c: c["rank"])
    pack = out / "cases" / case["case_id"]
    assert not (pack / "linkchart.png").exists()
    pdf = casepack_pdf(out, case["case_id"])
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert (pack / "linkchart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    listed = {f["path"] for f in json.loads((pack / "manifest.json").read_text())["files"]}
    assert {"case.pdf", "linkchart.png"} <= listed
