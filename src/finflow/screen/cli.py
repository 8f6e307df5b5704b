"""What `finflow screen` and `finflow screen-evaluate` do (the argument parsing is in finflow.cli).

``finflow screen --list PATH --queries PATH --out PATH [--threshold T] [--workers N]``
    screens a query CSV; ``--list`` defaults to the shipped fictional list.
``finflow screen-evaluate [--list L --queries Q --truth T] [--seed S --size N] [--write DIR]
[--threshold T] [--compare]``
    evaluates on a given labelled set, or on one generated from ``--seed``/``--size`` (kept in
    ``--write`` if given); ``--compare`` adds nomenklatura logic-v1 and logic-v2 at 0.7.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from finflow.errors import InputError
from finflow.screen.baseline import BASELINES, YENTE_THRESHOLD
from finflow.screen.batch import screen_file
from finflow.screen.evaluate import TruthFileError, load_set, metrics, run_baseline, run_finflow
from finflow.screen.generate import generate_set
from finflow.screen.lists import default_list_path, load_list
from finflow.screen.report import overall_table, sweep_table, variant_table
from finflow.screen.screener import DEFAULT_THRESHOLD, Screener


def _threshold(value: float | None) -> float:
    threshold = DEFAULT_THRESHOLD if value is None else value
    if not 0.0 < threshold <= 1.0:
        raise InputError(f"--threshold {threshold} is not in (0, 1]")
    return threshold


def screen_command(args: argparse.Namespace) -> str:
    threshold = _threshold(args.threshold)
    sanctions = load_list(args.list or default_list_path())
    counts = screen_file(sanctions, args.queries, args.out, threshold, args.workers)
    return (
        f"screened {counts['queries']:,} queries against {len(sanctions):,} designations "
        f"({sanctions.layout} list {sanctions.report_date or 'undated'}): "
        f"{counts['queries_with_candidates']:,} with possible matches, {counts['rows']:,} rows "
        f"at threshold {threshold:.2f} -> {args.out}\n"
        "  every row is a possible match for human review, not a conclusion"
    )


def evaluate_folder(
    list_path: Path, queries_path: Path, truth_path: Path, threshold: float, compare: bool
) -> str:
    """The markdown report of one labelled set."""
    sanctions = load_list(list_path)
    try:
        queries, truth = load_set(queries_path, truth_path)
    except (TruthFileError, FileNotFoundError) as exc:
        raise InputError(f"truth file: {exc}") from exc
    screener = Screener(sanctions)
    ours, speed = run_finflow(screener, queries, truth)
    rows = [(f"finflow (threshold {threshold:.2f})", metrics(ours, threshold), speed)]
    if compare:
        for name in BASELINES:
            theirs, their_speed = run_baseline(name, sanctions, ours)
            rows.append((f"nomenklatura {name}", metrics(theirs, YENTE_THRESHOLD), their_speed))
    head = (
        f"{len(sanctions):,} designations ({sanctions.name_rows:,} name rows), "
        f"{len(queries):,} queries ({rows[0][1].positives:,} positive, "
        f"{rows[0][1].negatives:,} negative)\n\n"
    )
    return (
        head
        + overall_table(rows)
        + "\n"
        + variant_table([(name, m) for name, m, _ in rows])
        + "\nfinflow threshold sweep:\n\n"
        + sweep_table(ours)
    )


def screen_evaluate_command(args: argparse.Namespace) -> str:
    threshold = _threshold(args.threshold)
    given = (args.list, args.queries, args.truth)
    if any(given):
        if not all(given):
            raise InputError("give --list, --queries and --truth together, or none of them")
        return evaluate_folder(args.list, args.queries, args.truth, threshold, args.compare)
    if args.size < 10:
        raise InputError(f"--size {args.size}: generate at least 10 designations")
    with tempfile.TemporaryDirectory(prefix="finflow-screen-") as tmp:
        folder = args.write or Path(tmp)
        generate_set(folder, args.seed, args.size)
        header = f"generated set: seed {args.seed}, size {args.size}\n\n"
        return header + evaluate_folder(
            folder / "list.csv",
            folder / "queries.csv",
            folder / "truth.csv",
            threshold,
            args.compare,
        )
