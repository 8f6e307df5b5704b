"""Batch screening: a CSV of queries in, a CSV of possible matches out.

Queries: ``query_id,name`` and optional ``dob`` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) and
``type`` (``Person`` or ``Organization``). Output: one row per candidate at or above the
threshold, ``query_id,unique_id,score,matched_name,name_type,explanation``, in query order then
best score first; a query with no candidate has no row. The queries are screened in chunks on
all cores: worker processes are spawned (never forked: the caller may have polars' thread pool
running, and a forked child can deadlock on its locks) and receive the built index once each.
`ScreeningJob` screens queries on spawned workers while the caller goes on with other work;
its workers build the index from the list file themselves (faster than receiving it).
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from finflow.casepack.csvsafe import safe_cell
from finflow.errors import FeedFormatError, InputError
from finflow.parallel import main_script_hidden, spawn_pool, spawned_executor, usable_workers
from finflow.screen.dob import QueryDateError, parse_query_dob
from finflow.screen.screener import DEFAULT_THRESHOLD, Match, QueryKindError, Screener, query_kind

log = logging.getLogger(__name__)

OUT_COLUMNS = ("query_id", "unique_id", "score", "matched_name", "name_type", "explanation")
CHUNK = 2000
PARALLEL_FROM = 50_000
"""`screen_file` uses every core from this many queries, one process below (unless told).

Each spawned worker receives the whole index (a 5,000-designation list: 54 MB pickled, 2.1 s
to pickle per worker, 3.8 s to load in each), so two workers start ~8 s behind one process,
which screens about 2,000 queries/s (20,250 queries: one process 10.0 s, two 17.4 s)."""


class QueryFileError(FeedFormatError):
    """A query file is empty, damaged, lacks a column or has an invalid row."""


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


def _init_worker(screener: Screener, threshold: float) -> None:
    _WORKER.update(screener=screener, threshold=threshold)


def _init_worker_from_list(list_path: Path, threshold: float) -> None:
    from finflow.screen import load_list

    _WORKER.update(screener=Screener(load_list(list_path)), threshold=threshold)


def _screen_chunk(chunk: list[Query]) -> list[tuple[str, list[Match]]]:
    screener: Screener = _WORKER["screener"]
    threshold: float = _WORKER["threshold"]
    return [(q.query_id, screener.screen(q.name, q.dob, q.kind, threshold)) for q in chunk]


def _chunks(queries: Iterator[Query], size: int) -> Iterator[list[Query]]:
    while chunk := list(islice(queries, size)):
        yield chunk


def screen_queries(
    screener: Screener,
    queries: Iterator[Query],
    threshold: float = DEFAULT_THRESHOLD,
    workers: int | None = None,
) -> Iterator[tuple[str, list[Match]]]:
    """Screen queries in order, on `workers` processes (default: all cores)."""
    workers = usable_workers(workers or os.cpu_count() or 1, "sanctions screening")
    _WORKER.update(screener=screener, threshold=threshold)
    if workers == 1:
        for chunk in _chunks(queries, CHUNK):
            yield from _screen_chunk(chunk)
        return
    with spawn_pool(workers, initializer=_init_worker, initargs=(screener, threshold)) as pool:
        pending = []
        for chunk in _chunks(queries, CHUNK):  # at most 2 chunks per worker in flight
            pending.append(pool.submit(_screen_chunk, chunk))
            if len(pending) >= 2 * workers:
                yield from pending.pop(0).result()
        for future in pending:
            yield from future.result()


def screen_file(
    screener: Screener,
    queries_path: Path,
    out_path: Path,
    threshold: float = DEFAULT_THRESHOLD,
    workers: int | None = None,
) -> dict[str, int]:
    """Screen a query CSV into an output CSV; return counts of queries, hits and rows.

    `workers` defaults to every core from `PARALLEL_FROM` queries, else one process.
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
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(OUT_COLUMNS)
        for query_id, matches in screen_queries(screener, iter(queries), threshold, workers):
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

    Every chunk is handed out when the job starts; `results` gives them back in query order.
    Each worker builds the index from `list_path` itself: for a 5,000-designation list that is
    3.0 s, against 1.6 s to pickle the built index for each worker plus 2.8 s to load it there,
    and the workers build theirs at the same time. Use as a context manager: leaving stops the
    workers (cancelling chunks not started when the caller failed).
    """

    def __init__(
        self,
        queries: list[Query],
        list_path: Path,
        threshold: float = DEFAULT_THRESHOLD,
        workers: int | None = None,
    ) -> None:
        workers = usable_workers(workers or os.cpu_count() or 1, "sanctions screening")
        self._pool: ProcessPoolExecutor | None = None
        self._queries = queries
        self._list_path = list_path
        self._threshold = threshold
        self._futures: list[Future[list[tuple[str, list[Match]]]]] = []
        if workers > 1:
            with main_script_hidden():
                self._pool = spawned_executor(
                    workers, initializer=_init_worker_from_list, initargs=(list_path, threshold)
                )
                self._futures = [
                    self._pool.submit(_screen_chunk, chunk)
                    for chunk in _chunks(iter(queries), CHUNK)
                ]

    def results(self) -> Iterator[tuple[str, list[Match]]]:
        """(query id, matches) for every query, in query order (waits for the workers)."""
        if self._pool is None:  # one process: screened here, now
            from finflow.screen import load_list

            screener = Screener(load_list(self._list_path))
            yield from screen_queries(screener, iter(self._queries), self._threshold, 1)
            return
        for future in self._futures:
            yield from future.result()

    def __enter__(self) -> ScreeningJob:
        return self

    def __exit__(self, *exc: object) -> None:
        # Not waiting for the workers to exit (~0.7 s): the pool's own thread reaps them.
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
