"""Batch screening: a CSV of queries in, a CSV of possible matches out.

Queries: ``query_id,name`` and optional ``dob`` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) and
``type`` (``Person`` or ``Organization``). Output: one row per candidate at or above the
threshold, ``query_id,unique_id,score,matched_name,name_type,explanation``, in query order then
best score first; a query with no candidate has no row.

Many queries are screened on all cores by a `ScreeningJob`, the one way finflow screens on
worker processes (`finflow screen` through `screen_file`, and the score stage while it does other
work): the workers are spawned (never forked: the caller may have polars' thread pool running,
and a forked child can deadlock on its locks) and each builds the index from the list file
itself, all at the same time, which is cheaper than building it once and sending it to each
(a 5,000-designation list: 3.0 s to build, against 1.6 s to pickle it per worker plus 2.8 s
to load it there). `screen_queries` screens in the calling process.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from finflow.casepack.csvsafe import safe_cell
from finflow.errors import FeedFormatError, InputError
from finflow.parallel import main_script_hidden, spawned_executor, usable_workers
from finflow.screen.dob import QueryDateError, parse_query_dob
from finflow.screen.model import SanctionsList
from finflow.screen.screener import DEFAULT_THRESHOLD, Match, QueryKindError, Screener, query_kind

log = logging.getLogger(__name__)

OUT_COLUMNS = ("query_id", "unique_id", "score", "matched_name", "name_type", "explanation")
CHUNK = 2000
PARALLEL_FROM = 10_000
"""`screen_file` uses every core from this many queries, one process below (unless told).

Each spawned worker imports finflow and builds the index itself (~3 s for 5,000 designations,
at the same time as the other), so two processes cost ~1 s of wall and one index build of CPU
more than one, and save half the screening (~2,000 queries a second on one core): they finish
first from about 5,000 queries on two free cores; 10,000 leaves room for a busy machine (the
score stage screens in the background from the same number, `finflow.score.party_rules`)."""


class QueryFileError(FeedFormatError):
    """A query file is empty, damaged, lacks a column or has an invalid row."""


class ListChangedError(InputError):
    """The list file read by screening workers is not the list the caller loaded."""


class Query(NamedTuple):
    """One name to screen (a tuple: 400k of them are made and sent to workers in a score run)."""

    query_id: str
    name: str
    dob: str | None = None
    kind: str | None = None


def read_queries(path: Path) -> Iterator[Query]:
    """Yield the queries of a CSV file, checking every row (errors name the line)."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: query file not found") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the query file ({exc.strerror})") from exc
    with handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise QueryFileError(f"{path}: the query file is empty")
            if any("\x00" in h for h in header):
                raise QueryFileError(f"{path}: binary file, not a query CSV")
            columns = [h.strip().lower() for h in header]
            missing = [c for c in ("query_id", "name") if c not in columns]
            if missing:
                raise QueryFileError(
                    f"{path}: header lacks column(s) {', '.join(missing)} "
                    "(expected query_id,name and optional dob,type)"
                )
            at = {c: columns.index(c) for c in ("query_id", "name", "dob", "type") if c in columns}
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                line = reader.line_num
                if len(row) != len(columns):
                    raise QueryFileError(
                        f"{path}: line {line}: {len(row)} fields, the header has {len(columns)}"
                    )
                query_id, name = row[at["query_id"]].strip(), row[at["name"]].strip()
                if not query_id or not name:
                    raise QueryFileError(f"{path}: line {line}: empty query_id or name")
                dob = row[at["dob"]].strip() if "dob" in at else ""
                kind = row[at["type"]].strip() if "type" in at else ""
                try:
                    parse_query_dob(dob)
                    query_kind(kind)
                except (QueryDateError, QueryKindError) as exc:
                    raise QueryFileError(f"{path}: line {line}: {exc}") from None
                yield Query(query_id, name, dob or None, kind or None)
        except csv.Error as exc:
            raise QueryFileError(f"{path}: line {reader.line_num}: damaged CSV ({exc})") from exc
        except UnicodeDecodeError as exc:
            raise QueryFileError(f"{path}: not UTF-8 text ({exc.reason})") from exc


_WORKER: dict[str, Any] = {}


def _init_worker(list_path: Path, threshold: float, expected: tuple[int, str] | None) -> None:
    """Worker start: build the index from the list file. `expected` (designations, report
    date) is what the caller loaded from that file; a file changed since is refused.

    An error here is kept and raised by the worker's first chunk: raised by the initializer
    it would only break the pool, and the caller would see no reason.
    """
    from finflow.screen import load_list

    try:
        sanctions = load_list(list_path)
    except (InputError, OSError) as exc:
        _WORKER["error"] = InputError(f"screening worker: {exc}")
        return
    if expected is not None and (len(sanctions), sanctions.report_date) != expected:
        _WORKER["error"] = ListChangedError(
            f"{list_path}: the sanctions list file changed while it was being screened "
            f"({expected[0]:,} designations dated {expected[1] or 'undated'} were loaded, "
            f"the file now has {len(sanctions):,} dated {sanctions.report_date or 'undated'})"
        )
        return
    _WORKER.update(screener=Screener(sanctions), threshold=threshold)


def _screen_chunk(chunk: list[Query]) -> list[tuple[str, list[Match]]]:
    if "error" in _WORKER:
        raise _WORKER["error"]
    return list(screen_queries(_WORKER["screener"], chunk, _WORKER["threshold"]))


def _chunks(queries: Iterator[Query], size: int) -> Iterator[list[Query]]:
    while chunk := list(islice(queries, size)):
        yield chunk


def screen_queries(
    screener: Screener, queries: Iterable[Query], threshold: float = DEFAULT_THRESHOLD
) -> Iterator[tuple[str, list[Match]]]:
    """(query id, matches) for each query in order, screened in this process."""
    for q in queries:
        yield q.query_id, screener.screen(q.name, q.dob, q.kind, threshold)


def screen_file(
    sanctions: SanctionsList,
    queries_path: Path,
    out_path: Path,
    threshold: float = DEFAULT_THRESHOLD,
    workers: int | None = None,
) -> dict[str, int]:
    """Screen a query CSV against a loaded list into an output CSV; return counts of queries,
    hits and rows.

    `workers` defaults to every core from `PARALLEL_FROM` queries, else one process; the
    output does not depend on it. Workers read the list from ``sanctions.path`` again.
    """
    if not 0.0 < threshold <= 1.0:
        raise InputError(f"threshold {threshold} is not in (0, 1]")
    queries = list(read_queries(queries_path))  # validate the whole file before any output
    if not queries:
        raise QueryFileError(f"{queries_path}: the query file has no queries")
    if workers is None and len(queries) < PARALLEL_FROM:
        workers = 1
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    counts = {"queries": len(queries), "queries_with_candidates": 0, "rows": 0}
    with (
        ScreeningJob(queries, sanctions, threshold, workers) as job,
        partial.open("w", encoding="utf-8", newline="") as handle,
    ):
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(OUT_COLUMNS)
        for query_id, matches in job.results():
            counts["queries_with_candidates"] += bool(matches)
            for m in matches:
                counts["rows"] += 1
                writer.writerow(
                    safe_cell(v)
                    for v in (
                        query_id,
                        m.unique_id,
                        f"{m.score:.4f}",
                        m.matched_name,
                        m.name_type,
                        m.explanation,
                    )
                )
    os.replace(partial, out_path)
    log.info("screened %(queries)d queries: %(rows)d candidate rows", counts)
    return counts


class ScreeningJob:
    """Queries screened on spawned worker processes while the caller does other work.

    `sanctions` is the list file, or a list loaded from it (``sanctions.path``): each worker
    builds the index from the file itself (see the module docstring). Every chunk is handed
    out when the job starts; `results` gives them back in query order. With one worker (asked
    for, or in a process that may not start any) the queries are screened in the calling
    process when `results` is read. Use as a context manager: leaving stops the workers
    (cancelling chunks not started when the caller failed).
    """

    def __init__(
        self,
        queries: list[Query],
        sanctions: Path | SanctionsList,
        threshold: float = DEFAULT_THRESHOLD,
        workers: int | None = None,
    ) -> None:
        workers = usable_workers(workers or os.cpu_count() or 1, "sanctions screening")
        self._pool: ProcessPoolExecutor | None = None
        self._queries = queries
        self._sanctions = sanctions
        self._threshold = threshold
        self._futures: list[Future[list[tuple[str, list[Match]]]]] = []
        if workers > 1:
            if isinstance(sanctions, SanctionsList):
                list_path, expected = sanctions.path, (len(sanctions), sanctions.report_date)
            else:
                list_path, expected = sanctions, None
            with main_script_hidden():
                self._pool = spawned_executor(
                    workers, initializer=_init_worker, initargs=(list_path, threshold, expected)
                )
                self._futures = [
                    self._pool.submit(_screen_chunk, chunk)
                    for chunk in _chunks(iter(queries), CHUNK)
                ]

    def results(self) -> Iterator[tuple[str, list[Match]]]:
        """(query id, matches) for every query, in query order (waits for the workers)."""
        if self._pool is None:  # one process: screened here, now
            from finflow.screen import load_list

            sanctions = self._sanctions
            loaded = sanctions if isinstance(sanctions, SanctionsList) else load_list(sanctions)
            yield from screen_queries(Screener(loaded), self._queries, self._threshold)
            return
        for future in self._futures:
            yield from future.result()

    def __enter__(self) -> ScreeningJob:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self, *, wait: bool = False) -> None:
        """Stop the workers, cancelling chunks not started; `wait` for them to exit (~0.7 s;
        by default the pool's own thread reaps them)."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
