"""case.pdf and linkchart.png through headless Chromium, for the top cases of a run.

The PDF is printed from the pack's own ``index.html`` (CSS ``@page`` rules put the marking,
the case reference and "page n of N" in every page's margins), by one Chromium for all the
cases of a run, a tab per case (`finflow.casepack.devtools`). Chromium's PDF writer stamps
``/CreationDate`` and ``/ModDate`` with the wall clock; both are rewritten, at the same byte
length, from the case's ``generated_at``, so the same Chromium build and fonts give the same
bytes. The link-chart PNG is a screenshot of ``figures/linkchart.svg``. After either file is
added the folder's manifest is rewritten.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from finflow.casepack.devtools import CHROMIUM_FLAGS, Browser, RenderError
from finflow.casepack.manifest import MANIFEST_NAME, write_manifest

log = logging.getLogger(__name__)

PDF_NAME = "case.pdf"
PNG_NAME = "linkchart.png"
DEFAULT_TOP_N = 10
PDF_TIMEOUT = 180.0
"""Seconds for loading and printing one case (the largest top cases have ~60 pages)."""
SCREENSHOT_FLAGS = (*CHROMIUM_FLAGS, "--default-background-color=ffffffff")
_DATE_RE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")
_SVG_SIZE_RE = re.compile(r'<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"')


def find_chromium(chromium: Path | str | None = None) -> Path:
    """The Chromium executable: `chromium` if given, else ``chromium`` on PATH."""
    found = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).exists():
        raise RenderError("headless Chromium not found (install the chromium package)")
    return Path(found)


@cache
def chromium_version(chromium: Path) -> str:
    """``Chromium 156.0...`` as reported by the executable (recorded in the manifest)."""
    done = subprocess.run(
        [str(chromium), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "Chromium"


def _run(chromium: Path, args: Sequence[str], timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="finflow-chromium-") as profile:
        cmd = [str(chromium), *SCREENSHOT_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RenderError(f"Chromium timed out after {timeout:.0f} s") from exc
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RenderError(f"Chromium failed ({done.returncode}): {' | '.join(tail)}")


def _generated_at(case_dir: Path) -> datetime:
    case = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
    text = str(case.get("generated_at") or "1970-01-01T00:00:00+00:00")
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def fix_pdf_dates(data: bytes, when: datetime) -> bytes:
    """Replace the PDF's CreationDate/ModDate with `when` (UTC), keeping every byte offset."""
    stamp = when.astimezone(UTC).strftime("%Y%m%d%H%M%S").encode()

    def repl(m: re.Match[bytes]) -> bytes:
        tail = b"+00'00'"
        tail = tail[: len(m.group(3))].ljust(len(m.group(3)), b" ")
        return b"/%s (D:%s%s)" % (m.group(1), stamp, tail)

    return _DATE_RE.sub(repl, data)


_XREF_RE = re.compile(rb"\nxref\n0 (\d+)\n(?:\d{10} \d{5} [fn]\s{1,2}\n?)+trailer")
_STARTXREF_RE = re.compile(rb"startxref\n(\d+)\n%%EOF\s*$")


def _pdf_string(text: str) -> bytes:
    """`text` escaped as the body of a PDF literal string."""
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode()


def relativise_links(data: bytes, folder: Path) -> bytes:
    """Turn ``file:///.../folder/x.csv`` link targets into ``x.csv`` and rebuild the xref.

    Chromium resolves the pack's relative links against the folder it printed from, which
    would put the output path into the PDF (and make its bytes depend on it). Relative links
    also keep working when the folder is moved. If the file does not have the simple layout
    Skia writes (one classic xref table), `data` is returned unchanged.
    """
    base = _pdf_string(Path(folder).resolve().as_uri() + "/")
    needle = b"/URI (" + base
    xref = _XREF_RE.search(data)
    start = _STARTXREF_RE.search(data)
    if needle not in data:
        return data
    if xref is None or start is None:
        log.warning("PDF layout not recognised; links left absolute")
        return data
    cuts = [m.start() + len(b"/URI (") for m in re.finditer(re.escape(needle), data)]
    entries = re.findall(rb"(\d{10}) (\d{5}) ([fn])", xref.group(0))

    def moved(offset: int) -> int:
        return offset - len(base) * bisect.bisect_right(cuts, offset)

    table = [b"\nxref\n0 %s\n" % xref.group(1)]
    for off, gen, kind in entries:
        new = moved(int(off)) if kind == b"n" else int(off)
        table.append(b"%010d %s %s \n" % (new, gen, kind))
    head = data[: xref.start()].replace(needle, b"/URI (")
    trailer = data[xref.end() - len(b"trailer") : start.start()]
    return head + b"".join(table) + trailer + b"startxref\n%d\n%%%%EOF\n" % (len(head) + 1)


def _refresh_manifest(case_dir: Path, renderer: str) -> None:
    """Rewrite the manifest with the same metadata and inputs, listing the new files."""
    path = case_dir / MANIFEST_NAME
    old: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    inputs = old.pop("inputs", [])
    old.pop("files", None)
    old.pop("manifest_version", None)
    old["renderer"] = renderer
    write_manifest(case_dir, inputs, old)


def write_pdf(
    case_dir: Path,
    chromium: Path | str | None = None,
    timeout: float = PDF_TIMEOUT,
    browser: Browser | None = None,
) -> Path:
    """Print ``case_dir/index.html`` to ``case_dir/case.pdf``; return the PDF path.

    Prints on `browser` when given (see `render_top_cases`), else on a Chromium started for
    this one file, with `timeout` for loading and for printing.
    """
    case_dir = Path(case_dir)
    exe = find_chromium(chromium)
    out = case_dir / PDF_NAME
    with nullcontext(browser) if browser else Browser(exe, timeout) as printer:
        data = printer.print_pdf((case_dir / "index.html").resolve().as_uri())
    if not data:
        raise RenderError(f"Chromium wrote no PDF for {case_dir.name}")
    data = relativise_links(data, case_dir)
    out.write_bytes(fix_pdf_dates(data, _generated_at(case_dir)))
    _refresh_manifest(case_dir, chromium_version(exe))
    log.info("PDF written to %s", out)
    return out


def write_png(case_dir: Path, chromium: Path | str | None = None, timeout: float = 120) -> Path:
    """Screenshot ``figures/linkchart.svg`` to ``case_dir/linkchart.png``; return its path."""
    case_dir = Path(case_dir)
    exe = find_chromium(chromium)
    svg = case_dir / "figures" / "linkchart.svg"
    match = _SVG_SIZE_RE.search(svg.read_text(encoding="utf-8"))
    width, height = (int(float(v)) for v in match.groups()) if match else (960, 680)
    out = case_dir / PNG_NAME
    _run(
        exe,
        [f"--window-size={width},{height}", f"--screenshot={out}", svg.resolve().as_uri()],
        timeout,
    )
    _refresh_manifest(case_dir, chromium_version(exe))
    return out


def render_case_files(
    case_dir: Path,
    chromium: Path | str | None = None,
    png: bool = True,
    browser: Browser | None = None,
) -> list[Path]:
    """The PDF (and the link-chart PNG when `png`) of one case folder."""
    paths = [write_pdf(case_dir, chromium, browser=browser)]
    if png:
        paths.append(write_png(case_dir, chromium))
    return paths


def render_top_cases(
    cases_dir: Path,
    case_ids: Sequence[str],
    top_n: int = DEFAULT_TOP_N,
    chromium: Path | str | None = None,
    png: bool = True,
    workers: int | None = None,
) -> dict[str, list[Path]]:
    """Render PDFs (and PNGs) for the first `top_n` of `case_ids` (give them in rank order).

    One Chromium prints them all, in up to `workers` tabs at once (default: one per core;
    a tab's page is laid out and printed by its own renderer process). A case that fails is
    logged and left without a PDF; the others still render. Returns case id -> files written.
    """
    if top_n <= 0 or not case_ids:
        return {}
    exe = find_chromium(chromium)
    chosen = list(case_ids)[:top_n]
    tabs = max(1, min(workers or os.cpu_count() or 1, len(chosen)))
    done: dict[str, list[Path]] = {}
    try:
        browser = Browser(exe, PDF_TIMEOUT)
    except RenderError as exc:
        log.error("no PDF rendered for the top %d cases: %s", len(chosen), exc)
        return done
    with browser, ThreadPoolExecutor(max_workers=tabs) as pool:
        futures = {
            cid: pool.submit(render_case_files, Path(cases_dir) / cid, exe, png, browser)
            for cid in chosen
        }
        for cid, future in futures.items():
            try:
                done[cid] = future.result()
            except (RenderError, OSError) as exc:
                log.error("case %s: no PDF rendered: %s", cid, exc)
    log.info("rendered PDFs for %d of %d cases", len(done), len(chosen))
    return done
