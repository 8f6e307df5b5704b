"""The candidate index: which listed name rows a query could match at all.

Every distinct unit text of the list (a token or two tokens run together) is one vocabulary
entry, posted to the name rows that contain it. A vocabulary entry is found under keys: its
text, its name-variant groups, its Metaphone key, its consonant skeleton, its single-letter
form (initials) and its deletion neighbourhood (all strings one or two deletions away, which
finds every spelling within the edit distance the scorer accepts); truncation is found through
its prefixes of four letters or more and at least half its length, and by looking up the
prefixes of the query text. A query unit looks up the same keys, is compared exactly with the
few entries found, and the
rows of the entries it matches are its candidates. The keys are built from the same rules as
`similarity.token_similarity`, so every token pair that the scorer would count is found here:
recall with the index equals recall comparing every pair (tested, and measured in the bench).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from finflow.screen.normalise import variant_groups
from finflow.screen.similarity import (
    MIN_PREFIX_LEN,
    consonants,
    phonetic,
)


def deletions(token: str) -> set[str]:
    """Strings reachable by up to the deletions the fuzzy rule may need for this token."""
    n = len(token)
    if n < 4:
        return {token}
    once = [token[:i] + token[i + 1 :] for i in range(n)]
    out = {token, *once}
    if n >= 7:  # two deletions from 7 letters: the second at or after the first, once each
        for i, word in enumerate(once):
            out.update([word[:j] + word[j + 1 :] for j in range(i, n - 1)])
    return out


def keys(text: str) -> Iterator[str]:
    """Every key a unit text is posted under (and looked up by), but its deletions.

    The deletion neighbourhood (`deletions`, ~100 strings for a long run-together unit) is kept
    in a map of its own and looked up with one set intersection, not key by key.
    """
    yield "t:" + text
    if len(text) == 1:
        return
    for group in variant_groups().get(text, ()):
        yield f"g:{group}"
    if key := phonetic(text):
        yield "p:" + key
    if key := consonants(text):
        yield "s:" + key


class VocabularyIndex:
    """Unit texts -> ids, keys -> unit ids, unit ids -> the name rows where they count.

    A row is posted under a unit only where the unit covers a strong token or is an initial:
    particles and generic words are in the vocabulary (they are scored) but retrieve nothing.
    """

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.ids: dict[str, int] = {}
        self.rows: list[set[int]] = []
        self.compound_rows: list[set[int]] = []  # rows where the unit is two tokens run together
        self.by_key: dict[str, list[int]] = {}
        self.by_deletion: dict[str, list[int]] = {}  # deletion strings (`deletions`) -> ids
        self.initials: dict[str, list[int]] = {}

    def add(self, text: str, row: int, compound: bool, significant: bool) -> int:
        vid = self.ids.get(text)
        if vid is None:
            vid = len(self.texts)
            self.ids[text] = vid
            self.texts.append(text)
            self.rows.append(set())
            self.compound_rows.append(set())
            for key in keys(text):
                self.by_key.setdefault(key, []).append(vid)
            if len(text) > 1:
                for deleted in deletions(text):
                    self.by_deletion.setdefault(deleted, []).append(vid)
            for size in range(MIN_PREFIX_LEN, len(text)):
                if 2 * size >= len(text):  # the prefix rule needs 60%: a margin, exact later
                    self.by_key.setdefault("x:" + text[:size], []).append(vid)
            if len(text) == 1:
                self.initials.setdefault(text, []).append(vid)
        if significant:
            self.rows[vid].add(row)
            if compound:
                self.compound_rows[vid].add(row)
        return vid

    def lookup(self, text: str) -> set[int]:
        """Vocabulary ids that share at least one key with `text`, or start or end it."""
        found: set[int] = set()
        by_key = self.by_key
        for key in keys(text):
            hit = by_key.get(key)
            if hit:
                found.update(hit)
        if len(text) > 1:
            by_deletion = self.by_deletion
            # a dict's key view intersected with a set walks the smaller of the two, in C
            for deleted in by_deletion.keys() & deletions(text):
                found.update(by_deletion[deleted])
        longer = by_key.get("x:" + text)  # entries that `text` is the start of
        if longer:
            found.update(longer)
        ids = self.ids
        for size in range(MIN_PREFIX_LEN, len(text)):  # entries that are the start of `text`
            vid = ids.get(text[:size])
            if vid is not None:
                found.add(vid)
        if len(text) > 1:
            found.update(self.initials.get(text[0], ()))
        return found


def select_rows(
    per_position: list[set[int]],
    initials: int,
    compound_rows: set[int],
    few_strong_rows: frozenset[int],
    need_pairs: bool,
) -> set[int]:
    """Rows that can reach the threshold: see `score.CAP` for the rule this mirrors.

    `per_position` holds, for each strong query token, the rows one of its units matched. A row
    whose name has two or more strong tokens must agree on two of them (an initial of the query
    may be the second), unless a run-together unit matched it.
    """
    union: set[int] = set().union(*per_position) if per_position else set()
    if not need_pairs or initials:
        return union
    chosen = (union & few_strong_rows) | (compound_rows & union)
    for a, b in combinations(per_position, 2):
        chosen |= a & b
    return chosen
