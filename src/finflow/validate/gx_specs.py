"""great-expectations 1.x suites as shipped in ``expectations/*.json``: read, checked and
loaded as GX suites without losing an expectation (`finflow.validate.gx_suites` runs them).

great-expectations takes seconds to import, so it is imported inside the functions that need
it (`import_gx`); importing this module costs nothing.
"""

from __future__ import annotations

import copy
import gc
import json
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finflow.errors import ConfigError
from finflow.resources import share_dir

if TYPE_CHECKING:
    from types import ModuleType

    from great_expectations.core.expectation_suite import ExpectationSuite

SEVERITIES = ("critical", "warning")
"""Allowed values of an expectation's ``meta.severity``."""

_SUITE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_GX_LOGGERS = ("great_expectations", "altair", "matplotlib")


def import_gx() -> ModuleType:
    """Import great_expectations with its import-time INFO chatter silenced.

    The first import builds hundreds of thousands of long-lived objects (GX, pandas, scipy,
    pydantic models). Python's cyclic garbage collector would go over them on each of its
    passes during the import, and on each full pass afterwards, during the batches: at 1M rows
    a quarter of the stage's CPU. So the collector is paused for the import, and what is alive
    after it is frozen (`gc.freeze`: kept out of every later pass). Objects frozen are still
    freed by reference counting; only a reference cycle among them would stay until the
    process ends, and the modules just imported are never freed anyway.
    """
    for name in _GX_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
    if "great_expectations" in sys.modules:
        return sys.modules["great_expectations"]
    collecting = gc.isenabled()
    gc.disable()
    try:
        import great_expectations as gx
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    return gx


def check_name(kind: str, value: str, pattern: re.Pattern[str], allowed: str) -> None:
    """Names become file and folder names: refuse anything that could escape or collide."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ConfigError(f"{kind} {value!r} is not usable as a file name: use {allowed}")


def read_suite_spec(
    suite_name: str, suites_dir: Path | None = None, _including: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Read and check ``{suites_dir}/{suite_name}.json`` (default: the shipped suites).

    Checks what GX does not: the file is a 1.x suite (``type``, not 0.x ``expectation_type``),
    its name matches the file, and every expectation has ``meta.severity`` in `SEVERITIES`
    and a non-empty ``meta.notes``. Raises `ConfigError` otherwise.

    A suite may name other suites under ``"includes"`` (finflow's key, ignored by GX): their
    expectations come first in the returned ``expectations``, so a per-feed suite extends the
    common ``transactions`` contract without copying it.
    """
    check_name("suite name", suite_name, _SUITE_NAME, "letters, digits, '_' and '-'")
    if suite_name in _including:
        raise ConfigError(f"expectation suites include each other: {' -> '.join(_including)}")
    path = (suites_dir or share_dir("expectations")) / f"{suite_name}.json"
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"expectation suite {suite_name!r} not found at {path}") from exc
    except (OSError, ValueError) as exc:
        raise ConfigError(f"expectation suite {path} is not readable JSON: {exc}") from exc
    if not isinstance(spec, dict) or not isinstance(spec.get("expectations"), list):
        raise ConfigError(f"{path}: not a GX 1.x suite (needs 'name' and 'expectations')")
    if spec.get("name") != suite_name:
        raise ConfigError(f"{path}: suite name {spec.get('name')!r} != file name {suite_name!r}")
    for number, entry in enumerate(spec["expectations"], start=1):
        where = f"{path}: expectation #{number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} is not an object")
        if "expectation_type" in entry:
            raise ConfigError(f"{where} uses 0.x 'expectation_type'; GX 1.x calls it 'type'")
        meta = entry.get("meta") or {}
        if meta.get("severity") not in SEVERITIES:
            raise ConfigError(f"{where} needs meta.severity in {SEVERITIES}")
        if not isinstance(meta.get("notes"), str) or not meta["notes"].strip():
            raise ConfigError(f"{where} needs meta.notes (a sentence for the data engineer)")
        if entry.get("severity", meta["severity"]) != meta["severity"]:
            raise ConfigError(f"{where}: 'severity' and meta.severity disagree")
    includes = spec.get("includes") or []
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ConfigError(f"{path}: 'includes' must be a list of suite names")
    inherited = [
        entry
        for name in includes
        for entry in read_suite_spec(name, suites_dir, (*_including, suite_name))["expectations"]
    ]
    return {**spec, "expectations": inherited + spec["expectations"]}


def _gx_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An expectation as GX takes it: GX's own severity field set from ``meta.severity``,
    so the results and Data Docs show the same severity finflow acts on."""
    return {**entry, "severity": entry["meta"]["severity"]}


def load_suite(suite_name: str, suites_dir: Path | None = None) -> ExpectationSuite:
    """Load a suite as a GX `ExpectationSuite`, refusing to lose any expectation.

    GX's `ExpectationSuite` drops an expectation it cannot build (unknown type, bad kwargs)
    with only a log line. Here every expectation is built first, and a failure raises
    `ConfigError` naming it; the loaded suite must then hold exactly as many expectations as
    the file lists, or `ConfigError` again.
    """
    spec = read_suite_spec(suite_name, suites_dir)
    gx = import_gx()
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    entries = [_gx_entry(e) for e in spec["expectations"]]
    for number, entry in enumerate(entries, start=1):
        try:
            ExpectationConfiguration(**entry).to_domain_obj()
        except Exception as exc:  # GX raises several unrelated types here, pydantic's too
            reason = " ".join(str(getattr(exc, "message", exc)).split())
            raise ConfigError(
                f"expectation suite {suite_name!r}: expectation #{number} "
                f"({entry.get('type')!r}) is invalid: {reason}"
            ) from exc
    suite: ExpectationSuite = gx.ExpectationSuite(
        name=suite_name, expectations=entries, meta=copy.deepcopy(spec.get("meta") or {})
    )
    if len(suite.expectations) != len(entries):
        raise ConfigError(
            f"expectation suite {suite_name!r}: GX loaded {len(suite.expectations)} of "
            f"{len(entries)} expectations; see the great_expectations log for the rejected ones"
        )
    return suite
