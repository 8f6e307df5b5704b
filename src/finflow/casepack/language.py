"""Neutral language for generated prose.

A case pack describes what was observed; it never tells an investigator that a person is guilty.
`BANNED_WORDS` are the words the templates and generated sentences must never use (DOMAIN.md §3).
Verbatim source data (names, payment references) is not prose and is not checked here.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

log = logging.getLogger(__name__)

BANNED_WORDS: tuple[str, ...] = (
    "confirms",
    "criminal",
    "fraudster",
    "guilty",
    "launderer",
    "proven",
    "smuggler",
    "trafficker",
)
"""Words that state or imply a conclusion about a person. Plurals are matched too."""

_BANNED_RE = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in BANNED_WORDS) + r")s?\b",
    re.IGNORECASE,
)


STATUTORY_TERMS: tuple[str, ...] = (
    "criminal conduct",
    "criminal lifestyle",
    "criminal property",
)
"""Defined terms of POCA 2002 (s76, s75, s340) quoted in statutory tests. They describe
conduct or property in the words of the Act, not a person, so `check_prose` allows them."""

_STATUTORY_RE = re.compile(
    "|".join(r"\s+".join(re.escape(w) for w in t.split()) for t in STATUTORY_TERMS),
    re.IGNORECASE,
)


def check_prose(text: str) -> list[str]:
    """`check_neutral` after removing the statutory terms quoted in the powers matrix."""
    return check_neutral(_STATUTORY_RE.sub(" ", text))


def check_neutral(text: str) -> list[str]:
    """Return the banned words found in `text` (lower-case, sorted, unique); empty if neutral.

    Matching is case-insensitive and on whole words, so "criminals" is caught but
    "incriminating" and "confirmation" are not.
    """
    return list(_banned_in(text))


@lru_cache(maxsize=4096)
def _banned_in(text: str) -> tuple[str, ...]:
    # Cached: every pack of a run checks the same rule descriptions and explanations.
    return tuple(sorted({m.group(1).lower() for m in _BANNED_RE.finditer(text)}))
