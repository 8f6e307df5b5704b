"""finflow: bank transaction feeds to POCA case packs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("finflow")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
