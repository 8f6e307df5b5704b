"""Detection quality on data that finflow's own generator did not make: synthfin-aml.

finflow's rules were tuned on `finflow generate`. To see how they carry over, this script takes
another public generator, synthfin-aml (PyPI, MIT; pinned below), converts what it writes to the
AMLworld format, runs finflow on it and scores the run with `finflow evaluate`.

synthfin-aml writes ``transactions.csv`` (source_id, target_id, timestamp, amount, is_fraud) and
``nodes.csv`` (agent_id, profile, is_fraud); it plants three typologies but records only which
transactions are fraud, not which attempt or typology each belongs to. The attempts are rebuilt
here from the fraud transactions: two fraud payments belong to one attempt when they share an
account and are at most `LINK_HOURS` apart (the generator books an attempt's payments within
about an hour of each other, and places attempts uniformly over the period), and an attempt's
typology is read off its shape: a directed cycle is its ``round_trip``, a payer paying several
accounts its ``layering`` (fan-out then fan-in), anything else its ``structuring`` chain. Per
typology recall is therefore against rebuilt attempts; transaction precision and recall use the
generator's own labels.

The generator runs in its own virtual environment (``.bench/synthfin-venv``, made on first use;
synthfin-aml needs numba, and its package ``__init__`` imports torch, so the generator module is
loaded by path). Nothing of it is part of finflow or its tests.

    python scripts/eval_other_generator.py [--agents 80000] [--seed 7] [--days 28]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import venv
from datetime import date, timedelta
from pathlib import Path

import networkx as nx
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench"
GENERATOR = "synthfin-aml==9.2.0"
START = "2022-09-01"
LINK_HOURS = 6
BANKS = 997
"""Agents are spread over this many banks (the generator has none): bank = agent id mod BANKS."""

GENERATE = """
import importlib.util, sys, sysconfig
from pathlib import Path
path = Path(sysconfig.get_paths()["purelib"]) / "synthfin_aml_pkg" / "generator.py"
spec = importlib.util.spec_from_file_location("synthfin_generator", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
agents, days, seed = (int(v) for v in sys.argv[1:4])
start, out = sys.argv[4], Path(sys.argv[5])
gen = module.FraudGraphGenerator(seed=seed).generate_transactions(
    agents=agents, days=days, start_date=start
)
gen.to_csv(str(out / "nodes.csv"), str(out / "transactions.csv"))
"""


def generator_python() -> Path:
    """The interpreter of the generator's own virtual environment (made on first use)."""
    env = CACHE / "synthfin-venv"
    python = env / "bin" / "python"
    marker = env / f".installed-{GENERATOR}"
    if not marker.exists():
        venv.create(env, with_pip=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                GENERATOR,
            ],
            check=True,
        )
        marker.touch()
    return python


def account(agent: pl.Expr) -> pl.Expr:
    """An AMLworld-style account number for an agent id (hex, like ``8ABA61EB0``)."""
    return pl.lit("8") + agent.cast(pl.UInt32).map_elements(
        lambda v: f"{v:08X}", return_dtype=pl.String
    )


def bank(agent: pl.Expr) -> pl.Expr:
    return (agent % BANKS).cast(pl.String).str.zfill(4)


def to_amlworld(raw: pl.DataFrame) -> pl.DataFrame:
    """synthfin-aml transactions as AMLworld rows (column names repeat, so written by hand)."""
    return raw.sort("timestamp", "txn_id").select(
        Timestamp=pl.col("timestamp").str.to_datetime().dt.strftime("%Y/%m/%d %H:%M"),
        from_bank=bank(pl.col("source_id")),
        from_account=account(pl.col("source_id")),
        to_bank=bank(pl.col("target_id")),
        to_account=account(pl.col("target_id")),
        received=pl.col("amount").round(2),
        receiving_currency=pl.lit("US Dollar"),
        paid=pl.col("amount").round(2),
        payment_currency=pl.lit("US Dollar"),
        payment_format=pl.lit("ACH"),
        laundering=pl.col("is_fraud"),
    )


def attempts(rows: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """The fraud rows grouped into rebuilt attempts, each with its inferred typology."""
    fraud = rows.filter(pl.col("laundering") == 1).with_row_index("i")
    times = fraud["Timestamp"].str.to_datetime("%Y/%m/%d %H:%M")
    fraud = fraud.with_columns(t=times)
    graph = nx.Graph()
    graph.add_nodes_from(range(fraud.height))
    ends = pl.concat(
        [
            fraud.select("i", "t", acct=pl.col("from_bank") + ":" + pl.col("from_account")),
            fraud.select("i", "t", acct=pl.col("to_bank") + ":" + pl.col("to_account")),
        ]
    )
    near = (
        ends.join(ends, on="acct", suffix="_b")
        .filter(
            (pl.col("i") < pl.col("i_b"))
            & ((pl.col("t") - pl.col("t_b")).abs() <= pl.duration(hours=LINK_HOURS))
        )
        .select("i", "i_b")
    )
    graph.add_edges_from(near.iter_rows())
    found = []
    for members in sorted(nx.connected_components(graph), key=min):
        part = fraud.filter(pl.col("i").is_in(sorted(members)))
        flows = nx.DiGraph()
        for a, b, c, d in part.select(
            "from_bank", "from_account", "to_bank", "to_account"
        ).iter_rows():
            flows.add_edge(f"{a}:{b}", f"{c}:{d}")
        if not nx.is_directed_acyclic_graph(flows):
            kind = "ROUND-TRIP"
        elif max(d for _, d in flows.out_degree()) >= 2:
            kind = "LAYERING"
        else:
            kind = "STRUCTURING"
        found.append((kind, part.drop("i", "t")))
    return found


def csv_lines(frame: pl.DataFrame) -> list[str]:
    return [
        ",".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row)
        for row in frame.iter_rows()
    ]


HEADER = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
    "Amount Paid,Payment Currency,Payment Format,Is Laundering"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=80_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=28)
    args = parser.parse_args()
    folder = CACHE / f"synthfin-{args.agents}-{args.seed}"
    raw_dir, feed_dir, out_dir = folder / "raw", folder / "feed", folder / "out"
    raw_dir.mkdir(parents=True, exist_ok=True)
    feed_dir.mkdir(parents=True, exist_ok=True)
    if not (raw_dir / "transactions.csv").exists():
        subprocess.run(
            [
                str(generator_python()),
                "-c",
                GENERATE,
                str(args.agents),
                str(args.days),
                str(args.seed),
                START,
                str(raw_dir),
            ],
            check=True,
        )
    raw = pl.read_csv(raw_dir / "transactions.csv")
    rows = to_amlworld(raw)
    (feed_dir / "OTHER_Trans.csv").write_text(
        HEADER + "\n" + "\n".join(csv_lines(rows)) + "\n", encoding="utf-8"
    )
    patterns = []
    for kind, part in attempts(rows):
        patterns.append(f"BEGIN LAUNDERING ATTEMPT - {kind}")
        patterns += csv_lines(part)
        patterns.append("END LAUNDERING ATTEMPT - " + kind)
    truth = folder / "OTHER_Patterns.txt"
    truth.write_text("\n".join(patterns) + "\n", encoding="utf-8")
    finflow = str(Path(sys.executable).with_name("finflow"))
    end = date.fromisoformat(START) + timedelta(days=args.days + 1)
    subprocess.run(
        [
            finflow,
            "run",
            "--input",
            str(feed_dir),
            "--out",
            str(out_dir),
            "--logical-date",
            f"{end.isoformat()}T00:00:00+00:00",
            "--pdf-top",
            "0",
        ],
        check=True,
    )
    subprocess.run([finflow, "evaluate", "--truth", str(truth), "--out", str(out_dir)], check=True)
    result = json.loads((out_dir / "evaluation.json").read_text(encoding="utf-8"))
    print(json.dumps(result, indent=2)[:4000])


if __name__ == "__main__":
    main()
