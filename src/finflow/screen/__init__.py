"""Sanctions screening: match names against the UK sanctions list, explain every hit.

    from finflow.screen import Screener, load_list
    screener = Screener(load_list(path))           # FCDO or OFSI CSV, recognised by content
    for match in screener.screen("Mohamad Salman", dob="1985-08-31", kind="Person"):
        print(match.unique_id, match.score, match.explanation)

A match is a possible match for human review, never a conclusion.
"""

from finflow.screen.lists import ListFormatError, default_list_path, load_list
from finflow.screen.model import Designation, NameRow, SanctionsList
from finflow.screen.screener import DEFAULT_THRESHOLD, Match, Screener

__all__ = [
    "DEFAULT_THRESHOLD",
    "Designation",
    "ListFormatError",
    "Match",
    "NameRow",
    "SanctionsList",
    "Screener",
    "default_list_path",
    "load_list",
]
