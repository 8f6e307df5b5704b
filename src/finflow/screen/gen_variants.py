"""Positive query names: how a designated name may look in a customer or payment record.

One function per variant kind of the issue; each returns the query name or None when the kind
does not apply to the subject (no nickname known, not an organisation...). Most queries leave
out middle names and patronymics, as customer records do.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from finflow.screen import gen_pools as pools
from finflow.screen.gen_people import Part, Subject
from finflow.screen.gen_translit import (
    arabic_respell,
    drop_vowels,
    ocr,
    strip_accents,
    transpose,
    truncate,
    typo,
)

ARABIC_LIKE = ("arabic", "persian", "kurdish")


def _core(subject: Subject, rng: random.Random) -> list[Part]:
    """The parts a record keeps: middle names and patronymics only sometimes."""
    keep_middle = rng.random() < 0.4
    return [p for p in subject.parts if p.role not in ("patronymic", "middle") or keep_middle]


def _names(parts: list[Part]) -> list[str]:
    return [p.listed for p in parts]


def _damage(subject: Subject, rng: random.Random, how: Callable[[str], str]) -> str:
    words = _names(_core(subject, rng))
    candidates = [i for i, w in enumerate(words) if len(w) >= 5] or [0]
    at = rng.choice(candidates)
    words[at] = how(words[at])
    return " ".join(words)


def exact(subject: Subject, rng: random.Random) -> str:
    return " ".join(_names(subject.parts)).upper() if rng.random() < 0.3 else subject.listed_name()


def word_order(subject: Subject, rng: random.Random) -> str | None:
    parts = _core(subject, rng)
    if len(parts) < 2:
        return None
    if subject.kind == "Individual" and rng.random() < 0.5:
        family = [p.listed for p in parts if p.role == "family"]
        rest = [p.listed for p in parts if p.role != "family"]
        return f"{' '.join(family).upper()}, {' '.join(rest)}"
    words = _names(parts)
    while len(words) > 1 and words == _names(parts):
        rng.shuffle(words)
    return " ".join(words)


def transliteration(subject: Subject, rng: random.Random) -> str | None:
    if subject.culture not in (*ARABIC_LIKE, "russian", "chinese", "vietnamese"):
        return None
    parts = _core(subject, rng)
    if subject.culture in ("russian", "chinese") and rng.random() < 0.25:  # original script
        scripts = [p.script for p in parts if p.script]
        return " ".join(scripts) if subject.culture == "russian" else "".join(scripts)
    if subject.culture == "russian":  # one scheme for the whole name: ICAO, German, French, ISO
        scheme = rng.randrange(1, 5)
        return " ".join(p.spellings[scheme] for p in parts)
    words = [p.listed for p in parts]
    alternatives = [i for i, p in enumerate(parts) if len(p.spellings) > 1]
    for i in alternatives:
        if rng.random() < 0.7 or i == alternatives[-1]:
            words[i] = rng.choice(parts[i].spellings[1:])
    if subject.culture == "chinese" and rng.random() < 0.5:
        words.reverse()  # given name first, as many Western records write it
    return " ".join(words)


def spelling(subject: Subject, rng: random.Random) -> str | None:
    if subject.kind != "Individual":
        return None
    parts = _core(subject, rng)
    words = [strip_accents(p.listed) for p in parts]
    at = rng.randrange(len(words))
    words[at] = arabic_respell(words[at], rng, rng.choice((1, 2)))
    return " ".join(words)


def no_vowels(subject: Subject, rng: random.Random) -> str | None:
    if subject.culture not in ARABIC_LIKE:
        return None
    words = [strip_accents(w) for w in _names(_core(subject, rng))]
    targets = rng.sample(range(len(words)), k=min(len(words), rng.choice((1, 2))))
    for i in targets:
        words[i] = drop_vowels(words[i])
    return " ".join(words)


def typo_variant(subject: Subject, rng: random.Random) -> str:
    return _damage(subject, rng, lambda w: typo(w, rng))


def ocr_variant(subject: Subject, rng: random.Random) -> str:
    return _damage(subject, rng, lambda w: ocr(w, rng))


def transposed(subject: Subject, rng: random.Random) -> str:
    return _damage(subject, rng, lambda w: transpose(w, rng))


def truncated(subject: Subject, rng: random.Random) -> str | None:
    text = " ".join(_names(_core(subject, rng)))
    if len(text) < 14:
        return None
    if rng.random() < 0.5:
        return _damage(subject, rng, lambda w: truncate(w, rng))
    return text[: max(12, round(len(text) * 0.8))].rstrip()  # a fixed-width field


def initials(subject: Subject, rng: random.Random) -> str | None:
    if subject.kind != "Individual" or subject.culture == "chinese":
        return None
    parts = _core(subject, rng)
    given = [p for p in parts if p.role != "family"]
    family = [p for p in parts if p.role == "family"]
    if not given or not family:
        return None
    short = [p.listed[0] + ("." if rng.random() < 0.5 else "") for p in given]
    if len(given) > 1 and rng.random() < 0.5:  # first name kept, the others as initials
        short[0] = given[0].listed
    return " ".join([*short, *(p.listed for p in family)])


def titles(subject: Subject, rng: random.Random) -> str | None:
    if subject.kind != "Individual":
        return None
    words = _names(_core(subject, rng))
    if rng.random() < 0.7:
        words.insert(0, rng.choice(pools.TITLES))
    if rng.random() < 0.5 or len(words) == len(_core(subject, rng)):
        words.append(rng.choice(pools.SUFFIXES))
    return " ".join(words)


def particles(subject: Subject, rng: random.Random) -> str | None:
    if subject.kind != "Individual":
        return None
    parts = _core(subject, rng)
    words = _names(parts)
    family_at = next((i for i, p in enumerate(parts) if p.role == "family"), len(words) - 1)
    family = words[family_at]
    for prefix in ("Al-", "Al ", "El-", "al-"):
        if family.startswith(prefix):  # drop it, or glue it on
            words[family_at] = (
                family[len(prefix) :] if rng.random() < 0.6 else family.replace(prefix, "Al", 1)
            )
            return " ".join(words)
    if subject.culture in ARABIC_LIKE:
        if family_at > 0 and rng.random() < 0.5:
            words.insert(family_at, rng.choice(("bin", "ibn", "Bin")))
        else:
            words[family_at] = rng.choice(("al-", "Al ", "el-")) + family
    elif subject.culture == "english":
        words.insert(family_at, rng.choice(("van der", "de", "von")))
    else:
        words.insert(family_at, rng.choice(("de", "van", "al")))
    return " ".join(words)


def nickname(subject: Subject, rng: random.Random) -> str | None:
    parts = _core(subject, rng)
    options = [i for i, p in enumerate(parts) if p.nicknames]
    if not options:
        return None
    at = rng.choice(options)
    words = _names(parts)
    words[at] = rng.choice(parts[at].nicknames)
    return " ".join(words)


def org_form(subject: Subject, rng: random.Random) -> str | None:
    if subject.kind != "Entity":
        return None
    words = []
    for part in subject.parts:
        if part.role == "form":
            if rng.random() < 0.8:
                words.append(rng.choice(part.spellings[1:] or ("Company",)))
        elif part.role == "generic":
            if rng.random() < 0.5:
                words.append(part.listed)
        else:
            words.append(part.listed)
    if rng.random() < 0.4:
        words.insert(len(words) - 1, rng.choice(("Group", "Trading", "Holding")))
    return " ".join(words)


def weak_alias(subject: Subject, rng: random.Random) -> str | None:
    return None  # filled by the generator, which knows the subject's weak aliases


VARIANTS: dict[str, Callable[[Subject, random.Random], str | None]] = {
    "exact": exact,
    "word-order": word_order,
    "transliteration": transliteration,
    "spelling": spelling,
    "no-vowels": no_vowels,
    "typo": typo_variant,
    "ocr": ocr_variant,
    "transposed": transposed,
    "truncated": truncated,
    "initials": initials,
    "titles": titles,
    "particles": particles,
    "nickname": nickname,
    "org-form": org_form,
    "weak-alias": weak_alias,
}
