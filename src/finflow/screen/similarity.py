"""How alike two name tokens are, and why: a score in 0..1 and a short reason.

Each kind of agreement has its own score (data in `TOKEN_SCORES`). Fuzzy agreement is bounded
by an edit distance the candidate index can retrieve exactly (see `index.py`): 1 edit for
tokens of 5-8 letters, 2 for 9 or more (two edits turn Mingjian into Dongjian), a
transposition counting as one edit.
"""

from __future__ import annotations

from functools import lru_cache

import jellyfish
from rapidfuzz.distance import OSA

from finflow.screen.normalise import skeleton, variant_groups

TOKEN_SCORES = {
    "exact": 1.0,
    "variant": 0.95,  # the same name in another spelling or a nickname (variants.txt)
    "phonetic": 0.85,  # same Metaphone key
    "no-vowels": 0.85,  # same consonant skeleton (names written without vowels)
    "prefix": 0.8,  # truncated: one is the start of the other
    "initial": 0.6,  # a single letter standing for the other
}
MATCH_MIN = 0.7  # below this a token pair is not evidence at all
MIN_FUZZY_LEN = 5  # one edit turns many short names into others (Wang/Yang, Omar/Amar)
MIN_KEY_LEN = 4  # phonetic keys of shorter tokens are too common to mean much (Lee/Lau/Li)
MIN_SKELETON_LEN = 3  # consonant skeletons need three consonants (Hsn for Hassan)
MIN_PREFIX_LEN = 4
MIN_PREFIX_RATIO = 0.6


def max_edits(length: int) -> int:
    """Edits allowed between two tokens whose longer one has `length` letters."""
    if length < MIN_FUZZY_LEN:
        return 0
    return 1 if length < 9 else 2


@lru_cache(maxsize=100_000)
def phonetic(token: str) -> str:
    """Metaphone key of a token ('' for tokens too short or with digits)."""
    if len(token) < MIN_KEY_LEN or not token.isalpha():
        return ""
    return str(jellyfish.metaphone(token))


@lru_cache(maxsize=100_000)
def consonants(token: str) -> str:
    key = skeleton(token)
    return key if len(key) >= MIN_SKELETON_LEN and token.isalpha() else ""


def token_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity of two normalised tokens and the name of the agreement ('' if none)."""
    if a == b:
        return 1.0, "exact"
    if len(a) == 1 or len(b) == 1:
        if a[0] == b[0] and (len(a) > 1 or len(b) > 1):
            return TOKEN_SCORES["initial"], "initial"
        return 0.0, ""
    groups = variant_groups()
    ga, gb = groups.get(a), groups.get(b)
    if ga and gb and not ga.isdisjoint(gb):
        return TOKEN_SCORES["variant"], "variant"
    best, why = 0.0, ""
    longest = max(len(a), len(b))
    allowed = max_edits(longest)
    if allowed:
        edits = OSA.distance(a, b, score_cutoff=allowed)
        if edits <= allowed:
            best, why = 1.0 - edits / longest, "spelling"
    pa = phonetic(a)
    if pa and pa == phonetic(b) and TOKEN_SCORES["phonetic"] > best:
        best, why = TOKEN_SCORES["phonetic"], "phonetic"
    sa = consonants(a)
    if sa and sa == consonants(b) and TOKEN_SCORES["no-vowels"] > best:
        best, why = TOKEN_SCORES["no-vowels"], "no-vowels"
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if (
        len(short) >= MIN_PREFIX_LEN
        and long_.startswith(short)
        and len(short) / len(long_) >= MIN_PREFIX_RATIO
        and TOKEN_SCORES["prefix"] > best
    ):
        best, why = TOKEN_SCORES["prefix"], "prefix"
    if best < MATCH_MIN:
        return 0.0, ""
    return best, why
