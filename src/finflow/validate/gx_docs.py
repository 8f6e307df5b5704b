"""Data Docs for finflow's validation runs: GX's own site, plus links that work offline.

GX renders each validation result and each suite as static HTML, but its ``index.html`` fills
its tables with JavaScript fetched from public CDNs (jQuery, bootstrap-table). On an
investigator's or an air-gapped engineer's machine that table stays empty. After GX builds the
site, `add_offline_index` writes a plain-HTML list of every validation page and suite page on
disk into the index, so the index is usable with no network at all.
"""

from __future__ import annotations

import html
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from finflow.validate.gx_report import failures_by_severity

log = logging.getLogger(__name__)

__all__ = ["SITE_NAME", "add_offline_index", "clear_batch_pages", "site_config"]

SITE_NAME = "finflow"

_START = "<!-- finflow-offline-index:start -->"
_END = "<!-- finflow-offline-index:end -->"


def site_config(docs_dir: Path) -> dict[str, Any]:
    """A GX ``SiteBuilder`` config for a local filesystem site rooted at `docs_dir`."""
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(docs_dir),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False},
    }


def clear_batch_pages(root: Path, suite_name: str, batch_id: str) -> None:
    """Remove earlier result files/pages of (`suite_name`, `batch_id`) under a GX store root.

    GX files results as ``validations/<suite>/<run name>/<run time>/...``; finflow's run name is
    the batch id, so re-validating a batch replaces its earlier run instead of piling up.
    """
    target = root / "validations" / suite_name / batch_id
    if target.is_dir():
        shutil.rmtree(target)


def _status(out_dir: Path, suite_name: str, batch_id: str) -> str:
    """passed / passed with warnings / failed, read from finflow's result file."""
    result_file = out_dir / f"{suite_name}__{batch_id}.json"
    try:
        result = json.loads(result_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unknown"
    critical, warning = failures_by_severity(result)
    if critical:
        return "failed"
    return "passed with warnings" if warning else "passed"


def _links_html(docs_dir: Path, out_dir: Path) -> str:
    rows = []
    for page in sorted(docs_dir.glob("validations/*/*/*/*.html")):
        suite_name, batch_id, run_time = page.parts[-4:-1]
        rel = page.relative_to(docs_dir).as_posix()
        status = _status(out_dir, suite_name, batch_id)
        rows.append(
            f'<li><a href="{html.escape(rel)}">{html.escape(suite_name)} on batch '
            f"{html.escape(batch_id)}</a>: <strong>{status}</strong> "
            f"(run {html.escape(run_time)})</li>"
        )
    suites = [
        f'<li><a href="{html.escape(p.relative_to(docs_dir).as_posix())}">'
        f"{html.escape(p.stem)}</a></li>"
        for p in sorted(docs_dir.glob("expectations/*.html"))
    ]
    return (
        f'{_START}<section id="finflow-offline-index" class="container-fluid" '
        'style="padding:1em;font-family:sans-serif">'
        "<h2>Validation results</h2><ul>" + "".join(rows or ["<li>none</li>"]) + "</ul>"
        "<h2>Expectation suites</h2><ul>" + "".join(suites or ["<li>none</li>"]) + "</ul>"
        f"</section>{_END}"
    )


def add_offline_index(docs_dir: Path, out_dir: Path) -> Path:
    """Insert the plain-HTML list of pages at the top of `docs_dir`/index.html; return it.

    Idempotent: an earlier list is replaced. `out_dir` holds finflow's result files, which give
    each validation's pass/fail status.
    """
    index = docs_dir / "index.html"
    text = index.read_text(encoding="utf-8")
    if _START in text and _END in text:
        head, rest = text.split(_START, 1)
        text = head + rest.split(_END, 1)[1]
    block = _links_html(docs_dir, out_dir)
    body_at = text.find("<body")
    insert_at = text.find(">", body_at) + 1 if body_at >= 0 else 0
    index.write_text(text[:insert_at] + block + text[insert_at:], encoding="utf-8")
    return index
