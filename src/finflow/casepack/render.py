"""Render case packs: one folder per case, and the run's index of cases.

A case pack is a draft analytical product for a financial investigator: never evidence, never a
conclusion (DOMAIN.md §3). Every figure links to the schedule rows it came from; names and
payment references are shown verbatim but inert (HTML autoescaping, CSV neutralisation); the
output is deterministic, so the same inputs, version and rules give byte-identical files.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup

from finflow.casepack import jsontext
from finflow.casepack.csvsafe import write_safe_rows
from finflow.casepack.exports.ftm import write_ftm
from finflow.casepack.exports.i2 import write_i2
from finflow.casepack.exports.subjects import write_subjects
from finflow.casepack.exports.xlsx import write_xlsx
from finflow.casepack.formatting import FILTERS
from finflow.casepack.fragments import AccountCells, inputs_html, macro_rows
from finflow.casepack.language import check_neutral
from finflow.casepack.manifest import write_manifest
from finflow.casepack.pdf import PNG_NAME
from finflow.casepack.schedule import schedule_rows
from finflow.casepack.sections import ARTEFACTS, sections_view
from finflow.schema import DETECTION_COLUMNS

log = logging.getLogger(__name__)

DRAFT_LINE = "Draft analytical product - not evidence - for investigator judgement"
DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
BANDS = ("high", "medium", "low")
SCHEDULE_COLUMNS = ["marking", *DETECTION_COLUMNS, "tags"]
"""Columns of transactions.csv: the marking on every row, the canonical facts, the tags."""

_MARKING_RE = re.compile(r"[A-Z][A-Z0-9 -]{0,63}")
_CASE_REF_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
REPRODUCIBILITY_NOTE = (
    "Same inputs + same software version + same rules => byte-identical files. case.pdf and"
    " linkchart.png, when present, are rendered by headless Chromium (see renderer); their"
    " creation dates are fixed from generated_at, so they are byte-identical for the same"
    " Chromium build and fonts, which are outside finflow's control."
)


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment for case-pack templates: autoescaped, strict, deterministic."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("finflow.casepack", "templates"),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Packaged templates do not change while a run writes thousands of packs: no stat()
        # of every template file for every pack.
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


def _marking(value: Any) -> str:
    """The protective marking, checked: it is also written into CSS (print page margins)."""
    marking = str(value or DEFAULT_MARKING)
    if not _MARKING_RE.fullmatch(marking):
        raise ValueError(f"invalid protective marking {marking!r}")
    return marking


def _case_ref(value: Any) -> str:
    """The case reference as written into CSS page margins: only safe characters, else empty."""
    text = str(value or "")
    return text if _CASE_REF_RE.fullmatch(text) else ""


def _write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text with LF line ends, whatever the platform."""
    path.write_bytes(text.encode("utf-8"))
    return path


def _sorted_dicts(items: Iterable[Mapping[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """Copies of `items` sorted by the string form of `keys` (missing keys sort first)."""
    return sorted((dict(i) for i in items), key=lambda i: tuple(str(i.get(k, "")) for k in keys))


def _account_label(bank: Any, account: Any) -> str:
    return f"{bank} / {account}"


def _case_view(case: Mapping[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything the case template shows, pre-sorted and cross-referenced."""
    by_id = {r["txn_id"]: r for r in rows}
    position = {r["txn_id"]: i for i, r in enumerate(rows)}

    accounts = sorted(
        (dict(a) for a in case.get("accounts", [])),
        key=lambda a: (not a.get("alerted", False), str(a.get("bank")), str(a.get("account"))),
    )
    holders = {(str(a.get("bank")), str(a.get("account"))): a for a in accounts}

    alerts = []
    for alert in _sorted_dicts(case.get("alerts", []), "rule_id", "window_start", "alert_id"):
        ids = sorted(
            set(alert.get("evidence_txn_ids", [])),
            key=lambda t: (t not in position, position.get(t, 0), str(t)),
        )
        evidence = [{"txn_id": t, "row": by_id.get(t)} for t in ids]
        missing = [e["txn_id"] for e in evidence if e["row"] is None]
        if missing:
            log.warning(
                "case %s alert %s cites %d transactions not in the schedule",
                case.get("case_id"),
                alert.get("alert_id"),
                len(missing),
            )
        alert["evidence"] = evidence
        alert["evidence_missing"] = missing
        alert["evidence_gbp"] = sum(
            (e["row"].get("amount_gbp") or 0.0) for e in evidence if e["row"] is not None
        )
        alert["primary_holder"] = holders.get(
            (str(alert.get("primary_bank")), str(alert.get("primary_account")))
        )
        alert["benign_explanations"] = sorted(set(alert.get("benign_explanations", [])))
        alerts.append(alert)

    first_alert_of_rule: dict[str, str] = {}
    for alert in alerts:
        first_alert_of_rule.setdefault(str(alert.get("rule_id")), str(alert.get("alert_id")))

    contributions = sorted(
        (dict(c) for c in case.get("contributions", [])),
        key=lambda c: (-float(c.get("contribution") or 0.0), str(c.get("rule_id"))),
    )
    bonus = float(case.get("corroboration_bonus") or 0.0)
    computed = sum(float(c.get("contribution") or 0.0) for c in contributions) + bonus

    paid: dict[str, float] = defaultdict(float)
    received: dict[str, float] = defaultdict(float)
    for r in rows:
        if r.get("amount_paid") is not None:
            paid[str(r.get("currency_paid"))] += r["amount_paid"]
        if r.get("amount_received") is not None:
            received[str(r.get("currency_received"))] += r["amount_received"]

    alert_counts = Counter(str(a.get("rule_id")) for a in alerts)
    not_fired = _sorted_dicts(case.get("rules_not_fired", []), "rule_id")
    inputs = _sorted_dicts(case.get("inputs", []), "file", "sha256")
    quarantine = dict(case.get("quarantine_summary") or {})
    return {
        **sections_view(case, rows, alerts),
        "case_ref": _case_ref(case.get("case_id")),
        "case": case,
        "marking": _marking(case.get("marking")),
        "draft_line": DRAFT_LINE,
        "typologies": sorted(set(case.get("typologies", []))),
        "accounts": accounts,
        "holders": holders,
        "account_html": AccountCells(holders),
        "alerts": alerts,
        "alert_counts": sorted(alert_counts.items()),
        "first_alert_of_rule": first_alert_of_rule,
        "benign": sorted({b for a in alerts for b in a["benign_explanations"]}),
        "evidence_rows": len({e["txn_id"] for a in alerts for e in a["evidence"]}),
        "contributions": contributions,
        "bonus": bonus,
        "computed_score": computed,
        "score_differs": abs(computed - float(case.get("score") or 0.0)) > 0.005,
        "rules_not_fired": not_fired,
        "not_fired_rows": macro_rows("not_fired_row", not_fired),
        "not_fired_annex_rows": macro_rows("not_fired_annex_row", not_fired),
        "rules_not_run": _sorted_dicts(case.get("rules_not_run", []), "rule_id"),
        "inputs": inputs,
        "inputs_html": inputs_html(inputs),
        "artefact_rows": macro_rows("artefact_row", ARTEFACTS, spread=True),
        "quarantine_rows": int(quarantine.get("rows") or 0),
        "quarantine_reasons": sorted((quarantine.get("by_reason") or {}).items()),
        "rows": rows,
        "total_gbp": sum((r.get("amount_gbp") or 0.0) for r in rows),
        "paid_totals": sorted(paid.items()),
        "received_totals": sorted(received.items()),
        "missing_gbp": sum(1 for r in rows if r.get("amount_gbp") is None),
    }


def _check_prose(case: Mapping[str, Any]) -> None:
    """Warn when rule descriptions or score explanations (configured prose) are not neutral."""
    texts = [str(a.get("description", "")) for a in case.get("alerts", [])]
    texts += [str(c.get("explanation", "")) for c in case.get("contributions", [])]
    texts += [str(r.get("description", "")) for r in case.get("rules_not_fired", [])]
    found = sorted({w for t in texts for w in check_neutral(t)})
    if found:
        log.warning("case %s: rule text uses non-neutral words %s", case.get("case_id"), found)


def write_case_pack(
    case: dict[str, Any],
    transactions: pl.DataFrame,
    out_dir: Path,
    *,
    pdf: bool = False,
    png: bool = False,
    linkchart_png: bool = True,
    chromium: Path | str | None = None,
) -> Path:
    """Write the case pack for `case` into `out_dir` (``OUT/cases/<case_id>/``) and return it.

    Files: ``index.html`` (the readable pack, sections 0-14), ``transactions.csv`` and
    ``transactions.xlsx`` (the schedule, safe for spreadsheets), ``subjects.csv``,
    ``i2_entities.csv`` / ``i2_links.csv`` (i2 Analyst's Notebook), ``ftm.jsonl``
    (FollowTheMoney), ``figures/*.svg``, ``case.json`` (the case as given) and
    ``manifest.json`` (SHA-256 of every other file plus the input files). With `pdf` (and
    `png`), ``case.pdf`` (and ``linkchart.png``) are rendered with headless Chromium; the
    pipeline usually does that only for the top cases (`finflow.casepack.pdf`). With
    `linkchart_png` (the default), ``linkchart.png`` is drawn from the SVG with cairosvg; the
    pipeline asks for it only for the top cases too, as drawing it costs more than the rest of
    the pack together. Files already in the folder from other exporters are kept and listed in
    the manifest.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    marking = _marking(case.get("marking"))
    _check_prose(case)

    schedule, rows = schedule_rows(transactions)
    view = _case_view(case, rows)
    html = environment().get_template("case.html").render(**view)
    _write_text(out_dir / "index.html", html)
    _write_exports(case, view, marking, out_dir, linkchart_png=linkchart_png)

    _write_schedule_csv(schedule, view["rows"], marking, out_dir / "transactions.csv")

    _write_text(out_dir / "case.json", jsontext.encode(case, coerce=True) + "\n")
    write_manifest(
        out_dir,
        case.get("inputs", []),
        {
            "case_id": case.get("case_id"),
            "generated_at": case.get("generated_at"),
            "marking": marking,
            "rules_hash": case.get("rules_hash"),
            "rules_version": case.get("rules_version"),
            "software_version": case.get("software_version"),
            "notes": REPRODUCIBILITY_NOTE,
        },
    )
    if pdf or png:
        from finflow.casepack.pdf import write_pdf, write_png

        if pdf:
            write_pdf(out_dir, chromium)
        if png:
            write_png(out_dir, chromium)
    log.info("case pack %s written to %s", case.get("case_id"), out_dir)
    return out_dir


def _write_schedule_csv(
    schedule: pl.DataFrame, rows: Sequence[Mapping[str, Any]], marking: str, path: Path
) -> None:
    """transactions.csv: `SCHEDULE_COLUMNS` of the schedule, the marking on every row.

    Written from the rows already taken out of the frame (`write_safe_rows`); the same
    columns cut from the frame by polars when that writer leaves them to polars.
    """
    columns = [c for c in SCHEDULE_COLUMNS if c in schedule.columns or c == "marking"]
    types = schedule.schema
    schema = {c: pl.String() if c == "marking" else types[c] for c in columns}

    def frame() -> pl.DataFrame:
        return schedule.with_columns(pl.lit(marking).alias("marking")).select(columns)

    write_safe_rows([{**r, "marking": marking} for r in rows], schema, path, frame)


def _write_exports(
    case: Mapping[str, Any],
    view: Mapping[str, Any],
    marking: str,
    out_dir: Path,
    *,
    linkchart_png: bool = True,
) -> None:
    """Figures, spreadsheet, subjects, i2 and FollowTheMoney files of one pack."""
    figures = out_dir / "figures"
    figures.mkdir(exist_ok=True)
    for name, svg in view["figures"].items():
        _write_text(figures / f"{name}.svg", svg)
    if linkchart_png:
        write_linkchart_png(view["figures"]["linkchart"], out_dir / PNG_NAME)
    rows, network = view["rows"], view["network"]
    names = {p.key: p.entity_name for p in network.parties.values()}
    write_xlsx(case, rows, names, marking, DRAFT_LINE, out_dir / "transactions.xlsx")
    write_subjects(view["entities"], marking, out_dir / "subjects.csv")
    write_i2(network, view["entities"], rows, marking, out_dir)
    write_ftm(network, view["entities"], rows, out_dir / "ftm.jsonl")


def write_linkchart_png(svg: str, path: Path) -> None:
    """The link chart as a PNG (cairosvg: no browser, same bytes every run)."""
    import cairosvg

    cairosvg.svg2png(bytestring=svg.encode("utf-8"), write_to=str(path))


def _script_hash(script: str) -> str:
    """The CSP source expression allowing exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def write_cases_index(
    cases: Sequence[dict[str, Any]], run: dict[str, Any], cases_dir: Path
) -> Path:
    """Write ``cases_dir/index.html``: every case by rank, with a typology and band filter.

    `run` gives the run header: ``run_id``, ``generated_at``, ``rules_hash`` and ``inputs``
    (same shape as ``case["inputs"]``); ``rules_version``, ``software_version`` and
    ``marking`` are shown when present. The filter is a small inline script; without it the
    page is the full, readable table.
    """
    cases_dir = Path(cases_dir)
    cases_dir.mkdir(parents=True, exist_ok=True)
    env = environment()
    assert env.loader is not None
    script, _, _ = env.loader.get_source(env, "filter.js")
    ordered = sorted(cases, key=lambda c: (int(c.get("rank") or 0), str(c.get("case_id"))))
    html = env.get_template("cases_index.html").render(
        run=run,
        cases=ordered,
        pdfs={
            c["case_id"] for c in ordered if (cases_dir / str(c["case_id"]) / "case.pdf").is_file()
        },
        marking=_marking(run.get("marking")),
        draft_line=DRAFT_LINE,
        bands=BANDS,
        typologies=sorted({t for c in cases for t in c.get("typologies", [])}),
        inputs=_sorted_dicts(run.get("inputs", []), "file", "sha256"),
        script=Markup(script),  # noqa: S704 - our own packaged file, not data
        script_hash=_script_hash(script),
    )
    out = _write_text(cases_dir / "index.html", html)
    log.info("index of %d cases written to %s", len(ordered), out)
    return out
