"""Small helpers for writing SVG by hand: escaping, numbers, text width, colours.

Every text node and attribute value goes through `esc`, so names and references from the
source data stay inert. Coordinates are written with one decimal so output is stable.
"""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import escape, quoteattr

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"

ROLE_COLOURS: dict[str, str] = {
    "collector": "#b42318",
    "hub": "#7c3aed",
    "intermediary": "#d97706",
    "payer": "#1d4e89",
    "beneficiary": "#047857",
    "counterparty": "#6b7280",
    "other accounts": "#cbd5e1",
}
"""Fill colour per account role (legend order)."""

SERIES = ("#1d4e89", "#b42318", "#047857", "#d97706", "#7c3aed", "#0e7490", "#be185d", "#4d7c0f")


_CONTROL = re.compile(r"[\x00-\x1f]")
_CONTROL_BUT_TAB = re.compile(r"[\x00-\x08\x0a-\x1f]")


def esc(text: object) -> str:
    """Escape text for an SVG text node (``&``, ``<``, ``>``; control characters dropped)."""
    return escape(_CONTROL_BUT_TAB.sub("", str(text)))


def attr(text: object) -> str:
    """A quoted, escaped SVG attribute value."""
    return quoteattr(_CONTROL.sub("", str(text)))


def num(value: float) -> str:
    """A coordinate with at most one decimal and no negative zero."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def text_width(text: str, size: float) -> float:
    """Approximate rendered width of `text` in a sans-serif font of `size` px."""
    return len(text) * size * 0.56


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def short_gbp(value: float) -> str:
    """``1234567`` -> ``£1.2m``; ``5300`` -> ``£5.3k``; ``950`` -> ``£950``."""
    v = abs(value)
    sign = "-" if value < 0 else ""
    if v >= 1e6:
        return f"{sign}£{v / 1e6:.1f}m"
    if v >= 1e3:
        return f"{sign}£{v / 1e3:.1f}k"
    return f"{sign}£{v:.0f}"


def scale_sqrt(value: float, top: float, lo: float, hi: float) -> float:
    """Map `value` in [0, top] to [lo, hi] on a square-root scale."""
    if top <= 0:
        return lo
    return lo + (hi - lo) * math.sqrt(max(value, 0.0) / top)


def open_svg(width: float, height: float, title: str, desc: str) -> list[str]:
    """The opening lines of a standalone, accessible SVG document."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{num(width)}" height="{num(height)}"'
        f' viewBox="0 0 {num(width)} {num(height)}" role="img" font-family={attr(FONT)}>',
        f"<title>{esc(title)}</title>",
        f"<desc>{esc(desc)}</desc>",
        f'<rect width="{num(width)}" height="{num(height)}" fill="#ffffff"/>',
    ]
