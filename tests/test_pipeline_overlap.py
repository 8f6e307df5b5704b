"""`run_pipeline` runs the store stage while the case-pack stage's PDFs print."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import finflow.casepack.stage as casepack_stage
import finflow.store.stage as store_stage
from finflow.errors import StoreError
from finflow.pipeline import run_pipeline
from finflow.store import open_store
from finflow.store.models import Run
from finflow.synth import generate

LOGICAL_DATE = "2022-10-01T00:00:00+00:00"
WAIT = 120.0


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("overlap") / "feeds"
    generate(folder, rows=4_000, seed=5)
    return folder


def _state(out: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads((out / "state" / "run_state.json").read_text())
    return state


def test_the_store_runs_while_the_pdfs_print_and_the_run_waits_for_them(
    feeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF printing starts only once the store saved the results: the run still ends with
    the PDF in its pack, listed by its manifest and hashed in run.json, and the store's run
    counts the PDF."""
    stored = threading.Event()
    store_rows, print_top = store_stage._store_rows, casepack_stage._print_top_cases

    def rows_then_signal(*args: Any) -> Any:
        try:
            return store_rows(*args)
        finally:
            stored.set()

    def print_after_store(cases_dir: Path, ranked: list[str], top: int) -> int:
        assert stored.wait(WAIT)
        return print_top(cases_dir, ranked, top)

    monkeypatch.setattr(store_stage, "_store_rows", rows_then_signal)
    monkeypatch.setattr(casepack_stage, "_print_top_cases", print_after_store)
    out, url = tmp_path / "out", f"sqlite:///{tmp_path / 'f.db'}"
    run = run_pipeline(feeds, out, url, None, LOGICAL_DATE, None, 1)
    assert run["stages"]["casepacks"]["pdfs"] == 1
    top = json.loads((out / "cases.json").read_text())[0]["case_id"]
    manifest = out / "cases" / top / "manifest.json"
    assert (out / "cases" / top / "case.pdf").read_bytes()[:5] == b"%PDF-"
    assert "case.pdf" in {f["path"] for f in json.loads(manifest.read_text())["files"]}
    assert (
        run["outputs"][f"cases/{top}/manifest.json"]
        == hashlib.sha256(manifest.read_bytes()).hexdigest()
    )
    assert f"{top}/case.pdf" in (out / "cases" / "index.html").read_text()
    engine = open_store(url)
    try:
        with Session(engine) as session:
            row = session.scalars(select(Run)).one()
            assert (row.status, row.counts["casepacks"]["pdfs"]) == ("complete", 1)
    finally:
        engine.dispose()


def test_a_store_failure_beside_the_pdfs_still_ends_the_case_pack_stage(
    feeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_rows(*args: Any) -> Any:
        raise StoreError("the database went away")

    monkeypatch.setattr(store_stage, "_store_rows", failing_rows)
    out = tmp_path / "out"
    with pytest.raises(StoreError, match="went away"):
        run_pipeline(feeds, out, f"sqlite:///{tmp_path / 'f.db'}", None, LOGICAL_DATE, None, 1)
    state = _state(out)
    assert state["stages"]["casepacks"]["pdfs"] == 1 and "store" not in state["stages"]
    assert len(list((out / "cases").glob("*/case.pdf"))) == 1
    assert (out / "cases" / "index.html").is_file() and not (out / "run.json").exists()
