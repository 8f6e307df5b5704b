"""transactions.xlsx: the schedule of transactions as a spreadsheet, with totals.

Written directly as Office Open XML (SpreadsheetML, ECMA-376) rather than through openpyxl:
a case pack is rendered for every case of a run and openpyxl costs ~150 ms per workbook, this
~5 ms; and every byte is under our control, so the same case always gives the same file (zip
entry times and document dates come from the case's ``generated_at``). Tests read the result
back with openpyxl.

The marking and the draft line head the sheet. Numbers are numbers and booking times are
dates (UTC); every text cell is an inline string that went through `safe_cell`, so a reference
such as ``=HYPERLINK(..)`` is stored as text with a leading apostrophe.
"""

from __future__ import annotations

import io
import logging
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from finflow.casepack.csvsafe import safe_cell

log = logging.getLogger(__name__)

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("txn_id", "Row id", 20),
    ("source", "Source file and line", 28),
    ("booked_at", "Booked (UTC)", 17),
    ("amount_paid", "Amount paid", 14),
    ("currency_paid", "Currency paid", 9),
    ("amount_received", "Amount received", 14),
    ("currency_received", "Currency received", 9),
    ("fx_rate", "FX rate to GBP", 11),
    ("amount_gbp", "GBP equivalent", 14),
    ("payer", "Payer (bank / account)", 22),
    ("payer_name", "Payer holder as stated", 24),
    ("payee", "Payee (bank / account)", 22),
    ("payee_name", "Payee holder as stated", 24),
    ("channel", "Channel", 9),
    ("reference", "Reference (verbatim)", 30),
    ("tags", "Indicators", 26),
)
# Cell style ids in styles.xml: 0 plain, 1 bold, 2 date-time, 3 money, 4 rate, 5 bold money.
_STYLE = {"booked_at": 2, "amount_paid": 3, "amount_received": 3, "amount_gbp": 3, "fx_rate": 4}
_EPOCH = datetime(1899, 12, 30)

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"""  # noqa: E501
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"""  # noqa: E501
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Transactions" sheetId="1" r:id="rId1"/></sheets></workbook>"""  # noqa: E501
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"""  # noqa: E501
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/><numFmt numFmtId="165" formatCode="#,##0.00"/><numFmt numFmtId="166" formatCode="0.000000"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""  # noqa: E501


def column_letter(index: int) -> str:
    """0 -> ``A``, 25 -> ``Z``, 26 -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters XML 1.0 cannot hold (tab, LF and CR it can)."""


_LETTERS = [column_letter(i) for i in range(len(COLUMNS))]


def _text(value: str) -> str:
    """Escape text for XML, dropping characters XML 1.0 cannot hold."""
    return escape(_NOT_XML.sub("", value))


def _cell(ref: str, value: Any, style: int = 0) -> str:
    """One ``<c>`` element: a number, a date (serial), or an inline string (neutralised)."""
    s = f' s="{style}"' if style else ""
    if type(value) is not str:  # text (the most common) needs neither test
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            value = "yes" if value else "no"
    elif not value:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        serial = (value - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}"{s}><v>{serial!r}</v></c>'
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = _text(str(safe_cell(str(value))))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _row(number: int, values: Sequence[Any], styles: Sequence[int]) -> str:
    cells = "".join(
        _cell(f"{letter}{number}", v, style)
        for letter, v, style in zip(_LETTERS, values, styles, strict=False)
    )
    return f'<row r="{number}">{cells}</row>'


def _row_values(r: Mapping[str, Any], names: Mapping[str, str]) -> list[Any]:
    payer = f"{r.get('payer_bank')}:{r.get('payer_account')}"
    payee = f"{r.get('payee_bank')}:{r.get('payee_account')}"
    values = {
        "txn_id": r.get("txn_id"),
        "source": f"{r.get('source_file')}, {r.get('source_locator')}",
        "booked_at": r.get("booked_at"),
        "amount_paid": r.get("amount_paid"),
        "currency_paid": r.get("currency_paid"),
        "amount_received": r.get("amount_received"),
        "currency_received": r.get("currency_received"),
        "fx_rate": r.get("fx_rate"),
        "amount_gbp": r.get("amount_gbp"),
        "payer": payer.replace(":", " / ", 1),
        "payer_name": names.get(payer, ""),
        "payee": payee.replace(":", " / ", 1),
        "payee_name": names.get(payee, ""),
        "channel": r.get("channel"),
        "reference": r.get("reference"),
        "tags": "; ".join(sorted(r.get("tags") or [])),
    }
    return [values[c] for c, _, _ in COLUMNS]


def _stamp(generated_at: str) -> datetime:
    """`generated_at` as a naive UTC datetime (zip entries cannot predate 1980)."""
    try:
        parsed = datetime.fromisoformat(str(generated_at).replace("Z", "+00:00"))
    except ValueError:
        parsed = datetime(1980, 1, 1, tzinfo=UTC)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return max(parsed, datetime(1980, 1, 1))


def sheet_xml(
    case: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
    marking: str,
    draft_line: str,
) -> str:
    """The worksheet: marking, draft line, title, header, one row per transaction, totals."""
    n_cols = len(COLUMNS)
    plain, bold = [0] * n_cols, [1] * n_cols
    data_styles = [_STYLE.get(c, 0) for c, _, _ in COLUMNS]
    lines = [
        _row(1, [marking], bold),
        _row(2, [draft_line], plain),
        _row(3, [f"Case {case.get('case_id')} - schedule of transactions"], plain),
        _row(5, [title for _, title, _ in COLUMNS], bold),
    ]
    for i, r in enumerate(rows, start=6):
        lines.append(_row(i, _row_values(r, names), data_styles))
    last = 5 + len(rows)
    gbp_col = [c for c, _, _ in COLUMNS].index("amount_gbp")
    totals: list[Any] = [None] * n_cols
    totals[0] = f"Totals: {len(rows)} transactions"
    totals[gbp_col] = round(sum(float(r.get("amount_gbp") or 0.0) for r in rows), 2)
    total_styles = list(bold)
    total_styles[gbp_col] = 5
    lines.append(_row(last + 1, totals, total_styles))
    lines.append(_row(last + 3, [marking], bold))
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, (_, _, w) in enumerate(COLUMNS, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="5" topLeftCell="A6"'
        ' activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        f"<cols>{cols}</cols><sheetData>{''.join(lines)}</sheetData>"
        f"<headerFooter><oddHeader>&amp;C&amp;B{_text(marking)}</oddHeader>"
        f"<oddFooter>&amp;C&amp;B{_text(marking)}&amp;RPage &amp;P of &amp;N</oddFooter>"
        "</headerFooter></worksheet>"
    )


def _core(stamp: datetime) -> str:
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms='
        '"http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>finflow</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{iso}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{iso}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def write_xlsx(
    case: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
    marking: str,
    draft_line: str,
    path: Path,
) -> Path:
    """Write the schedule to `path` (transactions.xlsx) with deterministic bytes."""
    stamp = _stamp(str(case.get("generated_at") or ""))
    parts = (
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/core.xml", _core(stamp)),
        ("xl/workbook.xml", _WORKBOOK),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _STYLES),
        ("xl/worksheets/sheet1.xml", sheet_xml(case, rows, names, marking, draft_line)),
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            entry = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            archive.writestr(entry, text.encode("utf-8"))
    Path(path).write_bytes(buffer.getvalue())
    return Path(path)
