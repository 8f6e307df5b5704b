"""The case-pack stage: one pack folder per case, the top cases' PDFs, and the case index.

`stage_casepacks` is the whole stage (the Airflow task); `finflow run` calls `write_case_packs`
and lets the store stage run while the PDFs print (`CasePacks.finish` ends the stage).
"""

from __future__ import annotations

import json
import logging
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from finflow.errors import ConfigError, InputError
from finflow.runstate import (
    load_state,
    roles_path,
    rules_of,
    run_files,
    save_state,
    timed,
    write_json_rows,
)

log = logging.getLogger(__name__)


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
    rules = rules_of(state)
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
        roles_path(out_dir),
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
        timed(state, "casepacks", self.started, summary)
        save_state(self.out_dir, state)
        return summary


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
