"""Labelled screening test sets: an invented list in the FCDO layout, queries and their truth.

``generate_set(folder, seed, size)`` writes ``list.csv`` (``size`` invented designations, about
four name rows each: primary name, variations, good and low-quality aliases, names in their own
script), ``queries.csv`` (``query_id,name,dob,type``) and ``truth.csv``
(``query_id,unique_id,variant``: the designation a positive query names, empty for a
negative). Positives cover every variant kind of `gen_variants`; negatives are different
people who share a surname or a first name with a designation, common-name combinations,
the same name with another date of birth, and unrelated names. A negative is checked against
the whole list by name identity (not by any matcher): no designation may share two of its
name words, all of them, or all of its own (a query containing a whole listed name).
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from finflow.screen.gen_fcdo import ListedName, write_fcdo
from finflow.screen.gen_people import (
    Part,
    Subject,
    make_dobs,
    make_org,
    make_person,
    make_subject,
)
from finflow.screen.gen_translit import strip_accents
from finflow.screen.gen_variants import VARIANTS, _core

NEGATIVE_KINDS = (
    "neg-shared-surname",
    "neg-shared-first-name",
    "neg-common-name",
    "neg-same-name-other-dob",
    "neg-unrelated",
    "neg-org-shared-word",
)


@dataclass(frozen=True)
class Query:
    query_id: str
    name: str
    dob: str
    kind: str
    unique_id: str  # '' for a negative
    variant: str
    namesakes: str = ""  # other designations with the same name, '|'-joined


def _weak_alias(subject: Subject, rng: random.Random) -> str:
    if subject.kind == "Individual":
        given = next(p for p in subject.parts if p.role == "given")
        if given.nicknames and rng.random() < 0.5:
            return rng.choice(given.nicknames)
        return f"Abu {rng.choice(('Hamza', 'Yaqoub', 'Omar', 'Khalil', 'Bakr'))} {given.listed}"
    words = [p.listed for p in subject.parts if p.role in ("org", "generic")]
    return "".join(w[0] for w in " ".join(words).split()).upper() + " " + words[0].split()[0]


def listed_names(subject: Subject, rng: random.Random) -> list[ListedName]:
    """The name rows of one designation."""
    parts = subject.parts
    rows = [ListedName(parts, 0, "Primary Name", "")]
    spellings = max(len(p.spellings) for p in parts)
    if spellings > 1 and rng.random() < 0.85:
        rows.append(ListedName(parts, 1, "Primary Name Variation", ""))
    for spelling in range(2, min(spellings, 5)):
        if rng.random() < 0.6:
            rows.append(ListedName(parts, spelling, "Alias", "Good quality"))
    if subject.kind == "Individual" and rng.random() < 0.5:  # middle names left out
        core = [p for p in parts if p.role not in ("patronymic", "middle")]
        if len(core) < len(parts):
            rows.append(ListedName(core, 0, "Alias", "Good quality"))
    if rng.random() < 0.6:
        weak = Part("alias", (_weak_alias(subject, rng),))
        rows.append(ListedName([weak], 0, "Alias", "Low quality"))
    return rows


def _identity(parts: list[Part]) -> list[Part]:
    return [p for p in parts if p.role in ("given", "family", "org", "middle", "patronymic")]


def _spelling_keys(part: Part) -> set[str]:
    return {strip_accents(s).lower().replace(" ", "") for s in part.spellings}


class NameRegistry:
    """Which subjects carry a name word in any of its spellings (for the negative check)."""

    def __init__(self) -> None:
        self.holders: dict[str, set[int]] = {}
        self.sizes: list[int] = []

    def add(self, parts: list[Part]) -> None:
        number = len(self.sizes)
        identity = _identity(parts)
        self.sizes.append(len(identity))
        for part in identity:
            for key in _spelling_keys(part):
                self.holders.setdefault(key, set()).add(number)

    def add_alias(self, number: int, text: str) -> None:
        """Register the words of an alias of subject `number` (checked like its name words)."""
        for word in text.split():
            key = strip_accents(word).lower()
            self.holders.setdefault(key, set()).add(number)

    def _shared(self, candidate: list[Part]) -> tuple[Counter[int], set[int], int]:
        mine = _identity(candidate)
        shared: Counter[int] = Counter()
        family: set[int] = set()
        for part in mine:
            holders: set[int] = set()
            for key in _spelling_keys(part):
                holders |= self.holders.get(key, set())
            shared.update(holders)
            if part.role == "family":
                family |= holders
        return shared, family, len(mine)

    def clashes(self, candidate: list[Part]) -> bool:
        """True if some subject shares two of these name words, all of them or all of its own."""
        shared, _, size = self._shared(candidate)
        return any(n >= 2 or n in (size, self.sizes[s]) for s, n in shared.items())

    def namesakes(self, candidate: list[Part]) -> set[int]:
        """Subjects with the same name: the surname and a given name, or every word."""
        shared, family, size = self._shared(candidate)
        has_family = any(p.role == "family" for p in candidate)
        return {
            s
            for s, n in shared.items()
            if n == size or (n >= 2 and (s in family or not has_family))
        }


def _query_dob(subject: Subject, rng: random.Random) -> str:
    if not subject.dobs or rng.random() < 0.5:
        return ""
    day, month, year = subject.dobs[0].split("/")
    if month == "00" or rng.random() < 0.2:
        return year
    if day == "00" or rng.random() < 0.2:
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def _negative(
    kind: str,
    groups: tuple[list[Subject], list[Subject], list[Subject]],
    registry: NameRegistry,
    rng: random.Random,
) -> tuple[str, str, str] | None:
    """(name, dob, type) of a negative query of `kind`, or None if this draw clashes."""
    people, dated, firms = groups
    target = rng.choice(people)
    if kind == "neg-same-name-other-dob":
        target = rng.choice(dated)
        if len(registry.namesakes(target.parts)) > 1:  # a namesake would rightly be a hit
            return None
        year = int(target.dobs[0][-4:]) + rng.choice((-1, 1)) * rng.randint(3, 15)
        dob = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return " ".join(p.listed for p in _core(target, rng)), dob, "Person"
    if kind == "neg-org-shared-word":  # another firm sharing one distinctive word
        base = rng.choice(firms)
        parts = [next(p for p in base.parts if p.role == "org"), *make_org(rng)]
        if registry.clashes(parts):
            return None
        return " ".join(p.listed for p in parts), "", "Organization"
    fresh = make_person(rng, target.culture)
    if kind == "neg-shared-surname":
        parts = [p for p in fresh if p.role != "family"] + [
            p for p in target.parts if p.role == "family"
        ]
    elif kind == "neg-shared-first-name":
        parts = [p for p in target.parts if p.role == "given"] + [
            p for p in fresh if p.role == "family"
        ]
    elif kind == "neg-common-name":
        parts = [p for p in fresh if p.role in ("given", "family")]
    else:
        parts = fresh
    if registry.clashes(parts):
        return None
    dob = ""
    if rng.random() < 0.5:
        dobs = make_dobs(rng)
        dob = dobs[0][-4:] if dobs else ""
    return " ".join(p.listed for p in parts), dob, "Person" if rng.random() < 0.5 else ""


def generate_set(folder: Path, seed: int, size: int, per_kind: int | None = None) -> dict[str, int]:
    """Write list.csv, queries.csv and truth.csv for one seed; return counts."""
    rng = random.Random(seed)
    subjects: list[Subject] = []
    registry = NameRegistry()
    seen: set[str] = set()
    while len(subjects) < size:
        subject = make_subject(rng)
        key = subject.listed_name().lower()
        if key in seen:
            continue
        seen.add(key)
        subjects.append(subject)
        registry.add(subject.parts)
    ids = [f"GEN{seed % 1000:03d}-{i + 1:05d}" for i in range(size)]
    rows = {uid: listed_names(s, rng) for uid, s in zip(ids, subjects, strict=True)}
    same_alias: dict[str, set[str]] = {}  # a weak alias several designations carry
    for number, uid in enumerate(ids):
        for row in rows[uid]:
            if row.strength == "Low quality":
                registry.add_alias(number, row.text())
                same_alias.setdefault(row.text().lower(), set()).add(uid)
    folder.mkdir(parents=True, exist_ok=True)
    write_fcdo(
        folder / "list.csv", [(uid, s, rows[uid]) for uid, s in zip(ids, subjects, strict=True)]
    )
    per_kind = per_kind or max(20, size // 8)
    queries: list[Query] = []
    for variant, make in VARIANTS.items():
        made = tries = 0
        while made < per_kind and tries < per_kind * 20:
            tries += 1
            at = rng.randrange(size)
            subject, uid = subjects[at], ids[at]
            if variant == "weak-alias":
                weak = [r for r in rows[uid] if r.strength == "Low quality"]
                name = weak[0].text() if weak else None
            else:
                name = make(subject, rng)
            if not name:
                continue
            kind = {"Individual": "Person", "Entity": "Organization"}.get(subject.kind, "")
            same = sorted(
                (
                    {ids[i] for i in registry.namesakes(subject.parts)}
                    | same_alias.get(name.lower(), set())
                )
                - {uid}
            )
            queries.append(
                Query(
                    "",
                    name,
                    _query_dob(subject, rng),
                    kind if rng.random() < 0.5 else "",
                    uid,
                    variant,
                    "|".join(same),
                )
            )
            made += 1
    people = [s for s in subjects if s.kind == "Individual"]
    groups = (
        people,
        [s for s in people if s.dobs and s.dobs[0][:2] != "00"],
        [s for s in subjects if sum(p.role == "org" for p in s.parts) >= 2],
    )
    for variant in NEGATIVE_KINDS:
        made = tries = 0
        while made < per_kind * 2 and tries < per_kind * 50:
            tries += 1
            negative = _negative(variant, groups, registry, rng)
            if negative:
                queries.append(Query("", *negative, "", variant))
                made += 1
    rng.shuffle(queries)
    with (
        (folder / "queries.csv").open("w", encoding="utf-8", newline="") as q_handle,
        (folder / "truth.csv").open("w", encoding="utf-8", newline="") as t_handle,
    ):
        q_out, t_out = (
            csv.writer(q_handle, lineterminator="\n"),
            csv.writer(t_handle, lineterminator="\n"),
        )
        q_out.writerow(("query_id", "name", "dob", "type"))
        t_out.writerow(("query_id", "unique_id", "variant", "namesakes"))
        for number, query in enumerate(queries, start=1):
            qid = f"Q{number:06d}"
            q_out.writerow((qid, query.name, query.dob, query.kind))
            t_out.writerow((qid, query.unique_id, query.variant, query.namesakes))
    return {
        "designations": size,
        "name_rows": sum(len(r) for r in rows.values()),
        "queries": len(queries),
        "positives": sum(1 for q in queries if q.unique_id),
    }
