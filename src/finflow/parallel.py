"""Process pools that work wherever finflow runs: a shell, pytest, or an Airflow task.

finflow spreads two kinds of work over the cores: case packs (`finflow.casepack.batch`) and
sanctions screening (`finflow.screen.batch`). Their workers are always *spawned*, never forked
(polars is not fork-safe). Inside an Airflow task, a plain spawn pool fails in two ways:

* Celery's default ``prefork`` pool runs each task in a *daemonic* process, and a daemonic
  process may not have children (``daemonic processes are not allowed to have children``);
* a spawned child first imports its parent's main script as ``__mp_main__``. In an Airflow
  task that is the ``airflow`` script, whose settings then fail on the placeholder database
  URL that Airflow 3 gives task processes.

`usable_workers` turns a request for several processes into one (work in the calling process)
in a daemonic process, and says so in the log. `spawn_pool` starts its workers without
importing the main script: every finflow worker is a module-level function of a finflow
module, so a child needs finflow and nothing of its parent's script.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)


def usable_workers(requested: int, what: str) -> int:
    """`requested`, or 1 when this process may not start children (a daemonic process)."""
    if requested > 1 and multiprocessing.current_process().daemon:
        log.info(
            "%s: one process instead of %d (this is a daemonic process, e.g. a task of a "
            "Celery prefork worker, which may not start processes)",
            what,
            requested,
        )
        return 1
    return requested


@contextmanager
def main_script_hidden() -> Iterator[None]:
    """While the pool starts its workers, a main *script* (not a module) is not re-imported.

    `multiprocessing` re-imports the main module in a spawned child by name when it was run as
    a module (``python -m ...``: harmless) and by path when it was run as a script; the path
    comes from ``__main__.__file__``, which is hidden for the pool's lifetime.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None or "__file__" not in vars(main):
        yield
        return
    path = vars(main).pop("__file__")
    try:
        yield
    finally:
        main.__file__ = path


@contextmanager
def spawn_pool(workers: int, **kwargs: Any) -> Iterator[ProcessPoolExecutor]:
    """A `ProcessPoolExecutor` of `workers` spawned processes (see the module docstring)."""
    with main_script_hidden(), spawned_executor(workers, **kwargs) as pool:
        yield pool


def spawned_executor(workers: int, **kwargs: Any) -> ProcessPoolExecutor:
    """A `ProcessPoolExecutor` of `workers` spawned processes, for a caller that manages its
    lifetime itself; its processes start when work is submitted, which the caller does inside
    `main_script_hidden`."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), **kwargs)
