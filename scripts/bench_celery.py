"""Beyond one machine: the lake DAGs on a real CeleryExecutor deployment, one worker vs two.

A benchmark, not a test (never run from pytest). It takes an AMLworld-format data set (by
default `finflow generate --rows 1000000 --seed 20220901`, cached under `.bench/` like
`scripts/bench.py`), splits its transactions file into `--files` feed files by booking day
(contiguous day ranges with about the same number of rows, each a complete AMLworld file with
its header), and puts them in one delivery folder with the account, KYC customer and
institution files copied as they are (the ground-truth patterns are left out: not a feed).

Then, for each worker count of `--workers` (default 1 and 2), it starts a fresh Airflow 3
deployment with `tests/integration/airflow_cluster.py` (PostgreSQL metadata database,
api-server, dag-processor, scheduler, Celery workers on Redis, each worker with concurrency 1,
so the comparison is of workers, not of slots), with its own feed folder, lake and cases
folder, and:

1. unpauses `finflow_detect` and lets its daily run (no bookings yesterday: skipped) finish,
   so it does not compete with the ingest for a worker;
2. unpauses `finflow_ingest`: its scheduled run maps one `ingest_file` task per file;
3. waits for the run of `finflow_detect` that the lake asset then triggers, and for its end;
4. reads from the metadata database, per task instance, the worker that ran it (`hostname`:
   each worker records its own name), its start, end and duration, and per DAG run its
   start and end;
5. optionally (`--windows K`), in the last deployment only, triggers K more `finflow_detect`
   runs by hand, one per time partition of the data (K contiguous windows of booking days),
   to show what each window reads with its lookback overlap (they run one after another:
   the DAG has `max_active_runs=1`).

Two settings of the workers (both can be turned off, to reproduce the failures they avoid):

- Celery's `solo` pool (`--celery-pool`; Celery's default is `prefork`). With `prefork`, a
  task runs in a daemonic pool process, and the finflow stages that spread work over spawned
  processes (sanctions screening in `score` from 5,000 parties, case packs from 200 cases)
  fail with "daemonic processes are not allowed to have children". With concurrency 1,
  `solo` runs the same one task at a time per worker.
- The worker started as `python -c "from airflow.__main__ import main; main()" celery worker
  ...` (`--worker-launcher python-c`) instead of the `airflow` script (`--worker-launcher
  script`). A spawned process re-runs the parent's main script first; when that is the
  `airflow` script, it imports Airflow, whose settings cannot parse the database URL that
  Airflow 3 puts in a task's environment (`airflow-db-not-allowed:///`), and the pool breaks
  (`score` fails, `sqlalchemy.exc.ArgumentError`). With `-c` there is no main script to re-run.

Every deployment runs a copy of HEAD's `src/`, `dags/`, `sql/` and `expectations/` made when
the script starts (`--code snapshot`; `--code tree` runs the working tree as it changes), so
commits made meanwhile in a shared tree do not change the code between the two deployments.

It prints markdown tables, keeps the raw figures in `<work>/results.json` and, with
`--write docs/benchmarks.md`, replaces the text between `<!-- celery:start -->` and
`<!-- celery:end -->` there. The 1-minute load average before and after each deployment is
reported: the machine's cores are shared by all workers (and whatever else runs on it).

    python scripts/bench_celery.py [--rows 1000000 | --input DIR] [--files 4] [--workers 1,2]
                                   [--windows 0] [--work .bench/celery] [--write FILE]
                                   [--pdf-top 0] [--celery-pool solo] [--code snapshot]

Needs PostgreSQL (FINFLOW_TEST_PG_ADMIN_URL, default postgres@127.0.0.1:5432/test) and Redis
(FINFLOW_BENCH_REDIS_URL, default redis://127.0.0.1:6379/12; a broker queue of the run's own).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench"
SEED = 20220901
WORKER_NAMES = ("worker_a", "worker_b", "worker_c", "worker_d")
REFERENCE_FILES = ("SYNTH_accounts.csv", "customers.csv", "institutions.csv")
DELIVERY = "synth"
MARKERS = ("<!-- celery:start -->", "<!-- celery:end -->")
LAUNCHERS = {
    "script": (str(Path(sys.executable).with_name("airflow")),),
    "python-c": (sys.executable, "-c", "from airflow.__main__ import main; main()"),
}

# the cluster module reads its Redis URL when imported: a DB of the benchmark's own (the
# integration tests use 13)
os.environ.setdefault(
    "FINFLOW_TEST_REDIS_URL", os.environ.get("FINFLOW_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
)
sys.path.insert(0, str(ROOT / "tests" / "integration"))

import airflow_cluster  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

# -- the data -----------------------------------------------------------------------------


def dataset(rows: int) -> Path:
    """The cached `finflow generate` set of `rows` rows (the same cache as scripts/bench.py)."""
    folder = CACHE / f"synth-{rows}-{SEED}"
    if not (folder / "SYNTH_Trans.csv").exists():
        from finflow.synth import generate

        generate(folder, rows, SEED)
    return folder


def split_by_day(source: Path, target: Path, parts: int) -> list[dict[str, Any]]:
    """Split `source/SYNTH_Trans.csv` into `parts` files of contiguous booking days.

    Days are grouped in order so that every file gets about the same number of rows (a day is
    never cut); lines keep their order and the header is repeated in every file. The reference
    files are copied as they are. Returns one line per transaction file (name, days, rows).
    """
    trans = source / "SYNTH_Trans.csv"
    with trans.open("rb") as source_file:
        header = source_file.readline()
        lines = source_file.readlines()
    per_day: dict[bytes, int] = defaultdict(int)
    for line in lines:
        per_day[line[:10]] += 1
    days = sorted(per_day)
    if parts > len(days):
        raise SystemExit(f"--files {parts}: the data has only {len(days)} booking days")
    groups: list[list[bytes]] = [[] for _ in range(parts)]
    done, total = 0, len(lines)
    for day in days:  # the share of the rows before this day's middle picks its file
        groups[min(int((done + per_day[day] / 2) * parts / total), parts - 1)].append(day)
        done += per_day[day]
    if not all(groups):  # very uneven days: as many days in each file instead
        groups = [days[len(days) * g // parts : len(days) * (g + 1) // parts] for g in range(parts)]
    target.mkdir(parents=True, exist_ok=True)
    day_file: dict[bytes, int] = {d: g for g, group in enumerate(groups) for d in group}
    names = []
    for group in groups:
        first, last = (d.decode().replace("/", "") for d in (group[0], group[-1]))
        names.append(f"SYNTH_Trans_{first}-{last}.csv")
    handles = [(target / name).open("wb") for name in names]
    counts = [0] * parts
    try:
        for handle in handles:
            handle.write(header)
        for line in lines:
            g = day_file[line[:10]]
            handles[g].write(line)
            counts[g] += 1
    finally:
        for handle in handles:
            handle.close()
    for name in REFERENCE_FILES:
        if (source / name).exists():
            shutil.copyfile(source / name, target / name)
    return [
        {
            "file": name,
            "days": [group[0].decode(), group[-1].decode()],
            "rows": counts[g],
        }
        for g, (name, group) in enumerate(zip(names, groups, strict=True))
    ]


def settle(folder: Path) -> None:
    """Back-date every file by an hour: past the ingest DAG's settle time."""
    hour_ago = time.time() - 3600
    for path in folder.rglob("*"):
        os.utime(path, (hour_ago, hour_ago))


def windows(parts: list[dict[str, Any]], count: int) -> list[tuple[str, str]]:
    """`count` contiguous windows [start, end) of whole booking days over the split's days."""
    first = datetime.strptime(parts[0]["days"][0], "%Y/%m/%d").date()
    last = datetime.strptime(parts[-1]["days"][1], "%Y/%m/%d").date()
    span = (last - first).days + 1
    bounds = [first + timedelta(days=round(span * i / count)) for i in range(count + 1)]
    return [(a.isoformat(), b.isoformat()) for a, b in itertools.pairwise(bounds)]


# -- one deployment -----------------------------------------------------------------------

TI_QUERY = text(
    "SELECT dag_id, run_id, task_id, map_index, rendered_map_index, hostname, state, "
    "start_date, end_date, duration, queued_dttm FROM task_instance "
    "WHERE dag_id = :dag AND run_id = :run ORDER BY start_date, map_index"
)
RUN_QUERY = text(
    "SELECT run_type, queued_at, start_date, end_date, state FROM dag_run "
    "WHERE dag_id = :dag AND run_id = :run"
)


def _iso(value: Any) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def read_run(engine: Any, dag_id: str, run_id: str) -> dict[str, Any]:
    """A DAG run and its task instances, from the metadata database."""
    with engine.connect() as connection:
        run = connection.execute(RUN_QUERY, {"dag": dag_id, "run": run_id}).mappings().one()
        tis = connection.execute(TI_QUERY, {"dag": dag_id, "run": run_id}).mappings().all()
    return {
        "dag_id": dag_id,
        "run_id": run_id,
        "run_type": run["run_type"],
        "state": run["state"],
        "queued_at": _iso(run["queued_at"]),
        "start": _iso(run["start_date"]),
        "end": _iso(run["end_date"]),
        "wall_s": (run["end_date"] - run["start_date"]).total_seconds(),
        "tasks": [
            {
                "task_id": t["task_id"],
                "map_index": t["map_index"],
                "file": t["rendered_map_index"],
                "worker": t["hostname"],
                "state": t["state"],
                "queued": _iso(t["queued_dttm"]),
                "start": _iso(t["start_date"]),
                "end": _iso(t["end_date"]),
                "duration_s": t["duration"],
            }
            for t in tis
        ],
    }


def run_dir_summary(cases: Path, detect_xcom: dict[str, Any] | None) -> dict[str, Any]:
    """What a detection run read and found, from its run folder's run.json."""
    if not detect_xcom:
        return {}
    run = json.loads((Path(detect_xcom["out_dir"]) / "run.json").read_text())
    stages = run["stages"]
    return {
        "window": detect_xcom["window"],
        "files": detect_xcom["files"],
        "rows_in_window": detect_xcom["rows"],
        "alerts": stages["detect"]["alerts"],
        "cases": stages["score"]["cases"],
    }


def xcom(c: airflow_cluster.Cluster, dag_id: str, run_id: str, task_id: str) -> Any:
    path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
    value = c.api("GET", path, params={"deserialize": True, "stringify": False})["value"]
    return json.loads(value) if isinstance(value, str) else value


def code_state() -> str:
    """The commit and the uncommitted changes of the code the tasks import (shared tree)."""

    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return run.stdout.strip()

    dirty = git("status", "--porcelain", "--", "src", "dags")
    digest = git("diff", "HEAD", "--", "src", "dags")
    changes = hashlib.sha256(digest.encode()).hexdigest()[:8] if digest else "none"
    files = len(dirty.splitlines())
    return f"{git('rev-parse', '--short', 'HEAD')} + {files} changed files (diff {changes})"


def snapshot(work: Path) -> tuple[Path, str]:
    """`src/`, `dags/`, `sql/` and `expectations/` of HEAD in `<work>/code`: the code every
    deployment runs.

    The working tree is shared with other sessions that commit while a run goes on; the
    tasks import finflow from this copy instead (PYTHONPATH comes before the editable
    install), so both deployments run the same code.
    """
    target = work / "code"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "src", "dags", "sql", "expectations"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target, commit


def deployment(
    work: Path,
    split: Path,
    workers: int,
    pdf_top: int,
    window_list: list[tuple[str, str]],
    budget: float,
    pool: str,
    launcher: str,
    code: tuple[Path, str] | None,
) -> dict[str, Any]:
    home = work / f"workers-{workers}"
    shutil.rmtree(home, ignore_errors=True)
    feeds, lake, cases = home / "feeds", home / "lake", home / "cases"
    shutil.copytree(split, feeds / DELIVERY, copy_function=os.link)  # same bytes, no copy
    settle(feeds)
    names = WORKER_NAMES[:workers]
    extra_env = {
        "AIRFLOW_VAR_FINFLOW_FEED_DIR": str(feeds),
        "AIRFLOW_VAR_FINFLOW_LAKE_DIR": str(lake),
        "AIRFLOW_VAR_FINFLOW_CASES_DIR": str(cases),
        "FINFLOW_PDF_TOP": str(pdf_top),
        "AIRFLOW__CELERY__POOL": pool,
    }
    if code is not None:  # a fixed copy of the code, not the shared working tree
        extra_env |= {
            "PYTHONPATH": str(code[0] / "src"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(code[0] / "dags"),
        }
    print(f"\n== {workers} Celery worker(s): {', '.join(names)} ({home})", flush=True)
    command = LAUNCHERS[launcher]
    with airflow_cluster.cluster(
        home, "CeleryExecutor", extra_env, workers=names, budget=budget, worker_command=command
    ) as c:
        engine = create_engine(c.sql_url, poolclass=NullPool)
        for dag_id in ("finflow_ingest", "finflow_detect"):
            c.wait_for_dag(dag_id, timeout=300)
        # finflow_detect's daily run (yesterday: no booking, skipped) first, alone
        c.unpause("finflow_detect")
        daily = c.wait(
            "the daily run of finflow_detect",
            lambda: c.api("GET", "/dags/finflow_detect/dagRuns")["dag_runs"],
            timeout=180,
        )[0]
        c.wait_for_run("finflow_detect", daily["dag_run_id"], timeout=600)
        time.sleep(5)
        code_before = f"{code[1]} (snapshot)" if code else code_state()
        load_before = os.getloadavg()
        print(f"load average before: {load_before}", flush=True)
        c.unpause("finflow_ingest")  # catchup=False: one scheduled run now
        ingest_run = c.wait(
            "the scheduled run of finflow_ingest",
            lambda: c.api("GET", "/dags/finflow_ingest/dagRuns")["dag_runs"],
            timeout=180,
        )[0]
        ingest_id = ingest_run["dag_run_id"]
        state = c.wait_for_run("finflow_ingest", ingest_id, timeout=budget)
        print(f"finflow_ingest {ingest_id}: {state}", flush=True)

        def asset_run() -> dict[str, Any] | None:
            runs = c.api("GET", "/dags/finflow_detect/dagRuns")["dag_runs"]
            return next((r for r in runs if r["run_type"] == "asset_triggered"), None)

        detect_id = c.wait("the asset-triggered finflow_detect run", asset_run, 300)["dag_run_id"]
        state = c.wait_for_run("finflow_detect", detect_id, timeout=budget)
        print(f"finflow_detect {detect_id}: {state}", flush=True)
        load_after = os.getloadavg()
        code_after = f"{code[1]} (snapshot)" if code else code_state()
        print(f"load average after: {load_after}; code {code_before} -> {code_after}", flush=True)
        ingest = read_run(engine, "finflow_ingest", ingest_id)
        detect = read_run(engine, "finflow_detect", detect_id)
        detect["detection"] = run_dir_summary(
            cases, xcom(c, "finflow_detect", detect_id, "open_detection")
        )
        windowed = []
        for start, end in window_list:
            conf = {"window_start": start, "window_end": end}
            run_id = c.trigger("finflow_detect", conf)
            state = c.wait_for_run("finflow_detect", run_id, timeout=budget)
            print(f"finflow_detect {run_id} {conf}: {state}", flush=True)
            one = read_run(engine, "finflow_detect", run_id)
            one["detection"] = run_dir_summary(
                cases, xcom(c, "finflow_detect", run_id, "open_detection")
            )
            windowed.append(one)
        engine.dispose()
    return {
        "workers": list(names),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "code": [code_before, code_after],
        "ingest": ingest,
        "detect": detect,
        "windows": windowed,
    }


# -- report -------------------------------------------------------------------------------


def _t(value: str | None) -> datetime:
    assert value is not None
    return datetime.fromisoformat(value)


def _span(tasks: list[dict[str, Any]]) -> float:
    if not tasks:
        return 0.0
    return (max(_t(t["end"]) for t in tasks) - min(_t(t["start"]) for t in tasks)).total_seconds()


def report(results: dict[str, Any]) -> str:
    deployments = results["deployments"]
    lines = [
        "| workers | runs | ingest run wall s | `ingest_file` tasks: first start to last end s | "
        "sum of `ingest_file` durations s | detect run wall s | ingest + detect s | "
        "load avg 1/5 min before -> after |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for d in deployments:
        files = [t for t in d["ingest"]["tasks"] if t["task_id"] == "ingest_file"]
        ingest_wall, detect_wall = d["ingest"]["wall_s"], d["detect"]["wall_s"]
        lines.append(
            f"| {len(d['workers'])} | {d['ingest']['state']}, {d['detect']['state']} | "
            f"{ingest_wall:.0f} | {_span(files):.0f} | "
            f"{sum(t['duration_s'] for t in files):.0f} | {detect_wall:.0f} | "
            f"{(_t(d['detect']['end']) - _t(d['ingest']['start'])).total_seconds():.0f} | "
            f"{d['load_before'][0]:.1f}/{d['load_before'][1]:.1f} -> "
            f"{d['load_after'][0]:.1f}/{d['load_after'][1]:.1f} |"
        )
    lines += [
        "",
        "| workers | task | file | rows | worker | start s | duration s |",
        "| ---: | --- | --- | ---: | --- | ---: | ---: |",
    ]
    rows = {p["file"]: p["rows"] for p in results["split"]}
    for d in deployments:
        zero = _t(d["ingest"]["start"])
        for run in (d["ingest"], d["detect"]):
            for t in run["tasks"]:
                if t["start"] is None:
                    continue
                name = (t["file"] or "").split("/")[-1]
                count = f"{rows[name]:,}" if name in rows else ""
                lines.append(
                    f"| {len(d['workers'])} | {run['dag_id'].removeprefix('finflow_')}."
                    f"{t['task_id']} | {name} | {count} | {t['worker']} | "
                    f"{(_t(t['start']) - zero).total_seconds():.0f} | {t['duration_s']:.1f} |"
                )
    lines += [
        "",
        "| workers | worker | `ingest_file` tasks | their seconds | all tasks | busy s |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for d in deployments:
        for worker in d["workers"]:
            mine = [
                t
                for run in (d["ingest"], d["detect"])
                for t in run["tasks"]
                if t["worker"] == worker
            ]
            files = [t for t in mine if t["task_id"] == "ingest_file"]
            lines.append(
                f"| {len(d['workers'])} | {worker} | {len(files)} | "
                f"{sum(t['duration_s'] for t in files):.0f} | {len(mine)} | "
                f"{sum(t['duration_s'] or 0 for t in mine):.0f} |"
            )
    detections = [
        (len(d["workers"]), run)
        for d in deployments
        for run in (d["detect"], *d["windows"])
        if run.get("detection")
    ]
    if detections:
        lines += [
            "",
            "| workers | detect run | window (booking time) | lookback days | reads from | "
            "rows read | alerts | cases | wall s |",
            "| ---: | --- | --- | ---: | --- | ---: | ---: | ---: | ---: |",
        ]
        for workers, run in detections:
            det = run["detection"]
            window = det["window"]
            start = window.get("start")
            read_from = _t(start) - timedelta(days=int(window["lookback_days"])) if start else None
            lines.append(
                f"| {workers} | {run['run_type']} | {_day(window.get('start'))} to "
                f"{_day(window.get('end'))} | {window.get('lookback_days')} | "
                f"{_day(read_from and read_from.isoformat())} | {det['rows_in_window']:,} | "
                f"{det['alerts']:,} | {det['cases']:,} | {run['wall_s']:.0f} |"
            )
    split = results["split"]
    days = ", ".join(f"{p['days'][0]}-{p['days'][1][5:]}: {p['rows']:,}" for p in split)
    lines += [
        "",
        f"Measured {results['measured']} on {results['machine']}; {results['rows']:,} "
        f"transactions split into {len(split)} files by booking day ({days}) plus "
        f"{len(results['reference'])} reference files, in one delivery folder; Celery workers "
        f"with concurrency 1 each (pool `{results['celery_pool']}`, started with "
        f"`{results['worker_launcher']}`); case-pack PDFs: {results['pdf_top']}.",
        "",
    ]
    for d in deployments:
        before, after = d["code"]
        same = "unchanged" if before == after else f"changed to {after}"
        lines.append(f"- {len(d['workers'])} worker(s): code {before}, {same} by the end.")
    return "\n".join(lines)


def _day(value: Any) -> str:
    if not value:
        return "open"
    return str(value)[:19].replace("T00:00:00", "").replace("T", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, help="an AMLworld-format folder (SYNTH_Trans.csv)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate")
    parser.add_argument("--files", type=int, default=4, help="transaction feed files")
    parser.add_argument("--workers", default="1,2", help="worker counts, one deployment each")
    parser.add_argument("--windows", type=int, default=0, help="extra windowed detect runs")
    parser.add_argument("--pdf-top", type=int, default=0, help="PDFs of the top cases")
    parser.add_argument("--work", type=Path, default=CACHE / "celery")
    parser.add_argument("--budget", type=float, default=3600, help="seconds per deployment")
    parser.add_argument("--write", type=Path, help="markdown file with the celery markers")
    parser.add_argument(
        "--celery-pool",
        default="solo",
        help="[celery] pool of the workers (solo: see the module docstring; prefork: Celery's "
        "default)",
    )
    parser.add_argument("--worker-launcher", choices=sorted(LAUNCHERS), default="python-c")
    parser.add_argument(
        "--code",
        choices=["snapshot", "tree"],
        default="snapshot",
        help="run a copy of HEAD's src/ and dags/ (default) or the working tree as it changes",
    )
    args = parser.parse_args()
    # a SIGTERM unwinds like an exception, so the deployment is stopped and its database dropped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    source = args.input or dataset(args.rows)
    split_dir = args.work / "split"
    shutil.rmtree(split_dir, ignore_errors=True)
    split = split_by_day(source, split_dir, args.files)
    rows = sum(p["rows"] for p in split)
    print(f"{rows:,} transactions of {source} split into: {split}", flush=True)
    window_list = windows(split, args.windows) if args.windows else []
    code = snapshot(args.work) if args.code == "snapshot" else None
    results: dict[str, Any] = {
        "source": str(source),
        "rows": rows,
        "split": split,
        "reference": [n for n in REFERENCE_FILES if (split_dir / n).exists()],
        "pdf_top": args.pdf_top,
        "celery_pool": args.celery_pool,
        "worker_launcher": args.worker_launcher,
        "measured": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}",
        "deployments": [],
    }
    counts = [int(w) for w in args.workers.split(",")]
    for i, workers in enumerate(counts):
        # windowed runs are sequential (finflow_detect has max_active_runs=1): the last only
        extra = window_list if i == len(counts) - 1 else []
        results["deployments"].append(
            deployment(
                args.work,
                split_dir,
                workers,
                args.pdf_top,
                extra,
                args.budget,
                args.celery_pool,
                args.worker_launcher,
                code,
            )
        )
        (args.work / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    text_out = report(results)
    print("\n" + text_out)
    (args.work / "results.md").write_text(text_out + "\n")
    if args.write:
        write_between_markers(args.write, text_out)
        print(f"written into {args.write}")


def write_between_markers(path: Path, body: str) -> None:
    """Replace what lies between the celery markers of `path` (the rest is left as it is)."""
    doc = path.read_text()
    start, end = MARKERS
    if start not in doc or end not in doc:
        raise SystemExit(f"{path} has no {start} ... {end} markers")
    head, rest = doc.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{body}\n{end}{tail}")


if __name__ == "__main__":
    main()
