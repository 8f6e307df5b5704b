"""The pipeline's stages as plain functions on paths, shared by the CLI and the Airflow DAGs.

Each stage reads what earlier stages wrote under OUT (``OUT/state/run_state.json`` and the
files it names) and returns a small dict; no stage passes data in memory, so any stage can be
re-run on its own and each re-run replaces its own outputs (idempotent).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from finflow import __version__
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import RuleSet, load_rules
from finflow.errors import ConfigError, FinflowError, InputError
from finflow.ingest import overlap
from finflow.ingest.fx import load_fx
from finflow.ingest.sniff import TRANSACTION_FEEDS

log = logging.getLogger(__name__)

VALIDATION_BATCH_ROWS = 1_000_000
"""Large files are validated in batches of this many rows, so memory stays bounded."""

STAGES = ("ingest", "validate", "detect", "score", "casepacks", "store")


def _state_path(out_dir: Path) -> Path:
    return out_dir / "state" / "run_state.json"


def load_state(out_dir: Path) -> dict[str, Any]:
    path = _state_path(out_dir)
    if not path.exists():
        raise InputError(f"{out_dir} holds no ingested run (run the ingest stage first)")
    state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return state


def _save_state(out_dir: Path, state: dict[str, Any]) -> None:
    path = _state_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def write_json(path: Path, data: Any) -> None:
    """Deterministic JSON: sorted keys, UTF-8, trailing newline."""
    path.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )


def write_json_rows(path: Path, data: list[Any] | dict[str, Any]) -> None:
    """Deterministic JSON for large outputs: one list item (or top-level key) per line.

    Same content and key order as `write_json`, but each line is written by the json
    module's C encoder (which `indent` turns off): 20-30x faster on a 200 MB ``cases.json``.
    """

    def dumps(value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)

    if isinstance(data, dict):
        lines = [f"{dumps(k)}: {dumps(data[k])}" for k in sorted(data)]
        text = "{\n" + ",\n".join(lines) + "\n}\n" if lines else "{}\n"
    else:
        text = "[\n" + ",\n".join(dumps(v) for v in data) + "\n]\n" if data else "[]\n"
    path.write_text(text, encoding="utf-8")


def _rules(state: dict[str, Any]) -> RuleSet:
    path = state.get("rules_path")
    return load_rules(Path(path) if path else None, known=set(DETECTORS))


def _timed(state: dict[str, Any], stage: str, started: float, result: dict[str, Any]) -> None:
    state.setdefault("stages", {})[stage] = result
    state.setdefault("timings", {})[stage] = round(time.perf_counter() - started, 3)


def run_files(out_dir: Path, state: dict[str, Any], table: str) -> list[Path]:
    """This run's lake files of `table` (only the files this run ingested)."""
    formats = TRANSACTION_FEEDS if table == "transactions" else ("amlworld_accounts",)
    return [
        out_dir / "lake" / table / f"{f['sha256'][:16]}.parquet"
        for f in state["files"]
        if f["status"] == "ingested" and f["format"] in formats
    ]


def _default_logical_date(txn_files: list[Path]) -> str:
    """Without a given date, the day after the last booking: derived from the data alone."""
    last = pl.scan_parquet(txn_files).select(pl.col("booked_at").max()).collect().item()
    day = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    return day.isoformat()


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
    state["logical_date"] = logical_date or _default_logical_date(txn_files)
    seed = "|".join([result["ingest_id"], rules.sha256, __version__, state["logical_date"]])
    state["run_id"] = "R-" + hashlib.sha256(seed.encode()).hexdigest()[:12]
    summary = {"run_id": state["run_id"], **result["totals"]}
    _timed(state, "ingest", started, summary)
    _save_state(out_dir, state)
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
        _save_state(out_dir, state)
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
    _timed(state, "validate", started, summary)
    _save_state(out_dir, state)
    return summary


def stage_detect(out_dir: Path) -> dict[str, Any]:
    """Evaluate every rule; write `alerts.json` and `alerts.csv`."""
    out_dir = out_dir.resolve()  # GX Data Docs and links need absolute paths
    from finflow.detect.runner import run_rules, write_alerts

    started = time.perf_counter()
    state = load_state(out_dir)
    rules = _rules(state)
    fx = load_fx(Path(state["fx_path"]) if state.get("fx_path") else None)
    alerts, stats = run_rules(
        run_files(out_dir, state, "transactions"), run_files(out_dir, state, "accounts"), rules, fx
    )
    write_alerts(alerts, out_dir)
    summary = {"alerts": len(alerts), "rules": stats}
    _timed(state, "detect", started, summary)
    _save_state(out_dir, state)
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
        _rules(state),
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
    _timed(state, "score", started, summary)
    _save_state(out_dir, state)
    return summary


def stage_casepacks(out_dir: Path, pdf_top: int | None = None) -> dict[str, Any]:
    """Write one case-pack folder per case, PDFs for the top `pdf_top`, and the case index.

    `pdf_top` defaults to FINFLOW_PDF_TOP or 10; 0 writes no PDF (Chromium not needed). The
    packs are written on FINFLOW_WORKERS processes (default: every core), see
    `finflow.casepack.batch`; the files do not depend on the number of processes.
    """
    return write_case_packs(out_dir, pdf_top).finish()


def write_case_packs(out_dir: Path, pdf_top: int | None = None) -> CasePacks:
    """The case-pack stage up to its PDFs: the packs and the accounts' roles are written,
    and the top cases' PDFs are being printed on a thread; `CasePacks.finish` ends the stage.
    What the store stage reads is written by then, so it can run while the PDFs print."""
    out_dir = out_dir.resolve()  # GX Data Docs and links need absolute paths
    import shutil

    from finflow.casepack.assemble import account_activity, account_rows, load_reference
    from finflow.casepack.batch import case_schedules, case_totals, split_schedules, write_packs
    from finflow.detect.frame import account_key

    started = time.perf_counter()
    state = load_state(out_dir)
    rules = _rules(state)
    alerts = {a["alert_id"]: a for a in json.loads((out_dir / "alerts.json").read_text("utf-8"))}
    party_path = out_dir / "parties.json"  # party-rule alerts from the score stage
    if party_path.exists():
        party_results = json.loads(party_path.read_text("utf-8"))
        alerts.update({a["alert_id"]: a for a in party_results["party_alerts"]})
    cases = json.loads((out_dir / "cases.json").read_text(encoding="utf-8"))
    txn_files = run_files(out_dir, state, "transactions")
    all_txns = pl.scan_parquet(txn_files).with_columns(
        payer=account_key("payer_bank", "payer_account"),
        payee=account_key("payee_bank", "payee_account"),
    )
    wanted = pl.DataFrame(
        {"txn_id": sorted({t for c in cases for t in c["evidence_txn_ids"]})},
        schema={"txn_id": pl.String},  # typed when no case has evidence (no case at all)
    )
    evidence = all_txns.join(wanted.lazy(), on="txn_id", how="semi").collect()
    case_keys = sorted({k for c in cases for k in c["account_keys"]})
    listed = load_reference(run_files(out_dir, state, "accounts"))  # first listing of each key
    reference = {
        r["key"]: r for r in listed.filter(pl.col("key").is_in(case_keys)).iter_rows(named=True)
    }
    activity = account_activity(all_txns, case_keys)
    inputs = [
        {
            k: f[k]
            for k in (
                "file",
                "sha256",
                "format",
                "rows_read",
                "rows_accepted",
                "rows_quarantined",
                "status",
            )
        }
        for f in state["files"]
    ]
    quarantine = {
        "rows": sum(state["quarantine_by_reason"].values()),
        "by_reason": state["quarantine_by_reason"],
    }
    cases_dir = out_dir / "cases"
    # An earlier run's packs (thousands of files) are moved aside at once and deleted on a
    # thread while the new ones are written; a run killed meanwhile leaves a hidden folder
    # that the next run deletes.
    for stale in sorted(out_dir.glob(".cases-old-*")):
        shutil.rmtree(stale, ignore_errors=True)
    old_cases = out_dir / f".cases-old-{os.getpid()}-{time.time_ns()}"
    if cases_dir.exists():
        cases_dir.rename(old_cases)
    remover = ThreadPoolExecutor(2, thread_name_prefix="finflow-casepacks")  # and the PDFs
    removed = remover.submit(shutil.rmtree, old_cases, ignore_errors=True)
    cases_dir.mkdir(parents=True)
    top = settings_pdf_top() if pdf_top is None else pdf_top
    # Every case's schedule in one pass over the evidence (not one pass per case).
    schedules = case_schedules(evidence, cases, alerts)
    by_case = split_schedules(schedules)
    totals = case_totals(schedules)
    empty = schedules.clear().drop("case_id")
    packed = []
    for case in cases:
        txns = by_case.get(case["case_id"], empty)
        full = {
            "case_id": case["case_id"],
            "rank": case["rank"],
            "score": case["score"],
            "band": case["band"],
            "generated_at": state["logical_date"],
            "run_id": state["run_id"],
            "software_version": state["software_version"],
            "rules_version": rules.version,
            "rules_hash": rules.sha256,
            "marking": "OFFICIAL-SENSITIVE",
            "period": case["period"],
            "total_value_gbp": totals.get(case["case_id"], 0.0),
            "typologies": case["typologies"],
            "accounts": account_rows(activity, reference, case, txns),
            "alerts": [_alert_for_pack(alerts[a]) for a in case["alert_ids"]],
            "contributions": case["contributions"],
            "corroboration_bonus": case["corroboration_bonus"],
            "rules_not_fired": case["rules_not_fired"],
            "rules_not_run": case.get("rules_not_run", []),
            "inputs": inputs,
            "parties": case.get("parties", []),
            "merges": case.get("merges", []),
            "screening": case.get("screening", []),
            "party_findings": [
                {"alert_id": a, **alerts[a]["findings"]}
                for a in case["alert_ids"]
                if alerts[a].get("findings") and alerts[a]["rule_id"] != "SANCTIONS_HIT"
            ],
            "quarantine_summary": quarantine,
        }
        packed.append(full)
    del by_case
    # The link-chart PNG costs more than the rest of a pack: top cases only, like the PDF.
    write_packs(packed, schedules, cases_dir, png_top=top, scratch=out_dir / "state" / "chunks")
    # The accounts' roles for the store, so it need not read every pack's case.json back.
    write_json_rows(
        _roles_path(out_dir),
        {c["case_id"]: {a["key"]: a["role"] for a in c["accounts"]} for c in packed},
    )
    run_header = {
        "run_id": state["run_id"],
        "generated_at": state["logical_date"],
        "rules_version": rules.version,
        "rules_hash": rules.sha256,
        "software_version": state["software_version"],
        "inputs": inputs,
    }
    ranked = [c["case_id"] for c in sorted(packed, key=lambda c: c["rank"])]
    printing = remover.submit(_print_top_cases, cases_dir, ranked, top)
    return CasePacks(out_dir, started, packed, run_header, printing, removed, remover)


def _print_top_cases(cases_dir: Path, ranked: list[str], top: int) -> int:
    """The PDFs of the `top` first of the `ranked` cases; how many were printed."""
    if top <= 0 or not ranked:
        return 0
    from finflow.casepack.pdf import render_top_cases

    return len(render_top_cases(cases_dir, ranked, top_n=top, png=False))


@dataclass
class CasePacks:
    """The case-pack stage with its packs written (`write_case_packs`), the top cases' PDFs
    printing and an earlier run's packs being deleted, each on a thread of `threads`."""

    out_dir: Path
    started: float
    packed: list[dict[str, Any]]
    run_header: dict[str, Any]
    printing: Future[int]
    removed: Future[Any]
    threads: ThreadPoolExecutor
    finishing: bool = False

    def finish(self) -> dict[str, Any]:
        """Wait for the PDFs (their manifests list them), write the case index (which links
        them) and record the stage; its summary. Waits for the threads whatever happens."""
        from finflow.casepack.render import write_cases_index

        self.finishing = True
        try:
            pdfs = self.printing.result()
            index = write_cases_index(self.packed, self.run_header, self.out_dir / "cases")
            self.removed.result()  # the earlier run's packs are gone before the stage ends
        finally:
            self.threads.shutdown()
        summary = {"case_packs": len(self.packed), "pdfs": pdfs, "index": str(index)}
        state = load_state(self.out_dir)
        _timed(state, "casepacks", self.started, summary)
        _save_state(self.out_dir, state)
        return summary


def _roles_path(out_dir: Path) -> Path:
    """Each case's account roles as in its pack (case id -> account key -> role)."""
    return out_dir / "state" / "case_roles.json"


def settings_pdf_top() -> int:
    """How many of the highest-priority cases get a PDF (FINFLOW_PDF_TOP, default 10)."""
    import os

    raw = os.environ.get("FINFLOW_PDF_TOP", "10")
    if not raw.isdigit():
        raise ConfigError(f"FINFLOW_PDF_TOP must be a whole number, not {raw!r}")
    return int(raw)


def casepack_pdf(out_dir: Path, case_id: str) -> Path:
    """Render the PDF (and the link-chart PNG) of one case of a finished run on demand."""
    from finflow.casepack.pdf import PNG_NAME, write_pdf
    from finflow.casepack.render import write_linkchart_png

    case_dir = out_dir / "cases" / case_id
    if not (case_dir / "index.html").is_file():
        raise InputError(f"no case pack {case_id} under {out_dir / 'cases'}")
    svg = (case_dir / "figures" / "linkchart.svg").read_text(encoding="utf-8")
    write_linkchart_png(svg, case_dir / PNG_NAME)
    return write_pdf(case_dir)  # refreshes the manifest, so it lists the PNG too


def _alert_for_pack(alert: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "alert_id",
        "rule_id",
        "rule_version",
        "description",
        "parameters",
        "metrics",
        "primary_bank",
        "primary_account",
        "window_start",
        "window_end",
        "weight",
        "evidence_txn_ids",
        "benign_explanations",
    )
    return {k: alert[k] for k in keep}


def stage_store(
    out_dir: Path,
    database_url: str | None = None,
    before_complete: Callable[[], object] | None = None,
) -> dict[str, Any]:
    """Persist the run, its files, alerts and cases in the store; append to the audit log.

    `before_complete` is called once the results are saved and before the run is recorded
    as complete, with the stages' counts read after it (`run_pipeline`: the case-pack
    stage's PDFs being printed meanwhile are finished and the stage recorded).
    """
    out_dir = out_dir.resolve()  # GX Data Docs and links need absolute paths
    from finflow.store import append_audit, open_store, save_results, save_run
    from finflow.store import database_url as resolve_url

    started = time.perf_counter()
    state = load_state(out_dir)
    url = resolve_url(database_url, out_dir / "finflow.db")
    engine = open_store(url)
    try:
        alerts = json.loads((out_dir / "alerts.json").read_text(encoding="utf-8"))
        cases = json.loads((out_dir / "cases.json").read_text(encoding="utf-8"))
        save_run(engine, _run_record(state, status="running"))
        party_path = out_dir / "parties.json"  # parties, merges, screening (score stage)
        party_results = (
            json.loads(party_path.read_text(encoding="utf-8")) if party_path.exists() else None
        )
        if party_results:  # party-rule alerts (HT_SHARED_IDENTIFIERS, SANCTIONS_HIT)
            alerts = alerts + party_results["party_alerts"]
        save_results(engine, state["run_id"], *_store_rows(out_dir, state, alerts, cases))
        if party_results:
            from finflow.store.parties import save_party_results

            save_party_results(
                engine,
                state["run_id"],
                cases,
                party_results["merges"],
                party_results["screening"],
            )
        if before_complete is not None:
            before_complete()
            state = load_state(out_dir)
        save_run(engine, _run_record(state, status="complete", finished=True))
        append_audit(
            engine,
            "finflow",
            "run.stored",
            state["run_id"],
            {"alerts": len(alerts), "cases": len(cases), "out_dir": str(out_dir)},
        )
    finally:
        engine.dispose()
    summary = {"database": engine.url.render_as_string(hide_password=True)}
    _timed(state, "store", started, summary)
    _save_state(out_dir, state)
    return summary


def _store_rows(
    out_dir: Path, state: dict[str, Any], alerts: list[dict[str, Any]], cases: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    from finflow.casepack.assemble import load_reference

    wanted = sorted({t for a in alerts for t in a["evidence_txn_ids"]})
    prov = (
        pl.scan_parquet(run_files(out_dir, state, "transactions"))
        .select("txn_id", "source_file", "source_sha256", "source_row", "amount_gbp")
        .join(
            pl.DataFrame({"txn_id": wanted}, schema={"txn_id": pl.String}).lazy(),
            on="txn_id",
            how="semi",
        )
        .collect()
    )
    amounts = dict(zip(prov["txn_id"], prov["amount_gbp"], strict=True))
    where = {r["txn_id"]: r for r in prov.drop("amount_gbp").to_dicts()}
    ref = {r["key"]: r for r in load_reference(run_files(out_dir, state, "accounts")).to_dicts()}
    keys = sorted({k for c in cases for k in c["account_keys"]})
    accounts = []
    for key in keys:
        bank, _, account = key.partition(":")
        info = ref.get(key, {})
        accounts.append(
            {
                "bank": bank,
                "account": account,
                "bank_name": info.get("bank_name"),
                "entity_id": info.get("entity_id"),
                "entity_name": info.get("entity_name"),
            }
        )
    alert_rows = [
        {
            k: a[k]
            for k in (
                "alert_id",
                "rule_id",
                "rule_version",
                "primary_bank",
                "primary_account",
                "window_start",
                "window_end",
                "weight",
                "metrics",
            )
        }
        | {"evidence": [where[t] for t in a["evidence_txn_ids"]]}
        for a in alerts
    ]
    roles: dict[str, dict[str, str]] = {}
    if _roles_path(out_dir).exists():  # written by the case-pack stage with the packs
        roles = json.loads(_roles_path(out_dir).read_text(encoding="utf-8"))
    else:
        case_pack_dir = out_dir / "cases"
        for case in cases:
            case_json = case_pack_dir / case["case_id"] / "case.json"
            if case_json.exists():
                pack = json.loads(case_json.read_text(encoding="utf-8"))
                roles[case["case_id"]] = {a["key"]: a["role"] for a in pack["accounts"]}
    case_rows = [
        {
            "case_id": c["case_id"],
            "rank": c["rank"],
            "score": c["score"],
            "band": c["band"],
            "total_value_gbp": round(sum(sorted(amounts[t] for t in c["evidence_txn_ids"])), 2),
            "typologies": c["typologies"],
            "contributions": c["contributions"],
            "accounts": [
                {
                    "bank": k.partition(":")[0],
                    "account": k.partition(":")[2],
                    "role": roles.get(c["case_id"], {}).get(k, "counterparty"),
                }
                for k in c["account_keys"]
            ],
            "transactions": [where[t] for t in c["evidence_txn_ids"]],
        }
        for c in cases
    ]
    return accounts, alert_rows, case_rows


def _run_record(state: dict[str, Any], status: str, finished: bool = False) -> dict[str, Any]:
    """The store's row for a run. Wall-clock times live only here and in the audit log."""
    return {
        "run_id": state["run_id"],
        "logical_date": state["logical_date"],
        "software_version": state["software_version"],
        "rules_version": state["rules_version"],
        "rules_hash": state["rules_hash"],
        "status": status,
        "counts": {k: v for k, v in state.get("stages", {}).items() if k != "validate"},
        "started_at": state["started_at"],
        "finished_at": datetime.now(UTC).isoformat() if finished else None,
        "files": state["files"],
    }


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


# -- Per-file ingest into a shared lake, and detection over it (Airflow: finflow_ingest and
# finflow_detect). One task per new feed file; the lake layout is described in finflow.lake.


def stage_open_run(
    input_dir: Path, lake_dir: Path, settle_seconds: int = 0, now: float | None = None
) -> dict[str, Any]:
    """List the feed files of `input_dir` (and its sub-folders) that the lake does not hold yet.

    A file is identified by its SHA-256: one whose hash has a ledger entry in the lake is
    skipped whatever its name, as is a second copy inside the same listing. A file modified
    less than `settle_seconds` before `now` is still arriving and is left for the next run.
    Writes nothing. Returns ``{"ingest_id", "lake_dir", "files": [{"path", "file", "sha256"}],
    "skipped": [{"file", "sha256", "reason"}], "arriving": [file, ...]}``; ``ingest_id`` (a
    digest of the new files' contents) is None when there is no new file.
    """
    from finflow import lake
    from finflow.ingest.runner import ingest_id, sha256_file

    input_dir, lake_dir = input_dir.resolve(), lake_dir.resolve()
    cutoff = (time.time() if now is None else now) - settle_seconds
    new: list[dict[str, str]] = []
    skipped: list[dict[str, str]] = []
    arriving: list[str] = []
    seen: dict[str, str] = {}
    for path in lake.list_files(input_dir):
        name = path.relative_to(input_dir).as_posix()
        if settle_seconds > 0 and path.stat().st_mtime > cutoff:
            arriving.append(name)
            continue
        sha = sha256_file(path)
        done = lake.read_entry(lake_dir, sha)
        if sha in seen:
            reason = f"same content as {seen[sha]}"
        elif done is not None:
            reason = f"already in the lake ({done['status']}, as {done['file']})"
        else:
            seen[sha] = name
            new.append({"path": str(path), "file": name, "sha256": sha})
            continue
        seen.setdefault(sha, name)
        skipped.append({"file": name, "sha256": sha, "reason": reason})
    run = {
        "ingest_id": ingest_id([f["sha256"] for f in new]) if new else None,
        "lake_dir": str(lake_dir),
        "input_dir": str(input_dir),
        "files": new,
        "skipped": skipped,
        "arriving": arriving,
    }
    log.info(
        "open run: %d new, %d skipped, %d still arriving in %s",
        len(new),
        len(skipped),
        len(arriving),
        input_dir,
    )
    return run


def stage_ingest_file(
    lake_dir: Path, path: Path, sha256: str | None = None, fx_path: Path | None = None
) -> dict[str, Any]:
    """Ingest one feed file into the lake: its partition, quarantine part, checks and entry.

    Built on `finflow.ingest.runner.ingest_file` (the same reader, partition and quarantine
    part as a folder ingest). Idempotent and safe in parallel: every output is named by the
    file's hash and renamed into place, the ledger entry last (the commit mark), so re-ingesting
    a file replaces its own partition and two files never share an output. A transaction feed
    or account file is checked against its great-expectations suite before the entry is
    written: `ValidationFailed` leaves the file out of the lake (no entry). A file that is not a
    feed, or a malformed one, gets an entry with status ``rejected`` and the reason (no
    exception): the caller decides how loud to be. `sha256`, when given, must still match.
    """
    from finflow import lake
    from finflow.ingest import runner
    from finflow.ingest.sniff import sniff

    lake_dir, path = lake_dir.resolve(), path.resolve()
    if not path.is_file():
        raise InputError(f"feed file {path} does not exist (moved or deleted after listing)")
    sha = runner.sha256_file(path)
    if sha256 is not None and sha != sha256:
        raise InputError(
            f"{path.name} changed after it was listed (sha256 {sha256[:16]} is now {sha[:16]}); "
            "the next run ingests the new content"
        )
    file_id = runner.ingest_id([sha])
    kind = sniff(path)
    if kind.ingestible:
        fx = load_fx(fx_path)
        entry = runner.ingest_file(path, sha, kind, lake_dir, file_id, fx)
        entry["reader"] = runner.reader_fingerprint(fx)
        if entry["rows_accepted"]:
            _check_partition(lake_dir, entry)
    else:
        status = "ground_truth" if kind.format == "amlworld_patterns" else "rejected"
        entry = {
            "file": path.name,
            "sha256": sha,
            "format": kind.format,
            "status": status,
            "message": kind.reason,
            "rows_read": 0,
            "rows_accepted": 0,
            "rows_quarantined": 0,
        }
    entry["ingest_id"] = file_id
    lake.write_json_atomic(lake.entry_path(lake_dir, sha), entry)
    log.info(
        "ingest file %s (%s): %s, %d accepted, %d quarantined",
        entry["file"],
        lake.key(sha),
        entry["status"],
        entry["rows_accepted"],
        entry["rows_quarantined"],
    )
    return entry


def _check_partition(lake_dir: Path, entry: dict[str, Any]) -> None:
    """Validate a file's committed partition (batches of VALIDATION_BATCH_ROWS) into its entry.

    A transaction feed gets its feed type's suite, as in `stage_validate`, with the period its
    statement declares (camt.053 FrToDt) or else its own booking period, and no volume baseline
    (files reach the lake one by one, with no run to compare against); an account file gets
    ``accounts``; KYC reference files have no suite. Results and Data Docs go to
    ``validation/<key>/``, one folder per file, so files checked in parallel share no GX store.
    A failed critical expectation raises `SuiteValidationFailed` naming the file.
    """
    from finflow import lake
    from finflow.ingest.runner import partition_path
    from finflow.validate import feeds
    from finflow.validate.gx_suites import SuiteValidationFailed, ValidationRun

    part = lake.key(entry["sha256"])
    partition = partition_path(lake_dir, entry["format"], entry["sha256"])
    suite, parameters, extra = None, None, {}
    if entry["format"] in TRANSACTION_FEEDS:
        first, last = (
            pl.scan_parquet(partition)
            .select(pl.col("booked_at").min().alias("first"), pl.col("booked_at").max())
            .collect()
            .row(0)
        )
        entry.update(booked_from=first.isoformat(), booked_to=last.isoformat())
        check = feeds.feed_check(entry, last.isoformat(), entry["sha256"], {})
        suite, parameters = check.suite, dict(check.parameters)
        if not ((entry.get("checks") or {}).get("declared_period") or {}).get("from"):
            day = datetime(first.year, first.month, first.day, tzinfo=UTC)
            parameters.update(period_start=day, period_end=last + timedelta(days=1))
        extra = {feeds.ROWS_COLUMN: pl.lit(int(entry["rows_read"]), dtype=pl.Int64)}
    elif entry["format"] == "amlworld_accounts":
        suite = "accounts"
    results = []
    rows = int(entry["rows_accepted"])
    run = ValidationRun(lake_dir / lake.VALIDATION_DIR / part) if suite and rows else None
    for start in range(0, rows if suite else 0, VALIDATION_BATCH_ROWS):
        batch = pl.scan_parquet(partition).slice(start, VALIDATION_BATCH_ROWS).with_columns(**extra)
        batch_id = part if rows <= VALIDATION_BATCH_ROWS else f"{part}-{start}"
        assert suite is not None and run is not None
        try:
            results.append(run.validate(batch.collect(), suite, batch_id, parameters=parameters))
        except SuiteValidationFailed as exc:
            raise SuiteValidationFailed(f"{entry['file']}: {exc}", exc.summary) from exc
    if run is not None:
        run.finish()
    entry["validation"] = {
        "suite": suite,
        "suites_run": len(results),
        "warnings": sum(len(r["failed_warning"]) for r in results),
    }


def stage_close_run(lake_dir: Path, ingest_id: str, shas: list[str]) -> dict[str, Any]:
    """Merge the run's per-file ledger entries into ``ingests/<ingest_id>.json``.

    Reads the entries from the lake (the source of truth, whatever the tasks returned); a file
    whose task did not finish has no entry and is listed under ``not_ingested``. Also writes
    the run's rejected rows to ``ingests/<ingest_id>.quarantine.csv``. The one writer of both
    files is this step (re-running it rewrites the same bytes). Returns the run's summary:
    counts, the booking period of its transaction files and the files not ingested.
    """
    from finflow import lake
    from finflow.casepack.csvsafe import write_safe_csv

    lake_dir = lake_dir.resolve()
    found: list[dict[str, Any]] = []
    missing: list[str] = []
    for sha in shas:
        entry = lake.read_entry(lake_dir, sha)
        if entry is None:
            missing.append(sha)
        else:
            found.append(entry)
    feeds = [e for e in found if e["status"] == "ingested" and e["format"] in TRANSACTION_FEEDS]
    keys = ("rows_read", "rows_accepted", "rows_quarantined")
    totals = {k: sum(int(e[k]) for e in found) for k in keys}
    quarantined = _quarantined_rows(lake_dir, found)
    csv_path = lake_dir / lake.INGESTS_DIR / f"{ingest_id}.quarantine.csv"
    tmp = csv_path.with_name(f".{csv_path.name}.tmp-{ingest_id}")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    write_safe_csv(quarantined, tmp)
    tmp.replace(csv_path)
    summary = {
        "ingest_id": ingest_id,
        "files": len(shas),
        "files_ingested": sum(e["status"] == "ingested" for e in found),
        "transaction_files": len(feeds),
        **totals,
        "quarantine_by_reason": lake.merge_counts(e.get("quarantine_by_reason", {}) for e in found),
        "booked_from": min((e["booked_from"] for e in feeds), default=None),
        "booked_to": max((e["booked_to"] for e in feeds), default=None),
        "not_ingested": _not_ingested(found, missing),
    }
    ledger = {"summary": summary, "files": sorted(found, key=lambda e: str(e["file"]))}
    lake.write_json_atomic(lake_dir / lake.INGESTS_DIR / f"{ingest_id}.json", ledger)
    log.info("close run %s: %s", ingest_id, {k: summary[k] for k in ("files", *keys)})
    return summary


def _not_ingested(found: list[dict[str, Any]], missing: list[str]) -> list[dict[str, str]]:
    problems = [
        {"file": str(e["file"]), "sha256": str(e["sha256"]), "reason": str(e["message"])}
        for e in found
        if e["status"] == "rejected"
    ]
    problems += [
        {"file": "", "sha256": sha, "reason": "its ingest task did not finish (see its log)"}
        for sha in missing
    ]
    return problems


def stage_check_run(lake_dir: Path, ingest_id: str | None, files: list[dict[str, str]]) -> int:
    """Fail loudly when a listed file of the run is not in the lake; returns the file count.

    Raises `InputError` naming every file that was rejected or whose ingest task failed (a
    failed data-quality gate leaves no entry), and `FinflowError` when the run's ledger was not
    written although every file was ingested.
    """
    from finflow import lake

    lake_dir = lake_dir.resolve()
    problems = []
    for f in files:
        entry = lake.read_entry(lake_dir, f["sha256"])
        if entry is None:
            problems.append(f"{f['file']}: not ingested, its task failed (see its log)")
        elif entry["status"] == "rejected":
            problems.append(f"{f['file']}: rejected, {entry['message']}")
    if problems:
        raise InputError(
            f"{len(problems)} of {len(files)} new feed files not ingested: " + "; ".join(problems)
        )
    if files and not (lake_dir / lake.INGESTS_DIR / f"{ingest_id}.json").exists():
        raise FinflowError(f"ingest run {ingest_id}: its ledger was not written")
    return len(files)


def rule_lookback_days(rules: RuleSet) -> int:
    """The longest time window any rule looks at, in whole days (the detection overlap)."""
    spans = [0.0]
    for rule in rules.rules.values():
        for name, value in rule.params.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                if name.endswith("days"):
                    spans.append(float(value))
                elif name.endswith("hours"):
                    spans.append(float(value) / 24)
    return int(-(-max(spans) // 1))


def stage_open_detection(
    lake_dir: Path,
    out_root: Path,
    window_start: str | None = None,
    window_end: str | None = None,
    lookback_days: int | None = None,
    rules_path: Path | None = None,
    fx_path: Path | None = None,
) -> dict[str, Any]:
    """Prepare a detection run over the lake's transactions booked in a time window.

    The window is [`window_start` - lookback, `window_end`) in booking time (ISO 8601; either
    end open when None); the lookback (default: the longest rule window) lets patterns that
    started before the window be seen whole. Every ingested transaction file overlapping the
    window contributes its rows in the window, except transactions that a file before it (by
    name, then hash) already holds: an overlapping re-delivery is counted once, and the
    repeats go to the run's quarantine as DUPLICATE_OF_OTHER_FILE (`finflow.ingest.overlap`).
    Every account file is included. The run folder
    ``out_root/<run_id>/`` gets a lake slice and the state the later stages read
    (`stage_validate`, `stage_detect`, `stage_score`, `stage_casepacks`, `stage_store`,
    `finish`), so they run on it unchanged. The run id is a digest of the window, the files'
    hashes, the rules and the software version: the same window over the same lake is the same
    run, and re-opening it rebuilds its folder. Returns ``{"run_id": None, ...}`` when no
    transaction file overlaps the window (nothing to detect).
    """
    import shutil

    from finflow import lake
    from finflow.ingest.runner import ingest_id, partition_path

    lake_dir, out_root = lake_dir.resolve(), out_root.resolve()
    rules = load_rules(rules_path, known=set(DETECTORS))
    lookback = rule_lookback_days(rules) if lookback_days is None else lookback_days
    start = _parse_instant(window_start, "window_start")
    end = _parse_instant(window_end, "window_end")
    if start is not None and end is not None and start >= end:
        raise ConfigError(f"detection window is empty: {window_start} is not before {window_end}")
    low = start - timedelta(days=lookback) if start is not None else None
    done = [e for e in lake.entries(lake_dir) if e["status"] == "ingested"]
    feeds = [
        e
        for e in done
        if e["format"] in TRANSACTION_FEEDS
        and (low is None or datetime.fromisoformat(e["booked_to"]) >= low)
        and (end is None or datetime.fromisoformat(e["booked_from"]) < end)
    ]
    window = {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "lookback_days": lookback,
    }
    if not feeds:
        log.info("open detection: no transaction file of %s overlaps %s", lake_dir, window)
        return {"run_id": None, "out_dir": None, "files": 0, "rows": 0, "window": window}
    accounts = [e for e in done if e["format"] not in TRANSACTION_FEEDS]
    shas = [e["sha256"] for e in feeds + accounts]
    seed = "|".join(
        [str(window["start"]), str(window["end"]), str(lookback), *shas, rules.sha256, __version__]
    )
    run_id = "R-" + hashlib.sha256(seed.encode()).hexdigest()[:12]
    out_dir = out_root / run_id
    if (out_dir / "lake").exists():
        shutil.rmtree(out_dir / "lake")
    in_window = pl.lit(True)
    if low is not None:
        in_window = in_window & (pl.col("booked_at") >= low)
    if end is not None:
        in_window = in_window & (pl.col("booked_at") < end)
    files: list[dict[str, Any]] = []
    repeats: list[pl.DataFrame] = []
    written: list[Path] = []
    for entry in sorted(feeds, key=lambda e: (str(e["file"]), str(e["sha256"]))):
        part = f"{lake.key(entry['sha256'])}.parquet"
        source = lake.table_dir(lake_dir, "transactions") / part
        frame = pl.scan_parquet(source).filter(in_window).collect()
        kept, repeated = overlap.split_repeats(frame, written)
        frame = kept.collect() if isinstance(kept, pl.LazyFrame) else kept
        written.append(out_dir / "lake" / "transactions" / part)
        lake.write_parquet_atomic(frame, written[-1])
        files.append(entry | {"rows_in_window": frame.height} | _repeats_moved(entry, repeated))
        repeats.append(repeated)
    for entry in accounts:  # account and KYC reference files: whole, wherever ingest put them
        source = partition_path(lake_dir, entry["format"], entry["sha256"])
        target = partition_path(out_dir, entry["format"], entry["sha256"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        files.append(entry)
    txn_files = [
        out_dir / "lake" / "transactions" / f"{lake.key(e['sha256'])}.parquet" for e in feeds
    ]
    rows = sum(int(f.get("rows_in_window", 0)) for f in files)
    state: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "input_dir": str(lake_dir),
        "rules_path": str(rules_path) if rules_path else None,
        "fx_path": str(fx_path) if fx_path else None,
        "rules_version": rules.version,
        "rules_hash": rules.sha256,
        "software_version": __version__,
        "ingest_id": ingest_id(shas),
        "files": sorted(files, key=lambda e: str(e["file"])),
        "quarantine_by_reason": lake.merge_counts(e.get("quarantine_by_reason", {}) for e in files),
        "window": window,
        "run_id": run_id,
        "logical_date": window["end"]
        if end is not None
        else (_default_logical_date(txn_files) if rows else window["start"]),
    }
    _write_run_quarantine(lake_dir, out_dir, files, repeats)
    summary = {"run_id": run_id, "files": len(files), "rows_in_window": rows}
    summary |= {k: sum(int(e[k]) for e in files) for k in ("rows_read", "rows_accepted")}
    summary["rows_quarantined"] = sum(int(e["rows_quarantined"]) for e in files)
    state["stages"] = {"ingest": summary}
    _save_state(out_dir, state)
    log.info("open detection %s over %s: %d files, %d rows", run_id, window, len(files), rows)
    return {"run_id": run_id, "out_dir": str(out_dir), "files": len(files), "rows": rows} | {
        "window": window
    }


def _parse_instant(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{name} {value!r} is not an ISO 8601 date or time") from exc
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _repeats_moved(entry: dict[str, Any], repeated: pl.DataFrame) -> dict[str, Any]:
    """A lake file's counts in a detection run whose window has `repeated` rows of it already
    in a file compared before it: those rows move from accepted to quarantined."""
    if not repeated.height:
        return {}
    n = repeated.height
    by_reason = dict(entry.get("quarantine_by_reason") or {})
    by_reason[overlap.REASON] = by_reason.get(overlap.REASON, 0) + n
    return {
        "rows_accepted": int(entry["rows_accepted"]) - n,
        "rows_quarantined": int(entry["rows_quarantined"]) + n,
        "quarantine_by_reason": dict(sorted(by_reason.items())),
    }


def _write_run_quarantine(
    lake_dir: Path,
    out_dir: Path,
    files: list[dict[str, Any]],
    repeats: list[pl.DataFrame] | None = None,
) -> None:
    """The run's quarantine: the rejected rows of its files, as ingest writes them, and the
    rows `repeats` of a file compared before them in the run."""
    from finflow.casepack.csvsafe import write_safe_csv

    frame = _quarantined_rows(lake_dir, files)
    if repeats:
        frame = pl.concat([frame, *repeats]).sort("source_file", "source_row", maintain_order=True)
    folder = out_dir / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(folder / "quarantine.parquet")
    write_safe_csv(frame, folder / "quarantine.csv")


def _quarantined_rows(lake_dir: Path, entries: list[dict[str, Any]]) -> pl.DataFrame:
    """The quarantined rows of these files (their quarantine parts), by file and row."""
    from finflow.ingest.runner import quarantine_part
    from finflow.schema import QUARANTINE_SCHEMA

    parts = [quarantine_part(lake_dir, e["sha256"]) for e in entries]
    frames = [pl.read_parquet(p) for p in parts if p.exists()]
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=QUARANTINE_SCHEMA)
    return frame.sort("source_file", "source_row", maintain_order=True)
