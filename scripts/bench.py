"""`make bench`: time and memory of `finflow run`, stage by stage, against a bare floor.

For each size it generates an AMLworld-format data set once (cached under `.bench/`), then runs
every stage in its own process (so each stage's peak memory is its own), several times, and
reports the median. The floor is polars reading the same transactions CSV and writing Parquet,
measured in the same session, so every figure is also a ratio to what the machine can do.

    python scripts/bench.py [--sizes 1000000,5000000] [--repeat 3] [--write docs/benchmarks.md]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench"
STAGES = ["ingest", "validate", "detect", "score", "casepacks", "store"]
SEED = 20220901

STAGE_CODE = {
    "ingest": "p.stage_ingest(Path(a[0]), Path(a[1]), logical_date='2022-10-01T00:00:00+00:00')",
    "validate": "p.stage_validate(Path(a[1]))",
    "detect": "p.stage_detect(Path(a[1]))",
    "score": "p.stage_score(Path(a[1]))",
    "casepacks": "p.stage_casepacks(Path(a[1]))",
    "store": "p.stage_store(Path(a[1])); p.finish(Path(a[1]))",
}
FLOOR_CODE = (
    "import polars as pl; "
    "pl.scan_csv(a[0] + '/SYNTH_Trans.csv', infer_schema=False)"
    ".sink_parquet(a[1] + '/floor.parquet')"
)


def measure(code: str, *args: str) -> tuple[float, float]:
    """Run `code` in a fresh interpreter; return (wall seconds, peak RSS in MiB)."""
    prelude = "import sys; from pathlib import Path; from finflow import pipeline as p; a = sys.argv[1:]; "
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", prelude + code, *args])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {code}")
    return wall, usage.ru_maxrss / 1024


def dataset(rows: int) -> Path:
    folder = CACHE / f"synth-{rows}-{SEED}"
    if not (folder / "SYNTH_Trans.csv").exists():
        from finflow.synth import generate

        generate(folder, rows, SEED)
    return folder


def bench_size(rows: int, repeat: int) -> dict[str, object]:
    feeds = dataset(rows)
    results: dict[str, list[tuple[float, float]]] = {s: [] for s in [*STAGES, "floor"]}
    for _ in range(repeat):
        out = CACHE / f"out-{rows}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        results["floor"].append(measure(FLOOR_CODE, str(feeds), str(out)))
        for stage in STAGES:
            results[stage].append(measure(STAGE_CODE[stage], str(feeds), str(out)))
    run = json.loads((CACHE / f"out-{rows}" / "run.json").read_text())
    median = {
        s: (statistics.median(w for w, _ in v), statistics.median(m for _, m in v))
        for s, v in results.items()
    }
    return {"rows": rows, "median": median, "run": run}


def table(results: list[dict[str, object]], repeat: int) -> str:
    lines = [
        "| rows | stage | wall s (median) | x floor | peak MiB | rows/s |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for res in results:
        rows = int(res["rows"])  # type: ignore[call-overload]
        med: dict[str, tuple[float, float]] = res["median"]  # type: ignore[assignment]
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
    lines.append("")
    lines.append(
        f"Median of {repeat} runs; each stage runs in its own Python process (peak = that "
        "process's maximum resident set size; the total row shows the largest stage). "
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = [bench_size(n, args.repeat) for n in sizes]
    text = table(results, args.repeat)
    print(text)
    marker_start, marker_end = "<!-- bench:start -->", "<!-- bench:end -->"
    doc = args.write.read_text() if args.write.exists() else f"{marker_start}\n{marker_end}\n"
    head, _, rest = doc.partition(marker_start)
    _, _, tail = rest.partition(marker_end)
    args.write.write_text(f"{head}{marker_start}\n{text}\n{marker_end}{tail}")


if __name__ == "__main__":
    main()
