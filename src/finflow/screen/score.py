"""Score one query name against one listed name from the token agreements found.

The units of both names are aligned one-to-one, best agreement first (so word order does not
matter). Coverage is the share of each name's token weight that found a partner, weighted by
how well it agreed; the query's coverage counts more than the listed name's, because lists carry
patronymics and extra given names that customer records leave out. A listed name with two or
more real name words must agree with the query on at least two of them, otherwise the score is
capped below any sensible threshold: a shared surname or first name alone is not a match.
"""

from __future__ import annotations

from dataclasses import dataclass

from finflow.screen.similarity import CHINESE_SURNAMES, TOKEN_SCORES, other_syllables
from finflow.screen.units import Unit

QUERY_SHARE = 0.65  # weight of the query's coverage; the listed name's coverage has the rest
ORG_QUERY_SHARE = 0.5  # organisation names carry no patronymics: every listed word counts
CAP = 0.6  # score ceiling when too few real name words agree
FAMILY_CAP = 0.7  # score ceiling when a listed surname (Name 6) finds no partner at all
INITIAL = TOKEN_SCORES["initial"]
EXACTISH = TOKEN_SCORES["variant"]  # exact and name-variant agreements are never second-guessed

Sims = list[dict[str, tuple[float, str]]]


@dataclass(frozen=True, slots=True)
class Shape:
    """What the scorer needs to know about a name's units, computed once per name."""

    units: tuple[Unit, ...]
    total: float  # weight of the single-token units
    strong: int  # strong single tokens
    significant: int  # bit mask of strong tokens and initials
    positions: dict[str, tuple[int, ...]]  # unit text -> indexes of the units with that text
    family: int = 0  # bit mask of the surname's strong tokens (listed names only)
    query_share: float = QUERY_SHARE
    chinese: bool = False  # a Chinese surname: given names are compared syllable by syllable


def shape(
    units: tuple[Unit, ...], family: frozenset[str] = frozenset(), person: bool = True
) -> Shape:
    singles = [u for u in units if not u.compound]
    positions: dict[str, list[int]] = {}
    for i, u in enumerate(units):
        positions.setdefault(u.text, []).append(i)
    return Shape(
        units,
        sum(u.weight for u in singles),
        sum(1 for u in singles if u.strong),
        sum(u.mask for u in singles if u.significant),
        {t: tuple(p) for t, p in positions.items()},
        sum(u.mask for u in singles if u.strong and u.text in family),
        QUERY_SHARE if person else ORG_QUERY_SHARE,
        person and not CHINESE_SURNAMES.isdisjoint(family),
    )


@dataclass(frozen=True, slots=True)
class Agreement:
    query: str
    listed: str
    similarity: float
    why: str


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    agreements: tuple[Agreement, ...]
    unmatched_query: tuple[str, ...]
    unmatched_listed: tuple[str, ...]
    capped: bool


def align(query: Shape, listed: Shape, sims: Sims) -> tuple[float, bool, list[tuple[int, int]]]:
    """The name score, whether it was capped, and the aligned (query, listed) unit pairs."""
    pairs = []
    l_units = listed.units
    positions = listed.positions
    for qi, qu in enumerate(query.units):
        found = sims[qi]
        if len(qu.text) == 1:  # an initial stands for any listed word with that first letter
            for li, lu in enumerate(l_units):
                if not lu.compound and len(lu.text) > 1 and lu.text[0] == qu.text:
                    pairs.append((INITIAL, 0, qu.weight + lu.weight, qi, li))
        if not found:
            continue
        if len(found) <= len(positions):
            for text, (sim, _) in found.items():
                for li in positions.get(text, ()):
                    lu = l_units[li]
                    pairs.append((sim, -qu.compound - lu.compound, qu.weight + lu.weight, qi, li))
        else:
            for li, lu in enumerate(l_units):
                hit = found.get(lu.text)
                if hit is not None:
                    pairs.append(
                        (hit[0], -qu.compound - lu.compound, qu.weight + lu.weight, qi, li)
                    )
    if not pairs:
        return 0.0, False, []
    if listed.chinese:  # one syllable apart is another name, not a spelling
        pairs = [
            p
            for p in pairs
            if p[0] >= EXACTISH or not other_syllables(query.units[p[3]].text, l_units[p[4]].text)
        ]
    pairs.sort(reverse=True)
    q_used = l_used = 0
    q_cov = l_cov = 0.0
    strong_hit = False
    chosen = []
    for sim, _, _, qi, li in pairs:
        qu, lu = query.units[qi], l_units[li]
        if q_used & qu.mask or l_used & lu.mask:
            continue
        q_used |= qu.mask
        l_used |= lu.mask
        q_cov += sim * qu.weight
        l_cov += sim * lu.weight
        strong_hit = strong_hit or (qu.strong and lu.strong)
        chosen.append((qi, li))
    if not strong_hit or not query.total or not listed.total:
        return 0.0, False, []
    share = listed.query_share
    score = share * q_cov / query.total + (1 - share) * l_cov / listed.total
    capped = bin(l_used & listed.significant).count("1") < min(2, listed.strong)
    if capped:
        score = min(score, CAP)
    elif listed.family and not l_used & listed.family and listed.family != listed.significant:
        score = min(score, FAMILY_CAP)
    return min(1.0, score), capped, chosen


def score_name(query: Shape, listed: Shape, sims: Sims) -> NameScore:
    """The name score with the agreements that make it up (for explanations)."""
    score, capped, chosen = align(query, listed, sims)
    agreements = []
    q_used = l_used = 0
    for qi, li in chosen:
        qu, lu = query.units[qi], listed.units[li]
        q_used |= qu.mask
        l_used |= lu.mask
        hit = sims[qi].get(lu.text)
        sim, why = hit if hit is not None else (INITIAL, "initial")
        agreements.append(Agreement(qu.text, lu.text, sim, why))
    return NameScore(
        score,
        tuple(agreements),
        tuple(u.text for u in query.units if not u.compound and not u.mask & q_used),
        tuple(u.text for u in listed.units if not u.compound and not u.mask & l_used),
        capped,
    )
