"""A stage's validation batches spread over processes, with the outputs one process gives.

great-expectations validates pandas on one core, and a large file is validated in batches of
a million rows that do not depend on each other. `validate_batches` validates them in the
calling process and in spawned helper processes (polars is not fork-safe, see
`finflow.parallel`); each process reads its batch from the lake itself, so no frame is passed
between processes. What does not depend on the number of processes:

- **result files**: each batch's depends on that batch only;
- **GX stores and Data Docs**: every process files its results into the same folder's stores;
  the suites are stored once, by the calling process, before any helper reads them
  (`ValidationRun.prepare`), and the Data Docs are built once, by the calling process, at the
  end. GX sorts its index by run time, so each batch's run time is the stage's start plus its
  position in milliseconds: the index lists the batches in batch order whichever process
  finished first;
- **a critical failure**: once a batch has failed no other is started, and the error is that
  of the first failed batch in batch order, raised after the Data Docs are built.

A helper costs its imports (great-expectations: ~3 s of CPU), started while the calling
process imports its own, so helpers start only from `PARALLEL_FROM` batches.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from finflow.casepack.batch import settings_workers
from finflow.parallel import spawn_pool, usable_workers
from finflow.validate.gx_suites import (
    SuiteValidationFailed,
    ValidationRun,
    ValidationSummary,
    failure_message,
)

log = logging.getLogger(__name__)

__all__ = ["PARALLEL_FROM", "Batch", "validate_batches"]

PARALLEL_FROM = 3
"""Fewer batches than this are validated in the calling process alone: a helper's imports take
about as long as a batch, so it would finish little before the calling process does. From 3 it
pays in wall time: at 5M (6 batches, ~2.1 s of CPU each) one process took 15.6-16.3 s wall and
15.5 s CPU, two processes 10.1 s wall and 17.2 s CPU (measured with pyarrow installed)."""
RUN_TIME_STEP = timedelta(milliseconds=1)
"""Between the GX run times of consecutive batches (their order in GX's Data Docs index)."""


@dataclass(frozen=True)
class Batch:
    """Rows ``[start, start + length)`` of the lake file `path`, to be checked by `suite`.

    `file` is the feed file the rows came from (named in a failure's message); `constants`
    are Int64 columns added to every row for the suite (the feed's rows read, say).
    """

    path: Path
    start: int
    length: int
    suite: str
    batch_id: str
    file: str
    parameters: dict[str, Any] | None = None
    constants: dict[str, int] = field(default_factory=dict)

    def frame(self) -> pl.DataFrame:
        """The batch's rows with its constant columns."""
        extra = {name: pl.lit(value, dtype=pl.Int64) for name, value in self.constants.items()}
        scan = pl.scan_parquet(self.path).slice(self.start, self.length)
        return scan.with_columns(**extra).collect()


def validate_batches(
    out_dir: Path, batches: Sequence[Batch], *, workers: int | None = None
) -> list[ValidationSummary]:
    """Validate every batch into `out_dir` and build its Data Docs; the summaries in order.

    Up to `workers` processes (default ``FINFLOW_WORKERS``, else every core) share the
    batches, the calling process included. Raises `SuiteValidationFailed` for the first
    batch, in order, with a failed critical expectation (its message names the batch's file).
    """
    wanted = settings_workers() if workers is None else workers
    helpers = max(usable_workers(wanted, "validation") - 1, 0)
    if len(batches) < PARALLEL_FROM:
        helpers = 0
    started = datetime.now(UTC)
    run_times = [started + number * RUN_TIME_STEP for number in range(len(batches))]
    with ExitStack() as stack:
        pool = stack.enter_context(spawn_pool(helpers)) if helpers else None
        if pool is not None:
            for _ in range(helpers):  # each starts a helper process, importing while we do
                pool.submit(_warm_up)
        run = ValidationRun(out_dir)
        run.prepare(dict.fromkeys(batch.suite for batch in batches))
        summaries = _validate_all(run, batches, run_times, pool, helpers)
    run.finish()
    done = [summary for summary in summaries if summary is not None]
    for batch, summary in zip(batches, summaries, strict=True):
        if summary is not None and summary["failed_critical"]:
            raise SuiteValidationFailed(f"{batch.file}: {failure_message(summary)}", summary)
    log.info("validation: %d batches on %d processes", len(done), helpers + 1)
    return done


def _validate_all(
    run: ValidationRun,
    batches: Sequence[Batch],
    run_times: Sequence[datetime],
    pool: ProcessPoolExecutor | None,
    helpers: int,
) -> list[ValidationSummary | None]:
    """Each process takes the next batch when it is free: the calling process on this thread,
    each helper through a thread of its own that hands it one batch at a time."""
    summaries: list[ValidationSummary | None] = [None] * len(batches)
    waiting = deque(range(len(batches)))
    lock = threading.Lock()

    def take() -> int | None:
        with lock:
            failed = any(s is not None and s["failed_critical"] for s in summaries)
            return None if failed or not waiting else waiting.popleft()

    def hand_to_helper() -> None:
        assert pool is not None
        while (number := take()) is not None:
            job = pool.submit(_check_in_helper, run.out_dir, batches[number], run_times[number])
            summaries[number] = job.result()

    with ThreadPoolExecutor(max(helpers, 1)) as threads:
        feeders = [threads.submit(hand_to_helper) for _ in range(helpers)]
        try:
            while (number := take()) is not None:
                summaries[number] = _check(run, batches[number], run_times[number])
        finally:
            with lock:  # after an error here, the helpers start nothing new either
                waiting.clear()
        for feeder in feeders:
            feeder.result()  # re-raises a helper's error
    return summaries


def _check(run: ValidationRun, batch: Batch, run_time: datetime) -> ValidationSummary:
    return run.check(
        batch.frame(), batch.suite, batch.batch_id, parameters=batch.parameters, run_time=run_time
    )


_HELPER_RUNS: dict[Path, ValidationRun] = {}
"""A helper process's run per output folder, made at its first batch (after the suites were
stored) and kept for the next ones: one GX context per process, as in the calling process."""


def _warm_up() -> None:
    """Helper: import great-expectations (the run itself waits for the stored suites)."""
    from finflow.validate.gx_specs import import_gx

    import_gx()


def _check_in_helper(out_dir: Path, batch: Batch, run_time: datetime) -> ValidationSummary:
    """Helper: validate one batch into `out_dir` with the suites the calling process stored."""
    if out_dir not in _HELPER_RUNS:
        _HELPER_RUNS[out_dir] = ValidationRun(out_dir, stored_suites=True)
    return _check(_HELPER_RUNS[out_dir], batch, run_time)
