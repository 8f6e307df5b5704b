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

from finflow.screen.similarity import TOKEN_SCORES
from finflow.screen.units import Unit

INITIAL = TOKEN_SCORES["initial"]

QUERY_SHARE = 0.65  # weight of the query's coverage; the listed name's coverage has the rest
CAP = 0.6  # score ceiling when too few real name words agree


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


def _covered(mask: int, parts: tuple[Unit, ...]) -> tuple[str, ...]:
    return tuple(u.text for u in parts if not u.compound and not u.mask & mask)


def score_name(
    query: tuple[Unit, ...],
    listed: tuple[Unit, ...],
    sims: list[dict[str, tuple[float, str]]],
) -> NameScore:
    """Align `query` units with `listed` units; `sims[i][text]` is query unit i's agreement."""
    pairs = []
    for qi, qu in enumerate(query):
        found = sims[qi]
        if len(qu.text) == 1:  # an initial stands for any listed word with that first letter
            for li, lu in enumerate(listed):
                if not lu.compound and lu.text[0] == qu.text and len(lu.text) > 1:
                    pairs.append((INITIAL, 0, qu.weight + lu.weight, qi, li))
        if not found:
            continue
        for li, lu in enumerate(listed):
            hit = found.get(lu.text)
            if hit is not None:
                pairs.append((hit[0], -(qu.compound + lu.compound), qu.weight + lu.weight, qi, li))
    pairs.sort(reverse=True)
    q_used = l_used = 0
    q_cov = l_cov = 0.0
    strong_hit = False
    agreements = []
    for sim, _, _, qi, li in pairs:
        qu, lu = query[qi], listed[li]
        if q_used & qu.mask or l_used & lu.mask:
            continue
        q_used |= qu.mask
        l_used |= lu.mask
        q_cov += sim * qu.weight
        l_cov += sim * lu.weight
        strong_hit = strong_hit or (qu.strong and lu.strong)
        why = "initial" if len(qu.text) == 1 and lu.text not in sims[qi] else sims[qi][lu.text][1]
        agreements.append(Agreement(qu.text, lu.text, sim, why))
    q_total = sum(u.weight for u in query if not u.compound)
    l_total = sum(u.weight for u in listed if not u.compound)
    if not agreements or not strong_hit or not q_total or not l_total:
        return NameScore(0.0, (), _covered(0, query), _covered(0, listed), False)
    score = QUERY_SHARE * q_cov / q_total + (1 - QUERY_SHARE) * l_cov / l_total
    listed_strong = sum(1 for u in listed if u.strong and not u.compound)
    significant = sum(u.mask for u in listed if u.significant)
    matched_listed = bin(l_used & significant).count("1")
    capped = matched_listed < min(2, listed_strong)
    if capped:
        score = min(score, CAP)
    return NameScore(
        min(1.0, score),
        tuple(agreements),
        _covered(q_used, query),
        _covered(l_used, listed),
        capped,
    )
