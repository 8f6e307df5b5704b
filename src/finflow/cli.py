"""The `finflow` command line. User errors end as one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from finflow import __version__
from finflow.errors import FinflowError

log = logging.getLogger("finflow")

DEMO_DIR = Path("finflow-demo")
DEMO_ROWS = 200_000
DEMO_SEED = 20220901


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finflow", description=__doc__)
    parser.add_argument("--version", action="version", version=f"finflow {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate synthetic feeds and run everything on SQLite")
    demo.add_argument("--dir", type=Path, default=DEMO_DIR, help="where to write (./finflow-demo)")
    demo.add_argument("--rows", type=int, default=DEMO_ROWS)
    demo.add_argument("--seed", type=int, default=DEMO_SEED)

    gen = sub.add_parser("generate", help="write a deterministic AMLworld-format data set")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--rows", type=int, required=True)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--name", default="SYNTH")

    run = sub.add_parser("run", help="run the whole pipeline on the feed files in a folder")
    run.add_argument("--input", type=Path, required=True)
    run.add_argument("--out", type=Path, required=True)
    run.add_argument(
        "--database-url", default=None, help="default: FINFLOW_DATABASE_URL or OUT/finflow.db"
    )
    run.add_argument("--rules", type=Path, default=None, help="rules YAML (default: shipped)")
    run.add_argument("--logical-date", default=None, help="ISO date-time stamped on outputs")
    run.add_argument(
        "--pdf-top", type=int, default=None, help="PDFs for the N highest-priority cases (10)"
    )

    pack = sub.add_parser("casepack", help="render one case of a finished run again, on demand")
    pack.add_argument("--out", type=Path, required=True, help="the finished run's output folder")
    pack.add_argument("--case", required=True, help="case id, e.g. C-3f9a12bc01")
    pack.add_argument("--pdf", action="store_true", help="write case.pdf (headless Chromium)")

    ev = sub.add_parser("evaluate", help="precision/recall of a finished run against ground truth")
    ev.add_argument("--truth", type=Path, required=True, help="AMLworld *_Patterns.txt")
    ev.add_argument("--out", type=Path, required=True, help="the finished run's output folder")
    prof = sub.add_parser(
        "profile", help="show how a bank CSV export is read, as a profile YAML to review"
    )
    prof.add_argument("file", type=Path, help="a bank CSV export")
    prof.add_argument("--name", default="mybank", help="the profile name to write (mybank)")
    _screen_parsers(sub)
    return parser


def _screen_parsers(sub: Any) -> None:
    scr = sub.add_parser("screen", help="screen a CSV of names against the UK sanctions list")
    scr.add_argument("--list", type=Path, default=None, help="FCDO or OFSI list CSV")
    scr.add_argument("--queries", type=Path, required=True, help="CSV: query_id,name[,dob,type]")
    scr.add_argument("--out", type=Path, required=True, help="CSV of possible matches")
    scr.add_argument("--threshold", type=float, default=None, help="minimum score (0.75)")
    scr.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes (all cores from 50,000 queries, else 1)",
    )
    sev = sub.add_parser(
        "screen-evaluate", help="precision/recall of the screener on a labelled test set"
    )
    sev.add_argument("--list", type=Path, default=None, help="list CSV of a given test set")
    sev.add_argument("--queries", type=Path, default=None, help="queries CSV of a given set")
    sev.add_argument("--truth", type=Path, default=None, help="truth CSV of a given set")
    sev.add_argument("--seed", type=int, default=1, help="generate a set with this seed")
    sev.add_argument("--size", type=int, default=500, help="designations to generate")
    sev.add_argument("--write", type=Path, default=None, help="keep the generated set here")
    sev.add_argument("--threshold", type=float, default=None, help="minimum score (0.75)")
    sev.add_argument(
        "--compare", action="store_true", help="also score nomenklatura logic-v1/logic-v2"
    )


def _progress() -> Any:
    started = time.perf_counter()
    stages = ["ingest", "validate", "detect", "score", "casepacks", "store"]

    def say(stage: str) -> None:
        n = stages.index(stage) + 1
        print(
            f"  [{n}/{len(stages)}] {stage:<10} t+{time.perf_counter() - started:6.1f}s",
            file=sys.stderr,
            flush=True,
        )

    return say


def _summary(run: dict[str, Any], out: Path) -> str:
    files = run["files"]
    read = sum(f["rows_read"] for f in files)
    accepted = sum(f["rows_accepted"] for f in files)
    quarantined = sum(f["rows_quarantined"] for f in files)
    stages = run["stages"]
    bands = stages["score"]["bands"]
    lines = [
        f"run {run['run_id']}  (rules {run['rules_version']}, sha256 {run['rules_hash'][:12]})",
        f"  rows read {read:,}: accepted {accepted:,}, quarantined {quarantined:,}",
        f"  alerts {stages['detect']['alerts']:,}",
        f"  cases {stages['score']['cases']:,}: high {bands['high']}, medium {bands['medium']}, "
        f"low {bands['low']}",
    ]
    for f in files:
        if f["status"] not in ("ingested",):
            lines.append(f"  note: {f['file']}: {f['status']} - {f['message']}")
        elif f.get("profile") == "inferred":
            lines.append(
                f"  note: {f['file']}: bank CSV layout inferred (no profile matches); check "
                "files[].checks.inferred in run.json or `finflow profile` the file"
            )
    lines.append(f"  open {(out / 'cases' / 'index.html').resolve()}")
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    from finflow.pipeline import run_pipeline

    run = run_pipeline(
        args.input,
        args.out,
        args.database_url,
        args.rules,
        args.logical_date,
        progress=_progress(),
        pdf_top=args.pdf_top,
    )
    print(_summary(run, args.out))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from finflow.pipeline import run_pipeline
    from finflow.synth import generate

    feeds, out = args.dir / "input", args.dir / "output"
    print(
        f"finflow demo: generating {args.rows:,} synthetic transactions (seed {args.seed})",
        file=sys.stderr,
        flush=True,
    )
    feeds.mkdir(parents=True, exist_ok=True)
    generate(feeds, args.rows, args.seed)
    run = run_pipeline(
        feeds, out, f"sqlite:///{(args.dir / 'finflow.db').resolve()}", progress=_progress()
    )
    print(_summary(run, out))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from finflow.synth import generate

    summary = generate(args.out, args.rows, args.seed, name=args.name)
    print(
        f"wrote {summary['rows']:,} transactions, {summary['accounts']:,} accounts and "
        f"{sum(summary['attempts'].values())} planted attempts to {args.out}"
    )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from finflow.evaluate import evaluate, render_markdown

    print(render_markdown(evaluate(args.truth, args.out)), end="")
    return 0


def _casepack(args: argparse.Namespace) -> int:
    from finflow.casepack.stage import casepack_pdf

    if not args.pdf:
        print("finflow: nothing to do (add --pdf to render the case's PDF)", file=sys.stderr)
        return 2
    print(casepack_pdf(args.out, args.case))
    return 0


def _profile(args: argparse.Namespace) -> int:
    from finflow.errors import FeedFormatError
    from finflow.ingest.bankcsv import describe_layout
    from finflow.ingest.sniff import sniff

    path = Path(args.file)
    found = sniff(path) if path.is_file() else None
    if found is not None and found.other_format:
        raise FeedFormatError(f"{path.name}: {found.reason}")
    if found is not None and found.format not in ("bankcsv", "unrecognised"):
        print(f"# {path.name} is read as {found.format} (no profile needed)")
        return 0
    print(describe_layout(args.file, args.name), end="")
    return 0


def _screen(args: argparse.Namespace) -> int:
    from finflow.screen.cli import screen_command

    print(screen_command(args))
    return 0


def _screen_evaluate(args: argparse.Namespace) -> int:
    from finflow.screen.cli import screen_evaluate_command

    print(screen_evaluate_command(args), end="")
    return 0


COMMANDS = {
    "screen": _screen,
    "screen-evaluate": _screen_evaluate,
    "demo": _demo,
    "generate": _generate,
    "run": _run,
    "evaluate": _evaluate,
    "casepack": _casepack,
    "profile": _profile,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("great_expectations", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return COMMANDS[args.command](args)
    except FinflowError as exc:
        print(f"finflow: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("finflow: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("FINFLOW_DEBUG"):
            raise
        print(
            f"finflow: internal error: {type(exc).__name__}: {exc} "
            "(set FINFLOW_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
