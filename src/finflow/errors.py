"""The exception hierarchy. The CLI turns any FinflowError into a one-line message."""

from __future__ import annotations


class FinflowError(Exception):
    """Root of every error finflow raises on purpose (bad input, bad configuration)."""

    exit_code = 2


class InputError(FinflowError):
    """An input folder or file cannot be used as given."""


class FeedFormatError(InputError):
    """A feed file is malformed, empty, binary or in an unrecognised layout."""


class ConfigError(FinflowError):
    """A settings value, rules file or reference table is invalid."""


class ValidationFailed(FinflowError):
    """A critical great-expectations suite failed; the run stops."""

    exit_code = 3


class StoreError(FinflowError):
    """The database cannot be reached or migrated."""

    exit_code = 4
