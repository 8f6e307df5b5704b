"""Batch validation with great-expectations 1.x suites shipped as ``expectations/*.json``.

A `ValidationRun` (one per stage) runs suites over polars DataFrames, batch by batch, and
leaves, under the run's ``OUT/validation/`` folder (`validate_frame` is a run of one batch):

- ``{suite}__{batch_id}.json``: GX's validation result, minus the run-time clock values and
  uuids, so identical input gives a byte-identical file;
- ``data_docs/index.html``: GX Data Docs for every suite and batch validated into that folder,
  with plain links that work offline (see `finflow.validate.gx_docs`);
- ``.gx/``: GX's own stores (suites, raw results with their run times) that the Data Docs are
  built from; re-validating a batch replaces its earlier entry.

Each expectation carries ``meta.severity``: a failed ``critical`` one raises `ValidationFailed`
after everything is written; a failed ``warning`` is only reported. The suites are read and
checked by `finflow.validate.gx_specs`.

great-expectations takes seconds to import, so it is imported inside the functions that need
it; importing this module costs nothing.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import polars as pl

from finflow.errors import ValidationFailed
from finflow.validate import gx_docs, gx_report
from finflow.validate.gx_specs import SEVERITIES, check_name, import_gx, load_suite, read_suite_spec
from finflow.validate.pandas_bridge import to_pandas

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.data_context.ephemeral_data_context import (
        EphemeralDataContext,
    )

log = logging.getLogger(__name__)

__all__ = [
    "SEVERITIES",
    "SuiteValidationFailed",
    "ValidationRun",
    "ValidationSummary",
    "failure_message",
    "load_suite",
    "read_suite_spec",
    "validate_frame",
]

DATA_DOCS_DIR = "data_docs"
GX_STORE_DIR = ".gx"
DATASOURCE_NAME = "finflow"
BATCH_DEFINITION_NAME = "whole_frame"

_BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+-]{0,199}")


class ValidationSummary(TypedDict):
    """What `validate_frame` returns (and what `SuiteValidationFailed.summary` holds)."""

    suite: str
    batch_id: str
    success: bool
    evaluated: int
    failed_critical: list[gx_report.Failure]
    failed_warning: list[gx_report.Failure]
    result_file: str
    data_docs: str


class SuiteValidationFailed(ValidationFailed):
    """A critical expectation failed; `summary` says which, and where the results are."""

    def __init__(self, message: str, summary: ValidationSummary) -> None:
        super().__init__(message)
        self.summary = summary


def _referenced_columns(suite: ExpectationSuite) -> list[str] | None:
    """Columns the suite reads, in first-use order; None when it needs every column."""
    columns: list[str] = []
    for expectation in suite.expectations:
        config = expectation.configuration
        kwargs = config.kwargs
        if config.type.startswith("expect_table_column") or kwargs.get("row_condition"):
            return None
        names = [kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")]
        names += list(kwargs.get("column_list") or [])
        columns += [n for n in names if isinstance(n, str) and n not in columns]
    return columns


def _context(out_dir: Path) -> EphemeralDataContext:
    """An ephemeral GX context whose suites, results and Data Docs live under `out_dir`.

    The suite and result stores are on disk (not GX's in-memory default) because GX rebuilds
    the whole site index from its stores and deletes pages it has no source for: with memory
    stores, validating `accounts` would wipe the `transactions` pages from the same folder.
    """
    gx = import_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    def filesystem_store(class_name: str, folder: Path) -> dict[str, Any]:
        backend = {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder)}
        return {"class_name": class_name, "store_backend": backend}

    defaults = InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
    stores = copy.deepcopy(defaults.stores)
    store_root = out_dir / GX_STORE_DIR
    stores[defaults.expectations_store_name] = filesystem_store(
        "ExpectationsStore", store_root / "expectations"
    )
    stores[defaults.validation_results_store_name] = filesystem_store(
        "ValidationResultsStore", store_root / "validations"
    )
    config = DataContextConfig(
        store_backend_defaults=defaults,
        stores=stores,
        data_docs_sites={gx_docs.SITE_NAME: gx_docs.site_config(out_dir / DATA_DOCS_DIR)},
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    context: EphemeralDataContext = gx.get_context(mode="ephemeral", project_config=config)
    return context


class ValidationRun:
    """One great-expectations context for a whole stage (or for each of its processes, see
    `finflow.validate.batches`): every batch validated into `out_dir`.

    The context, the datasource and each suite are set up once, whatever the number of batches;
    each batch's result is written as it is validated and only a small `ValidationSummary` is
    returned, so nothing of a batch outlives its validation. The Data Docs site is built once,
    by `finish` (or on leaving a ``with`` block without an error), or right away when a critical
    expectation fails, before `SuiteValidationFailed` is raised, so the failing batch's page is
    there for the engineer. GX renders every result in its store on each build, so building
    once per stage instead of once per batch also keeps the build linear in the batches.

    `categorical_text` False hands GX text columns as plain strings instead of categoricals
    (see `finflow.validate.pandas_bridge`); the results are the same, only slower.
    `stored_suites` True takes each suite from the store in `out_dir` as another run put it
    there (see `prepare`) instead of replacing it: several processes then validate into one
    folder (`finflow.validate.batches`) without racing on the suite files.
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        suites_dir: Path | None = None,
        categorical_text: bool = True,
        stored_suites: bool = False,
    ) -> None:
        self.out_dir = Path(out_dir)
        self._categorical_text = categorical_text
        self._stored_suites = stored_suites
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.docs_index = self.out_dir / DATA_DOCS_DIR / "index.html"
        self._suites_dir = suites_dir
        self._gx = import_gx()
        self._context = _context(self.out_dir)
        self._suites: dict[str, tuple[ExpectationSuite, list[str] | None]] = {}
        self._unbuilt = False

    def __enter__(self) -> ValidationRun:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is None:
            self.finish()

    def _suite(self, suite_name: str) -> tuple[ExpectationSuite, list[str] | None]:
        """The suite as stored in this run's context, and the columns it reads."""
        if suite_name in self._suites:
            return self._suites[suite_name]
        if self._stored_suites:
            stored = self._context.suites.get(suite_name)
            self._suites[suite_name] = (stored, _referenced_columns(stored))
        else:
            from great_expectations.exceptions.exceptions import DataContextError

            suite = load_suite(suite_name, self._suites_dir)
            try:
                self._context.suites.delete(suite_name)  # an earlier run's copy, on disk
            except DataContextError:
                pass
            suite = self._context.suites.add(suite)
            self._suites[suite_name] = (suite, _referenced_columns(suite))
        return self._suites[suite_name]

    def prepare(self, suite_names: Iterable[str]) -> None:
        """Load and store `suite_names` now, before runs with `stored_suites` read them."""
        for suite_name in suite_names:
            self._suite(suite_name)

    def validate(
        self,
        df: pl.DataFrame,
        suite_name: str,
        batch_id: str,
        *,
        parameters: Mapping[str, Any] | None = None,
        run_time: datetime | None = None,
    ) -> ValidationSummary:
        """Validate `df` against suite `suite_name` as batch `batch_id`; write its result file.

        Returns a `ValidationSummary` (``success`` is True only when every expectation,
        warnings included, passed). Raises `SuiteValidationFailed` when a critical expectation
        failed, after the result file and the Data Docs are written; `ConfigError` for an
        unusable suite or name. `parameters` give the values of the suite's
        ``{"$PARAMETER": name}`` placeholders (see `finflow.validate.feeds`); `run_time` is
        GX's run time for the batch (default: now), see `check`.
        """
        summary = self.check(df, suite_name, batch_id, parameters=parameters, run_time=run_time)
        if summary["failed_critical"]:
            self.finish()
            raise SuiteValidationFailed(failure_message(summary), summary)
        return summary

    def check(
        self,
        df: pl.DataFrame,
        suite_name: str,
        batch_id: str,
        *,
        parameters: Mapping[str, Any] | None = None,
        run_time: datetime | None = None,
    ) -> ValidationSummary:
        """`validate` without raising on a critical failure or building the Data Docs: the
        summary's ``failed_critical`` says what failed (for a caller that decides later).

        `run_time` (default: now) is the time GX files the result under and sorts its Data
        Docs index by (newest first); the result file leaves it out. A caller validating
        batches out of order gives each its own to keep that index in batch order.
        """
        check_name("batch id", batch_id, _BATCH_ID, "letters, digits and ._:=+-")
        suite, columns = self._suite(suite_name)
        gx_docs.clear_batch_pages(self.out_dir / GX_STORE_DIR, suite_name, batch_id)
        gx_docs.clear_batch_pages(self.out_dir / DATA_DOCS_DIR, suite_name, batch_id)
        frame = to_pandas(df, columns, categorical_text=self._categorical_text)
        raw = self._run(frame, suite, batch_id, parameters, run_time)
        data = gx_report.deterministic_result(raw)
        result_file = self.out_dir / f"{suite_name}__{batch_id}.json"
        gx_report.write_json(data, result_file)
        self._unbuilt = True

        critical, warning = gx_report.failures_by_severity(data)
        summary = ValidationSummary(
            suite=suite_name,
            batch_id=batch_id,
            success=bool(data.get("success")),
            evaluated=int((data.get("statistics") or {}).get("evaluated_expectations", 0)),
            failed_critical=critical,
            failed_warning=warning,
            result_file=str(result_file),
            data_docs=str(self.docs_index),
        )
        for failure in warning:
            log.warning(
                "validation %s on %s: %s", suite_name, batch_id, gx_report.failure_text(failure)
            )
        log.info(
            "validation %s on %s: %d expectations, %d critical and %d warning failures",
            suite_name,
            batch_id,
            summary["evaluated"],
            len(critical),
            len(warning),
        )
        return summary

    def _run(
        self,
        frame: pd.DataFrame,
        suite: ExpectationSuite,
        batch_id: str,
        parameters: Mapping[str, Any] | None,
        run_time: datetime | None,
    ) -> dict[str, Any]:
        """GX's result for one batch, as a JSON dict.

        GX's pandas datasource keeps its execution engine, and the engine keeps every batch it
        loaded and every metric it computed on it (a boolean mask per expectation), so one
        datasource for the whole stage would hold every batch until the end. Each batch gets
        its own datasource (same name, so the results read the same), removed with its
        validation definition once the result is taken: the batch is then freed.
        """
        from great_expectations.core.run_identifier import RunIdentifier

        name = f"{suite.name}__{batch_id}"
        datasource = self._context.data_sources.add_pandas(DATASOURCE_NAME)
        try:
            asset = datasource.add_dataframe_asset(suite.name)
            batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION_NAME)
            definition = self._context.validation_definitions.add(
                self._gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
            )
            try:
                result = definition.run(
                    batch_parameters={"dataframe": frame},
                    expectation_parameters=dict(parameters or {}),
                    run_id=RunIdentifier(run_name=batch_id, run_time=run_time),
                )
                raw: dict[str, Any] = result.to_json_dict()  # type: ignore[no-untyped-call]
            finally:
                self._context.validation_definitions.delete(name)
        finally:
            self._context.data_sources.delete(DATASOURCE_NAME)
        return raw

    def finish(self) -> Path:
        """Build the Data Docs site for everything validated into `out_dir` (if anything was
        validated since the last build); return the path of its index."""
        if self._unbuilt:
            self._context.build_data_docs(site_names=[gx_docs.SITE_NAME])
            gx_docs.add_offline_index(self.docs_index.parent, self.out_dir)
            self._unbuilt = False
            log.info("validation Data Docs: %s", self.docs_index)
        return self.docs_index


def failure_message(summary: ValidationSummary) -> str:
    """The message of `SuiteValidationFailed` for a summary with critical failures."""
    return f"validation suite {summary['suite']} failed on {summary['batch_id']}: " + "; ".join(
        gx_report.failure_text(f) for f in summary["failed_critical"]
    )


def validate_frame(
    df: pl.DataFrame,
    suite_name: str,
    out_dir: Path,
    batch_id: str,
    *,
    suites_dir: Path | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> ValidationSummary:
    """Validate one frame in a `ValidationRun` of its own and build the Data Docs.

    The same checks, result file and errors as `ValidationRun.validate`; for a stage with
    several batches use one `ValidationRun` instead (one context, one Data Docs build).
    """
    check_name("batch id", batch_id, _BATCH_ID, "letters, digits and ._:=+-")
    with ValidationRun(out_dir, suites_dir=suites_dir) as run:
        return run.validate(df, suite_name, batch_id, parameters=parameters)
