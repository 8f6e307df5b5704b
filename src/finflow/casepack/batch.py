"""Writing the case packs of a whole run: every schedule in one pass, packs on all cores.

A run at the AMLworld HI-Small scale has tens of thousands of cases. Two things keep that
linear and use the machine:

* `case_schedules` cuts every case's schedule out of the run's evidence rows in one join and
  one sort, instead of one join over all the evidence per case (quadratic in the run size);
* `write_packs` renders the packs on several processes. polars is not fork-safe, so workers
  are *spawned*, and each is handed its share of the cases through a file (pickled case data
  and schedule rows), never through memory inherited from the parent. A pack depends only on
  its own case and rows, so the files are byte-identical whatever the number of workers.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from finflow.errors import ConfigError
from finflow.money import MINOR, minor_units
from finflow.parallel import spawn_pool, usable_workers
from finflow.schema import DETECTION_COLUMNS

log = logging.getLogger(__name__)

CASE_COLUMN = "case_id"
PARALLEL_FROM = 200
"""Fewer packs than this are written in the calling process (starting a worker costs ~2 s)."""
CHUNKS_PER_WORKER = 4
"""Each worker gets its packs in a few chunks, so a slow chunk does not leave a core idle."""


def settings_workers() -> int:
    """Processes that write case packs: FINFLOW_WORKERS, else every core."""
    raw = os.environ.get("FINFLOW_WORKERS", "")
    if not raw:
        return os.cpu_count() or 1
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"FINFLOW_WORKERS must be a whole number of at least 1, not {raw!r}")
    return int(raw)


def case_schedules(
    evidence: pl.DataFrame, cases: Sequence[Mapping[str, Any]], alerts: Mapping[str, Any]
) -> pl.DataFrame:
    """Every case's evidence rows with the rule ids citing each (``tags``), in one frame.

    Columns: `CASE_COLUMN`, then those of `finflow.casepack.assemble.case_transactions`;
    sorted by case id, then booking time and txn_id, so each case's rows are contiguous and
    in schedule order. `evidence` must hold every evidence row of every case.
    """
    ids: list[str] = []
    txn_ids: list[str] = []
    tags: list[list[str]] = []
    for case in cases:
        cited: dict[str, set[str]] = {}
        for alert_id in case["alert_ids"]:
            alert = alerts[alert_id]
            for txn in alert["evidence_txn_ids"]:
                cited.setdefault(txn, set()).add(alert["rule_id"])
        ids += [case["case_id"]] * len(cited)
        txn_ids += list(cited)
        tags += [sorted(v) for v in cited.values()]
    tag_frame = pl.DataFrame(
        {CASE_COLUMN: ids, "txn_id": txn_ids, "tags": tags},
        schema={CASE_COLUMN: pl.String, "txn_id": pl.String, "tags": pl.List(pl.String)},
    )
    return (
        evidence.join(tag_frame, on="txn_id", how="inner")
        .select([CASE_COLUMN, *DETECTION_COLUMNS, "tags"])
        .sort(CASE_COLUMN, "booked_at", "txn_id")
    )


def split_schedules(schedules: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """`case_schedules` output as case id -> that case's rows (without the case column)."""
    parts = schedules.partition_by(CASE_COLUMN, as_dict=True, maintain_order=True)
    return {str(key[0]): part.drop(CASE_COLUMN) for key, part in parts.items()}


def case_totals(schedules: pl.DataFrame) -> dict[str, float]:
    """Total GBP value of each case's evidence (exact, in pence; cases without rows absent)."""
    # Pence summed by polars, divided here: in a group-by, polars' own division by 100 can
    # differ from `money_sum` on one frame in the last bit.
    totals = schedules.group_by(CASE_COLUMN).agg(pence=minor_units(pl.col("amount_gbp")).sum())
    return {str(k): int(v) / MINOR for k, v in totals.iter_rows()}


def write_packs(
    packs: Sequence[dict[str, Any]],
    schedules: pl.DataFrame,
    cases_dir: Path,
    *,
    png_top: int,
    workers: int | None = None,
    scratch: Path | None = None,
) -> int:
    """Write the pack of each of `packs` (the dicts written as ``case.json``) under `cases_dir`.

    `schedules` holds their rows as `case_schedules` returns them. The link-chart PNG is drawn
    for packs ranked `png_top` or better. With more than one worker and at least
    `PARALLEL_FROM` packs, the packs are written by spawned processes, each reading its chunk
    from a file under `scratch` (default ``cases_dir/.chunks``, removed afterwards). Returns
    the number of packs written.
    """
    workers = usable_workers(settings_workers() if workers is None else workers, "case packs")
    if workers <= 1 or len(packs) < PARALLEL_FROM:
        _write_all(packs, schedules, cases_dir, png_top)
        return len(packs)
    scratch = scratch or cases_dir / ".chunks"
    scratch.mkdir(parents=True, exist_ok=True)
    n_chunks = min(len(packs), workers * CHUNKS_PER_WORKER)
    files = []
    try:
        for number in range(n_chunks):
            chunk = list(packs[number::n_chunks])
            wanted = pl.Series(CASE_COLUMN, [p["case_id"] for p in chunk], dtype=pl.String)
            rows = schedules.filter(pl.col(CASE_COLUMN).is_in(wanted))
            path = scratch / f"chunk-{number:04d}.pickle"
            with path.open("wb") as fh:
                pickle.dump((chunk, rows), fh, protocol=pickle.HIGHEST_PROTOCOL)
            files.append(path)
        with spawn_pool(workers) as pool:
            written = sum(
                pool.map(_write_chunk, files, [cases_dir] * len(files), [png_top] * len(files))
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log.info("%d case packs written by %d processes", written, workers)
    return written


def _write_chunk(path: Path, cases_dir: Path, png_top: int) -> int:
    """Worker: write the packs of one chunk file (see `write_packs`)."""
    with path.open("rb") as fh:
        packs, schedules = pickle.load(fh)  # noqa: S301 - our own file, written just before
    _write_all(packs, schedules, cases_dir, png_top)
    return len(packs)


def _write_all(
    packs: Sequence[dict[str, Any]], schedules: pl.DataFrame, cases_dir: Path, png_top: int
) -> None:
    from finflow.casepack.exports.parties import write_parties_csv
    from finflow.casepack.render import write_case_pack

    by_case = split_schedules(schedules)
    empty = schedules.clear().drop(CASE_COLUMN)
    for pack in packs:
        folder = cases_dir / pack["case_id"]
        folder.mkdir(parents=True, exist_ok=True)
        # parties.csv first: write_case_pack lists every file of the folder in its manifest.
        write_parties_csv(pack, pack["marking"], folder / "parties.csv")
        write_case_pack(
            pack,
            by_case.get(pack["case_id"], empty),
            folder,
            linkchart_png=int(pack["rank"]) <= png_top,
        )
