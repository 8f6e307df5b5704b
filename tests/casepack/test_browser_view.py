"""The case pack as a person sees it: in headless Chromium and as PDF pages (pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from casepack_sample import HOSTILE_NAME, build_case
from test_sections import SECTIONS

from finflow.casepack.devtools import CHROMIUM_FLAGS
from finflow.casepack.pdf import write_pdf
from finflow.casepack.render import write_case_pack

CHROMIUM = shutil.which("chromium")
PDFTOPPM = shutil.which("pdftoppm")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and PDFTOPPM), reason="needs Debian chromium and poppler-utils (make system-deps)"
)


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    case, transactions = build_case(hostile=True)
    out = tmp_path_factory.mktemp("pack") / case["case_id"]
    write_case_pack(case, transactions, out)
    write_pdf(out)
    return out


def test_page_loads_without_console_errors_and_shows_every_section(
    pack: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=2000",
            "--dump-dom",
            (pack / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
    dom = result.stdout
    headings = re.sub(r"<[^>]+>", " ", " ".join(re.findall(r"<h2[^>]*>.*?</h2>", dom, re.S)))
    for title in SECTIONS:
        assert title in headings, title
    # the hostile name is in the page as text, never as a script element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert HOSTILE_NAME not in dom


def test_pdf_pages_are_not_blank(pack: Path, tmp_path: Path) -> None:
    pdf = pack / "case.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        [str(PDFTOPPM), "-r", "20", "-gray", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.pgm"))
    assert len(pages) >= 3
    for page in pages:
        width, height, pixels = _read_pgm(page)
        # the body, between the running header and footer, must carry ink
        body = pixels[int(height * 0.06) * width : int(height * 0.94) * width]
        inked = sum(1 for p in body if p < 220)  # small text is light grey at 20 dpi
        assert inked > 20, f"{page.name}: nothing but the page margins"


def _read_pgm(path: Path) -> tuple[int, int, bytes]:
    magic, width, height, maxval, pixels = path.read_bytes().split(maxsplit=4)
    assert magic == b"P5" and maxval == b"255"
    return int(width), int(height), pixels[: int(width) * int(height)]
