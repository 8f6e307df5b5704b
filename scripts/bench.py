"""`make bench`: time and memory of `finflow run`, stage by stage, against a bare floor.

For each size it generates an AMLworld-format data set once (cached under `.bench/`), then runs
every stage in its own process (so each stage's peak memory is its own), several times, and
reports the median. The floor is polars reading the same transactions CSV and writing Parquet,
measured in the same session, so every figure is also a ratio to what the machine can do.

Peak memory is the largest proportional set size (PSS) of the stage's whole process tree (the
case-pack workers and Chromium included), sampled every 0.1 s, and never less than the
kernel's ``ru_maxrss`` of the stage process. The 1-minute load average is recorded before and after
each size: figures taken on a busy machine say so.

Results are kept per size in ``.bench/results.json``, so sizes can be measured in separate
invocations (`--sizes 5000000 --repeat 1`) and the table in docs/benchmarks.md shows every
size measured so far, each with its own date, number of runs and load.

    python scripts/bench.py [--sizes 1000000,5000000] [--repeat 3] [--repeat-big 1]
                            [--write docs/benchmarks.md] [--pdf-top 10]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench"
RESULTS = CACHE / "results.json"
STAGES = ["ingest", "validate", "detect", "score", "casepacks", "store"]
SEED = 20220901
BIG = 1_000_000
"""Sizes above this are run `--repeat-big` times (a 5M run takes many minutes)."""

STAGE_CODE = {
    "ingest": "p.stage_ingest(Path(a[0]), Path(a[1]), logical_date='2022-10-01T00:00:00+00:00')",
    "validate": "p.stage_validate(Path(a[1]))",
    "detect": "p.stage_detect(Path(a[1]))",
    "score": "p.stage_score(Path(a[1]))",
    "casepacks": "p.stage_casepacks(Path(a[1]), pdf_top=int(a[2]))",
    "store": "p.stage_store(Path(a[1])); p.finish(Path(a[1]))",
}
FLOOR_CODE = (
    "import polars as pl; "
    "pl.scan_csv(a[0] + '/SYNTH_Trans.csv', infer_schema=False)"
    ".sink_parquet(a[1] + '/floor.parquet')"
)
PRELUDE = (
    "import sys; from pathlib import Path; from finflow import pipeline as p; a = sys.argv[1:]\n"
    "if __name__ == '__main__':\n    "
)


def _tree_memory(proc: psutil.Process) -> int:
    """Proportional set size (PSS) of `proc` and all its descendants now, in bytes.

    PSS, not RSS: Chromium (PDFs) and the spawned case-pack workers share pages, which a sum
    of RSS would count once per process.
    """
    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_full_info().pss
        except psutil.Error:
            continue
    return total


def measure(code: str, *args: str) -> tuple[float, float]:
    """Run `code` in a fresh interpreter; return (wall seconds, peak memory of its tree, MiB)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", PRELUDE + code, *args])
    watched = psutil.Process(child.pid)
    peak = 0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _tree_memory(watched))
        time.sleep(0.1)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"benchmark step failed: {code}")
    return wall, max(peak / 2**20, usage.ru_maxrss / 1024)


def dataset(rows: int) -> Path:
    folder = CACHE / f"synth-{rows}-{SEED}"
    if not (folder / "SYNTH_Trans.csv").exists():
        from finflow.synth import generate

        generate(folder, rows, SEED)
    return folder


def bench_size(rows: int, repeat: int, pdf_top: int) -> dict[str, Any]:
    feeds = dataset(rows)
    load_before = os.getloadavg()[0]
    results: dict[str, list[tuple[float, float]]] = {s: [] for s in [*STAGES, "floor"]}
    out = CACHE / f"out-{rows}"
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        results["floor"].append(measure(FLOOR_CODE, str(feeds), str(out)))
        for stage in STAGES:
            results[stage].append(measure(STAGE_CODE[stage], str(feeds), str(out), str(pdf_top)))
    run = json.loads((out / "run.json").read_text())
    median = {
        s: [statistics.median(w for w, _ in v), statistics.median(m for _, m in v)]
        for s, v in results.items()
    }
    return {
        "rows": rows,
        "median": median,
        "runs": repeat,
        "measured": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "cases": run["stages"]["score"]["cases"],
        "alerts": run["stages"]["detect"]["alerts"],
        "pdfs": run["stages"]["casepacks"]["pdfs"],
        "workers": os.environ.get("FINFLOW_WORKERS") or str(os.cpu_count()),
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| rows | stage | wall s (median) | x floor | peak MiB | rows/s |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    notes = []
    for res in sorted(results, key=lambda r: int(r["rows"])):
        rows = int(res["rows"])
        med: dict[str, list[float]] = res["median"]
        floor = med["floor"][0]
        total = sum(med[s][0] for s in STAGES)
        for stage in [*STAGES, "floor"]:
            wall, mem = med[stage]
            lines.append(
                f"| {rows:,} | {stage} | {wall:.1f} | {wall / floor:.1f} | {mem:,.0f} | "
                f"{rows / wall:,.0f} |"
            )
        peak = max(med[s][1] for s in STAGES)
        lines.append(
            f"| {rows:,} | **total** | **{total:.1f}** | {total / floor:.1f} | {peak:,.0f} | "
            f"{rows / total:,.0f} |"
        )
        notes.append(
            f"{rows:,} rows: median of {res['runs']} run(s), measured {res['measured']}, "
            f"1-minute load average {res['load'][0]} before and {res['load'][1]} after; "
            f"{res['alerts']:,} alerts, {res['cases']:,} cases, {res['pdfs']} PDFs, "
            f"case packs on {res['workers']} processes."
        )
    lines.append("")
    lines.append(
        "Each stage runs in its own Python process, including its imports (peak = the largest "
        "memory (PSS) of that process with its workers and Chromium, sampled every 0.1 s; the "
        "total row shows the largest stage). "
        f"Machine: {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, {platform.machine()}, "
        f"Python {platform.python_version()}."
    )
    lines.append("")
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size up to 1M rows")
    parser.add_argument("--repeat-big", type=int, default=1, help="runs per size above 1M")
    parser.add_argument("--pdf-top", type=int, default=10)
    parser.add_argument("--write", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    CACHE.mkdir(exist_ok=True)
    kept: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for n in sizes:
        repeat = args.repeat if n <= BIG else args.repeat_big
        kept[str(n)] = bench_size(n, repeat, args.pdf_top)
        RESULTS.write_text(json.dumps(kept, indent=2) + "\n")
    text = table(list(kept.values()))
    print(text)
    marker_start, marker_end = "<!-- bench:start -->", "<!-- bench:end -->"
    doc = args.write.read_text() if args.write.exists() else f"{marker_start}\n{marker_end}\n"
    head, _, rest = doc.partition(marker_start)
    _, _, tail = rest.partition(marker_end)
    args.write.write_text(f"{head}{marker_start}\n{text}\n{marker_end}{tail}")


if __name__ == "__main__":
    main()
