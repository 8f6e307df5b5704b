"""Sanctions screening benchmark: throughput, index recall, and quality against nomenklatura.

    .venv/bin/python scripts/bench_screen.py            # writes the results into docs/screening.md

1. Generates an invented list of 5,000 designations (about 20,000 name rows, the real list's
   size) in the FCDO layout, a labelled evaluation set and a separate throughput set of about
   20,000 queries on the same list.
2. Throughput: the throughput set screened as `finflow screen` screens it (a `ScreeningJob`),
   on 2 worker processes and on 1 process, timed from the list file to the last result:
   reading the list and building the index (in each worker) included.
3. Recall unchanged by the index: a sample of the evaluation queries screened with the index
   and by comparing every pair; the results must be identical.
4. Quality: finflow at its default threshold against nomenklatura logic-v1 and logic-v2 at
   yente's 0.7, on the same queries, in the same run; then the same on sets from other seeds.
The figures go between the ``<!-- bench:start -->`` and ``<!-- bench:end -->`` markers of
docs/screening.md (``--docs ''`` to only print them).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

from finflow.screen import DEFAULT_THRESHOLD, Screener, load_list
from finflow.screen.baseline import BASELINES, YENTE_THRESHOLD
from finflow.screen.batch import ScreeningJob, read_queries
from finflow.screen.evaluate import load_set, metrics, run_baseline, run_finflow
from finflow.screen.generate import generate_set
from finflow.screen.report import overall_table, sweep_table, variant_table

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _cpu() -> float:
    """CPU seconds of this process and its finished worker processes."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def throughput(list_path: Path, folder: Path, workers: int) -> tuple[int, float, int, float]:
    """(queries, queries per wall second, rows, queries per CPU second) of a `ScreeningJob` on
    `workers` processes, from reading the list file to the last result."""
    queries = list(read_queries(folder / "queries.csv"))
    started, cpu = time.perf_counter(), _cpu()
    with ScreeningJob(queries, list_path, workers=workers) as job:
        hits = sum(len(m) for _, m in job.results())
        job.close(wait=True)  # the workers' CPU is counted once they have exited
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    return len(queries), len(queries) / wall, hits, len(queries) / cpu


def index_check(screener: Screener, folder: Path, sample: int) -> tuple[int, int, int, bool]:
    """Screen a sample with the index and by brute force; (queries, found, found_brute, same)."""
    queries, truth = load_set(folder / "queries.csv", folder / "truth.csv")
    step = max(1, len(queries) // sample)
    chosen = queries[::step][:sample]
    brute = Screener(screener.list, use_index=False)
    same = True
    found = found_brute = 0
    for q in chosen:
        a = [(m.unique_id, m.score) for m in screener.screen(q.name, q.dob, q.kind)]
        b = [(m.unique_id, m.score) for m in brute.screen(q.name, q.dob, q.kind)]
        same = same and a == b
        uid = truth[q.query_id][0]
        found += any(u == uid for u, _ in a) if uid else 0
        found_brute += any(u == uid for u, _ in b) if uid else 0
    return len(chosen), found, found_brute, same


def quality(folder: Path, compare: bool) -> tuple[str, list[tuple[str, float, float]]]:
    sanctions = load_list(folder / "list.csv")
    queries, truth = load_set(folder / "queries.csv", folder / "truth.csv")
    ours, speed = run_finflow(Screener(sanctions), queries, truth)
    rows = [
        (f"finflow (threshold {DEFAULT_THRESHOLD:.2f})", metrics(ours, DEFAULT_THRESHOLD), speed)
    ]
    if compare:
        for name in BASELINES:
            say(f"  nomenklatura {name} ...")
            theirs, their_speed = run_baseline(name, sanctions, ours)
            rows.append((f"nomenklatura {name}", metrics(theirs, YENTE_THRESHOLD), their_speed))
    m0 = rows[0][1]
    text = (
        f"{len(sanctions):,} designations ({sanctions.name_rows:,} name rows), "
        f"{len(queries):,} queries ({m0.positives:,} positive, {m0.negatives:,} negative)\n\n"
        + overall_table(rows)
        + "\nRecall per variant kind (positives) and share flagged (negatives):\n\n"
        + variant_table([(n, m) for n, m, _ in rows])
        + "\nfinflow threshold sweep (same set):\n\n"
        + sweep_table(ours)
    )
    return text, [(n, m.f1, m.fpr) for n, m, _ in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--per-kind", type=int, default=100, help="evaluation queries per kind")
    parser.add_argument("--throughput-per-kind", type=int, default=750)
    parser.add_argument("--brute-sample", type=int, default=200)
    parser.add_argument("--other-seeds", default="11,12,13", help="extra seeds (1,000 each)")
    parser.add_argument("--docs", default=str(ROOT / "docs" / "screening.md"))
    args = parser.parse_args()

    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as tmp:
        evalset, speedset = Path(tmp) / "eval", Path(tmp) / "speed"
        say(f"generating {args.size:,} designations (seed {args.seed}) ...")
        generate_set(evalset, args.seed, args.size, args.per_kind)
        generate_set(speedset, args.seed, args.size, args.throughput_per_kind)
        assert (evalset / "list.csv").read_bytes() == (speedset / "list.csv").read_bytes()
        started = time.perf_counter()
        sanctions = load_list(evalset / "list.csv")
        screener = Screener(sanctions)
        build = time.perf_counter() - started
        say(f"index built in {build:.1f}s; throughput ...")
        load_before = os.getloadavg()[0]
        n, two, hits, two_cpu = throughput(speedset / "list.csv", speedset, workers=2)
        _, one, _, one_cpu = throughput(speedset / "list.csv", speedset, workers=1)
        load = os.getloadavg()
        say("index vs every pair ...")
        sample, found, found_brute, same = index_check(screener, evalset, args.brute_sample)
        say("quality (finflow, logic-v1, logic-v2) ...")
        main_table, _ = quality(evalset, compare=True)
        summary = []
        for seed in [int(s) for s in args.other_seeds.split(",") if s.strip()]:
            folder = Path(tmp) / f"seed{seed}"
            say(f"seed {seed} ...")
            generate_set(folder, seed, 1000, 40)
            _, rows = quality(folder, compare=True)
            summary.append((seed, rows))

    out.append(
        f"Run: `python scripts/bench_screen.py` (seed {args.seed}), {time.strftime('%Y-%m-%d')}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {load_before:.1f} before and {load[0]:.1f} after the throughput runs "
        "(1-minute; the machine was shared with other work).\n"
    )
    out.append("### Throughput\n")
    out.append(
        "| list | queries | index build | 2 processes, wall clock | 1 process, wall clock "
        "| per CPU-second (2 processes / 1) | rows written |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {len(sanctions):,} designations, {sanctions.name_rows:,} name rows | {n:,} | "
        f"{build:.1f} s | **{two:,.0f} queries/s** | {one:,.0f} queries/s | "
        f"{two_cpu:,.0f} / {one_cpu:,.0f} | {hits:,} |\n\n"
        "Both wall clocks run from the list file to the last result, as `finflow screen` "
        "screens: reading the list and building the index (in each worker, at the same time) "
        "included; the index build column is that part alone, in one process. Wall clock "
        "includes waiting for the CPU when other processes run; queries per CPU-second is what "
        "the screening costs, index builds included.\n"
    )
    out.append("### Index recall against comparing every pair\n")
    out.append(
        f"{sample} evaluation queries screened both ways at threshold {DEFAULT_THRESHOLD}: "
        f"results {'identical' if same else 'DIFFERENT'} (true designation found {found} "
        f"times with the index, {found_brute} comparing every pair).\n"
    )
    out.append(
        f"### Quality at the default threshold ({DEFAULT_THRESHOLD}) vs nomenklatura at 0.7\n"
    )
    out.append(main_table)
    out.append("\n### Other seeds (1,000 designations each, 40 queries per kind)\n")
    lines = ["| seed | " + " | ".join(f"{n} F1 / FP rate" for n, _, _ in summary[0][1]) + " |"]
    lines.append("| ---: |" + " ---: |" * len(summary[0][1]))
    for seed, rows in summary:
        lines.append(
            f"| {seed} | " + " | ".join(f"{f1:.3f} / {fpr:.3f}" for _, f1, fpr in rows) + " |"
        )
    out.append("\n".join(lines) + "\n")
    text = "\n".join(out)
    print(text)
    if args.docs:
        docs = Path(args.docs)
        current = docs.read_text(encoding="utf-8")
        if START in current and END in current:
            head, rest = current.split(START, 1)
            tail = rest.split(END, 1)[1]
            docs.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")
            say(f"results written into {docs}")
        else:
            say(f"{docs} has no {START} ... {END} markers: not written")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
