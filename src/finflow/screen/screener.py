"""The screener: build the index once, then screen names against the list.

``Screener(lst).screen("Mohamad Salman", dob="1985-08-31")`` returns the designations whose
best name scores at or above the threshold, best first, each with an explanation. The score
is the name score (`score.py`) times the strength of the listed name (a low-quality alias is
weaker evidence), plus the date-of-birth effect (`dob.py`), clipped to 0..1.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from finflow.errors import InputError
from finflow.screen.dob import DOB_EFFECT, PartialDate, compare_dob, parse_list_dob, parse_query_dob
from finflow.screen.explain import explain
from finflow.screen.index import VocabularyIndex, select_rows
from finflow.screen.model import NON_LATIN, Designation, NameRow, SanctionsList
from finflow.screen.normalise import normalise
from finflow.screen.score import CAP, Shape, align, score_name, shape
from finflow.screen.similarity import token_similarity
from finflow.screen.units import Unit, units

log = logging.getLogger(__name__)

CJK = re.compile(r"[\u3400-\u9fff]")

DEFAULT_THRESHOLD = 0.75
QUERY_KINDS = {"person": "Individual", "organization": "Entity", "organisation": "Entity"}
MAX_DOB_BONUS = max(DOB_EFFECT.values())
SIM_CACHE = 200_000  # query unit texts whose agreements are kept
NAME_CACHE = 100_000  # query names whose candidate rows are kept (`Screener._name_rows`)

# Dates of birth repeat across a party file; PartialDate is immutable, so one parse each.
_query_dob = lru_cache(maxsize=1 << 16)(parse_query_dob)


class QueryKindError(InputError):
    """A query's type is neither Person nor Organization."""


@dataclass(frozen=True, slots=True)
class Match:
    """A possible match for human review: never a conclusion."""

    unique_id: str
    score: float
    matched_name: str
    name_type: str
    designated_name: str
    regime: str
    explanation: str
    designation_type: str = ""
    dob_outcome: str = "none"


@dataclass(frozen=True, slots=True)
class _Row:
    designation: int
    name: NameRow
    shape: Shape
    strength: float
    # (unit text, the significant token bits it covers, a word an initial may stand for): the
    # units that can lift the cap on agreeing words (`score.CAP`), checked before aligning
    significant: tuple[tuple[str, int, bool], ...] = ()
    needed: int = 0  # significant bits that must agree for the cap not to apply


_NameRows = tuple[Shape, list[dict[str, tuple[float, str]]], list[tuple[int, float]]]
"""A query name's shape, its units' agreements and its (row id, name score) candidates."""


def _significant_units(row_shape: Shape) -> tuple[tuple[str, int, bool], ...]:
    sig = row_shape.significant
    return tuple(
        (u.text, u.mask & sig, not u.compound and len(u.text) > 1)
        for u in row_shape.units
        if u.mask & sig
    )


def query_kind(kind: str | None) -> str | None:
    """'Person'/'Organization' (any case) to the list's kind; None or '' for any kind."""
    if not kind:
        return None
    try:
        return QUERY_KINDS[kind.strip().lower()]
    except KeyError:
        raise QueryKindError(f"type {kind!r} is not Person or Organization") from None


class Screener:
    """Screens names against one sanctions list. `use_index=False` compares every pair."""

    def __init__(self, sanctions: SanctionsList, use_index: bool = True) -> None:
        self.list = sanctions
        self.use_index = use_index
        self.designations: tuple[Designation, ...] = sanctions.designations
        self.dobs: list[tuple[PartialDate, ...]] = [
            tuple(d for d in (parse_list_dob(t) for t in des.dobs) if d is not None)
            for des in self.designations
        ]
        self.rows: list[_Row] = []
        self.index = VocabularyIndex()
        few_strong: set[int] = set()
        for di, des in enumerate(self.designations):
            for name_row in des.names:
                normal = normalise(name_row.name)
                if not normal.tokens:
                    continue
                row_id = len(self.rows)
                row_units = units(normal)
                family = (
                    frozenset(normalise(name_row.family).tokens) if name_row.family else frozenset()
                )
                if name_row.name_type == NON_LATIN and CJK.search(name_row.name):
                    family = frozenset(normal.tokens[:1])  # Chinese: the family name first
                person = des.kind == "Individual"
                row_shape = shape(row_units, family, person)
                self.rows.append(
                    _Row(
                        di,
                        name_row,
                        row_shape,
                        name_row.strength,
                        _significant_units(row_shape),
                        min(2, row_shape.strong),
                    )
                )
                if normal.strong <= 1:
                    few_strong.add(row_id)
                for unit in row_units:
                    self.index.add(
                        unit.text, row_id, unit.compound, unit.strong or unit.significant
                    )
        self.few_strong = frozenset(few_strong)
        self._sim_cache: dict[str, dict[str, tuple[float, str]]] = {}
        self._name_cache: dict[tuple[str, str | None, float], _NameRows | None] = {}
        log.info(
            "screener: %d designations, %d name rows, %d vocabulary entries",
            len(self.designations),
            len(self.rows),
            len(self.index.texts),
        )

    def _similarities(self, query: tuple[Unit, ...]) -> list[dict[str, tuple[float, str]]]:
        return [self._unit_similarities(unit.text) for unit in query]

    def _unit_similarities(self, text: str) -> dict[str, tuple[float, str]]:
        """Listed unit texts that agree with `text`, with the agreement (cached per text)."""
        found = self._sim_cache.get(text)
        if found is not None:
            return found
        texts = self.index.texts
        found = {}
        vids = self.index.lookup(text) if self.use_index else range(len(texts))
        for vid in vids:
            sim, why = token_similarity(text, texts[vid])
            if sim:
                found[texts[vid]] = (sim, why)
        if len(self._sim_cache) > SIM_CACHE:
            self._sim_cache.clear()
        self._sim_cache[text] = found
        return found

    def _candidates(
        self, query: tuple[Unit, ...], sims: list[dict[str, tuple[float, str]]], cap_ok: bool
    ) -> set[int]:
        if not self.use_index:
            return set(range(len(self.rows)))
        ids = self.index.ids
        positions: dict[int, set[int]] = {}
        compound_rows: set[int] = set()
        strong_rows: set[int] = set()
        initials = 0
        for unit, found in zip(query, sims, strict=True):
            if not unit.compound and len(unit.text) == 1:
                initials += 1
                continue
            rows: set[int] = set()
            for text in found:
                vid = ids[text]
                rows |= self.index.rows[vid]
                compound_rows |= self.index.compound_rows[vid]
                if unit.strong and len(text) > 1:
                    # a row is posted under a longer text only where it is a strong unit there
                    strong_rows |= self.index.rows[vid]
            mask, bit = unit.mask, 0
            while mask:
                if mask & 1:
                    positions.setdefault(bit, set()).update(rows)
                mask >>= 1
                bit += 1
        # `align` scores 0 unless a strong query unit agrees with a strong listed unit
        return strong_rows & select_rows(
            list(positions.values()), initials, compound_rows, self.few_strong, not cap_ok
        )

    def screen(
        self,
        name: str,
        dob: str | None = None,
        kind: str | None = None,
        threshold: float | None = None,
    ) -> list[Match]:
        """Designations possibly matching `name`, best first (score >= threshold)."""
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        want = query_kind(kind)
        query_dob = _query_dob(dob) if dob else None
        named = self._name_rows(name, want, threshold)
        if named is None:
            return []
        query, sims, rows = named
        best: dict[int, Match] = {}
        for row_id, name_score in rows:
            row = self.rows[row_id]
            des = self.designations[row.designation]
            outcome, listed = compare_dob(query_dob, self.dobs[row.designation])
            score = name_score * row.strength + DOB_EFFECT[outcome]
            score = round(min(1.0, max(0.0, score)), 4)
            if score < threshold:
                continue
            current = best.get(row.designation)
            if current is not None and current.score >= score:
                continue
            result = score_name(query, row.shape, sims)
            best[row.designation] = Match(
                des.unique_id,
                score,
                row.name.name,
                row.name.name_type,
                des.primary_name,
                des.regime,
                explain(
                    name,
                    row.name.name_type,
                    row.name.weak,
                    row.name.name,
                    des.unique_id,
                    result,
                    outcome,
                    listed,
                    score,
                ),
                des.kind,
                outcome,
            )
        return sorted(best.values(), key=lambda m: (-m.score, m.unique_id))

    def _name_rows(self, name: str, want: str | None, threshold: float) -> _NameRows | None:
        """The query's shape, its unit agreements and the rows its name alone could match.

        Rows (in row order, with the name score) are those whose name score, with the best
        date-of-birth effect, can still reach `threshold`: everything in `screen` that does not
        depend on the date of birth. Kept per (name, kind, threshold): a party file repeats a
        name under many dates of birth (61,771 names for 408,776 name and DOB pairs in the 5M
        benchmark set), and the dates only decide among these rows.
        """
        key = (name, want, threshold)
        if key in self._name_cache:
            return self._name_cache[key]
        normal = normalise(name)
        if not normal.tokens:
            found = None
        else:
            query = shape(units(normal))
            sims = self._similarities(query.units)
            cap_ok = threshold <= CAP + MAX_DOB_BONUS
            # listed texts some query unit agrees with, and the letters of the query's initials
            agreed: set[str] = set().union(*sims)
            letters = {u.text for u in query.units if len(u.text) == 1}
            rows: list[tuple[int, float]] = []
            for row_id in sorted(self._candidates(query.units, sims, cap_ok)):
                row = self.rows[row_id]
                if want and self.designations[row.designation].kind != want:
                    continue
                if not cap_ok:  # capped for sure (below the threshold): skip the alignment
                    bits = 0
                    for text, mask, word in row.significant:
                        if text in agreed or (word and text[0] in letters):
                            bits |= mask
                    if bits.bit_count() < row.needed:
                        continue
                name_score = align(query, row.shape, sims)[0]
                if name_score <= 0 or name_score * row.strength + MAX_DOB_BONUS < threshold:
                    continue
                rows.append((row_id, name_score))
            found = (query, sims, rows)
        if len(self._name_cache) > NAME_CACHE:
            self._name_cache.clear()
        self._name_cache[key] = found
        return found
