"""Where the shipped data lives, from a source tree or an installed wheel.

`sql/` and `expectations/` live at the top of the repository; the wheel carries them as
`finflow/_share/...` (see pyproject's force-include). Package data that belongs to the library
(rules, FX table, templates) lives inside `src/finflow` and is found next to the code.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def share_dir(name: str) -> Path:
    """Return the folder `name` (``sql`` or ``expectations``) for this installation."""
    installed = PACKAGE_DIR / "_share" / name
    if installed.is_dir():
        return installed
    source_tree = PACKAGE_DIR.parent.parent / name
    if source_tree.is_dir():
        return source_tree
    raise FileNotFoundError(f"finflow data folder {name!r} not found beside {PACKAGE_DIR}")


def package_file(*parts: str) -> Path:
    """Return a file shipped inside the package, e.g. ``package_file("rules", "default.yaml")``."""
    return PACKAGE_DIR.joinpath(*parts)
