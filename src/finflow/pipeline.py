"""The pipeline's stages as plain functions on paths, shared by the CLI and the Airflow DAGs.

Each stage reads what earlier stages wrote under OUT (``OUT/state/run_state.json`` and the
files it names, `finflow.runstate`) and returns a small dict; no stage passes data in memory,
so any stage can be re-run on its own and each re-run replaces its own outputs (idempotent).
Ingest, validation, detection and scoring are here; the case-pack stage is
`finflow.casepack.stage`, the store stage `finflow.store.stage`, and the per-file lake stages
of the finflow_ingest and finflow_detect DAGs `finflow.lakerun`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from finflow import __version__
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules
from finflow.errors import FinflowError
from finflow.ingest.fx import load_fx
from finflow.ingest.sniff import TRANSACTION_FEEDS
from finflow.runstate import (
    default_logical_date,
    load_state,
    rules_of,
    run_files,
    save_state,
    timed,
    write_json,
    write_json_rows,
)

log = logging.getLogger(__name__)

VALIDATION_BATCH_ROWS = 1_000_000
"""Large files are validated in batches of this many rows, so memory stays bounded."""


def stage_ingest(
    input_dir: Path,
    out_dir: Path,
    rules_path: Path | None = None,
    logical_date: str | None = None,
    fx_path: Path | None = None,
) -> dict[str, Any]:
    """Hash, recognise and ingest every file of `input_dir` into OUT's lake and quarantine."""
    input_dir, out_dir = input_dir.resolve(), out_dir.resolve()
    from finflow.ingest.runner import ingest_folder

    started = time.perf_counter()
    rules = load_rules(rules_path, known=set(DETECTORS))  # fail fast on a bad rules file
    load_fx(fx_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = ingest_folder(input_dir, out_dir, fx_path)
    state: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "input_dir": str(input_dir),
        "rules_path": str(rules_path) if rules_path else None,
        "fx_path": str(fx_path) if fx_path else None,
        "rules_version": rules.version,
        "rules_hash": rules.sha256,
        "software_version": __version__,
        "ingest_id": result["ingest_id"],
        "files": result["files"],
        "quarantine_by_reason": result["quarantine_by_reason"],
    }
    txn_files = run_files(out_dir, state, "transactions")
    state["logical_date"] = logical_date or default_logical_date(txn_files)
    seed = "|".join([result["ingest_id"], rules.sha256, __version__, state["logical_date"]])
    state["run_id"] = "R-" + hashlib.sha256(seed.encode()).hexdigest()[:12]
    summary = {"run_id": state["run_id"], **result["totals"]}
    timed(state, "ingest", started, summary)
    save_state(out_dir, state)
    log.info("ingest: %s", summary)
    return summary


def stage_validate(out_dir: Path) -> dict[str, Any]:
    """Run each ingested file's suite on its rows, in batches; a critical failure raises.

    Transaction feeds get their feed type's suite (``amlworld``, ``camt053``, ``bankcsv``, each
    including ``transactions``) with the file's declared period and volume band as parameters
    (`finflow.validate.feeds`); account files get ``accounts``. A failed critical expectation
    raises `SuiteValidationFailed` naming the file and the failed expectations, after the
    results and Data Docs are written. Once every file has passed, the files' volumes are added
    to the feed history that the next run compares against. The batches are shared by up to
    FINFLOW_WORKERS processes (`finflow.validate.batches`); the outputs do not depend on how many.
    """
    out_dir = out_dir.resolve()  # GX Data Docs and links need absolute paths
    from finflow.validate import feeds
    from finflow.validate.batches import Batch, validate_batches
    from finflow.validate.gx_suites import SuiteValidationFailed

    started = time.perf_counter()
    state = load_state(out_dir)
    history_file = feeds.history_path(out_dir)
    history = feeds.load_history(history_file)
    batches: list[Batch] = []
    validated: list[dict[str, Any]] = []
    for entry in state["files"]:
        if entry["status"] != "ingested":
            continue
        if entry["format"] in TRANSACTION_FEEDS:
            table = "transactions"
            check = feeds.feed_check(entry, state["logical_date"], state["run_id"], history)
            suite, parameters = check.suite, check.parameters
            constants = {feeds.ROWS_COLUMN: int(entry["rows_read"])}
            entry["validation"] = {"suite": suite, "notes": check.notes}
            validated.append(entry)
        elif entry["format"] == "amlworld_accounts":
            table, suite, parameters, constants = "accounts", "accounts", None, {}
        else:
            continue
        path = out_dir / "lake" / table / f"{entry['sha256'][:16]}.parquet"
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
        for start in range(0, max(rows, 1), VALIDATION_BATCH_ROWS):
            batch_id = path.stem if rows <= VALIDATION_BATCH_ROWS else f"{path.stem}-{start}"
            batches.append(
                Batch(
                    path,
                    start,
                    VALIDATION_BATCH_ROWS,
                    suite,
                    batch_id,
                    entry["file"],
                    parameters,
                    constants,
                )
            )
    try:  # one GX context per process and one Data Docs build
        results = validate_batches(out_dir / "validation", batches)
    except SuiteValidationFailed:
        save_state(out_dir, state)
        raise
    feeds.record_volumes(history, state["run_id"], validated)
    feeds.save_history(history_file, history)
    summary = {
        "suites_run": len(results),
        "warnings": sum(len(r["failed_warning"]) for r in results),
        "results": [
            {k: r[k] for k in ("suite", "batch_id", "success", "evaluated")} for r in results
        ],
    }
    timed(state, "validate", started, summary)
    save_state(out_dir, state)
    return summary


def stage_detect(out_dir: Path) -> dict[str, Any]:
    """Evaluate every rule; write `alerts.json` and `alerts.csv`."""
    out_dir = out_dir.resolve()  # GX Data Docs and links need absolute paths
    from finflow.detect.runner import run_rules, write_alerts

    started = time.perf_counter()
    state = load_state(out_dir)
    rules = rules_of(state)
    fx = load_fx(Path(state["fx_path"]) if state.get("fx_path") else None)
    alerts, stats = run_rules(
        run_files(out_dir, state, "transactions"), run_files(out_dir, state, "accounts"), rules, fx
    )
    write_alerts(alerts, out_dir)
    summary = {"alerts": len(alerts), "rules": stats}
    timed(state, "detect", started, summary)
    save_state(out_dir, state)
    return {"alerts": len(alerts)}


def stage_score(out_dir: Path) -> dict[str, Any]:
    """Group alerts into ranked, scored cases; write `cases.json` and `flagged_transactions.csv`."""
    out_dir = out_dir.resolve()  # GX Data Docs and links need absolute paths
    from finflow.casepack.csvsafe import write_safe_csv
    from finflow.score.ruleruns import split_not_run
    from finflow.score.stage import score_run

    started = time.perf_counter()
    state = load_state(out_dir)
    alerts = json.loads((out_dir / "alerts.json").read_text(encoding="utf-8"))
    scored = score_run(
        out_dir,
        state["files"],
        run_files(out_dir, state, "transactions"),
        run_files(out_dir, state, "accounts"),
        alerts,
        rules_of(state),
    )
    cases = scored["cases"]
    split_not_run(cases, state["stages"]["detect"].get("rules", {}))
    write_json_rows(out_dir / "cases.json", cases)
    # Party results for the case packs and the store: party alerts, merges, screening.
    write_json_rows(out_dir / "parties.json", {k: v for k, v in scored.items() if k != "cases"})
    links = [
        {
            "txn_id": t,
            "case_id": c["case_id"],
            "score": c["score"],
            "typologies": ";".join(c["typologies"]),
        }
        for c in cases
        for t in c["evidence_txn_ids"]
    ]
    link_frame = pl.DataFrame(
        links,
        schema={
            "txn_id": pl.String,
            "case_id": pl.String,
            "score": pl.Float64,
            "typologies": pl.String,
        },
    )
    flagged = (
        pl.scan_parquet(run_files(out_dir, state, "transactions"))
        .select("source_file", "source_row", "txn_id")
        .join(link_frame.lazy(), on="txn_id")
        .sort("source_file", "source_row", "case_id")
        .collect()
    )
    write_safe_csv(flagged, out_dir / "flagged_transactions.csv")
    bands = {b: sum(c["band"] == b for c in cases) for b in ("high", "medium", "low")}
    summary = {
        "cases": len(cases),
        "bands": bands,
        "flagged_transactions": flagged.height,
        **scored["summary"],
    }
    timed(state, "score", started, summary)
    save_state(out_dir, state)
    return summary


def finish(out_dir: Path) -> dict[str, Any]:
    """Write `run.json`: the ledger of files, counts per stage, timings, versions and hashes."""
    out_dir = out_dir.resolve()  # GX Data Docs and links need absolute paths
    state = load_state(out_dir)
    for entry in state["files"]:
        if entry["rows_read"] != entry["rows_accepted"] + entry["rows_quarantined"]:
            raise FinflowError(
                f"{entry['file']}: rows read ({entry['rows_read']}) != accepted "
                f"({entry['rows_accepted']}) + quarantined ({entry['rows_quarantined']})"
            )
    run = {
        "run_id": state["run_id"],
        "logical_date": state["logical_date"],
        "software_version": state["software_version"],
        "rules_version": state["rules_version"],
        "rules_hash": state["rules_hash"],
        "input_dir": state["input_dir"],
        "files": state["files"],
        "quarantine_by_reason": state["quarantine_by_reason"],
        "stages": state.get("stages", {}),
        "timings_seconds": state.get("timings", {}),
        "outputs": _output_hashes(out_dir),
    }
    write_json(out_dir / "run.json", run)
    return run


def _output_hashes(out_dir: Path) -> dict[str, str]:
    """SHA-256 of the run's data files (deterministic for the same inputs, version and rules)."""
    names = [
        "alerts.csv",
        "alerts.json",
        "cases.json",
        "flagged_transactions.csv",
        "quarantine/quarantine.csv",
    ]
    hashes = {}
    for name in names:
        path = out_dir / name
        if path.exists():
            hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    for manifest in sorted((out_dir / "cases").glob("*/manifest.json")):
        hashes[str(manifest.relative_to(out_dir))] = hashlib.sha256(
            manifest.read_bytes()
        ).hexdigest()
    return hashes


Progress = Callable[[str], None]


def run_pipeline(
    input_dir: Path,
    out_dir: Path,
    database_url: str | None = None,
    rules_path: Path | None = None,
    logical_date: str | None = None,
    progress: Progress | None = None,
    pdf_top: int | None = None,
) -> dict[str, Any]:
    """Every stage in order; returns the run.json content."""
    from finflow.casepack.stage import write_case_packs
    from finflow.store.stage import stage_store

    say = progress or (lambda _msg: None)
    say("ingest")
    stage_ingest(input_dir, out_dir, rules_path, logical_date)
    say("validate")
    stage_validate(out_dir)
    say("detect")
    stage_detect(out_dir)
    say("score")
    stage_score(out_dir)
    say("casepacks")
    packs = write_case_packs(out_dir, pdf_top)
    say("store")  # while the top cases' PDFs print: the store reads none of the packs' files
    try:
        stage_store(out_dir, database_url, before_complete=packs.finish)
    except BaseException:
        if not packs.finishing:  # the store failed first: the case-pack stage still ends
            try:
                packs.finish()
            except Exception:
                log.exception("case packs: not finished")
        raise
    return finish(out_dir)
