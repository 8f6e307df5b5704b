"""The human-readable explanation of a possible match: which name, what agreed, the DOB.

Neutral wording only: a hit is a possible match for human review, never a conclusion.
Example::

    possible match for review (score 0.93): query "Mohamad Salman" ~ Primary Name
    "Muhammad Bin Salman" of UID1234; agreed: mohamad~muhammad (variant 0.95),
    salman=salman (exact); not in query: bin; date of birth agrees to the day (1985-08-31, +0.08)
"""

from __future__ import annotations

from finflow.screen.dob import DOB_EFFECT
from finflow.screen.score import NameScore

DOB_WORDS = {
    "agree-day": "date of birth agrees to the day",
    "agree-month": "date of birth agrees to the month",
    "agree-year": "year of birth agrees",
    "slip": "date of birth differs by a likely slip (day/month or year digits swapped)",
    "conflict": "date of birth conflicts",
    "none": "no date of birth to compare (neutral)",
}


def explain(
    query: str,
    name_type: str,
    weak: bool,
    matched_name: str,
    unique_id: str,
    name: NameScore,
    dob_outcome: str,
    dob_listed: str,
    score: float,
) -> str:
    """One line a reviewer can read: the name, the agreeing tokens and the DOB's effect."""
    kind = f"{name_type} (low-quality alias, weaker evidence)" if weak else name_type
    agreed = ", ".join(
        f"{a.query}={a.listed} (exact)"
        if a.why == "exact"
        else f"{a.query}~{a.listed} ({a.why} {a.similarity:.2f})"
        for a in name.agreements
    )
    parts = [
        f'possible match for review (score {score:.2f}): query "{query}" ~ {kind} '
        f'"{matched_name}" of {unique_id}',
        f"agreed: {agreed}",
    ]
    if name.unmatched_query:
        parts.append("not in listed name: " + " ".join(name.unmatched_query))
    if name.unmatched_listed:
        parts.append("not in query: " + " ".join(name.unmatched_listed))
    dob = DOB_WORDS[dob_outcome]
    if dob_outcome != "none":
        dob += f" ({dob_listed}, {DOB_EFFECT[dob_outcome]:+.2f})"
    parts.append(dob)
    return "; ".join(parts)
